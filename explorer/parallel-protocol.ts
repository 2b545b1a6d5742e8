/** Messages between the parallel BFS coordinator and its workers. */
export interface WorkerInit {
  readonly type: 'init';
  readonly id: number;
  readonly factory: unknown;
  readonly words: number;
  readonly table: SharedArrayBuffer;
  readonly ctrl: SharedArrayBuffer;
  readonly symmetry: boolean;
}

export interface LevelOrder {
  readonly type: 'level';
  readonly mode: 'expand' | 'probe';
  /** Depth of the frontier states (its parity tags the links stored in this level). */
  readonly depth: number;
  /** The states to expand: `length` entries of (slot, state words). */
  readonly frontier: SharedArrayBuffer;
  readonly length: number;
  /** The table's buffer, when it changed (after a grow). */
  readonly table?: SharedArrayBuffer;
  /** Bitmask of the invariants still to check. */
  readonly pending: number;
  readonly maxStates: number;
  readonly deadline: number;
  readonly stopWhenAllViolated: boolean;
  readonly stopAtFirstViolation: boolean;
}

export interface LevelDone {
  readonly type: 'done';
  /** The states this worker stored, as entries (slot, state words) (a Uint32Array's buffer). */
  readonly next: ArrayBuffer;
  readonly transitions: number;
  /** Pairs (invariant index, slot) of new states that violate it. */
  readonly violations: readonly number[];
  /** Pairs [start, end) of frontier entries it took but did not expand (a grow or a stop came first). */
  readonly leftovers: readonly number[];
  readonly truncated: boolean;
}

export interface WorkerFailure {
  readonly type: 'error';
  readonly message: string;
  readonly exitCode?: number;
}

/** A share of growing the table: rehash old slots, or relink new slots, taking ranges through CTRL_POS. */
export interface GrowOrder {
  readonly type: 'rehash' | 'relink';
  readonly old: SharedArrayBuffer;
  readonly table: SharedArrayBuffer;
  readonly map: SharedArrayBuffer;
  /** Slots to cover: the old capacity (rehash) or the new one (relink). */
  readonly slots: number;
}
