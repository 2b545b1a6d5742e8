/**
 * Exhaustive breadth-first search over packed states, level by level.
 *
 * States are discovered in nondecreasing depth, so the first state found that
 * violates an invariant ends a shortest counterexample for it. The visited set
 * (explorer/table.ts) only answers "seen before?"; the store
 * (explorer/store.ts) keeps the states in discovery order with their parents,
 * which give the path back to the initial state. A level is a range of the
 * store, expanded in order.
 */
import type { Invariant, Model } from './model.ts';
import { pathThrough } from './path.ts';
import { ROOT, StateStore } from './store.ts';
import { StateTable } from './table.ts';

export type StopReason = 'exhausted' | 'all-violated' | 'max-states' | 'max-depth' | 'timeout';

export interface SearchLimits {
  /** Stop before storing more than this many distinct states. */
  readonly maxStates?: number;
  /** Do not expand states at this depth (paths of at most this many steps). */
  readonly maxDepth?: number;
  /** Stop after this many seconds. */
  readonly timeoutSeconds?: number;
}

/** Only the limits of a larger set of options, those not given left out. */
export function limitsOf(o: SearchLimits): SearchLimits {
  return {
    ...(o.maxStates !== undefined ? { maxStates: o.maxStates } : {}),
    ...(o.maxDepth !== undefined ? { maxDepth: o.maxDepth } : {}),
    ...(o.timeoutSeconds !== undefined ? { timeoutSeconds: o.timeoutSeconds } : {}),
  };
}

export interface Progress {
  readonly distinctStates: number;
  readonly transitions: number;
  readonly depth: number;
  readonly queued: number;
  readonly seconds: number;
}

export interface BfsOptions extends SearchLimits {
  readonly invariants?: readonly Invariant[];
  /** Stop as soon as every invariant has a counterexample (default true). */
  readonly stopWhenAllViolated?: boolean;
  /** Stop at the first counterexample of any invariant (time to first violation). */
  readonly stopAtFirstViolation?: boolean;
  /**
   * Store one canonical state per symmetry class (the model's `canonicalize`).
   * Counts drop; counterexamples stay shortest, and their traces are rebuilt on
   * concrete states, so they replay.
   */
  readonly symmetry?: boolean;
  readonly onProgress?: (p: Progress) => void;
  /** Milliseconds between progress callbacks (default 1000). */
  readonly progressIntervalMs?: number;
}

export type InvariantStatus = 'holds' | 'violated' | 'unknown';

export interface InvariantOutcome {
  readonly name: string;
  readonly status: InvariantStatus;
  /** For a violation: the index of the first violating state found (a shallowest one). */
  readonly stateIndex?: number;
  /** For a violation: its depth, i.e. the length of a shortest counterexample. */
  readonly depth?: number;
}

export interface SearchStats {
  readonly complete: boolean;
  readonly stopReason: StopReason;
  readonly distinctStates: number;
  readonly transitions: number;
  readonly maxDepth: number;
  readonly seconds: number;
  /** Peak bytes held by the visited set, the stored states and their parent links (which are also the queue). */
  readonly bytes: number;
}

export interface BfsResult extends SearchStats {
  readonly invariants: readonly InvariantOutcome[];
  /** Action indices from the initial state to state `index` (a shortest path). */
  pathTo(index: number): number[];
  /** Whether the search stored a state equal to `s`. */
  has(s: Uint32Array): boolean;
}

export interface MutableOutcome {
  name: string;
  status: InvariantStatus;
  stateIndex?: number;
  depth?: number;
}

/**
 * The end of a search: a search cut by the depth bound is not complete; an
 * invariant without a counterexample holds if the search was complete, else
 * its status is unknown.
 */
export function settle(
  stopReason: StopReason,
  truncated: boolean,
  outcomes: readonly MutableOutcome[],
): { complete: boolean; final: InvariantOutcome[] } {
  const complete = stopReason === 'exhausted' && !truncated;
  const final: InvariantOutcome[] = outcomes.map((o) =>
    o.status === 'violated' ? { ...o } : { name: o.name, status: complete ? 'holds' : 'unknown' },
  );
  return { complete, final };
}

/** Enumerate the successors of `src` through the model's fast path or through `step`. */
export function successorsOf(model: Model<unknown>): (src: Uint32Array, dst: Uint32Array, visit: (i: number) => void) => void {
  if (model.forEachSuccessor) return model.forEachSuccessor.bind(model);
  const n = model.actionCount;
  return (src, dst, visit) => {
    for (let i = 0; i < n; i++) if (model.step(src, i, dst)) visit(i);
  };
}

