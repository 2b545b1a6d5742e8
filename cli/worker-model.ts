/**
 * The model factory of the CLI's parallel searches (`--workers N`): each
 * worker thread opens the same session (model, configuration, policy file
 * or name, overrides) and selects the same invariants as the CLI did.
 */
import type { FactoryBuilt, ModelFactory } from '../explorer/factory.ts';
import { type SessionSpec, openSession, selectInvariants } from './session.ts';

export interface WorkerModelArgs {
  readonly spec: SessionSpec;
  readonly baseDir: string;
  /** The invariants to check: all, none (for `count`), or these names. */
  readonly invariants: readonly string[] | 'all' | 'none';
}

export async function buildForWorker(args: WorkerModelArgs): Promise<FactoryBuilt> {
  const session = await openSession(args.spec, args.baseDir);
  const invariants =
    args.invariants === 'all' ? [...session.built.invariants] : args.invariants === 'none' ? [] : selectInvariants(session.built, args.invariants);
  return { model: session.built.model, invariants };
}

export function workerFactory(args: WorkerModelArgs): ModelFactory {
  return { module: import.meta.url, export: 'buildForWorker', args };
}
