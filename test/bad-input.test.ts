/**
 * Bad input, as a user gives it: every case is exit code 2 (or 3 for a
 * limit) and one line that says what was wrong, never a crash, a stack trace
 * or a silent default. Table-driven: CLI flags (every parameter of every
 * model out of range or malformed, names, repeated and misplaced flags),
 * config files, trace files, merge inputs, policy files and gate files.
 * (Hangs, process.exit and memory: test/untrusted.test.ts, through the bin.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { flagName } from '../model/core/params.ts';
import { FAMILIES } from '../model/registry.ts';
import { runCli } from './cli-support.ts';

const dir = mkdtempSync(join(tmpdir(), 'hvmc-bad-'));
const f = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const json = (name: string, value: unknown) => f(name, JSON.stringify(value));

interface Case {
  readonly name: string;
  readonly args: () => readonly string[];
  readonly code?: number;
  readonly message: RegExp;
  /** Through the bin, not in-process: JavaScript files load by Node's own rules there, not vite's. */
  readonly bin?: boolean;
}

const cases: Case[] = [];
const add = (name: string, args: readonly string[] | (() => readonly string[]), message: RegExp, code = 2, bin = false) =>
  cases.push({ name, args: typeof args === 'function' ? args : () => args, message, code, bin });
const BIN = new URL('../bin/hvmc.mjs', import.meta.url).pathname;

// --- every parameter of every model, out of range or malformed -----------------------------
const someConfig: Record<string, string> = { setway: 'ref-a', mapcache: 'mc-a', fpsimd: 'fp-a', stage2: 's2-a' };
const somePolicy: Record<string, string> = { setway: 'native', mapcache: 'arm-v3', fpsimd: 'kvm-4.19', stage2: 'fault-clean' };
for (const fam of Object.values(FAMILIES)) {
  const base = ['check', '--model', fam.name, '--config', someConfig[fam.name]!, '--policy', somePolicy[fam.name]!];
  for (const p of fam.params) {
    const flag = flagName(p.name);
    if (p.kind === 'int') {
      for (const v of [String(p.min - 1), String(p.max + 1), '1.5', '0x2', 'abc', '', '1e1']) {
        add(`${fam.name} ${flag} ${JSON.stringify(v)}`, [...base, flag, v], new RegExp(`${p.name} must be an integer ${p.min}\\.\\.${p.max}, got`));
      }
    } else if (p.kind === 'bool') {
      add(`${fam.name} ${flag} maybe`, [...base, flag, 'maybe'], new RegExp(`${p.name} must be true or false, got "maybe"`));
    } else {
      add(`${fam.name} ${flag} nosuch`, [...base, flag, 'nosuch'], new RegExp(`${p.name} must be one of .*, got "nosuch"`));
    }
  }
}
add('a parameter of another model', ['check', '--model', 'fpsimd', '--config', 'fp-a', '--policy', 'kvm-4.19', '--ways', '2'], /--ways is not a parameter of model fpsimd/);

