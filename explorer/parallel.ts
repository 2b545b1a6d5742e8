/**
 * Parallel breadth-first search on worker_threads, level-synchronous.
 *
 * Every worker builds its own copy of the model (a `ModelFactory`); they share
 * one visited set (`SharedTable`, full states inline, claimed slot by slot
 * with atomics) and, for each level, one frontier array that they take
 * chunks of through an atomic counter. All the states of depth d are
 * expanded before any state of depth d+1, so the first violations found are
 * at the smallest depth: counterexamples are as short as the sequential
 * search's (which shortest one is reported may differ between runs; its
 * length does not). Counts (states, transitions, depth) equal the
 * sequential search's exactly.
 *
 * When the table passes its load limit, the workers stop between two states
 * and report the frontier ranges they had taken but not expanded; the
 * coordinator grows the table (remapping every slot it holds) and runs the
 * rest of the level.
 */
import { Worker } from 'node:worker_threads';
import { type BfsOptions, type BfsResult, type MutableOutcome, type StopReason, settle } from './bfs.ts';
import type { ModelFactory } from './factory.ts';
import { hashWords } from './hash.ts';
import type { Invariant, Model } from './model.ts';
import type { GrowOrder, LevelDone, LevelOrder, WorkerFailure, WorkerInit } from './parallel-protocol.ts';
import { pathThrough } from './path.ts';
import { CTRL_POS, CTRL_RESIZE, CTRL_SIZE, CTRL_STOP, CTRL_VIOLATED, CTRL_WORDS, ROOT, SharedTable, ctrlTransitions } from './shared-table.ts';

export interface ParallelOptions extends BfsOptions {
  /** Worker threads (2 on a 2-core machine). */
  readonly workers: number;
}

/** A worker failed (its model factory or a policy hook threw); `exitCode` is the error's own, if it had one. */
export class WorkerError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | undefined,
  ) {
    super(message);
    this.name = 'WorkerError';
  }
}

const ENTRY = new URL('./worker-entry.mjs', import.meta.url);
const WORKER = new URL('./parallel-worker.ts', import.meta.url).href;

