/**
 * `npm run bench` / `hvmc bench`: an exhaustive count of a configuration
 * (default ref-e with trap-va), printed as JSON: distinct states, seconds,
 * states per second, bytes per stored state, peak RSS; the count is compared
 * with the pinned one where there is one. Then a comparison of visited-set
 * representations on the first 300,000 states of ref-e (why the hot path
 * does not use Immutable.Set or strings).
 */
import { Set as ISet } from 'immutable';
import { type SearchStats, bfs, successorsOf } from '../explorer/bfs.ts';
import { check } from '../explorer/check.ts';
import { parallelBfs } from '../explorer/parallel.ts';
import { randomSearch } from '../explorer/random.ts';
import type { Model } from '../explorer/model.ts';
import type { Io } from './io.ts';
import { progressReporter } from './progress.ts';
import { openSession, type SessionSpec, sessionSpecOf } from './session.ts';
import { workerFactory } from './worker-model.ts';

/** Distinct-state counts of the big configurations, pinned (the unit tests pin the small ones). */
export const PINNED_COUNTS: Readonly<Record<string, number>> = {
  'setway ref-e trap-va': 9_032_364,
  'setway ref-e native': 57_629_880,
};

/** BFS with a visited set of strings, in a JS Set or an Immutable.Set, up to `limit` states, for comparison. */
function countWithStringSet(model: Model<unknown>, kind: 'js' | 'immutable', limit: number): { states: number; seconds: number } {
  const t0 = performance.now();
  const succ = successorsOf(model);
  const init = new Uint32Array(model.words);
  model.initial(init);
  const js = new Set<string>();
  let imm = ISet<string>();
  const add = (k: string): boolean => {
    if (js.size >= limit || imm.size >= limit) return false;
    if (kind === 'js') {
      if (js.has(k)) return false;
      js.add(k);
    } else {
      if (imm.has(k)) return false;
      imm = imm.add(k);
    }
    return true;
  };
  add(init.join(','));
  let level: Uint32Array[] = [init];
  const dst = new Uint32Array(model.words);
  while (level.length > 0) {
    const next: Uint32Array[] = [];
    for (const s of level) succ(s, dst, () => void (add(dst.join(',')) && next.push(dst.slice())));
    level = next;
  }
  return { states: kind === 'js' ? js.size : imm.size, seconds: (performance.now() - t0) / 1000 };
}

/** Time to the first violation and minimised length: BFS (one minute at most) against the random biases. */
async function firstViolations(): Promise<unknown[]> {
  const out: unknown[] = [];
  const configs: [string, Record<string, unknown>][] = [
    ['ref-e', {}],
    ['ref-e pcpus=4 ways=2', { pcpus: 4, ways: 2 }],
  ];
  for (const policy of ['native', 'xen-rfc']) {
    for (const [name, overrides] of configs) {
      const s = await openSession({ model: 'setway', config: 'ref-e', policy, overrides });
      const { model, invariants } = s.built;
      const b = check(model, invariants, { stopAtFirstViolation: true, timeoutSeconds: 60 });
      const found = b.invariants.find((i) => i.counterexample);
      const row: Record<string, unknown> = {
        config: name,
        policy,
        bfs: found
          ? { seconds: Number(b.seconds.toFixed(2)), invariant: found.name, length: found.counterexample!.steps.length }
          : { seconds: Number(b.seconds.toFixed(2)), found: false, stopReason: b.stopReason },
      };
      for (const bias of ['uniform', 'swarm'] as const) {
        const r = randomSearch(model, invariants, { seed: 1, runs: 5000, depth: 100, bias });
        row[bias] = r.violation
          ? { seconds: Number(r.seconds.toFixed(2)), walks: r.runsDone, invariant: r.violation.invariant, foundLength: r.violation.foundLength, length: r.violation.trace.steps.length }
          : { seconds: Number(r.seconds.toFixed(2)), walks: r.runsDone, found: false };
      }
      out.push(row);
    }
  }
  return out;
}

