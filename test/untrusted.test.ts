/**
 * User code is untrusted: a policy file that hangs, never finishes loading,
 * runs out of memory or calls process.exit ends the run with exit code 2 and
 * one line naming the file and the hook (cli/supervise.ts), within a bounded
 * time, in every command. Through the bin, as a user runs it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'hvmc-untrusted-'));
const BIN = new URL('../bin/hvmc.mjs', import.meta.url).pathname;

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const sctlr = `onSctlr(hyp: { setCacheOn(on: boolean): void }, on: boolean) { hyp.setCacheOn(on); }`;
const LOOP = file('loop.ts', `export default { model: 'setway', name: 'loop', description: '', onSetWay() { for (;;) {} }, ${sctlr} };\n`);
const LOOP_MIGRATE = file('loop-migrate.ts', `export default { model: 'setway', name: 'lm', description: '', onSetWay() {}, ${sctlr}, onMigrate() { for (;;) {} } };\n`);
const EXIT_AT_LOAD = file('exit.ts', `process.exit(0);\nexport default {};\n`);
const NEVER_LOADS = file('tla.mts', `await new Promise(() => {});\nexport default {};\n`);
const BUSY_AT_LOAD = file('busy.mjs', `for (;;) {}\n`);
const ALLOC = file('alloc.ts', `const keep: unknown[] = [];\nexport default { model: 'setway', name: 'alloc', description: '', onSetWay() { for (;;) keep.push(new Array(1e6).fill(1)); }, ${sctlr} };\n`);
const HOOK_EXIT = file('hook-exit.ts', `export default { model: 'setway', name: 'hx', description: '', onSetWay() { process.exit(0); }, ${sctlr} };\n`);

function run(args: readonly string[], nodeArgs: readonly string[] = []): Promise<{ code: number | null; out: string; err: string; seconds: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [...nodeArgs, BIN, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => resolve({ code, out, err, seconds: (performance.now() - t0) / 1000 }));
  });
}

const hookLine = (f: string, call: string, budget = 1) => new RegExp(`^hvmc: error: policy file ${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ${call} did not return within ${budget} s \\(on the state \\[0x[0-9a-f]+( 0x[0-9a-f]+)*\\]\\): a hook must return promptly$`, 'm');

describe('a hook that never returns', () => {
  test.concurrent('check --timeout 2: exit 2 naming the file, the hook call and the state, within the timeout', async () => {
    const r = await run(['check', '--config', 'ref-a', '--policy', LOOP, '--timeout', '2']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(hookLine(LOOP, String.raw`onSetWay\(v0 on p0, CISW set=0 way=0\)`));
    expect(r.seconds).toBeLessThan(40); // a bound, not a benchmark: the suite shares two cores
  });

  test.concurrent('check --workers 2 --timeout 2, in a worker thread', async () => {
    const r = await run(['check', '--config', 'ref-a', '--policy', LOOP, '--workers', '2', '--timeout', '4']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(hookLine(LOOP, String.raw`onSetWay\(v0 on p0, CISW set=0 way=0\)`, 2));
  });

  test.concurrent('count --timeout 2, and onMigrate', async () => {
    const r = await run(['count', '--config', 'ref-a', '--policy', LOOP_MIGRATE, '--timeout', '2']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(hookLine(LOOP_MIGRATE, String.raw`onMigrate\(v0 on p0, to p1\)`));
  });

  test.concurrent('replay: a trace whose policy file now hangs', async () => {
    const policy = file('changes.ts', `export default { model: 'setway', name: 'c', description: '', onSetWay() {}, ${sctlr} };\n`);
    const trace = join(dir, 'changes.json');
    expect((await run(['check', '--config', 'ref-a', '--policy', policy, '--trace-out', trace])).code).toBe(1);
    writeFileSync(policy, `export default { model: 'setway', name: 'c', description: '', onSetWay() { for (;;) {} }, ${sctlr} };\n`);
    const r = await run(['replay', trace, '--timeout', '2']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(hookLine(policy, String.raw`onSetWay\(v0 on p0, CISW set=0 way=0\)`));
  });

  test.concurrent('with no --timeout the default budget of 5 s holds', async () => {
    const r = await run(['check', '--config', 'ref-a', '--policy', LOOP]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('did not return within 5 s');
    expect(r.seconds).toBeLessThan(40);
  });
});

describe('a policy file that does not load', () => {
  test.concurrent('process.exit at its top level', async () => {
    const r = await run(['check', '--config', 'ref-a', '--policy', EXIT_AT_LOAD]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`hvmc: error: policy file ${EXIT_AT_LOAD} called process.exit(0) while loading: a policy must not end the process\n`);
    expect(r.out).toBe('');
  });

  test.concurrent('a top-level await that never settles', async () => {
    const r = await run(['check', '--config', 'ref-a', '--policy', NEVER_LOADS]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`hvmc: error: policy file ${NEVER_LOADS} never finished loading (its top-level code awaits something that never settles)\n`);
  });

  test.concurrent('a top-level loop, with --timeout 2', async () => {
    const r = await run(['check', '--config', 'ref-a', '--policy', BUSY_AT_LOAD, '--timeout', '2']);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`hvmc: error: policy file ${BUSY_AT_LOAD} did not finish loading within 1.6 s\n`);
  });
});

describe('a hook that ends the process or exhausts memory', () => {
  test.concurrent('process.exit in a hook', async () => {
    const r = await run(['check', '--config', 'ref-a', '--policy', HOOK_EXIT]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`hvmc: error: policy file ${HOOK_EXIT}: onSetWay(v0 on p0, CISW set=0 way=0) called process.exit(0): a policy must not end the process\n`);
  });

  test.concurrent('allocating without bound: exit 2, no heap dump', async () => {
    const r = await run(['check', '--config', 'ref-a', '--policy', ALLOC], ['--max-old-space-size=200']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^hvmc: error: policy file .*alloc\.ts: onSetWay\(v0 on p0, CISW set=0 way=0\) ran out of memory \(JavaScript heap limit \d+ MB\) \(on the state \[0x[0-9a-f]+\]\)\n$/);
  });

  test.concurrent('a policy that behaves: the same output and exit code as before, through the supervisor', async () => {
    const r = await run(['check', '--config', 'ref-a', '--policy', 'xen-rfc']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('✗ coherent-read violated after 6 steps');
    expect(r.err).toBe('');
  });
});

describe('hvmc/vitest: a policy file runs on a supervised thread', () => {
  test('a hook that never returns fails the test with the one line, within the budget', async () => {
    const { checkModel } = await import('hvmc/vitest');
    const t0 = performance.now();
    await expect(checkModel({ config: 'ref-a', policy: LOOP, timeoutSeconds: 2 })).rejects.toThrow(
      /^hvmc: policy file .*loop\.ts: onSetWay\(v0 on p0, CISW set=0 way=0\) did not return within 1 s \(on the state \[0x[0-9a-f]+\]\): a hook must return promptly$/,
    );
    expect((performance.now() - t0) / 1000).toBeLessThan(40);
  });

  test('process.exit at load fails the test; vitest goes on', async () => {
    const { checkModel } = await import('hvmc/vitest');
    await expect(checkModel({ config: 'ref-a', policy: EXIT_AT_LOAD })).rejects.toThrow(/called process\.exit\(0\) while loading: a policy must not end the process/);
  });

  test('a policy file that behaves: the verdict and the counterexample as in-process', async () => {
    const { checkModel } = await import('hvmc/vitest');
    const file = join(dir, 'rfc.ts');
    writeFileSync(file, `export default { model: 'setway', name: 'rfc', description: '', onSetWay() {}, ${sctlr} };\n`);
    const r = await checkModel({ config: 'ref-a', policy: file });
    expect(r.invariants[0]).toMatchObject({ name: 'coherent-read', status: 'violated' });
    expect(r.invariants[0]!.counterexample!.steps).toHaveLength(6);
  });
});