// --- names, including JavaScript's own property names --------------------------------------
for (const n of ['nosuch', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
  add(`--model ${n}`, ['check', '--model', n], /unknown model/);
  add(`--config ${n}`, ['check', '--config', n, '--policy', 'native'], /unknown configuration/);
  add(`--policy ${n}`, ['check', '--config', 'ref-a', '--policy', n], /unknown policy/);
  add(`--invariant ${n}`, ['check', '--config', 'ref-a', '--policy', 'native', '--invariant', n], /unknown invariant/);
}
add('no policy', ['check', '--config', 'ref-a'], /--policy is required for model setway/);
add('unknown command', ['chek'], /unknown command 'chek' \(Did you mean check\?\) \(hvmc --help for usage\)/);
add('unknown flag', ['check', '--config', 'ref-a', '--policy', 'native', '--polcy', 'x'], /unknown option '--polcy' \(Did you mean --policy\?\)/);

// --- one meaning per command line ------------------------------------------------------------
for (const [flag, a, b] of [
  ['--policy', 'native', 'trap-va'],
  ['--config', 'ref-a', 'ref-b'],
  ['--model', 'setway', 'setway'],
  ['--pcpus', '2', '3'],
  ['--timeout', '5', '6'],
  ['--max-states', '10', '20'],
  ['--max-depth', '3', '4'],
  ['--workers', '1', '2'],
] as const) {
  const rest = ['--config', 'ref-a', '--policy', 'native'].filter((x, k, all) => x !== flag && all[k - 1] !== flag);
  add(`${flag} twice`, ['check', ...rest, flag, a, flag, b], new RegExp(`${flag} is given twice \\(${a}, then ${b}\\)`));
}
add('--system-cache and --no-system-cache', ['check', '--config', 'ref-a', '--policy', 'native', '--system-cache', '--no-system-cache'], /--system-cache is given twice/);
add('--json twice', ['check', '--config', 'ref-a', '--policy', 'native', '--json', '--json'], /--json is given twice/);
add('--seed twice', ['check', '--config', 'ref-a', '--policy', 'native', '--strategy', 'random', '--seed', '1', '--seed', '2'], /--seed is given twice/);
add('the same --invariant twice', ['check', '--config', 'ref-a', '--policy', 'native', '--invariant', 'coherent-read', '--invariant', 'coherent-read'], /--invariant coherent-read is given twice/);
for (const o of [['--seed', '1'], ['--runs', '10'], ['--depth', '10'], ['--bias', 'swarm'], ['--shard', '1/2'], ['--bias', 'uniform']]) {
  add(`${o.join(' ')} under BFS`, ['check', '--config', 'ref-a', '--policy', 'native', ...o], new RegExp(`${o[0]} is for --strategy random`));
}
for (const o of [['--max-states', '10'], ['--max-depth', '3'], ['--symmetry'], ['--workers', '2'], ['--max-states', 'abc']]) {
  add(`${o.join(' ')} under random`, ['check', '--config', 'ref-a', '--policy', 'native', '--strategy', 'random', ...o], new RegExp(`${o[0]} is for --strategy bfs`));
}

// --- malformed values of the search's own options ------------------------------------------
const chk = ['check', '--config', 'ref-a', '--policy', 'native'];
const rnd = [...chk, '--strategy', 'random'];
for (const v of ['abc', '0', '-1', '1e3', '0x10', '1.5']) add(`--max-states ${v}`, [...chk, '--max-states', v], /--max-states must be an integer >= 1/);
for (const v of ['abc', '-1', '2.5']) add(`--max-depth ${v}`, [...chk, '--max-depth', v], /--max-depth must be an integer >= 0/);
for (const v of ['0', '-1', '0x2', 'abc', '1e3', '', '999999999']) add(`--timeout ${JSON.stringify(v)}`, [...chk, '--timeout', v], /--timeout must be a positive number of seconds in decimal/);
for (const v of ['0', 'abc', '-2']) add(`--workers ${v}`, [...chk, '--workers', v], /--workers must be an integer >= 1/);
for (const v of ['3', '64']) add(`--workers ${v} on this machine`, [...chk, '--workers', v], /--workers \d+ is more than this machine's \d+ cores/);
for (const v of ['0/2', '3/2', '1/0', 'a/b', '1/99999999999999999999', '1', '1/20000', '-1/2']) add(`--shard ${v}`, [...rnd, '--shard', v], /--shard must be K\/N with 1 <= K <= N <= 10,000/);
for (const v of ['-1', 'abc', '1.5']) add(`--seed ${v}`, [...rnd, '--seed', v], /--seed must be an integer >= 0/);
add('--runs 0', [...rnd, '--runs', '0'], /--runs must be an integer >= 1/);
add('--depth 0', [...rnd, '--depth', '0'], /--depth must be an integer >= 1/);
add('--bias nosuch', [...rnd, '--bias', 'nosuch'], /--bias must be uniform or swarm/);
add('--strategy dfs', [...chk, '--strategy', 'dfs'], /--strategy must be bfs or random/);
add('--trace-out empty', [...chk, '--trace-out', ''], /--trace-out needs a file name/);
add('--trace-out in a missing folder', [...chk, '--trace-out', '/nonexistent-dir/t.json'], /--trace-out \/nonexistent-dir\/t\.json: the folder \/nonexistent-dir does not exist/);
add('--trace-out a folder', () => [...chk, '--trace-out', dir], /is a folder, not a file/);
add('--pairs without --workers', ['bench', '--pairs', '3'], /--pairs needs --workers 2 or more/);
add('--pairs 0', ['bench', '--workers', '2', '--pairs', '0'], /--pairs must be an integer >= 1/);
add('minimize without --invariant', ['minimize', '--config', 'ref-a', '--policy', 'native'], /required option '--invariant <name>' not specified/);
add('replay --timeout abc', () => ['replay', join(dir, 'nothing.json'), '--timeout', 'abc'], /--timeout must be a positive number/);

// --- config files ------------------------------------------------------------------------------
const cfg = (name: string, value: unknown) => () => ['check', '--config', json(name, value), '--policy', 'native'];
add('config file: missing', ['check', '--config', '/nonexistent/c.json', '--policy', 'native'], /cannot read config file .*ENOENT/);
add('config file: not JSON', () => ['check', '--config', f('c1.json', '{ pcpus: 2 '), '--policy', 'native'], /config file .* is not valid JSON/);
add('config file: an array', cfg('c2.json', [1, 2]), /must hold a JSON object of parameters/);
add('config file: null', cfg('c3.json', null), /must hold a JSON object of parameters/);
add('config file: another model', cfg('c4.json', { model: 'stage2' }), /is for model "stage2", not setway/);
add('config file: unknown parameter', cfg('c5.json', { pcpu: 2 }), /unknown parameter "pcpu"/);
add('config file: a number as a string', cfg('c6.json', { pcpus: '2' }), /pcpus must be an integer 1\.\.\d+ \(a JSON number\), got "2"/);
add('config file: a boolean as a string', cfg('c7.json', { systemCache: 'true' }), /systemCache must be true or false \(a JSON boolean\), got "true"/);
add('config file: out of range', cfg('c8.json', { ways: 99 }), /ways must be an integer/);
add('config file: policy not a string', () => ['check', '--config', json('c9.json', { policy: 1 })], /: policy must be a non-empty string/);
add('config file: model not a string', () => ['check', '--config', json('c13.json', { model: false }), '--policy', 'native'], /: model must be a non-empty string/);
add('config file: unknown policy', () => ['check', '--config', json('c10.json', { policy: 'nosuch' })], /unknown policy "nosuch"/);
add('config file: policy and a different --policy', () => ['check', '--config', json('c11.json', { policy: 'nosuch' }), '--policy', 'native'], /names policy "nosuch" and --policy names "native": give one/);
add('config file: a fraction', cfg('c12.json', { pcpus: 1.5 }), /pcpus must be an integer/);

// --- trace files -----------------------------------------------------------------------------
let good: Record<string, unknown> = {};
const trace = (name: string, edit: (t: Record<string, any>) => void) => () => {
  const t = structuredClone(good) as Record<string, any>;
  edit(t);
  return ['replay', json(name, t)];
};
add('trace: missing', ['replay', '/nonexistent/t.json'], /cannot read trace file .*ENOENT/);
add('trace: not JSON', () => ['replay', f('t0.json', '{"format": ')], /trace file .* is not valid JSON/);
add('trace: not a trace', () => ['replay', json('t1.json', { hello: 1 })], /not an hvmc trace/);
add('trace: version 2', trace('t2.json', (t) => (t.version = 2)), /unsupported version 2/);
add('trace: no steps', trace('t3.json', (t) => delete t.steps), /steps: /);
add('trace: steps not a list', trace('t4.json', (t) => (t.steps = 'zz')), /steps: /);
add('trace: length edited', trace('t5.json', (t) => (t.length = 3)), /length: length differs from the number of steps/);
add('trace: a change with a numeric name', trace('t6.json', (t) => (t.steps[0].changes = [{ name: 1 }])), /steps\[0\]\.changes\[0\]\.name: /);
add('trace: steps misnumbered', trace('t7.json', (t) => (t.steps[1].step = 7)), /steps\[1\]\.step: step 2 is numbered 7/);
add('trace: a step without its key', trace('t8.json', (t) => delete t.steps[0].key), /steps\[0\]\.key: /);
add('trace: unknown model', trace('t9.json', (t) => (t.model = 'nosuch')), /unknown model "nosuch"/);
add('trace: params edited under a reference label', trace('t10.json', (t) => (t.params.pcpus = 3)), /"config" is ref-a, but "params" are not ref-a's/);
add('trace: a param out of range', trace('t11.json', (t) => (t.params.pcpus = 99)), /pcpus must be an integer/);
add('trace: a param as a string', trace('t12.json', (t) => (t.params.pcpus = '2')), /params\.pcpus: |pcpus must be an integer/);
add('trace: an unknown key', trace('t13.json', (t) => (t.extra = 1)), /Unrecognized key: "extra"/);
add('trace: unknown policy', trace('t14.json', (t) => (t.policy = 'nosuch')), /unknown policy "nosuch"/);
add('trace: violation without a message', trace('t15.json', (t) => (t.violation = {})), /violation\.message: /);
add('trace: an unknown invariant', trace('t16.json', (t) => (t.invariant = 'nosuch')), /nosuch/);

// --- merge inputs ------------------------------------------------------------------------------
let shard1: Record<string, any> = {};
let shard2: Record<string, any> = {};
let bfsResult: Record<string, any> = {};
const merged = (...files: (() => string)[]) => () => ['merge', ...files.map((g) => g())];
const res = (name: string, base: () => Record<string, any>, edit: (r: Record<string, any>) => void = () => {}) => () => {
  const r = structuredClone(base());
  edit(r);
  return json(name, r);
};
add('merge: no such file', ['merge', '/nonexistent/r.json'], /cannot read result file/);
add('merge: not JSON', () => ['merge', f('m0.json', 'nope')], /result file .* is not valid JSON/);
add('merge: not a check result', merged(res('m1.json', () => ({ command: 'count' }))), /command: /);
add('merge: counterexample length "x"', merged(res('m2.json', () => bfsResult, (r) => (r.invariants[0].counterexample.length = 'x'))), /invariants\[0\]\.counterexample\.length: /);
add('merge: steps "zz"', merged(res('m3.json', () => bfsResult, (r) => (r.invariants[0].counterexample.steps = 'zz'))), /invariants\[0\]\.counterexample\.steps: /);
add('merge: invariants [null]', merged(res('m4.json', () => bfsResult, (r) => (r.invariants = [null]))), /invariants\[0\]: /);
add('merge: no complete field', merged(res('m5.json', () => bfsResult, (r) => delete r.complete)), /complete: /);
add('merge: a violated invariant with no counterexample', merged(res('m6.json', () => bfsResult, (r) => delete r.invariants[0].counterexample)), /a violated invariant, and only one, has a counterexample/);
add('merge: the same file twice', () => { const a = res('m7.json', () => shard1)(); return ['merge', a, a]; }, /result file .* is given twice/);
add('merge: the same shard twice', merged(res('m8a.json', () => shard1), res('m8b.json', () => shard1), res('m8c.json', () => shard2)), /are the same shard 1\/2/);
add('merge: a missing shard', merged(res('m9.json', () => shard1)), /shard 2 of 2 missing/);
add('merge: shards of different N', merged(res('m10a.json', () => shard1), res('m10b.json', () => shard2, (r) => (r.shard = '2/3'))), /is a shard of another random search/);
add('merge: shards of different seeds', merged(res('m11a.json', () => shard1), res('m11b.json', () => shard2, (r) => (r.seed = 41))), /is a shard of another random search \(seed 40/);
add('merge: another configuration', merged(res('m12a.json', () => shard1), res('m12b.json', () => shard2, (r) => (r.params.pcpus = 4))), /not what .* checked/);
add('merge: another policy', merged(res('m13a.json', () => shard1), res('m13b.json', () => shard2, (r) => (r.policy = 'native'))), /not what .* checked/);
add('merge: a random result without runsDone', merged(res('m14a.json', () => shard1, (r) => delete r.runsDone), res('m14b.json', () => shard2)), /a random result needs seed, runs, runsDone and depth/);
add('merge: a bad shard string', merged(res('m15.json', () => shard1, (r) => (r.shard = 'one/two'))), /shard: shard must be K\/N/);
add('merge: status misspelt', merged(res('m16.json', () => bfsResult, (r) => (r.invariants[1].status = 'held'))), /invariants\[1\]\.status: /);

// --- policy files ------------------------------------------------------------------------------
const pol = (name: string, text: string, model = 'setway', config = 'ref-a') => () => ['check', '--model', model, '--config', config, '--policy', f(name, text)];
const sctlr = `onSctlr(hyp: any, on: boolean) { hyp.setCacheOn(on); }`;
const ok = (extra: string) => `export default { model: 'setway', name: 'p', description: '', onSetWay(hyp: any, op: any, set: number, way: number) { hyp.setWay(op, hyp.pcpu, set, way); }, ${sctlr}, ${extra} };\n`;
add('policy: not found', ['check', '--config', 'ref-a', '--policy', './nonexistent/p.ts'], /policy file not found: \.\/nonexistent\/p\.ts/);
add('policy: a folder', () => ['check', '--config', 'ref-a', '--policy', `${dir}/`], /policy file not found/);
add('policy: wrong extension', () => ['check', '--config', 'ref-a', '--policy', f('p.txt', 'x')], /must end in \.ts \.mts \.cts \.js \.mjs \.cjs/);
add('policy: TypeScript syntax error', pol('p1.ts', `export default {\n  model: 'setway' +,\n};\n`), /failed to load: syntax error at .*p1\.ts:2:\d+: /);
add('policy: JavaScript syntax error', pol('p2.mjs', `export default {\n  model: 'setway' +,\n};\n`), /failed to load: syntax error at .*p2\.mjs:2:\d+: /, 2, true);
add('policy: CommonJS syntax error', pol('p3.cjs', `module.exports = {\n  model: 'setway' +,\n};\n`), /failed to load: syntax error at .*p3\.cjs:2:\d+: /, 2, true);
// (the frame: "(at p4.ts:1:7)" from the package, test/e2e; tsx's global hooks in this repository hide it)
add('policy: throws at its top level', pol('p4.ts', `throw new Error('not today');\n`), /failed to load: not today/, 2, true);
add('policy: imports a missing module', pol('p5.ts', `import x from 'no-such-package';\nexport default x;\n`), /failed to load: .*no-such-package/);
add('policy: exports nothing', pol('p6.mjs', `const x = 1;\n`), /must export its policy as default or as `policy` \(it exports: nothing\)/);
add('policy: exports two things', pol('p7.mjs', `export const a = 1;\nexport const b = 2;\n`), /it exports: a, b/);
add('policy: not an object', pol('p8.mjs', `export default 42;\n`), /the export is not a policy object/);
add('policy: another model', pol('p9.mjs', `export default { model: 'stage2', name: 'x' };\n`), /the policy is for model "stage2", not "setway"/);
add('policy: no name', pol('p10.mjs', `export default { model: 'setway', onSetWay() {}, onSctlr() {} };\n`), /needs a non-empty string `name`/);
add('policy: a missing hook', pol('p11.mjs', `export default { model: 'setway', name: 'x', onSetWay() {} };\n`), /must define the hook onSctlr/);
add('policy: a misspelt hook', pol('p12.ts', ok(`onMigrat() { return true; }`)), /unknown key "onMigrat" \(did you mean onMigrate\?\)/);
add('policy: a misspelt stage2 hook', pol('p13.ts', `export default { model: 'stage2', name: 'x', description: '', onStage2Falt() {} };\n`, 'stage2', 's2-a'), /unknown key "onStage2Falt" \(did you mean onStage2Fault\?\)/);
add('policy: an async hook', pol('p14.ts', `export default { model: 'setway', name: 'x', description: '', async onSetWay() {}, ${sctlr} };\n`), /onSetWay is async: hooks must be synchronous/);
add('policy: a hook returning a Promise', pol('p15.ts', `export default { model: 'setway', name: 'x', description: '', onSetWay() { return Promise.resolve(); }, ${sctlr} };\n`), /onSetWay\(v0 on p0, CISW set=0 way=0\) returned a Promise/);
add('policy: a getter that throws', pol('p16.ts', `export default { get model(): string { throw new Error('boom'); }, name: 'x' };\n`), /reading the policy object threw: boom/);
add('policy: a hook that throws', pol('p17.ts', `export default { model: 'setway', name: 'x', description: '', onSetWay() { throw new Error('nope'); }, ${sctlr} };\n`), /onSetWay\(v0 on p0, CISW set=0 way=0\) threw: nope/);
add('policy: nondeterministic', pol('p18.ts', `let n = 0;\nexport default { model: 'setway', name: 'x', description: '', onSetWay(hyp: any, op: any, set: number, way: number) { if (n++ % 2) hyp.setWay(op, hyp.pcpu, set, way); }, ${sctlr} };\n`), /is nondeterministic/);
add('policy: a string for a boolean', pol('p19.ts', `export default { model: 'setway', name: 'x', description: '', onSetWay() {}, onSctlr(hyp: any) { hyp.setCacheOn('no'); } };\n`), /setCacheOn\(on\) must be true or false, got "no"/);
add('policy: a set of 99', pol('p20.ts', `export default { model: 'setway', name: 'x', description: '', onSetWay(hyp: any, op: any) { hyp.setWay(op, hyp.pcpu, 99, 0); }, ${sctlr} };\n`), /set must be an integer 0\.\.\d+, got 99/);
add('policy: a pCPU of -1', pol('p21.ts', `export default { model: 'setway', name: 'x', description: '', onSetWay(hyp: any, op: any, set: number, way: number) { hyp.setWay(op, -1, set, way); }, ${sctlr} };\n`), /pcpu must be an integer 0\.\.\d+, got -1/);
add('policy: an unknown set/way op', pol('p22.ts', `export default { model: 'setway', name: 'x', description: '', onSetWay(hyp: any, op: any, set: number, way: number) { hyp.setWay('DCZVA', hyp.pcpu, set, way); }, ${sctlr} };\n`), /unknown set\/way operation DCZVA/);
add('policy: the packed state is out of reach', pol('p23.ts', `export default { model: 'setway', name: 'x', description: '', onSetWay(hyp: any) { hyp.s.fill(0xffffffff); }, ${sctlr} };\n`), /onSetWay\(v0 on p0, CISW set=0 way=0\) threw: .*fill/);
add('policy: assigns hyp.pcpu', pol('p35.cjs', `module.exports = { model: 'setway', name: 'x', description: '', onSetWay(hyp, op, set, way) { hyp.pcpu = 1; hyp.setWay(op, hyp.pcpu, set, way); }, onSctlr(hyp, on) { hyp.setCacheOn(on); } };\n`), /threw: hyp\.pcpu is read-only: a hook acts through hyp's operations/, 2, true);
add('policy: replaces hyp.setWay', pol('p36.ts', `export default { model: 'setway', name: 'x', description: '', onSetWay(hyp: any) { hyp.setWay = () => {}; }, ${sctlr} };\n`), /threw: hyp\.setWay is read-only/);
add('policy: an undeclared variable', pol('p24.ts', ok(`onMigrate(hyp: any) { hyp.set('count', 1); return true; }`)), /no per-vCPU variable "count" is declared in state\.perVcpu/);
add('policy: a variable out of range', pol('p25.ts', ok(`state: { perVcpu: { n: 1 } }, onMigrate(hyp: any) { hyp.set('n', 2); return true; }`)), /n.* must be an integer 0\.\.1, got 2/);
add('policy: a bookkeeping maximum of 256', pol('p26.ts', ok(`state: { perVcpu: { n: 256 } }`)), /state\.perVcpu\.n: the largest value must be an integer 1\.\.255, got 256/);
add('policy: a bookkeeping name that is not a name', pol('p27.ts', ok(`state: { perVcpu: { 'a b': 1 } }`)), /state\.perVcpu\.a b: not a usable variable name/);
add('policy: an unknown bookkeeping scope', pol('p28.ts', ok(`state: { perDomain: { n: 1 } }`)), /unknown key state\.perDomain/);
add('policy: onMigrate returns a number', pol('p29.ts', ok(`onMigrate() { return 1; }`)), /must return true, false or nothing, got 1/);
add('policy: a description that is not a string', pol('p30.mjs', `export default { model: 'setway', name: 'x', description: 3, onSetWay() {}, onSctlr() {} };\n`), /`description` must be a string/);
add('policy: a mapcache hook returning a non-boolean', pol('p31.ts', `export default { model: 'mapcache', name: 'x', description: '', onP2mRemove() {}, onReturnToGuest() { return 'yes'; } };\n`, 'mapcache', 'mc-a'), /onReturnToGuest must return true or false, got yes/);
add('policy: an fpsimd boolean as a number', pol('p32.ts', `export default { model: 'fpsimd', name: 'x', description: '', onEntry(hyp: any) { hyp.setTfp(1); } };\n`, 'fpsimd', 'fp-a'), /setTfp\(on\) must be true or false, got 1/);
add('policy: stage2 hcrDC not a boolean', pol('p33.mjs', `export default { model: 'stage2', name: 'x', description: '', hcrDC: 'yes' };\n`, 'stage2', 's2-a'), /hcrDC must be true or false/);
add('policy: ES syntax in a CommonJS .js', () => {
  f('package.json', JSON.stringify({ type: 'commonjs' }));
  return ['check', '--config', 'ref-a', '--policy', f('p34.js', `export default {};\n`)];
}, /this \.js is CommonJS, as its package\.json says/, 2, true);

// --- gate files ------------------------------------------------------------------------------
const gate = (name: string, value: unknown) => () => ['gate', json(name, value)];
add('gate: missing', ['gate', '/nonexistent/g.json'], /no gate file \/nonexistent\/g\.json/);
add('gate: not JSON', () => ['gate', f('g0.json', '[')], /gate file .* is not valid JSON/);
add('gate: no checks', gate('g1.json', { checks: [] }), /checks: /);
add('gate: an unknown key', gate('g2.json', { checks: [{ policy: 'native', configs: ['ref-a'], expects: {} }] }), /checks\[0\]: Unrecognized key: "expects"/);
add('gate: a bad verdict', gate('g3.json', { checks: [{ policy: 'native', configs: ['ref-a'], expect: { 'ref-a': 'hold' } }] }), /checks\[0\]\.expect\.ref-a: /);
add('gate: a negative length', gate('g4.json', { checks: [{ policy: 'native', configs: ['ref-a'], expect: { 'ref-a': { 'coherent-read': -1 } } }] }), /checks\[0\]\.expect\.ref-a/);
add('gate: no configs', gate('g5.json', { checks: [{ policy: 'native', configs: [] }] }), /checks\[0\]\.configs: /);
add('gate: an unknown policy', gate('g6.json', { checks: [{ policy: 'nosuch', configs: ['ref-a'] }] }), /unknown policy "nosuch"/);
add('gate: an unknown model', gate('g7.json', { checks: [{ model: 'nosuch', policy: 'x', configs: ['ref-a'] }] }), /unknown model "nosuch"/);
add('gate: an unknown invariant', gate('g8.json', { checks: [{ policy: 'native', configs: ['ref-a'], invariants: ['nosuch'] }] }), /unknown invariant "nosuch"/);
add('gate: --trace-dir is a file', () => ['gate', json('g9.json', { checks: [{ policy: 'native', configs: ['ref-a'] }] }), '--trace-dir', f('not-a-dir', '')], /--trace-dir .*not-a-dir/);

// --- limits: exit 3, with what was reached ---------------------------------------------------
add('--max-states reached', [...chk.slice(0, 3), '--policy', 'trap-va', '--max-states', '10'], /^$/, 3);
add('--max-depth reached', [...chk.slice(0, 3), '--policy', 'trap-va', '--max-depth', '2'], /^$/, 3);

function viaBin(args: readonly string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

beforeAll(async () => {
  const t = join(dir, 'good.json');
  await runCli('check', '--config', 'ref-a', '--policy', 'native', '--trace-out', t);
  good = JSON.parse(readFileSync(t, 'utf8'));
  const one = await runCli('check', '--config', 'ref-e', '--policy', 'xen-rfc', '--strategy', 'random', '--seed', '39', '--runs', '20', '--depth', '40', '--shard', '1/2', '--json');
  const two = await runCli('check', '--config', 'ref-e', '--policy', 'xen-rfc', '--strategy', 'random', '--seed', '39', '--runs', '20', '--depth', '40', '--shard', '2/2', '--json');
  shard1 = JSON.parse(one.out);
  shard2 = JSON.parse(two.out);
  bfsResult = JSON.parse((await runCli('check', '--config', 'ref-a', '--policy', 'native', '--json')).out);
});

describe(`${cases.length} bad inputs: exit 2 (3 for a limit) and one line saying what was wrong`, () => {
  test('there are at least 150', () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
    const names = cases.map((c) => c.name);
    expect(names.filter((n, k) => names.indexOf(n) !== k)).toEqual([]);
  });
  test.each(cases)('$name', async (c) => {
    const r = c.bin ? viaBin(c.args()) : await runCli(...c.args());
    expect({ code: r.code, err: r.err }).toMatchObject({ code: c.code });
    if (c.code === 2) {
      const lines = r.err.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^hvmc: error: /);
      expect(lines[0]!.length).toBeLessThanOrEqual(700);
      expect(r.err).toMatch(c.message);
      expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    }
  });
});
