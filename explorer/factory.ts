/**
 * How a worker thread gets its own copy of a model: a module URL, the name of
 * an exported (async) builder, and structured-cloneable arguments. The
 * builder must return the same model, with the same invariants in the same
 * order, in every thread.
 */
import type { Invariant, Model } from './model.ts';

export interface ModelFactory {
  /** A file: URL of an ES module. */
  readonly module: string;
  /** The export to call: (args) => { model, invariants } or a promise of it. */
  readonly export: string;
  readonly args: unknown;
}

export interface FactoryBuilt {
  readonly model: Model<unknown>;
  readonly invariants: readonly Invariant[];
}

export async function buildFromFactory(f: ModelFactory): Promise<FactoryBuilt> {
  const mod = (await import(f.module)) as Record<string, unknown>;
  const build = mod[f.export];
  if (typeof build !== 'function') throw new Error(`model factory ${f.module} has no exported function ${f.export}`);
  return (await (build as (a: unknown) => FactoryBuilt | Promise<FactoryBuilt>)(f.args)) as FactoryBuilt;
}