class Pool {
  private readonly workers: Worker[] = [];
  constructor(n: number) {
    for (let i = 0; i < n; i++) this.workers.push(new Worker(ENTRY, { workerData: { entry: WORKER } }));
  }
  /** Send each worker its message; resolve with their answers (or reject with the first failure). */
  all<T>(make: (i: number) => unknown, transfer?: (i: number) => ArrayBuffer[]): Promise<T[]> {
    return Promise.all(
      this.workers.map(
        (w, i) =>
          new Promise<T>((resolve, reject) => {
            const onMessage = (m: T | WorkerFailure) => {
              w.off('error', onError);
              if ((m as WorkerFailure).type === 'error') reject(new WorkerError((m as WorkerFailure).message, (m as WorkerFailure).exitCode));
              else resolve(m as T);
            };
            const onError = (e: Error) => {
              w.off('message', onMessage);
              reject(new WorkerError(e.message, undefined));
            };
            w.once('message', onMessage);
            w.once('error', onError);
            w.postMessage(make(i), transfer?.(i) ?? []);
          }),
      ),
    );
  }
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Grow the table with every worker's help: rehash the old slots, then relink the new ones. */
async function growTogether(pool: Pool, table: SharedTable): Promise<Uint32Array> {
  const old = table.buffer;
  const oldCapacity = table.capacity;
  const { table: grown, map } = SharedTable.prepareGrow(table.words, oldCapacity);
  for (const [type, slots] of [['rehash', oldCapacity], ['relink', 2 * oldCapacity]] as const) {
    Atomics.store(table.ctrl, CTRL_POS, 0);
    await pool.all(() => ({ type, old, table: grown, map, slots }) satisfies GrowOrder);
  }
  table.attach(grown);
  Atomics.store(table.ctrl, CTRL_RESIZE, 0);
  return new Uint32Array(map);
}

/** The parts one after the other, in shared memory (the workers read a level from it). */
function concat(parts: readonly Uint32Array[]): Uint32Array {
  const length = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint32Array(new SharedArrayBuffer(Math.max(4, length * 4)), 0, length);
  let n = 0;
  for (const p of parts) {
    out.set(p, n);
    n += p.length;
  }
  return out;
}

/**
 * Exhaustive BFS of `model` with `options.workers` threads, each building the
 * model through `factory`. `model` and `invariants` (the coordinator's copy,
 * built the same way) check the initial state and rebuild paths.
 */
export async function parallelBfs<A>(
  factory: ModelFactory,
  model: Model<A>,
  invariants: readonly Invariant[],
  options: ParallelOptions,
): Promise<BfsResult> {
  const t0 = performance.now();
  const W = model.words;
  if (invariants.length > 30) throw new Error('the parallel search checks at most 30 invariants');
  if (!Number.isInteger(options.workers) || options.workers < 1 || options.workers > 64) throw new Error('workers must be 1..64');
  const stopWhenAllViolated = options.stopWhenAllViolated ?? true;
  const maxDepth = options.maxDepth ?? Infinity;
  const deadline = options.timeoutSeconds === undefined ? Number.MAX_SAFE_INTEGER : Date.now() + options.timeoutSeconds * 1000;
  if (options.symmetry && !model.canonicalize) throw new Error(`model ${model.name} has no symmetry reduction`);
  const canon = options.symmetry ? model.canonicalize!.bind(model) : undefined;

  const ctrlBuffer = new SharedArrayBuffer(CTRL_WORDS * 4);
  const ctrl = new Int32Array(ctrlBuffer);
  const table = new SharedTable(W, SharedTable.allocate(W, 1 << 16), ctrl);
  const pool = new Pool(options.workers);

  const outcomes: MutableOutcome[] = invariants.map((inv) => ({
    name: inv.name,
    status: 'unknown',
  }));
  let pending = 0;
  const init = new Uint32Array(W);
  model.initial(init);
  if (canon) canon(init);
  const root = table.add(init, hashWords(init, 0, W), ROOT);
  table.flushSize();
  invariants.forEach((inv, k) => {
    if (inv.holds(init)) pending |= 1 << k;
    else {
      outcomes[k] = { name: inv.name, status: 'violated', stateIndex: root, depth: 0 };
      Atomics.or(ctrl, CTRL_VIOLATED, 1 << k);
    }
  });

  let transitions = 0;
  let depth = 0;
  let deepest = 0;
  let stopReason: StopReason = 'exhausted';
  let truncated = false;
  let peakBytes = 0;
  let tableChanged = true;
  const allMask = (1 << invariants.length) - 1;
  const allViolated = () => invariants.length > 0 && (pending & allMask) === 0;

  let progressTimer: ReturnType<typeof setInterval> | undefined;
  let queued = 1;
  if (options.onProgress) {
    const report = options.onProgress;
    progressTimer = setInterval(() => {
      let live = 0;
      for (let i = 0; i < options.workers; i++) live += Atomics.load(ctrl, ctrlTransitions(i)) * 1024;
      report({ distinctStates: table.size, transitions: transitions + live, depth, queued, seconds: (performance.now() - t0) / 1000 });
    }, options.progressIntervalMs ?? 1000);
  }

  try {
    await pool.all((id) => ({ type: 'init', id, factory, words: W, table: table.buffer, ctrl: ctrlBuffer, symmetry: !!canon }) satisfies WorkerInit);
    // A level is a list of entries (slot, state words): expanding reads no table line.
    const E = W + 1;
    let level: Uint32Array = concat([Uint32Array.of(root), init]);
    outer: while (level.length > 0) {
      if ((stopWhenAllViolated && allViolated()) || (options.stopAtFirstViolation && pending !== allMask)) {
        stopReason = 'all-violated';
        break;
      }
      const mode = depth >= maxDepth ? 'probe' : 'expand';
      queued = level.length / E;
      const parts: Uint32Array[] = [];
      let frontier: Uint32Array = level;
      for (;;) {
        const buffer = frontier.buffer as SharedArrayBuffer;
        Atomics.store(ctrl, CTRL_POS, 0);
        for (let i = 0; i < options.workers; i++) Atomics.store(ctrl, ctrlTransitions(i), 0);
        const order = (): LevelOrder => ({
          type: 'level',
          mode,
          depth,
          frontier: buffer,
          length: frontier.length / E,
          ...(tableChanged ? { table: table.buffer } : {}),
          pending,
          maxStates: options.maxStates ?? Number.MAX_SAFE_INTEGER,
          deadline,
          stopWhenAllViolated,
          stopAtFirstViolation: !!options.stopAtFirstViolation,
        });
        const done = await pool.all<LevelDone>(order);
        tableChanged = false;
        const left: Uint32Array[] = [];
        for (const d of done) {
          transitions += d.transitions;
          parts.push(new Uint32Array(d.next));
          truncated ||= d.truncated;
          for (let j = 0; j < d.violations.length; j += 2) {
            const k = d.violations[j]!;
            if (outcomes[k]!.status !== 'violated') {
              outcomes[k] = { name: outcomes[k]!.name, status: 'violated', stateIndex: d.violations[j + 1]!, depth: depth + 1 };
              pending &= ~(1 << k);
            }
          }
          for (let j = 0; j < d.leftovers.length; j += 2) left.push(frontier.subarray(d.leftovers[j]! * E, d.leftovers[j + 1]! * E));
        }
        const pos = Math.min(Atomics.load(ctrl, CTRL_POS), frontier.length / E);
        left.push(frontier.subarray(pos * E));
        peakBytes = Math.max(peakBytes, table.data.byteLength + 4 * (frontier.length + parts.reduce((n, p) => n + p.length, 0)));
        if (Atomics.load(ctrl, CTRL_STOP) !== 0) {
          if (mode === 'probe') break outer;
          stopReason =
            (stopWhenAllViolated && allViolated()) || (options.stopAtFirstViolation && pending !== allMask)
              ? 'all-violated'
              : Date.now() > deadline
                ? 'timeout'
                : 'max-states';
          break outer;
        }
        if (Atomics.load(ctrl, CTRL_RESIZE) === 0) {
          const unexpanded = left.reduce((n, l) => n + l.length, 0) / E;
          if (unexpanded > 0) throw new Error(`internal: ${unexpanded} frontier states left unexpanded`);
          break;
        }
        const map = await growTogether(pool, table);
        tableChanged = true;
        for (const p of parts) for (let i = 0; i < p.length; i += E) p[i] = map[p[i]!]!;
        for (const o of outcomes) if (o.stateIndex !== undefined) o.stateIndex = map[o.stateIndex]!;
        frontier = concat(left);
        for (let i = 0; i < frontier.length; i += E) frontier[i] = map[frontier[i]!]!;
        if (frontier.length === 0) break;
      }
      if (mode === 'probe') break;
      level = concat(parts);
      if (level.length > 0) deepest = depth + 1;
      depth++;
    }
  } finally {
    if (progressTimer) clearInterval(progressTimer);
    await pool.close();
  }
  const { complete, final } = settle(stopReason, truncated, outcomes);
  if (!complete && stopReason === 'exhausted') stopReason = 'max-depth';
  return {
    complete,
    stopReason,
    distinctStates: Atomics.load(ctrl, CTRL_SIZE),
    transitions,
    maxDepth: deepest,
    seconds: (performance.now() - t0) / 1000,
    bytes: Math.max(peakBytes, table.data.byteLength),
    invariants: final,
    pathTo: (slot) => pathThrough(model as Model<unknown>, table, canon, slot),
    has: (s) => {
      const c = s.slice();
      if (canon) canon(c);
      return table.find(c) >= 0;
    },
  };
}