export function bfs<A>(model: Model<A>, options: BfsOptions = {}): BfsResult {
  const t0 = performance.now();
  const invariants = options.invariants ?? [];
  const stopWhenAllViolated = options.stopWhenAllViolated ?? true;
  const maxStates = options.maxStates ?? Infinity;
  const maxDepth = options.maxDepth ?? Infinity;
  const deadline = options.timeoutSeconds === undefined ? Infinity : t0 + options.timeoutSeconds * 1000;
  const interval = options.progressIntervalMs ?? 1000;
  let nextProgress = t0 + interval;

  const W = model.words;
  const table = new StateTable(W, model.partitionMask);
  const store = new StateStore(W);
  const cur = new Uint32Array(W);
  const nxt = new Uint32Array(W);
  const successors = successorsOf(model as Model<unknown>);
  if (options.symmetry && !model.canonicalize) throw new Error(`model ${model.name} has no symmetry reduction`);
  const canon = options.symmetry ? model.canonicalize!.bind(model) : undefined;

  const outcomes: MutableOutcome[] = invariants.map((inv) => ({ name: inv.name, status: 'unknown' }));
  const pending: number[] = invariants.map((_, k) => k);

  const checkInvariants = (s: Uint32Array, index: number, depth: number): void => {
    for (let j = pending.length - 1; j >= 0; j--) {
      const k = pending[j]!;
      if (!invariants[k]!.holds(s)) {
        outcomes[k] = { name: invariants[k]!.name, status: 'violated', stateIndex: index, depth };
        pending.splice(j, 1);
      }
    }
  };

  let transitions = 0;
  let depth = 0;
  let deepest = 0;
  let stopReason: StopReason = 'exhausted';
  let stop = false;
  let current = 0;

  // Expanding a state below the depth limit: store and check every new successor.
  const expand = (_i: number): void => {
    if (stop) return;
    transitions++;
    if (canon) canon(nxt);
    if (table.size >= maxStates && !table.has(nxt)) {
      stopReason = 'max-states';
      stop = true;
      return;
    }
    if (table.add(nxt)) {
      const index = store.push(nxt, 0, current);
      if (pending.length > 0) checkInvariants(nxt, index, depth + 1);
    }
  };
  // A state at the depth limit: is any successor new?
  let truncated = false;
  const probe = (_i: number): void => {
    if (canon) canon(nxt);
    if (!truncated && !table.has(nxt)) truncated = true;
  };

  model.initial(cur);
  if (canon) canon(cur);
  table.add(cur);
  store.push(cur, 0, ROOT);
  checkInvariants(cur, 0, 0);

  let expanded = 0;
  // The current level is store[levelStart, levelEnd); the next one is being appended after it.
  let levelStart = 0;
  let levelEnd = 1;
  outer: while (levelStart < levelEnd) {
    for (let q = levelStart; q < levelEnd; q++) {
      if (
        invariants.length > 0 &&
        ((stopWhenAllViolated && pending.length === 0) || (options.stopAtFirstViolation && pending.length < invariants.length))
      ) {
        stopReason = 'all-violated';
        break outer;
      }
      if ((++expanded & 1023) === 0) {
        const now = performance.now();
        if (now > deadline) {
          stopReason = 'timeout';
          break outer;
        }
        if (options.onProgress && now >= nextProgress) {
          nextProgress = now + interval;
          options.onProgress({
            distinctStates: table.size,
            transitions,
            depth,
            queued: store.length - q,
            seconds: (now - t0) / 1000,
          });
        }
      }
      current = q;
      store.read(q, cur);
      if (depth >= maxDepth) {
        if (!truncated) successors(cur, nxt, probe);
        continue;
      }
      successors(cur, nxt, expand);
      if (stop) break outer;
    }
    if (store.length > levelEnd) deepest = depth + 1;
    levelStart = levelEnd;
    levelEnd = store.length;
    depth++;
  }
  const { complete, final } = settle(stopReason, truncated, outcomes);
  if (!complete && stopReason === 'exhausted') stopReason = 'max-depth';
  const seconds = (performance.now() - t0) / 1000;

  return {
    complete,
    stopReason,
    distinctStates: table.size,
    transitions,
    maxDepth: deepest,
    seconds,
    bytes: table.bytes + store.bytes,
    invariants: final,
    pathTo: (index) => pathThrough(model as Model<unknown>, store, canon, index),
    has: (s) => {
      const c = s.slice();
      if (canon) canon(c);
      return table.has(c);
    },
  };
}
