import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { runCli } from './cli-support.ts';

const tmp = mkdtempSync(join(tmpdir(), 'hvmc-cli-'));

describe('hvmc check', () => {
  test('exit 1 with the shortest counterexample for a broken policy', async () => {
    const r = await runCli('check', '--config', 'ref-a', '--policy', 'xen-rfc');
    expect(r.code).toBe(1);
    expect(r.out).toContain('coherent-read  violated  (shortest counterexample: 6 steps)');
    expect(r.out).toContain('6. v0: LDR a0 -> 0 (stale: latest is 1)');
    expect(r.out).toContain('✗ coherent-read violated after 6 steps: v0 read a stale value (v0.stale = true)');
  });

  test('exit 0 when every invariant holds and the search is complete', async () => {
    const r = await runCli('check', '--config', 'ref-b', '--policy', 'trap-va');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/1,158 distinct states .* complete/);
  });

  test('--json: one object with the figures and the counterexample', async () => {
    const r = await runCli('check', '--config', 'ref-f', '--policy', 'native', '--json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ model: 'setway', config: 'ref-f', policy: 'native', complete: true, distinctStates: 312 });
    expect(Object.keys(j)).toEqual(
      expect.arrayContaining(['transitions', 'maxDepth', 'seconds', 'params', 'invariants']),
    );
    expect(j.params).toMatchObject({ lines: 1, neighborLines: 1, program: 'boot' });
    expect(j.invariants[0]).toEqual({ name: 'coherent-read', status: 'holds' });
    expect(j.invariants[1].status).toBe('violated');
    expect(j.invariants[1].counterexample.length).toBe(4);
    expect(j.invariants[1].counterexample.steps[0]).toMatchObject({ step: 1, actor: expect.any(String), action: expect.any(String) });
  });

  test('--invariant selects invariants; --max-states ends with exit 3', async () => {
    const only = JSON.parse((await runCli('check', '--config', 'ref-f', '--policy', 'native', '--invariant', 'coherent-read', '--json')).out);
    expect(only.invariants.map((i: { name: string }) => i.name)).toEqual(['coherent-read']);
    const r = await runCli('check', '--config', 'ref-c', '--policy', 'trap-va', '--max-states', '50', '--json');
    expect(r.code).toBe(3);
    expect(JSON.parse(r.out)).toMatchObject({ complete: false, stopReason: 'max-states', distinctStates: 50 });
    expect((await runCli('check', '--config', 'ref-c', '--policy', 'trap-va', '--max-depth', '2')).code).toBe(3);
    expect((await runCli('check', '--config', 'ref-c', '--policy', 'trap-va', '--timeout', '0.000001')).code).toBe(3);
  });

  test('one flag per parameter overrides the configuration', async () => {
    const j = JSON.parse((await runCli('count', '--config', 'ref-a', '--policy', 'trap-va', '--system-cache', '--json')).out);
    expect(j.distinctStates).toBe(1158); // = ref-b
    expect(j.config).toBe('ref-a systemCache=true');
    const k = JSON.parse((await runCli('count', '--config', 'ref-b', '--policy', 'trap-va', '--no-system-cache', '--json')).out);
    expect(k.distinctStates).toBe(222); // = ref-a
  });

  test('--config FILE.json with a policy inside', async () => {
    const j = JSON.parse((await runCli('count', '--config', 'test/fixtures/small.json', '--json')).out);
    expect(j).toMatchObject({ policy: 'trap-va', params: { pcpus: 2, lines: 1, systemCache: true }, complete: true });
  });
});

