/**
 * `check`: exhaustive BFS plus, for each violated invariant, its shortest
 * counterexample as a trace. Generic over any model.
 */
import { type BfsOptions, type BfsResult, type InvariantStatus, type SearchStats, bfs } from './bfs.ts';
import type { ModelFactory } from './factory.ts';
import { type ParallelOptions, parallelBfs } from './parallel.ts';
import type { Invariant, Model } from './model.ts';
import { type Trace, buildTrace } from './trace.ts';

export interface InvariantReport {
  readonly name: string;
  readonly status: InvariantStatus;
  readonly counterexample?: Trace;
}

export interface CheckReport extends SearchStats {
  readonly invariants: readonly InvariantReport[];
  /** Counts are of symmetry classes. */
  readonly symmetry: boolean;
}

export function check<A>(model: Model<A>, invariants: readonly Invariant[], options: Omit<BfsOptions, 'invariants'> = {}): CheckReport {
  return reportOf(model, invariants, bfs(model, { ...options, invariants }), !!options.symmetry);
}

/** The same with `workers` threads (explorer/parallel.ts); each builds the model through `factory`. */
export async function checkParallel<A>(
  factory: ModelFactory,
  model: Model<A>,
  invariants: readonly Invariant[],
  options: Omit<ParallelOptions, 'invariants'>,
): Promise<CheckReport> {
  return reportOf(model, invariants, await parallelBfs(factory, model, invariants, options), !!options.symmetry);
}

/** Traces for the violations a search found. */
export function reportOf<A>(model: Model<A>, invariants: readonly Invariant[], r: BfsResult, symmetry: boolean): CheckReport {
  const reports = r.invariants.map((o, k): InvariantReport => {
    if (o.status !== 'violated') return { name: o.name, status: o.status };
    const path = r.pathTo(o.stateIndex!);
    return { name: o.name, status: 'violated', counterexample: buildTrace(model, path, invariants[k]!) };
  });
  const { complete, stopReason, distinctStates, transitions, maxDepth, seconds, bytes } = r;
  return { complete, stopReason, distinctStates, transitions, maxDepth, seconds, bytes, invariants: reports, symmetry };
}
