/**
 * hvmc as a user has it: `npm pack`, the tarball installed into scratch
 * projects (a CommonJS one as `npm init -y` writes it, and an ES module one),
 * offline, from the npm cache that `npm ci` filled. Then, in each project,
 * what a user does: policies of every file kind at the root and in a
 * subfolder through the CLI, the worker threads, replay, the gate and the
 * vitest API (including a failing test whose printed replay command is run
 * and reproduces), `require('hvmc')`/`import('hvmc')`, and `tsc --noEmit`
 * over the user's files with the config `tsc --init` writes and with strict +
 * nodenext. Each test's name is a cell of the matrix: project × file kind ×
 * entry point.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';

const REPO = new URL('../../', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'hvmc-e2e-'));
let tarball = '';

type Kind = 'ts' | 'mts' | 'cts' | 'js' | 'mjs' | 'cjs';
const KINDS: readonly Kind[] = ['ts', 'mts', 'cts', 'js', 'mjs', 'cjs'];
type PkgType = 'commonjs' | 'module';
const PROJECTS: readonly PkgType[] = ['commonjs', 'module'];

function sh(cwd: string, cmd: string, args: readonly string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', PATH: `${join(cwd, 'node_modules', '.bin')}${delimiter}${process.env.PATH}`, ...env },
    timeout: 170_000,
  });
}

/** The installed bin of the project in `cwd` (or of `project`, run in `cwd`). */
function hvmc(cwd: string, ...args: string[]): SpawnSyncReturns<string> {
  return hvmcIn(cwd, cwd, ...args);
}

function hvmcIn(project: string, cwd: string, ...args: string[]): SpawnSyncReturns<string> {
  return sh(cwd, join(project, 'node_modules', '.bin', 'hvmc'), args);
}