/** Whether two searches of the same model found the same states, transitions and depth. */
function sameCounts(a: SearchStats, b: SearchStats): boolean {
  return a.distinctStates === b.distinctStates && a.transitions === b.transitions && a.maxDepth === b.maxDepth;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function runBench(
  spec: SessionSpec & { progress?: boolean; skipRandom?: boolean; symmetry?: boolean; workers?: number; pairs?: number },
  io: Io,
): Promise<number> {
  const sessionSpec = sessionSpecOf({ ...spec, config: spec.config ?? 'ref-e', policy: spec.policy ?? 'trap-va' });
  const session = await openSession(sessionSpec);
  const progress = progressReporter(io, spec.progress ?? true);
  const countOneThread = () => {
    const one = bfs(session.built.model, { onProgress: progress.onProgress, progressIntervalMs: progress.intervalMs });
    progress.done();
    return one;
  };
  const r = countOneThread();
  const rssBytes = process.resourceUsage().maxRSS * 1024;
  const key = `${session.family.name} ${session.config.id} ${session.policy.id}`;
  const pinned = PINNED_COUNTS[key];

  let symmetry: Record<string, unknown> | undefined;
  if (spec.symmetry) {
    const sr = bfs(session.built.model, { symmetry: true, onProgress: progress.onProgress, progressIntervalMs: progress.intervalMs });
    progress.done();
    symmetry = {
      over: 'pcpus',
      distinctStates: sr.distinctStates,
      transitions: sr.transitions,
      seconds: Number(sr.seconds.toFixed(2)),
      bytesPerState: Number((sr.bytes / sr.distinctStates).toFixed(1)),
    };
  }
  let parallel: Record<string, unknown> | undefined;
  if ((spec.workers ?? 1) > 1) {
    const factory = workerFactory({ spec: sessionSpec, baseDir: process.cwd(), invariants: 'none' });
    const countWithWorkers = async () => {
      const two = await parallelBfs(factory, session.built.model, [], {
        workers: spec.workers!,
        onProgress: progress.onProgress,
        progressIntervalMs: progress.intervalMs,
      });
      progress.done();
      return two;
    };
    const pr = await countWithWorkers();
    // More pairs, one thread then the workers, each timed afresh: this machine's speed drifts over
    // minutes by as much as the speedup's margin, so one pair can mislead either way.
    const pairs = [{ oneThread: r.seconds, workers: pr.seconds }];
    let allMatch = true;
    for (let i = 1; i < (spec.pairs ?? 1); i++) {
      const one = countOneThread();
      const two = await countWithWorkers();
      allMatch &&= sameCounts(one, r) && sameCounts(two, r);
      pairs.push({ oneThread: one.seconds, workers: two.seconds });
    }
    const speedups = pairs.map((p) => p.oneThread / p.workers);
    parallel = {
      workers: spec.workers,
      distinctStates: pr.distinctStates,
      transitions: pr.transitions,
      countMatches: sameCounts(pr, r) && allMatch,
      seconds: Number(pr.seconds.toFixed(2)),
      speedup: Number(speedups[0]!.toFixed(2)),
      ...(pairs.length > 1
        ? {
            pairs: pairs.map((p, i) => ({
              oneThreadSeconds: Number(p.oneThread.toFixed(2)),
              workersSeconds: Number(p.workers.toFixed(2)),
              speedup: Number(speedups[i]!.toFixed(2)),
            })),
            medianSpeedup: Number(median(speedups).toFixed(2)),
          }
        : {}),
      bytesPerState: Number((pr.bytes / pr.distinctStates).toFixed(1)),
      peakRssMB: Math.round((process.resourceUsage().maxRSS * 1024) / 2 ** 20),
      // Per worker: the share of the states it stored (added to the shared set, or owns with the owned sets), and
      // the states it expanded for the others (taken at level ends).
      ownedPercent: pr.shares.map((w) => Number(((100 * w.stored) / pr.distinctStates).toFixed(1))),
      stolenPercent: pr.shares.map((w) => Number(((100 * w.stolen) / pr.distinctStates).toFixed(1))),
    };
  }
  const firstViolation = spec.skipRandom ? [] : await firstViolations();
  const LIMIT = 300_000;
  const small = await openSession({ model: 'setway', config: 'ref-e', policy: 'trap-va' });
  const table = bfs(small.built.model, { maxStates: LIMIT });
  const jsSet = countWithStringSet(small.built.model, 'js', LIMIT);
  const immSet = countWithStringSet(small.built.model, 'immutable', LIMIT);

  io.out(
    JSON.stringify(
      {
        bench: 'bfs-count',
        model: session.family.name,
        config: session.config.id,
        policy: session.policy.id,
        complete: r.complete,
        distinctStates: r.distinctStates,
        pinnedStates: pinned ?? null,
        countMatches: pinned === undefined ? null : pinned === r.distinctStates,
        transitions: r.transitions,
        maxDepth: r.maxDepth,
        seconds: Number(r.seconds.toFixed(2)),
        statesPerSecond: Math.round(r.distinctStates / r.seconds),
        transitionsPerSecond: Math.round(r.transitions / r.seconds),
        stateWords: session.built.model.words,
        bytesPerState: Number((r.bytes / r.distinctStates).toFixed(1)),
        peakRssMB: Math.round(rssBytes / 2 ** 20),
        node: process.version,
        visitedSetComparison: {
          config: `setway ref-e trap-va, first ${LIMIT} states`,
          distinctStates: table.distinctStates,
          packedTableSeconds: Number(table.seconds.toFixed(3)),
          jsSetOfStringsSeconds: Number(jsSet.seconds.toFixed(3)),
          immutableSetOfStringsSeconds: Number(immSet.seconds.toFixed(3)),
          agree: jsSet.states === table.distinctStates && immSet.states === table.distinctStates,
        },
        ...(symmetry ? { symmetry } : {}),
        ...(parallel ? { parallel } : {}),
        firstViolation,
      },
      null,
      2,
    ) + '\n',
  );
  if (pinned !== undefined && pinned !== r.distinctStates) {
    io.err(`hvmc bench: ${key}: ${r.distinctStates} distinct states, but ${pinned} are pinned\n`);
    return 1;
  }
  return r.complete ? 0 : 3;
}