describe('traces: --trace-out and replay', () => {
  test('round trip: written trace reproduces (exit 1)', async () => {
    const file = join(tmp, 'cex.json');
    const c = await runCli('check', '--config', 'ref-b', '--policy', 'native', '--trace-out', file);
    expect(c.code).toBe(1);
    const t = JSON.parse(readFileSync(file, 'utf8'));
    expect(t).toMatchObject({ format: 'hvmc-trace', version: 1, model: 'setway', config: 'ref-b', policy: 'native', invariant: 'coherent-read', length: 6 });
    const r = await runCli('replay', file);
    expect(r.code).toBe(1);
    expect(r.out).toContain('reproduced: coherent-read violated after 6 steps');
  });

  test('replaying against a fixed policy says where and why it no longer reproduces (exit 0)', async () => {
    const file = join(tmp, 'cex2.json');
    await runCli('check', '--config', 'ref-a', '--policy', 'xen-rfc', '--trace-out', file);
    const t = JSON.parse(readFileSync(file, 'utf8'));
    t.policy = 'trap-va';
    writeFileSync(file, JSON.stringify(t));
    const r = await runCli('replay', file, '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.reproduced).toBe(false);
    expect(j.step).toBe(3);
    expect(j.reason).toMatch(/^step 3 \(v0: DC CISW set=0 way=0\) changed .*; the trace recorded v0\.pc: 2 → 3$/);
  });

  test('a step that is no longer enabled is named with the reason', async () => {
    const file = join(tmp, 'cex3.json');
    await runCli('check', '--config', 'ref-a', '--policy', 'native', '--trace-out', file);
    const t = JSON.parse(readFileSync(file, 'utf8'));
    t.steps.splice(0, 0, { step: 1, actor: 'p1', action: 'evict set=0 way=0', key: { kind: 'evict', pcpu: 1, set: 0, way: 0 }, changes: [] });
    t.steps.forEach((s: { step: number }, k: number) => (s.step = k + 1));
    t.length = t.steps.length;
    writeFileSync(file, JSON.stringify(t));
    const r = await runCli('replay', file);
    expect(r.code).toBe(0);
    expect(r.out).toContain('does not reproduce: step 1 (p1: evict set=0 way=0) is not enabled: slot p1 set=0 way=0 is empty');
  });

  test('a policy file trace replays', async () => {
    const file = join(tmp, 'cex4.json');
    const c = await runCli('check', '--config', 'ref-b', '--policy', './docs/examples/clean-before-migrate.ts', '--trace-out', file);
    expect(c.code).toBe(1);
    expect((await runCli('replay', file)).code).toBe(1);
  });
});

describe('bad input: a clear error and exit code 2', () => {
  const cases: [string[], RegExp][] = [
    [['check', '--model', 'nope', '--policy', 'native'], /unknown model "nope"/],
    [['check', '--config', 'ref-z', '--policy', 'native'], /unknown configuration "ref-z"/],
    [['check', '--config', 'ref-a', '--policy', 'nativ'], /unknown policy "nativ"/],
    [['check', '--config', 'ref-a'], /--policy is required/],
    [['check', '--config', 'ref-a', '--policy', 'native', '--invariant', 'nope'], /unknown invariant "nope"/],
    [['check', '--policy', 'native', '--vcpus', '3'], /vcpus \(3\) must not exceed pcpus \(2\)/],
    [['check', '--policy', 'native', '--pcpus', '0'], /pcpus must be an integer 1\.\.6, got "0"/],
    [['check', '--policy', 'native', '--ways', 'two'], /ways must be an integer 1\.\.4, got "two"/],
    [['check', '--policy', 'native', '--program', 'reboot'], /program must be one of shutdown, boot/],
    [['check', '--policy', 'native', '--system-cache', 'maybe'], /systemCache must be true or false/],
    [['check', '--policy', 'native', '--max-states', '-1'], /--max-states must be an integer >= 1/],
    [['check', '--policy', 'native', '--timeout', 'soon'], /--timeout must be a positive number/],
    [['check', '--policy', 'native', '--config', 'test/fixtures/bad.json'], /is not valid JSON/],
    [['check', '--policy', 'native', '--config', 'test/fixtures/missing.json'], /cannot read config file .* ENOENT/],
    [['check', '--policy', './test/fixtures/throws.ts'], /threw: p2m_set_way_flush: not implemented/],
    [['check', '--policy', './test/fixtures/nondeterministic.ts'], /nondeterministic/],
    [['replay', 'test/fixtures/bad.json'], /is not valid JSON/],
    [['replay', 'test/fixtures/small.json'], /not an hvmc trace/],
    [['bench', '--pairs', '2', '--no-random'], /--pairs needs --workers 2 or more/],
    [['bench', '--pairs', '0', '--workers', '2', '--no-random'], /--pairs must be an integer >= 1/],
    [['bench', '--pairs', '101', '--workers', '2', '--no-random'], /--pairs must be at most 100/],
  ];
  test.each(cases)('%j', async (argv, message) => {
    const r = await runCli(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
  });

  test('an unknown flag', async () => {
    const r = await runCli('check', '--policy', 'native', '--frobnicate');
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown option '--frobnicate'");
  });

  test('a contradictory JSON config', async () => {
    const file = join(tmp, 'contra.json');
    writeFileSync(file, JSON.stringify({ pcpus: 1, vcpus: 2 }));
    const r = await runCli('check', '--policy', 'native', '--config', file);
    expect([r.code, r.err]).toEqual([2, expect.stringMatching(/vcpus \(2\) must not exceed pcpus \(1\)/)]);
  });
});

describe('hvmc bench', () => {
  test('--workers 2 --pairs 3: three pairs of counts, each matching, their speedups and the median', async () => {
    const r = await runCli('bench', '--config', 'ref-b', '--policy', 'native', '--workers', '2', '--pairs', '3', '--no-random', '--no-progress');
    expect(r.code).toBe(0);
    const p = (JSON.parse(r.out) as { parallel: { countMatches: boolean; pairs: { oneThreadSeconds: number; workersSeconds: number; speedup: number }[]; medianSpeedup: number; speedup: number } }).parallel;
    expect(p.countMatches).toBe(true);
    expect(p.pairs).toHaveLength(3);
    for (const q of p.pairs) expect(q.speedup).toBeCloseTo(q.oneThreadSeconds / q.workersSeconds, 0);
    expect(p.speedup).toBe(p.pairs[0]!.speedup);
    expect(p.medianSpeedup).toBe([...p.pairs.map((q) => q.speedup)].sort((a, b) => a - b)[1]);
  });
});

describe('hvmc list and gate', () => {
  test('list --json names models, configs, policies and invariants', async () => {
    const j = JSON.parse((await runCli('list', '--json')).out);
    const sw = j.models.find((m: { name: string }) => m.name === 'setway');
    expect(Object.keys(sw.configs)).toEqual(['ref-a', 'ref-b', 'ref-c', 'ref-d', 'ref-e', 'ref-f']);
    expect(sw.policies.map((p: { name: string }) => p.name)).toEqual(['native', 'native-swio', 'xen-rfc', 'trap-va']);
    expect(sw.invariants.map((p: { name: string }) => p.name)).toEqual(['coherent-read', 'no-lost-write']);
  });

  test('gate passes against the committed hvmc.gate.json', async () => {
    const ok = await runCli('gate', '--json');
    expect(ok.code).toBe(0);
    const j = JSON.parse(ok.out);
    expect(j.verdicts).toContainEqual({ model: 'setway', policy: 'xen-rfc', config: 'ref-a', verdict: { 'coherent-read': 6, 'no-lost-write': 'holds' } });
    expect(j.verdicts).toHaveLength(93);
  });

  test("a user's gate file: paths relative to it, a changed expectation fails naming it, --update writes them", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hvmc-gate-'));
    mkdirSync(join(dir, 'policies'));
    // docs/examples/clean-before-migrate.ts without its import (nothing to import from here)
    const example = readFileSync('docs/examples/clean-before-migrate.ts', 'utf8');
    writeFileSync(join(dir, 'policies', 'cbm.ts'), example.replace(/^import .*$/m, 'const definePolicy = <T,>(p: T): T => p;'));
    const file = join(dir, 'gate.json');
    const checks = [
      { model: 'setway', policy: './policies/cbm.ts', configs: ['ref-a', 'ref-b'], expect: { 'ref-a': 'holds', 'ref-b': { 'coherent-read': 5, 'no-lost-write': 'holds' } } },
      { model: 'stage2', policy: 'xen-flush-before-scrub', configs: ['s2-e'], invariants: ['no-cross-domain-read'] },
    ];
    writeFileSync(file, JSON.stringify({ checks }));
    const bad = await runCli('gate', file);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('legend: holds = every checked invariant holds');
    expect(bad.out).toContain('checks[0] setway ./policies/cbm.ts ref-b: expected coherent-read 5, got coherent-read 6');
    expect(bad.out).toContain('checks[1] stage2 xen-flush-before-scrub s2-e: expected (no expectation), got no-cross-domain-read 3');
    expect((await runCli('gate', file, '--update')).code).toBe(0);
    const written = JSON.parse(readFileSync(file, 'utf8'));
    expect(written.checks[0].expect).toEqual({ 'ref-a': 'holds', 'ref-b': { 'coherent-read': 6, 'no-lost-write': 'holds' } });
    expect(written.checks[1].expect).toEqual({ 's2-e': { 'no-cross-domain-read': 3 } });
    const traces = join(dir, 'traces');
    const good = await runCli('gate', file, '--trace-dir', traces);
    expect(good.code).toBe(0);
    expect(good.out).toContain('gate: all 3 verdicts match');
    expect(good.out).toContain(`2 counterexample traces written to ${traces}`);
    const written2 = readdirSync(traces).sort();
    expect(written2).toEqual(['setway-._policies_cbm.ts-ref-b-coherent-read.json', 'stage2-xen-flush-before-scrub-s2-e-no-cross-domain-read.json']);
    const replayed = await runCli('replay', join(traces, written2[0]!));
    expect(replayed.code).toBe(1);
  });

  test('a malformed or missing gate file is exit 2 with one line saying where', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hvmc-gate-'));
    const file = join(dir, 'gate.json');
    writeFileSync(file, JSON.stringify({ checks: [{ policy: 'native', configs: ['ref-a'], expect: { 'ref-a': 'hold' } }] }));
    const r = await runCli('gate', file);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^hvmc: error: gate file .*gate\.json: checks\[0\]\.expect\.ref-a: /);
    writeFileSync(file, JSON.stringify({ checks: [{ policy: 'native', configs: ['ref-a'], typo: 1 }] }));
    expect((await runCli('gate', file)).err).toMatch(/checks\[0\]: Unrecognized key: "typo"/);
    const none = await runCli('gate', join(dir, 'nothing.json'));
    expect(none.code).toBe(2);
    expect(none.err).toContain('no gate file');
  });
});

describe('the installed bin', () => {
  test('npx-style entry point runs, prints, and sets the exit code', () => {
    const r = spawnSync(process.execPath, ['bin/hvmc.mjs', 'check', '--config', 'ref-a', '--policy', 'trap-va'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('coherent-read  holds');
    const bad = spawnSync(process.execPath, ['bin/hvmc.mjs', 'check', '--policy', 'nope'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('hvmc: error: unknown policy "nope"');
  });

  test('a TypeScript policy file through the bin', () => {
    const out = execFileSync(process.execPath, ['bin/hvmc.mjs', 'count', '--config', 'ref-a', '--policy', './docs/examples/clean-before-migrate.ts', '--json'], {
      encoding: 'utf8',
    });
    expect(JSON.parse(out).distinctStates).toBe(164);
  });
});