function ok(r: SpawnSyncReturns<string>, code = 0): SpawnSyncReturns<string> {
  if (r.status !== code) throw new Error(`exit ${r.status} (expected ${code})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

/**
 * A project whose only dependencies are hvmc (the tarball) and this
 * repository's own dev dependencies, with a lockfile made from this
 * repository's, so that `npm ci --offline` installs it from the cache.
 */
function makeProject(type: PkgType): string {
  const dir = join(work, type);
  mkdirSync(dir, { recursive: true });
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8'));
  const own = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
  const devDependencies: Record<string, string> = { hvmc: `file:${tarball}` };
  for (const name of Object.keys(own.devDependencies)) devDependencies[name] = lock.packages[`node_modules/${name}`].version;
  // As `npm init -y` writes it (which says "commonjs"), or an ES module package.
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `user-${type}`, version: '1.0.0', type, devDependencies }, null, 2));
  const packages: Record<string, unknown> = { '': { name: `user-${type}`, version: '1.0.0', devDependencies } };
  for (const [k, v] of Object.entries(lock.packages as Record<string, object>)) if (k !== '') packages[k] = { ...v, dev: true };
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  packages['node_modules/hvmc'] = {
    version: own.version,
    resolved: `file:${tarball}`,
    integrity,
    dev: true,
    license: own.license,
    dependencies: own.dependencies,
    bin: own.bin,
    engines: own.engines,
  };
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ name: `user-${type}`, version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2));
  ok(sh(dir, 'npm', ['ci', '--offline', '--no-audit', '--no-fund']));
  return dir;
}

/**
 * The policy of docs/examples/clean-before-migrate.ts (holds on ref-a, broken
 * on ref-b by the system cache in 6 steps): its object literal, with the
 * name taken from an expression (so that each file imports a helper).
 */
const body = (name: string) => {
  const example = readFileSync(join(REPO, 'docs/examples/clean-before-migrate.ts'), 'utf8');
  const literal = /definePolicy\((\{[\s\S]*\})\);\s*$/.exec(example)![1]!;
  return literal.replace("name: 'clean-before-migrate'", `name: ${name}`).replace(/ *\/\/.*$/gm, '');
};

/** The policy file as a user writes it: the syntax the extension (and the package type) calls for. */
function policySource(kind: Kind, type: PkgType, helper: string): string {
  const esm = kind === 'mjs' || kind === 'mts' || ((kind === 'js' || kind === 'ts') && type === 'module') || (kind === 'ts' && type === 'commonjs');
  if (kind === 'cts') return `import hvmc = require('hvmc');\nimport helper = require('${helper}');\nexport = hvmc.definePolicy(${body('helper.name')});\n`;
  if (esm) return `import { definePolicy } from 'hvmc';\nimport { name } from '${helper}';\nexport default definePolicy(${body('name')});\n`;
  return `const { definePolicy } = require('hvmc');\nconst { name } = require('${helper}');\nmodule.exports = definePolicy(${body('name')});\n`;
}

/** Every policy file of a project: each kind at the root and in policies/, each importing a helper beside it. */
function writePolicies(dir: string, type: PkgType): string[] {
  mkdirSync(join(dir, 'policies'), { recursive: true });
  const files: string[] = [];
  for (const where of ['.', 'policies']) {
    // The helpers: one of the same module kind for each TypeScript kind, imported with
    // the JavaScript extension as tsc wants it; a .cjs one for the JavaScript files.
    writeFileSync(join(dir, where, 'helper.ts'), `export const name: string = 'clean-before-migrate';\n`);
    writeFileSync(join(dir, where, 'helper-m.mts'), `export const name: string = 'clean-before-migrate';\n`);
    writeFileSync(join(dir, where, 'helper-c.cts'), `const name: string = 'clean-before-migrate';\nexport = { name };\n`);
    writeFileSync(join(dir, where, 'helper.cjs'), `exports.name = 'clean-before-migrate';\n`);
    for (const kind of KINDS) {
      const helper = { ts: './helper.js', mts: './helper-m.mjs', cts: './helper-c.cjs', js: './helper.cjs', mjs: './helper.cjs', cjs: './helper.cjs' }[kind];
      const file = `${where}/policy-${kind}.${kind}`;
      writeFileSync(join(dir, file), policySource(kind, type, helper));
      files.push(`./${file.replace(/^\.\//, '')}`);
    }
  }
  // A same-named .js beside a .ts, told apart by what they do: the .js cleans by
  // set/way on the local pCPU (as native: 7 steps on ref-a), the .ts does nothing (6 steps).
  const native = `{ model: 'setway', name: 'twin-js', description: '', onSetWay(hyp, op, set, way) { hyp.setWay(op, hyp.pcpu, set, way); }, onSctlr(hyp, on) { hyp.setCacheOn(on); } }`;
  writeFileSync(join(dir, 'twin.ts'), `export default { model: 'setway', name: 'twin-ts', description: '', onSetWay() {}, onSctlr(hyp: { setCacheOn(on: boolean): void }, on: boolean) { hyp.setCacheOn(on); } };\n`);
  writeFileSync(join(dir, 'twin.js'), type === 'module' ? `export default ${native};\n` : `module.exports = ${native};\n`);
  return files;
}

const projects: Record<PkgType, { dir: string; files: string[] }> = {} as never;

beforeAll(() => {
  ok(sh(REPO, 'npm', ['pack', '--pack-destination', work]));
  tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);
  for (const type of PROJECTS) {
    const dir = makeProject(type);
    projects[type] = { dir, files: writePolicies(dir, type) };
  }
});

