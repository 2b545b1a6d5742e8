/** Messages and shared control words between the parallel BFS coordinator and its workers. */
import type { SharedTableBuffers } from './shared-table.ts';
import type { StoreBuffers } from './store.ts';
import { type TableStates, compileTable } from './table.ts';

/**
 * Shared control words (an Int32Array over its own SharedArrayBuffer). Words
 * written often by one worker and read by another sit on cache lines of their
 * own (16 words apart).
 */
const LINE = 16;
export const CTRL_SIZE = 0; // distinct states stored (workers add in batches of SIZE_BATCH; one by one, before storing, under a state limit)
export const CTRL_STOP = LINE; // 1: stop the search (limits, violations, a truncated probe)
export const CTRL_VIOLATED = LINE + 1; // bitmask of invariants violated in this search
const MAX_WORKERS = 64;
/** Worker w's transitions / 1024 (progress only). */
export const ctrlTransitions = (w: number): number => (2 + w) * LINE;
/** Worker w has sent every state of level `depth` when this word reaches depth + 1. */
export const ctrlDone = (w: number): number => (2 + MAX_WORKERS + w) * LINE;
/**
 * Worker w's states of the level being expanded are its store's indices
 * [cursor, end): the coordinator sets both before the level; whoever expands
 * one claims CLAIM of them with `Atomics.add` on the cursor (w itself, then
 * any worker that has run out of its own).
 */
export const ctrlCursor = (w: number): number => (2 + 2 * MAX_WORKERS + w) * LINE;
export const ctrlEnd = (w: number): number => ctrlCursor(w) + 1;
export const CTRL_WORDS = (2 + 3 * MAX_WORKERS) * LINE;
/** States claimed at a time from a level's range (`ctrlCursor`). */
export const CLAIM = 32;
export { MAX_WORKERS };

/** How many insertions a worker counts locally before adding them to CTRL_SIZE. */
export const SIZE_BATCH = 256;

/**
 * Which worker owns (stores) a state: the top 16 bits of its hash, scaled
 * (the tables use the low bits). The hash is of the whole state, or of its
 * bits under the model's owner mask (Model.ownerMask) if it has one, else
 * under its partition mask (Model.partitionMask). The formula
 * is the table's (`compileTable`), which a worker's `StateTable.route` applies
 * too.
 */
export class Partition {
  private readonly ownerOf: (a: Uint32Array, off: number, N: number) => number;

  constructor(
    words: number,
    private readonly workers: number,
    mask: readonly number[] | undefined,
    ownerMask?: readonly number[],
  ) {
    this.ownerOf = compileTable(words, mask, ownerMask).owner;
  }

  /** The owner of state s. */
  owner(s: Uint32Array): number {
    return this.ownerOf(s, 0, this.workers);
  }
}

/** Global state ids: index in its owner's store * workers + owner. */
export const globalId = (index: number, owner: number, workers: number): number => index * workers + owner;

/**
 * Whether the violations found so far (a bitmask over `count` invariants)
 * end the search: all of them violated, or any, as the options ask.
 */
export function violationsStop(violated: number, count: number, o: { stopWhenAllViolated: boolean; stopAtFirstViolation: boolean }): boolean {
  const all = (1 << count) - 1;
  return count > 0 && ((o.stopWhenAllViolated && (violated & all) === all) || (o.stopAtFirstViolation && (violated & all) !== 0));
}

export interface WorkerInit {
  readonly type: 'init';
  readonly id: number;
  readonly workers: number;
  readonly factory: unknown;
  readonly words: number;
  readonly ctrl: SharedArrayBuffer;
  /** rings[from * workers + to] carries states from worker `from` to their owner `to`. */
  readonly rings: readonly (SharedArrayBuffer | null)[];
  readonly symmetry: boolean;
  /** The initial state, stored by the worker that owns it. */
  readonly initial: readonly number[];
  /**
   * The visited set all workers share (explorer/shared-table.ts), in which
   * the coordinator has put the initial state; worker 0 stores it. Without
   * it, every worker owns a partition of the states, in a table of its own.
   */
  readonly shared: SharedTableBuffers | null;
  /** The supervisor's watch buffer (explorer/watch.ts), if the run is watched: this worker reports in slot id + 1. */
  readonly watch?: SharedArrayBuffer;
}

export interface WorkerReady {
  readonly type: 'ready';
}

export interface LevelOrder {
  readonly type: 'level';
  readonly mode: 'expand' | 'probe';
  /** Depth of the states expanded in this level. */
  readonly depth: number;
  /** Bitmask of the invariants still to check. */
  readonly pending: number;
  readonly maxStates: number;
  readonly deadline: number;
  readonly stopWhenAllViolated: boolean;
  readonly stopAtFirstViolation: boolean;
  /**
   * Every worker's store buffers as of the previous level's end, so that a
   * worker that has expanded all its own states can expand the others'
   * unclaimed ones (`ctrlCursor`); null: each expands only its own.
   */
  readonly stores: readonly StoreBuffers[] | null;
}

export interface LevelDone {
  readonly type: 'done';
  /** New states this worker stored during the level. */
  readonly added: number;
  readonly transitions: number;
  /** Pairs (invariant index, global id) of new states that violate it. */
  readonly violations: readonly number[];
  readonly truncated: boolean;
  /** States it expanded in this level, and how many of them another worker owned. */
  readonly expanded: number;
  readonly stolen: number;
  /** Its store's buffers, for the coordinator's paths, and how many states it holds. */
  readonly store: StoreBuffers;
  readonly length: number;
  /** Bytes its table, store and rings hold. */
  readonly bytes: number;
}

/** After the search: each worker hands over its visited set (for `has`). */
export interface FinishOrder {
  readonly type: 'finish';
}

export interface TableSnapshot extends TableStates {
  readonly type: 'table';
}

export interface WorkerFailure {
  readonly type: 'error';
  readonly message: string;
  readonly exitCode?: number;
}
