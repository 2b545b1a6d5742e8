import { describe, expect, test } from 'vitest';
import { bfs } from '../explorer/bfs.ts';
import { check, checkParallel } from '../explorer/check.ts';
import { parallelBfs } from '../explorer/parallel.ts';
import { replay } from '../explorer/replay.ts';
import { openSession, type SessionSpec } from '../cli/session.ts';
import { workerFactory } from '../cli/worker-model.ts';
import { runCli } from './cli-support.ts';
import { reachableViaStep } from './setway-support.ts';
import { build } from './fixtures/lopsided.ts';

type Table = 'shared' | 'owned';

async function both(spec: SessionSpec, table: Table, options: { symmetry?: boolean; maxDepth?: number } = {}) {
  const s = await openSession(spec);
  const factory = workerFactory({ spec, baseDir: process.cwd(), invariants: 'none' });
  const seq = bfs(s.built.model, options);
  const par = await parallelBfs(factory, s.built.model, [], { ...options, workers: 2, table });
  return { seq, par };
}

const figures = (r: { distinctStates: number; transitions: number; maxDepth: number; stopReason: string }) => [
  r.distinctStates,
  r.transitions,
  r.maxDepth,
  r.stopReason,
];

describe.each<Table>(['shared', 'owned'])('parallel BFS (2 workers, the %s visited set) finds exactly what the sequential search finds', (table) => {
  // (The owned set, the older way, on fewer configurations and tests: the suite's time.)
  const all = table === 'shared';
  test.each<[string, SessionSpec]>([
    ['setway ref-c native (the table grows while the workers insert)', { model: 'setway', config: 'ref-c', policy: 'native' }],
    ['stage2 s2-g no-maintenance (73,244 states, four grows)', { model: 'stage2', config: 's2-g', policy: 'no-maintenance' }],
    ...(all
      ? ([
          ['mapcache mc-d domain-flag', { model: 'mapcache', config: 'mc-d', policy: 'domain-flag' }],
          ['fpsimd fp-c kvm-4.18', { model: 'fpsimd', config: 'fp-c', policy: 'kvm-4.18' }],
        ] as [string, SessionSpec][])
      : []),
  ])('%s: states, transitions, depth', async (_name, spec) => {
    const { seq, par } = await both(spec, table);
    expect(figures(par)).toEqual(figures(seq));
  });

  // (Table-independent: the coordinator's and the workers' common paths; run once.)
  if (all) test('with symmetry over pCPUs', async () => {
    const { seq, par } = await both({ model: 'setway', config: 'ref-c', policy: 'trap-va', overrides: { pcpus: 3 } }, table, { symmetry: true });
    expect(figures(par)).toEqual(figures(seq));
  });

  test('three workers (with the owned set, rings of four entries, so that senders find them full): the same figures', async () => {
    const spec: SessionSpec = { model: 'setway', config: 'ref-c', policy: 'native' };
    const s = await openSession(spec);
    const seq = bfs(s.built.model);
    const factory = workerFactory({ spec, baseDir: process.cwd(), invariants: 'none' });
    const par = await parallelBfs(factory, s.built.model, [], { workers: 3, ringEntries: 4, table });
    expect(figures(par)).toEqual(figures(seq));
  });

  test('has() answers for every reachable state, and no other; --max-states stops the search', async () => {
    const spec: SessionSpec = { model: 'stage2', config: 's2-c', policy: 'no-maintenance' };
    const s = await openSession(spec);
    const m = s.built.model;
    const factory = workerFactory({ spec, baseDir: process.cwd(), invariants: 'none' });
    const par = await parallelBfs(factory, m, [], { workers: 2, table });
    const reachable = reachableViaStep(m);
    expect(reachable.length).toBe(par.distinctStates);
    expect(reachable.every((x) => par.has(x))).toBe(true);
    expect(par.has(new Uint32Array(m.words).fill(0xffffffff))).toBe(false);
    const cut = await parallelBfs(factory, m, [], { workers: 2, maxStates: 20, table });
    expect(cut.stopReason).toBe('max-states');
    expect(cut.distinctStates).toBe(20);
    expect(cut.complete).toBe(false);
    for (const workers of all ? [2, 3] : [3]) {
      for (const maxStates of [1, Math.floor(par.distinctStates / 2), par.distinctStates - 1]) {
        const c = await parallelBfs(factory, m, [], { workers, maxStates, table });
        expect([c.stopReason, c.distinctStates]).toEqual(['max-states', maxStates]);
      }
      // the limit reached exactly by the last state is no cut
      const all = await parallelBfs(factory, m, [], { workers, maxStates: par.distinctStates, table });
      expect([all.stopReason, all.distinctStates, all.complete]).toEqual(['exhausted', par.distinctStates, true]);
    }
  });

  // (Table-independent: the coordinator's and the workers' common paths; run once.)
  if (all) test('stops: when every invariant is violated, and at the timeout', async () => {
    const spec: SessionSpec = { model: 'setway', config: 'ref-c', policy: 'native' };
    const s = await openSession(spec);
    const inv = s.built.invariants;
    const seq = check(s.built.model, inv);
    const par = await checkParallel(workerFactory({ spec, baseDir: process.cwd(), invariants: 'all' }), s.built.model, inv, { workers: 2, table });
    expect(par.stopReason).toBe(seq.stopReason);
    expect(par.invariants.map((i) => [i.status, i.counterexample?.steps.length])).toEqual(
      seq.invariants.map((i) => [i.status, i.counterexample?.steps.length]),
    );
    const big: SessionSpec = { model: 'setway', config: 'ref-e', policy: 'native' };
    const b = await openSession(big);
    const t0 = Date.now();
    const cut = await parallelBfs(workerFactory({ spec: big, baseDir: process.cwd(), invariants: 'none' }), b.built.model, [], {
      workers: 2,
      timeoutSeconds: 1,
      table,
    });
    expect([cut.stopReason, cut.complete]).toEqual(['timeout', false]);
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  test('with a depth bound: the same states, and the search says it was cut', async () => {
    const { seq, par } = await both({ model: 'setway', config: 'ref-b', policy: 'native' }, table, { maxDepth: 5 });
    expect(figures(par)).toEqual(figures(seq));
    expect(par.stopReason).toBe('max-depth');
  });

  test('counterexamples are as short as the sequential ones, and replay', async () => {
    for (const spec of [
      { model: 'setway', config: 'ref-a', policy: 'native' },
      { model: 'stage2', config: 's2-g', policy: 'fault-clean' },
      { model: 'setway', config: 'ref-f', policy: 'native' },
      { model: 'stage2', config: 's2-c', policy: 'no-maintenance' },
    ].slice(0, all ? 4 : 2)) {
      const s = await openSession(spec);
      const inv = s.built.invariants;
      const seq = check(s.built.model, inv, { stopWhenAllViolated: false });
      const par = await checkParallel(workerFactory({ spec, baseDir: process.cwd(), invariants: 'all' }), s.built.model, inv, {
        workers: 2,
        stopWhenAllViolated: false,
        table,
      });
      expect(par.invariants.map((i) => [i.name, i.status, i.counterexample?.steps.length])).toEqual(
        seq.invariants.map((i) => [i.name, i.status, i.counterexample?.steps.length]),
      );
      par.invariants.forEach((i, k) => {
        if (i.counterexample) expect(replay(s.built.model, i.counterexample.steps, inv[k]!).reproduced).toBe(true);
      });
    }
  });
});

describe('the shared visited set', () => {
  test('a shared set whose arena fills up: the search fails with a clear error', async () => {
    const spec: SessionSpec = { model: 'stage2', config: 's2-g', policy: 'no-maintenance' };
    const s = await openSession(spec);
    const factory = workerFactory({ spec, baseDir: process.cwd(), invariants: 'none' });
    const failed = parallelBfs(factory, s.built.model, [], { workers: 2, arenaBytes: 2 ** 20 });
    await expect(failed).rejects.toThrow(/the shared visited set is full \(its arena of 1 MiB\)/);
    // The CLI's code for a search that could not finish.
    await expect(failed).rejects.toMatchObject({ exitCode: 3 });
  });
});

describe('a worker that has expanded its own states of a level expands the others\' unclaimed ones', () => {
  // Every state of the lopsided grid has the same owner: the other worker has only what it takes.
  const n = 300;
  const factory = { module: new URL('./fixtures/lopsided.ts', import.meta.url).href, export: 'build', args: { n } };

  test('each state is expanded once, by either worker; the same figures; without stealing, only by its owner', async () => {
    const { model } = build({ n });
    const seq = bfs(model);
    expect(figures(seq)).toEqual([n * n, 2 * n * (n - 1), 2 * (n - 1), 'exhausted']);
    const par = await parallelBfs(factory, model, [], { workers: 2, table: 'owned' });
    expect(figures(par)).toEqual(figures(seq));
    const owner = par.shares.findIndex((w) => w.stored > 0);
    const thief = 1 - owner;
    expect(par.shares.map((w) => w.stored)).toEqual(owner === 0 ? [n * n, 0] : [0, n * n]);
    expect(par.shares[owner]!.expanded + par.shares[thief]!.expanded).toBe(n * n);
    expect(par.shares[thief]!.stolen).toBe(par.shares[thief]!.expanded);
    expect(par.shares[thief]!.stolen).toBeGreaterThan(0);
    expect(par.shares[owner]!.stolen).toBe(0);
    const alone = await parallelBfs(factory, model, [], { workers: 2, steal: false, table: 'owned' });
    expect(figures(alone)).toEqual(figures(seq));
    expect(alone.shares.map((w) => [w.expanded, w.stolen])).toEqual(alone.shares.map((w) => [w.stored, 0]));
  });

  test('with the shared set: each state is stored once and expanded once, by either worker; without stealing, by the one that stored it', async () => {
    const { model } = build({ n });
    const seq = bfs(model);
    const workers = 2;
    const par = await parallelBfs(factory, model, [], { workers, table: 'shared' });
    expect(figures(par)).toEqual(figures(seq));
    expect(par.shares.reduce((k, w) => k + w.stored, 0)).toBe(n * n);
    expect(par.shares.reduce((k, w) => k + w.expanded, 0)).toBe(n * n);
    const alone = await parallelBfs(factory, model, [], { workers, steal: false, table: 'shared' });
    expect(figures(alone)).toEqual(figures(seq));
    expect(alone.shares.map((w) => [w.expanded, w.stolen])).toEqual(alone.shares.map((w) => [w.stored, 0]));
  });

  test.each<Table>(['shared', 'owned'])('a counterexample through states another worker expanded is as short, and replays (the %s set)', async (table) => {
    const { model, invariants } = build({ n });
    const r = await checkParallel(factory, model, invariants, { workers: 3, table });
    const cex = r.invariants[0]!.counterexample!;
    expect(cex.steps.length).toBe(2 * (n - 1));
    expect(replay(model, cex.steps, invariants[0]!).reproduced).toBe(true);
  });
});

describe('--workers on the command line', () => {
  test('count: the same figures', async () => {
    const one = await runCli('count', '--model', 'stage2', '--config', 's2-f', '--policy', 'hcr-dc', '--json');
    const two = await runCli('count', '--model', 'stage2', '--config', 's2-f', '--policy', 'hcr-dc', '--json', '--workers', '2');
    const pick = (o: string) => {
      const j = JSON.parse(o) as Record<string, unknown>;
      return [j.distinctStates, j.transitions, j.maxDepth, j.complete];
    };
    expect(two.code).toBe(0);
    expect(pick(two.out)).toEqual(pick(one.out));
  });

  test('a nondeterministic policy file is caught inside a worker: exit 2 with the message', async () => {
    const r = await runCli('check', '--model', 'stage2', '--policy', './test/fixtures/s2-nondeterministic.ts', '--workers', '2');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/onStage2Fault\(g0, m0\) is nondeterministic/);
  });

  test('bad --workers: exit 2', async () => {
    const r = await runCli('count', '--config', 'ref-a', '--policy', 'native', '--workers', '0');
    expect([r.code, r.err]).toEqual([2, expect.stringContaining('--workers must be an integer >= 1')]);
    const random = await runCli('check', '--config', 'ref-a', '--policy', 'native', '--strategy', 'random', '--workers', '2');
    expect([random.code, random.err]).toEqual([2, expect.stringContaining('--workers is for --strategy bfs')]);
  });
});