describe.each(PROJECTS)('%s project', (type) => {
  const dir = () => projects[type].dir;

  test('the tarball holds compiled JavaScript and declarations, no TypeScript sources', () => {
    const installed = join(dir(), 'node_modules', 'hvmc');
    const walk = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name).slice(installed.length + 1)]));
    const all = walk(installed);
    expect(all).toContain('dist/index.js');
    expect(all).toContain('dist/index.d.ts');
    expect(all).toContain('dist/cli/vitest.d.ts');
    expect(all.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('docs/'))).toEqual([]);
  });

  test.concurrent.each(KINDS)('CLI check: .%s at the root and in a subfolder', (kind) => {
    for (const file of projects[type].files.filter((f) => f.endsWith(`.${kind}`))) {
      const j = JSON.parse(ok(hvmc(dir(), 'check', '--config', 'ref-a', '--policy', file, '--json')).stdout);
      expect(j).toMatchObject({ policy: file, complete: true, distinctStates: 164 });
      expect(j.invariants.map((i: { status: string }) => i.status)).toEqual(['holds', 'holds']);
    }
  });

  test.concurrent.each(KINDS)('workers: .%s with --workers 2', (kind) => {
    const file = `./policies/policy-${kind}.${kind}`;
    const one = JSON.parse(ok(hvmc(dir(), 'check', '--config', 'ref-b', '--policy', file, '--json'), 1).stdout);
    const two = JSON.parse(ok(hvmc(dir(), 'check', '--config', 'ref-b', '--policy', file, '--json', '--workers', '2'), 1).stdout);
    expect(two.distinctStates).toBe(one.distinctStates);
    expect(two.invariants[0].counterexample.length).toBe(6);
  });

  test.concurrent.each(KINDS)('replay: a trace of .%s, replayed from another folder', (kind) => {
    const trace = join(dir(), `trace-${kind}.json`);
    ok(hvmc(dir(), 'check', '--config', 'ref-b', '--policy', `./policy-${kind}.${kind}`, '--trace-out', trace), 1);
    // From a folder without the policy file: replay finds it beside the trace.
    const elsewhere = join(dir(), `elsewhere-${kind}`);
    mkdirSync(elsewhere, { recursive: true });
    const r = ok(hvmcIn(dir(), elsewhere, 'replay', trace), 1);
    expect(r.stdout).toContain('reproduced: coherent-read violated after 6 steps');
  });

  test('a path loads exactly that file: twin.js beside twin.ts', () => {
    const length = (f: string) => JSON.parse(ok(hvmc(dir(), 'check', '--config', 'ref-a', '--policy', f, '--json'), 1).stdout).invariants[0].counterexample.length;
    expect([length('./twin.js'), length('./twin.ts')]).toEqual([7, 6]);
  });

  test('a policy with no import, outside any package', () => {
    const loose = mkdtempSync(join(tmpdir(), 'hvmc-loose-'));
    // As xen-rfc: set/way does nothing, so the guest reads a stale line after turning its caches off.
    writeFileSync(
      join(loose, 'p.ts'),
      `type Hyp = { setCacheOn(on: boolean): void };\nexport default { model: 'setway', name: 'loose', description: '', onSetWay() {}, onSctlr(hyp: Hyp, on: boolean) { hyp.setCacheOn(on); } };\n`,
    );
    const r = ok(hvmc(dir(), 'check', '--config', 'ref-a', '--policy', join(loose, 'p.ts')), 1);
    expect(r.stdout).toContain('coherent-read  violated  (shortest counterexample: 6 steps)');
    rmSync(loose, { recursive: true });
  });

  test('a syntax error names the file, line and column', () => {
    writeFileSync(join(dir(), 'broken.ts'), `export default {\n  model: 'setway',\n  name: 'x' +,\n};\n`);
    writeFileSync(join(dir(), 'broken.cjs'), `module.exports = {\n  model: 'setway',\n  name: 'x' +,\n};\n`);
    const ts = hvmc(dir(), 'check', '--config', 'ref-a', '--policy', './broken.ts');
    expect(ts.status).toBe(2);
    expect(ts.stderr).toMatch(/^hvmc: error: policy file \.\/broken\.ts failed to load: syntax error at \.\/broken\.ts:3:\d+: /);
    const cjs = hvmc(dir(), 'check', '--config', 'ref-a', '--policy', './broken.cjs');
    expect(cjs.status).toBe(2);
    expect(cjs.stderr).toMatch(/^hvmc: error: policy file \.\/broken\.cjs failed to load: syntax error at \.\/broken\.cjs:3:\d+: Unexpected token/);
    expect(ts.stderr.trim().split('\n')).toHaveLength(1);
    if (type === 'commonjs') {
      // ES syntax in a .js of a CommonJS package: Node's rule, said in one line with what to do.
      writeFileSync(join(dir(), 'esm-in-cjs.js'), `export default { model: 'setway' };\n`);
      const js = hvmc(dir(), 'check', '--config', 'ref-a', '--policy', './esm-in-cjs.js');
      expect(js.status).toBe(2);
      expect(js.stderr).toBe(
        `hvmc: error: policy file ./esm-in-cjs.js failed to load: syntax error at ./esm-in-cjs.js:1:1: Unexpected token 'export' ` +
          `(this .js is CommonJS, as its package.json says: use require and module.exports, rename it .mjs, or set "type": "module")\n`,
      );
    }
  });

  test('untrusted code: a hook that never returns, a top-level throw', () => {
    writeFileSync(join(dir(), 'loop.mjs'), `export default { model: 'setway', name: 'loop', description: '', onSetWay() { for (;;) {} }, onSctlr(hyp, on) { hyp.setCacheOn(on); } };\n`);
    const r = hvmc(dir(), 'check', '--config', 'ref-a', '--policy', './loop.mjs', '--timeout', '2');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^hvmc: error: policy file \.\/loop\.mjs: onSetWay\(v0 on p0, CISW set=0 way=0\) did not return within 1 s \(on the state \[0x[0-9a-f]+\]\): a hook must return promptly\n$/);
    writeFileSync(join(dir(), 'throws.ts'), `const x: number = 1;\nif (x) throw new Error('not today');\nexport default {};\n`);
    const t = hvmc(dir(), 'check', '--config', 'ref-a', '--policy', './throws.ts');
    expect(t.status).toBe(2);
    // tsx runs a .ts of a CommonJS package from a data: URL, so no frame names the file there.
    const frame = type === 'module' ? ' (at ./throws.ts:2:14)' : '';
    expect(t.stderr).toBe(`hvmc: error: policy file ./throws.ts failed to load: not today${frame}\n`);
  });

  test('the gate: a gate file naming every kind of policy file', () => {
    const checks = projects[type].files.map((policy) => ({ model: 'setway', policy, configs: ['ref-a', 'ref-b'] }));
    writeFileSync(join(dir(), 'hvmc.gate.json'), JSON.stringify({ checks }, null, 2));
    expect(ok(hvmc(dir(), 'gate', '--update')).stdout).toContain('expectations written');
    const g = JSON.parse(readFileSync(join(dir(), 'hvmc.gate.json'), 'utf8'));
    expect(g.checks[0].expect).toEqual({ 'ref-a': 'holds', 'ref-b': { 'coherent-read': 6, 'no-lost-write': 'holds' } });
    const r = ok(hvmc(dir(), 'gate'));
    expect(r.stdout).toContain(`gate: all ${checks.length * 2} verdicts match`);
    g.checks[3].expect['ref-b']['coherent-read'] = 7;
    writeFileSync(join(dir(), 'hvmc.gate.json'), JSON.stringify(g, null, 2));
    const bad = ok(hvmc(dir(), 'gate'), 1);
    expect(bad.stdout).toContain(`checks[3] setway ${checks[3]!.policy} ref-b: expected coherent-read 7, got coherent-read 6`);
  });

  test('the package loads with require() and import()', () => {
    const cjs = ok(sh(dir(), process.execPath, ['-e', `const h = require('hvmc'); console.log(typeof h.definePolicy, typeof h.check)`]));
    expect(cjs.stdout.trim()).toBe('function function');
    expect(cjs.stderr).toBe('');
    const esm = ok(sh(dir(), process.execPath, ['--input-type=module', '-e', `const h = await import('hvmc'); console.log(typeof h.definePolicy)`]));
    expect(esm.stdout.trim()).toBe('function');
  });

  test('vitest: checkModel with every kind of policy file, paths relative to the test file', () => {
    mkdirSync(join(dir(), 'test'), { recursive: true });
    const ext = type === 'module' ? 'ts' : 'mts';
    writeFileSync(
      join(dir(), 'test', `policies.test.${ext}`),
      `import { describe, expect, test } from 'vitest';
import { checkModel } from 'hvmc/vitest';

const files: string[] = ${JSON.stringify(projects[type].files.map((f) => `.${f}`))};

describe.each(files)('%s', (policy) => {
  test('holds on ref-a', async () => {
    expect(await checkModel({ config: 'ref-a', policy })).toHold();
  });
  test('the system cache breaks it on ref-b', async () => {
    expect(await checkModel({ config: 'ref-b', policy })).toBeViolated('coherent-read', { length: 6 });
  });
});

test('two workers', async () => {
  const r = await checkModel({ config: 'ref-b', policy: '../policies/policy-ts.ts', workers: 2 });
  expect(r).toBeViolated('coherent-read', { length: 6 });
});

test('random walks', async () => {
  const r = await checkModel({ config: 'ref-a', policy: '../policy-cts.cts', strategy: 'random', seed: 7, runs: 50, depth: 40 });
  expect(r).toSurviveWalks();
  expect(() => expect(r).toHold()).toThrow(/a random search cannot show that the invariants hold: 50 random walks of at most 40 steps \\(seed 7\\) found no violation/);
});
`,
    );
    const r = sh(dir(), 'vitest', ['run', `test/policies.test.${ext}`]);
    expect(r.stdout + r.stderr).toMatch(/Tests\s+26 passed \(26\)/);
    expect(r.status).toBe(0);
  });

  test('vitest: a failing test prints a replay command that reproduces from the project root', () => {
    mkdirSync(join(dir(), 'test', 'deep'), { recursive: true });
    const ext = type === 'module' ? 'ts' : 'mts';
    writeFileSync(
      join(dir(), 'test', 'deep', `fails.test.${ext}`),
      `import { expect, test } from 'vitest';
import { checkModel } from 'hvmc/vitest';

test('clean-before-migrate on ref-b (fails on purpose)', async () => {
  expect(await checkModel({ config: 'ref-b', policy: '../../policies/policy-mjs.mjs' })).toHold();
});

test('a policy whose hook never returns fails its test (fails on purpose)', async () => {
  expect(await checkModel({ config: 'ref-a', policy: '../../loop.mjs', timeoutSeconds: 2 })).toHold();
});
`,
    );
    const r = sh(dir(), 'vitest', ['run', `test/deep/fails.test.${ext}`]);
    expect(r.status).toBe(1);
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/Tests\s+2 failed \(2\)/);
    expect(out).toContain('hvmc: policy file ./loop.mjs: onSetWay(v0 on p0, CISW set=0 way=0) did not return within 1 s');
    expect(out).toContain('coherent-read violated');
    const replay = /replay: (hvmc check .*)$/m.exec(out)?.[1];
    expect(replay).toBe('hvmc check --model setway --config ref-b --policy ./policies/policy-mjs.mjs');
    const again = ok(sh(dir(), 'sh', ['-c', `npx --offline ${replay}`]), 1);
    expect(again.stdout).toContain('coherent-read  violated  (shortest counterexample: 6 steps)');
  });

  test("tsc --noEmit over the user's files: strict + nodenext, and tsc --init's config", () => {
    const ext = type === 'module' ? 'ts' : 'mts';
    const strict = { compilerOptions: { strict: true, module: 'nodenext', noEmit: true, types: [] }, include: ['**/*.ts', '**/*.mts', '**/*.cts'], exclude: ['node_modules', 'twin.ts', 'broken.ts'] };
    writeFileSync(join(dir(), 'tsconfig.strict.json'), JSON.stringify(strict));
    const s = sh(dir(), 'tsc', ['-p', 'tsconfig.strict.json']);
    expect(s.stdout + s.stderr).toBe('');
    ok(sh(dir(), 'tsc', ['--init']));
    // tsc --init's config (verbatimModuleSyntax) allows no import/export syntax in a .ts of a
    // CommonJS package: there the user's files are .mts and .cts (docs: README).
    const files = type === 'module' ? ['**/*.ts', '**/*.mts', '**/*.cts'] : ['**/*.mts', '**/*.cts'];
    const init = readFileSync(join(dir(), 'tsconfig.json'), 'utf8');
    writeFileSync(join(dir(), 'tsconfig.json'), init.replace(/\}\s*$/, `,\n  "include": ${JSON.stringify(files)},\n  "exclude": ["node_modules", "twin.ts", "broken.ts"]\n}\n`));
    const t = sh(dir(), 'tsc', ['--noEmit']);
    expect(t.stdout + t.stderr).toBe('');
    expect(t.status).toBe(0);
    expect(readdirSync(join(dir(), 'test')).some((f) => f.endsWith(`.${ext}`))).toBe(true);
  });
});
