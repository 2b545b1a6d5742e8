/**
 * `check`: exhaustive BFS plus, for each violated invariant, its shortest
 * counterexample as a trace. Generic over any model.
 */
import { type BfsOptions, type InvariantStatus, type SearchStats, bfs } from './bfs.ts';
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
  const r = bfs(model, { ...options, invariants });
  const reports = r.invariants.map((o, k): InvariantReport => {
    if (o.status !== 'violated') return { name: o.name, status: o.status };
    const path = r.pathTo(o.stateIndex!);
    return { name: o.name, status: 'violated', counterexample: buildTrace(model, path, invariants[k]!) };
  });
  const { complete, stopReason, distinctStates, transitions, maxDepth, seconds, bytes } = r;
  return { complete, stopReason, distinctStates, transitions, maxDepth, seconds, bytes, invariants: reports, symmetry: !!options.symmetry };
}
