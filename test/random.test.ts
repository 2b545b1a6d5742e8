import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { bfs } from '../explorer/bfs.ts';
import { check } from '../explorer/check.ts';
import { ddmin, fewerSwitches, randomSearch, violatingPrefix } from '../explorer/random.ts';
import { replay } from '../explorer/replay.ts';
import { setwayInvariants } from '../invariants/setway.ts';
import { runCli } from './cli-support.ts';
import { model } from './setway-support.ts';
import { twoBits, twoRoutes } from './toys.ts';

const tmp = mkdtempSync(join(tmpdir(), 'hvmc-random-'));

describe('random exploration', () => {
  test('finds the set/way bug on ref-e and minimises it to the BFS length on ref-b', () => {
    const m = model('ref-e', 'native');
    const r = randomSearch(m, setwayInvariants(m), { seed: 1, runs: 500, depth: 60 });
    expect(r.violation?.invariant).toBe('coherent-read');
    expect(r.violation!.trace.steps.length).toBeLessThanOrEqual(r.violation!.shrunkLength);
    expect(r.violation!.trace.steps.length).toBe(6);
    const b = model('ref-b', 'xen-rfc');
    const rb = randomSearch(b, setwayInvariants(b), { seed: 5, runs: 500, depth: 40, bias: 'swarm' });
    const shortest = check(b, setwayInvariants(b)).invariants[0]!.counterexample!.steps.length;
    expect(rb.violation!.trace.steps.length).toBe(shortest);
  });

  test('every minimised trace replays', () => {
    for (const seed of [1, 2, 3]) {
      const m = model('ref-e', 'xen-rfc');
      const invs = setwayInvariants(m);
      const r = randomSearch(m, invs, { seed, runs: 300, depth: 60, bias: seed % 2 ? 'uniform' : 'swarm' });
      const inv = invs.find((i) => i.name === r.violation!.invariant)!;
      expect(replay(m, r.violation!.trace.steps, inv).reproduced).toBe(true);
    }
  });

  test('a policy that holds: no violation, every run done', () => {
    const m = model('ref-a', 'trap-va');
    const r = randomSearch(m, setwayInvariants(m), { seed: 9, runs: 200, depth: 30 });
    expect(r.violation).toBeUndefined();
    expect(r.runsDone).toBe(200);
  });

  test('ddmin removes every step the violation does not need, re-checking enabledness', () => {
    const bits = twoBits();
    const inv = bits.invariant('not-x-alone', (s) => !(s.x === 1 && s.y === 0));
    // flip y, flip y, flip x: violated after 3 steps; flipping x alone suffices
    expect(violatingPrefix(bits, [1, 1, 0], inv)).toBe(3);
    expect(ddmin(bits, [1, 1, 0, 1, 0], inv)).toEqual([0]);
    const m = twoRoutes();
    const never5 = m.invariant('never-5', (s) => s.pos !== 5);
    expect(violatingPrefix(m, [1, 0, 2], never5)).toBe(-1); // slow is not enabled after jump
    expect(ddmin(m, [0, 0, 0, 0, 0], never5)).toHaveLength(5); // no shorter subsequence of the slow road
    expect(fewerSwitches(m, [1, 2], never5)).toEqual([1, 2]);
    expect(bfs(m, { invariants: [never5] }).invariants[0]!.depth).toBe(2);
  });
});

describe('hvmc check --strategy random', () => {
  test('the same seed gives byte-identical output, and the printed replay command reproduces it', async () => {
    const args = ['check', '--config', 'ref-e', '--policy', 'native', '--strategy', 'random', '--seed', '11', '--runs', '300', '--depth', '60'];
    const a = await runCli(...args);
    const b = await runCli(...args);
    expect(a.code).toBe(1);
    expect(a.out).toBe(b.out);
    const replayLine = a.out.split('\n').find((l) => l.startsWith('replay: hvmc '))!;
    const c = await runCli(...replayLine.slice('replay: hvmc '.length).split(' '));
    expect(c.out).toBe(a.out);
  });

  test('shards merge into one verdict with the shortest counterexample', async () => {
    const files: string[] = [];
    for (const k of [1, 2]) {
      const r = await runCli('check', '--config', 'ref-e', '--policy', 'xen-rfc', '--strategy', 'random', '--seed', '3', '--runs', '600', '--depth', '60', '--shard', `${k}/2`, '--json');
      const f = join(tmp, `shard${k}.json`);
      writeFileSync(f, r.out);
      files.push(f);
      expect(JSON.parse(r.out)).toMatchObject({ seed: 3 + k - 1, runs: 300, shard: `${k}/2` });
    }
    const m = await runCli('merge', ...files, '--json');
    expect(m.code).toBe(1);
    const j = JSON.parse(m.out);
    const lengths = files.map((f) => JSON.parse(readFileSync(f, 'utf8')).invariants[0].counterexample?.length ?? Infinity);
    expect(j.invariants[0]).toMatchObject({ name: 'coherent-read', status: 'violated' });
    expect(j.invariants[0].counterexample.length).toBe(Math.min(...lengths));
    expect(j.invariants[1]).toEqual({ name: 'no-lost-write', status: 'unknown' });
  });

  test('no violation: exit 3; bad random flags: exit 2', async () => {
    expect((await runCli('check', '--config', 'ref-a', '--policy', 'trap-va', '--strategy', 'random', '--seed', '1', '--runs', '20', '--depth', '20')).code).toBe(3);
    for (const [argv, msg] of [
      [['--strategy', 'dfs'], /--strategy must be bfs or random/],
      [['--strategy', 'random', '--shard', '3/2'], /--shard must be K\/N/],
      [['--strategy', 'random', '--bias', 'pct'], /--bias must be uniform or swarm/],
      [['--seed', '3'], /--seed is for --strategy random/],
      [['--strategy', 'random', '--runs', '0'], /--runs must be an integer >= 1/],
    ] as const) {
      const r = await runCli('check', '--config', 'ref-a', '--policy', 'native', ...argv);
      expect([r.code, r.err]).toEqual([2, expect.stringMatching(msg)]);
    }
  });
});

describe('hvmc minimize', () => {
  test('ref-e native shrinks to the migration bug on one line and one set', async () => {
    const r = await runCli('minimize', '--config', 'ref-e', '--policy', 'native', '--invariant', 'coherent-read', '--json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.params).toMatchObject({ pcpus: 2, vcpus: 1, lines: 1, sets: 1, ways: 1, systemCache: false });
    expect(j.counterexample.length).toBe(5);
    expect(j.counterexample.steps.map((s: { actor: string }) => s.actor)).toContain('sched');
    // the printed command checks the smallest configuration
    const c = await runCli(...j.check.split(' ').slice(1));
    expect(c.code).toBe(1);
    expect(c.out).toContain('coherent-read  violated  (shortest counterexample: 5 steps)');
  });

  test('mapcache: the lost foreign invalidation needs one vCPU, one gfn and the toolstack', async () => {
    const r = await runCli('minimize', '--model', 'mapcache', '--config', 'mc-c', '--policy', 'arm-v3', '--invariant', 'no-stale-return', '--json');
    expect(JSON.parse(r.out).params).toEqual({ vcpus: 1, gfns: 1, servers: 1, toolstack: true, pauseForForeign: true });
  });

  test('nothing to minimise on a configuration where the invariant holds', async () => {
    const r = await runCli('minimize', '--config', 'ref-a', '--policy', 'trap-va', '--invariant', 'coherent-read');
    expect([r.code, r.err]).toEqual([2, expect.stringContaining('not shown violated on the starting configuration (holds)')]);
  });
});
