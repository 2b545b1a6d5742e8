/**
 * Parallel breadth-first search on worker_threads, level-synchronous.
 *
 * Every worker builds its own copy of the model (a `ModelFactory`) and keeps
 * the states it adds in a store of its own, in discovery order, in shared
 * memory (explorer/parallel-worker.ts). By default the workers share one
 * visited set (explorer/shared-table.ts): a worker looks up every successor
 * there and adds the new ones itself, so no state is sent anywhere. With
 * `table: 'owned'`, each worker owns the states whose hash falls to it, in a
 * set of its own, and sends every successor it does not own to its owner
 * through a ring in shared memory. In each level the workers expand their
 * own states of that depth and, once done, the others' unclaimed ones. All
 * the states of depth d are stored before any state of depth d+1 is
 * expanded, so the first violations found are at the smallest depth:
 * counterexamples are as short as the sequential search's (which shortest
 * one is reported may differ between runs; its length does not). Counts
 * (states, transitions, depth) equal the sequential search's exactly.
 */
import { totalmem } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type BfsOptions, type BfsResult, type MutableOutcome, type StopReason, settle } from './bfs.ts';
import type { ModelFactory } from './factory.ts';
import type { Invariant, Model } from './model.ts';
import {
  CTRL_SIZE,
  CTRL_STOP,
  CTRL_VIOLATED,
  CTRL_WORDS,
  type LevelDone,
  type LevelOrder,
  MAX_WORKERS,
  type TableSnapshot,
  type WorkerFailure,
  type WorkerInit,
  ctrlCursor,
  ctrlEnd,
  ctrlTransitions,
  violationsStop,
  Partition,
} from './parallel-protocol.ts';
import { type ParentLinks, pathThrough } from './path.ts';
import { Ring } from './ring.ts';
import { type StoreBuffers, StoreReader } from './store.ts';
import { SharedTable, type SharedTableBuffers } from './shared-table.ts';
import { StateTable } from './table.ts';
import { watchBuffer } from './watch.ts';

function watchOf(): { watch?: SharedArrayBuffer } {
  const w = watchBuffer();
  return w ? { watch: w } : {};
}

export interface ParallelOptions extends BfsOptions {
  /** Worker threads (2 on a 2-core machine). */
  readonly workers: number;
  /** Entries per ring between two workers (a power of two; default 32,768; tests make it tiny to fill them). */
  readonly ringEntries?: number;
  /** Whether a worker that has expanded its own states of a level expands the others' unclaimed ones (default true). */
  readonly steal?: boolean;
  /**
   * The visited set: 'shared' (default), one set in shared memory that every
   * worker looks up and adds to (explorer/shared-table.ts); or 'owned', each
   * worker owning a partition of the states in a set of its own, and sending
   * the others' states to them through rings.
   */
  readonly table?: 'shared' | 'owned';
  /** With the shared set: the most bytes its arena may take (default: 8 GiB, or half the machine's memory if less). */
  readonly arenaBytes?: number;
}

/** What each worker did, over the whole search. */
export interface WorkerShare {
  /** States it expanded (of its own and of others). */
  readonly expanded: number;
  /** Of those, states another worker stored (owned), taken once its own were done. */
  readonly stolen: number;
  /** Distinct states it stored: those it added to the shared set first, or those it owns (`table: 'owned'`). */
  readonly stored: number;
}

