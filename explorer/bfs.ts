/**
 * Exhaustive breadth-first search over packed states.
 *
 * States are discovered in nondecreasing depth, so the first state found that
 * violates an invariant ends a shortest counterexample for it; the parent
 * links (one 32-bit index per state) give the path back to the initial state.
 */
import type { Invariant, Model } from './model.ts';
import { U32Column, VisitedSet } from './store.ts';

export type StopReason = 'exhausted' | 'all-violated' | 'max-states' | 'max-depth' | 'timeout';

export interface SearchLimits {
  /** Stop before storing more than this many distinct states. */
  readonly maxStates?: number;
  /** Do not expand states at this depth (paths of at most this many steps). */
  readonly maxDepth?: number;
  /** Stop after this many seconds. */
  readonly timeoutSeconds?: number;
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
  readonly onProgress?: (p: Progress) => void;
  /** Milliseconds between progress callbacks (default 1000). */
  readonly progressIntervalMs?: number;
}

export type InvariantStatus = 'holds' | 'violated' | 'unknown';

export interface InvariantOutcome {
  readonly name: string;
  readonly status: InvariantStatus;
  /** For a violation: index of the first violating state found (a shallowest one). */
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
  /** Bytes held by the visited set, parent links and queue at the end (the peak). */
  readonly bytes: number;
}

export interface BfsResult extends SearchStats {
  readonly invariants: readonly InvariantOutcome[];
  /** Action indices from the initial state to state `index` (a shortest path). */
  pathTo(index: number): number[];
  /** Whether the search stored a state equal to `s`. */
  has(s: Uint32Array): boolean;
}

const NO_PARENT = 0xffffffff;

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
  const visited = new VisitedSet(W);
  const parent = new U32Column();
  const cur = new Uint32Array(W);
  const nxt = new Uint32Array(W);
  const nActions = model.actionCount;

  const outcomes: { name: string; status: InvariantStatus; stateIndex?: number; depth?: number }[] = invariants.map(
    (inv) => ({ name: inv.name, status: 'unknown' as InvariantStatus }),
  );
  let open = invariants.length; // invariants not yet violated
  const pending: number[] = invariants.map((_, k) => k);

  const checkInvariants = (s: Uint32Array, index: number, depth: number): void => {
    for (let j = pending.length - 1; j >= 0; j--) {
      const k = pending[j]!;
      if (!invariants[k]!.holds(s)) {
        outcomes[k] = { name: invariants[k]!.name, status: 'violated', stateIndex: index, depth };
        pending.splice(j, 1);
        open--;
      }
    }
  };

  model.initial(cur);
  visited.insert(cur);
  parent.push(NO_PARENT);
  checkInvariants(cur, 0, 0);

  let transitions = 0;
  let depth = 0;
  let levelEnd = 1; // states [0, levelEnd) are at depth <= `depth`
  let deepest = 0;
  let stopReason: StopReason = 'exhausted';
  let truncatedByDepth = false;

  search: for (let head = 0; head < visited.size; head++) {
    if (stopWhenAllViolated && invariants.length > 0 && open === 0) {
      stopReason = 'all-violated';
      break;
    }
    if (head === levelEnd) {
      depth++;
      levelEnd = visited.size;
    }
    if ((head & 1023) === 0) {
      const now = performance.now();
      if (now > deadline) {
        stopReason = 'timeout';
        break;
      }
      if (options.onProgress && now >= nextProgress) {
        nextProgress = now + interval;
        options.onProgress({
          distinctStates: visited.size,
          transitions,
          depth,
          queued: visited.size - head,
          seconds: (now - t0) / 1000,
        });
      }
    }
    visited.store.read(head, cur);
    if (depth >= maxDepth) {
      // Not expanded; the search is incomplete only if this state has a new successor.
      if (!truncatedByDepth) {
        for (let i = 0; i < nActions; i++) {
          if (model.step(cur, i, nxt) && visited.find(nxt) < 0) {
            truncatedByDepth = true;
            break;
          }
        }
      }
      continue;
    }
    for (let i = 0; i < nActions; i++) {
      if (!model.step(cur, i, nxt)) continue;
      transitions++;
      if (visited.size >= maxStates && visited.find(nxt) < 0) {
        stopReason = 'max-states';
        break search;
      }
      const idx = visited.insert(nxt);
      if (idx >= 0) {
        parent.push(head);
        if (depth + 1 > deepest) deepest = depth + 1;
        if (open > 0) checkInvariants(nxt, idx, depth + 1);
      }
    }
  }
  if (stopReason === 'exhausted' && truncatedByDepth) stopReason = 'max-depth';
  const complete = stopReason === 'exhausted';
  const seconds = (performance.now() - t0) / 1000;
  const final = outcomes.map((o) =>
    o.status === 'violated' ? o : { name: o.name, status: (complete ? 'holds' : 'unknown') as InvariantStatus },
  );

  const pathTo = (index: number): number[] => {
    const chain: number[] = [];
    for (let i = index; i !== NO_PARENT; i = parent.get(i)) chain.push(i);
    chain.reverse();
    const path: number[] = [];
    const a = new Uint32Array(W);
    const b = new Uint32Array(W);
    const t = new Uint32Array(W);
    for (let k = 1; k < chain.length; k++) {
      visited.store.read(chain[k - 1]!, a);
      visited.store.read(chain[k]!, b);
      let found = -1;
      for (let i = 0; i < nActions && found < 0; i++) {
        if (model.step(a, i, t) && t.every((w, j) => w === b[j])) found = i;
      }
      if (found < 0) throw new Error(`internal: no action leads from state ${chain[k - 1]} to ${chain[k]}`);
      path.push(found);
    }
    return path;
  };

  return {
    complete,
    stopReason,
    distinctStates: visited.size,
    transitions,
    maxDepth: deepest,
    seconds,
    bytes: visited.bytes + parent.bytes,
    invariants: final,
    pathTo,
    has: (s) => visited.find(s) >= 0,
  };
}
