/**
 * The contract between the explorer and any model.
 *
 * A model is a deterministic state machine over packed states: a state is
 * `words` 32-bit words; actions are numbered 0..actionCount-1 (a finite
 * universe fixed when the model is built); `step` tries one action. This is
 * all the search strategies need (cf. xstate's graph traversal, which needs
 * only `initial` and `transition`; Stateright's `Model` trait). The explorer
 * knows nothing about caches.
 */
import type { Map as IMap } from 'immutable';

export type Value = string | number | boolean;

/** A readable view of one state: variable name -> value, in a stable order. */
export type StateView = IMap<string, Value>;

export interface ActionLabel {
  /** Who acted: `v0`, `p1`, `sched`, `nb`, ... */
  readonly actor: string;
  /** What it did, as the model's spec names it: `DC CISW set=1 way=0`. */
  readonly text: string;
}

export interface Model<A = unknown> {
  readonly name: string;
  /** Width of a packed state in 32-bit words. */
  readonly words: number;
  /** Number of actions in the universe. */
  readonly actionCount: number;
  /** Write the (single) initial state into out[0..words). */
  initial(out: Uint32Array): void;
  /**
   * If action `i` is enabled in `src`, write its successor into `dst` and
   * return true; otherwise return false and leave `dst` unspecified. Must not
   * modify `src`; must be deterministic.
   */
  step(src: Uint32Array, i: number, dst: Uint32Array): boolean;
  /**
   * Optional fast path for the search: for every action enabled in `src`, in
   * increasing action order, write its successor into `dst` and call
   * `visit(i)` (which reads `dst` before the next call). Must agree exactly
   * with `step`; models without it are searched through `step`.
   */
  forEachSuccessor?(src: Uint32Array, dst: Uint32Array, visit: (i: number) => void): void;
  /**
   * Optional symmetry reduction: rewrite `s` in place into the canonical
   * representative of its symmetry class (for the set/way model, the least of
   * its images under every permutation of the pCPUs). Only sound when the
   * model, its policy and its invariants treat the permuted things alike.
   */
  canonicalize?(s: Uint32Array): void;
  /**
   * Optional hint for the parallel search, one mask per word: the bits of a
   * state that most actions leave alone. States that agree on them go to the
   * same worker, so the duplicates that two orders of independent actions
   * produce meet in one worker's cache of recent states instead of crossing
   * between workers. Any mask is sound (ownership is a function of the
   * state); without one, whole states are hashed.
   */
  readonly partitionMask?: readonly number[];
  /**
   * Optional, for the parallel search: the bits that decide which worker owns
   * a state, when fewer than `partitionMask`'s serve that better (the
   * visited set's buckets still use `partitionMask`). Bits that actions on
   * either side of a diamond change (a vCPU's program counter) split the
   * diamond between two workers, and the duplicate then costs a send and a
   * lookup instead of a hit in one worker's recent-states cache. Any mask is
   * sound; it defaults to `partitionMask`.
   */
  readonly ownerMask?: readonly number[];
  /** The structured action `i` (a discriminated union of the model). */
  action(i: number): A;
  /** Inverse of `action`: the index of a structurally equal action, or -1. */
  actionIndex(a: unknown): number;
  /** Label of action `i` taken in state `src` (labels may mention what the action reads). */
  label(src: Uint32Array, i: number): ActionLabel;
  /** Why action `i` is not enabled in `src` (for replay diagnostics). */
  whyDisabled(src: Uint32Array, i: number): string;
  /** All variables of a state, for rendering and diffs. */
  view(s: Uint32Array): StateView;
}

export interface Violation {
  /** One sentence naming what broke. */
  readonly message: string;
  /** The offending values, by variable name. */
  readonly values: Readonly<Record<string, Value>>;
}

/** A named predicate over packed states. */
export interface Invariant {
  readonly name: string;
  readonly description: string;
  /** Fast check for the hot path. */
  holds(s: Uint32Array): boolean;
  /** Called only on a state where `holds` is false: what broke, with the values. */
  explain(s: Uint32Array): Violation;
}