export interface ParallelResult extends BfsResult {
  readonly shares: readonly WorkerShare[];
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

/**
 * The worker's module. From the compiled package it is parallel-worker.js,
 * run as it is. From the TypeScript sources (this repository's tests), a
 * small entry registers tsx first and then imports parallel-worker.ts.
 */
const FROM_SOURCES = import.meta.url.endsWith('.ts');
const ENTRY = new URL(FROM_SOURCES ? './worker-entry.mjs' : './parallel-worker.js', import.meta.url);
const WORKER = new URL('./parallel-worker.ts', import.meta.url).href;

class Pool {
  private readonly workers: Worker[] = [];
  constructor(n: number) {
    for (let i = 0; i < n; i++) this.workers.push(new Worker(ENTRY, FROM_SOURCES ? { workerData: { entry: WORKER } } : {}));
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

/**
 * The arena of the last shared set, kept for the next search in this
 * process, and how many of its bytes it used. Every arena reserves its whole
 * size from the system (8 GiB by default), and a process holding several
 * that the garbage collector has not freed yet cannot start a child process
 * (fork: ENOMEM): a test suite running many searches met that. So a search
 * gives its arena back at its end, and the next one zeroes the used part and
 * takes it.
 */
let spareArena: { readonly arena: SharedArrayBuffer; readonly used: number } | null = null;

/** The shared visited set's memory: an arena of `arenaBytes`, by default 8 GiB or half the machine's memory (only what is used is ever touched). */
function allocateShared(words: number, arenaBytes: number | undefined): SharedTableBuffers {
  let bytes = arenaBytes ?? Math.min(8 * 2 ** 30, Math.floor(totalmem() / 2));
  if (!Number.isSafeInteger(bytes) || bytes < 2 ** 20) throw new Error('arenaBytes must be at least 1 MiB');
  if (arenaBytes === undefined && spareArena) {
    const { arena, used } = spareArena;
    spareArena = null;
    new Int32Array(arena, 0, used / 4).fill(0);
    return SharedTable.over(words, arena);
  }
  // A system that will not reserve that much address space at once gets a smaller arena (which may fill up: a clear error then).
  for (;;) {
    try {
      return SharedTable.allocate(words, bytes);
    } catch (e) {
      if (!(e instanceof RangeError) || arenaBytes !== undefined || bytes < 2 ** 27) throw e;
      bytes = Math.floor(bytes / 2);
    }
  }
}

/** A one-thread visited set of every state the workers stored (lengths[w] in worker w's store). */
function tableOfStores(model: Model<unknown>, stores: Stores, lengths: readonly number[]): StateTable {
  const t = new StateTable(model.words, model.partitionMask);
  const s = new Uint32Array(model.words);
  lengths.forEach((n, w) => {
    for (let q = 0; q < n; q++) {
      stores.read(q * lengths.length + w, s);
      t.add(s);
    }
  });
  return t;
}

/** Entries per ring: a worker that fills one stores what it was sent until its owner catches up. */
const RING_ENTRIES = 1 << 15;

/** The workers' stores as one set of parent links over global ids (index * workers + owner). */
class Stores implements ParentLinks {
  readers: StoreReader[] = [];
  constructor(private readonly workers: number) {}
  read(id: number, out: Uint32Array): void {
    this.readers[id % this.workers]!.read(Math.floor(id / this.workers), out);
  }
  parent(id: number): number {
    return this.readers[id % this.workers]!.parent(Math.floor(id / this.workers));
  }
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
): Promise<ParallelResult> {
  const t0 = performance.now();
  const W = model.words;
  const N = options.workers;
  if (invariants.length > 30) throw new Error('the parallel search checks at most 30 invariants');
  if (!Number.isInteger(N) || N < 1 || N > MAX_WORKERS) throw new Error(`workers must be 1..${MAX_WORKERS}`);
  const stopWhenAllViolated = options.stopWhenAllViolated ?? true;
  const maxDepth = options.maxDepth ?? Infinity;
  const deadline = options.timeoutSeconds === undefined ? Number.MAX_SAFE_INTEGER : Date.now() + options.timeoutSeconds * 1000;
  if (options.symmetry && !model.canonicalize) throw new Error(`model ${model.name} has no symmetry reduction`);
  const canon = options.symmetry ? model.canonicalize!.bind(model) : undefined;

  const ctrlBuffer = new SharedArrayBuffer(CTRL_WORDS * 4);
  const ctrl = new Int32Array(ctrlBuffer);
  const ringEntries = options.ringEntries ?? RING_ENTRIES;
  if (!Number.isInteger(ringEntries) || ringEntries < 1 || (ringEntries & (ringEntries - 1)) !== 0) throw new Error('ringEntries must be a power of two');
  const sharedBuffers = (options.table ?? 'shared') === 'shared' ? allocateShared(W, options.arenaBytes) : null;
  const rings = [...Array(N * N).keys()].map((i) => (sharedBuffers || Math.floor(i / N) === i % N ? null : Ring.allocate(ringEntries, W + 2)));
  const pool = new Pool(N);
  const stores = new Stores(N);
  const partition = new Partition(W, N, model.partitionMask, model.ownerMask);

  const outcomes: MutableOutcome[] = invariants.map((inv) => ({ name: inv.name, status: 'unknown' }));
  let pending = 0;
  const init = new Uint32Array(W);
  model.initial(init);
  if (canon) canon(init);
  // The initial state is the first state its owner (worker 0 with a shared set) stores: global id 0 * N + owner.
  const sharedTable = sharedBuffers ? new SharedTable(sharedBuffers, model.partitionMask, { lookupsOnly: true }) : null;
  sharedTable?.add(init);
  const root = sharedTable ? 0 : partition.owner(init);
  Atomics.store(ctrl, CTRL_SIZE, 1);
  // Each worker's store: its length, and where the level being expanded starts (ctrlCursor).
  const lengths = [...Array(N).keys()].map((w): number => (w === root ? 1 : 0));
  const starts = new Array<number>(N).fill(0);
  const buffers: StoreBuffers[] = [];
  const steal = (options.steal ?? true) && N > 1;
  const expanded = new Array<number>(N).fill(0);
  const stolen = new Array<number>(N).fill(0);
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
  const allMask = (1 << invariants.length) - 1;
  const violationOptions = { stopWhenAllViolated, stopAtFirstViolation: !!options.stopAtFirstViolation };
  const violationsEnd = () => violationsStop(allMask & ~pending, invariants.length, violationOptions);

  let progressTimer: ReturnType<typeof setInterval> | undefined;
  let queued = 1;
  if (options.onProgress) {
    const report = options.onProgress;
    progressTimer = setInterval(() => {
      let live = 0;
      for (let i = 0; i < N; i++) live += Atomics.load(ctrl, ctrlTransitions(i)) * 1024;
      report({ distinctStates: Atomics.load(ctrl, CTRL_SIZE), transitions: transitions + live, depth, queued, seconds: (performance.now() - t0) / 1000 });
    }, options.progressIntervalMs ?? 1000);
  }

  const tables: StateTable[] = [];
  let lookup: StateTable | null = null;
  try {
    await pool.all(
      (id) => ({ type: 'init', id, workers: N, factory, words: W, ctrl: ctrlBuffer, rings, symmetry: !!canon, initial: [...init], shared: sharedBuffers, ...watchOf() }) satisfies WorkerInit,
    );
    for (;;) {
      if (violationsEnd()) {
        stopReason = 'all-violated';
        break;
      }
      const mode = depth >= maxDepth ? 'probe' : 'expand';
      for (let i = 0; i < N; i++) {
        Atomics.store(ctrl, ctrlTransitions(i), 0);
        Atomics.store(ctrl, ctrlCursor(i), starts[i]!);
        Atomics.store(ctrl, ctrlEnd(i), lengths[i]!);
      }
      const done = await pool.all<LevelDone>(
        (): LevelOrder => ({
          type: 'level',
          mode,
          depth,
          pending,
          maxStates: options.maxStates ?? Number.MAX_SAFE_INTEGER,
          deadline,
          ...violationOptions,
          // (Before the first level the coordinator has no buffers: one state, its owner's.)
          stores: steal && buffers.length === N ? buffers : null,
        }),
      );
      let added = 0;
      let bytes = sharedTable?.arenaBytes ?? 0;
      done.forEach((d, w) => {
        transitions += d.transitions;
        added += d.added;
        bytes += d.bytes;
        truncated ||= d.truncated;
        stores.readers[w] = new StoreReader(W, d.store);
        buffers[w] = d.store;
        starts[w] = lengths[w]!;
        lengths[w] = d.length;
        expanded[w]! += d.expanded;
        stolen[w]! += d.stolen;
        for (let j = 0; j < d.violations.length; j += 2) {
          const k = d.violations[j]!;
          if (outcomes[k]!.status !== 'violated') {
            outcomes[k] = { name: outcomes[k]!.name, status: 'violated', stateIndex: d.violations[j + 1]!, depth: depth + 1 };
            pending &= ~(1 << k);
          }
        }
      });
      peakBytes = Math.max(peakBytes, bytes);
      if (mode === 'probe') break;
      if (Atomics.load(ctrl, CTRL_STOP) !== 0) {
        stopReason = violationsEnd() ? 'all-violated' : Date.now() > deadline ? 'timeout' : 'max-states';
        break;
      }
      if (added === 0) break;
      queued = added;
      deepest = depth + 1;
      depth++;
    }
    if (!sharedTable) {
      const snaps = await pool.all<TableSnapshot>(() => ({ type: 'finish' }));
      for (const snap of snaps) tables.push(StateTable.from(W, model.partitionMask, snap));
    }
  } finally {
    if (progressTimer) clearInterval(progressTimer);
    await pool.close();
    // No worker uses the arena any more: the next search may (`has` answers from the stores).
    if (sharedTable && options.arenaBytes === undefined) spareArena = { arena: sharedBuffers!.arena, used: sharedTable.arenaBytes };
  }
  const { complete, final } = settle(stopReason, truncated, outcomes);
  if (!complete && stopReason === 'exhausted') stopReason = 'max-depth';
  return {
    complete,
    stopReason,
    distinctStates: lengths.reduce((n, l) => n + l, 0),
    transitions,
    maxDepth: deepest,
    seconds: (performance.now() - t0) / 1000,
    bytes: peakBytes,
    invariants: final,
    pathTo: (id) => pathThrough(model as Model<unknown>, stores, canon, id),
    shares: lengths.map((stored, w) => ({ expanded: expanded[w]!, stolen: stolen[w]!, stored })),
    has: (s) => {
      const c = s.slice();
      if (canon) canon(c);
      if (!sharedTable) return tables[partition.owner(c)]!.has(c);
      // The arena has gone to the next search: a table of the stored states, built at the first question.
      lookup ??= tableOfStores(model, stores, lengths);
      return lookup.has(c);
    },
  };
}
