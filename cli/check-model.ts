/**
 * The check behind hvmc/vitest's checkModel, without vitest: open the
 * session, run the search, and return the result with the trace file of
 * each counterexample. cli/vitest.ts runs it in the test's own thread for
 * built-in policies, and on a supervised thread (cli/supervise.ts) for
 * policy files, so that a hook that never returns fails the test instead of
 * hanging it.
 */
import { check, checkParallel } from '../explorer/check.ts';
import { type SearchLimits, limitsOf } from '../explorer/bfs.ts';
import { type Bias, randomSearch } from '../explorer/random.ts';
import type { Trace } from '../explorer/trace.ts';
import { checkCommand, replayCommand } from './random.ts';
import { type Session, openSession, selectInvariants, type SessionSpec, sessionSpecOf } from './session.ts';
import { type TraceFile, traceFile } from './trace-file.ts';
import { workerFactory } from './worker-model.ts';

export interface CheckModelSpec extends SessionSpec, SearchLimits {
  /** Check only these invariants (default: all of the model's). */
  readonly invariants?: readonly string[];
  /** `bfs` (default): exhaustive, shortest counterexamples. `random`: seeded walks, minimised. */
  readonly strategy?: 'bfs' | 'random';
  readonly seed?: number;
  readonly runs?: number;
  readonly depth?: number;
  readonly bias?: Bias;
  /** `bfs` with this many worker threads (default 1); same counts and counterexample lengths. */
  readonly workers?: number;
  /** Where relative policy and config paths resolve (default: the calling test file's folder). */
  readonly baseDir?: string;
}

/** A result, and the trace file of each counterexample in it (by invariant), for HVMC_TRACE_DIR. */
export interface CheckedModel {
  readonly result: ModelCheckResult;
  readonly traces: Readonly<Record<string, TraceFile>>;
}

/** What a random search did: what `toSurviveWalks` reports. */
export interface WalksDone {
  readonly seed: number;
  readonly runs: number;
  readonly runsDone: number;
  readonly depth: number;
  readonly bias: Bias;
}

export interface ModelCheckResult {
  readonly model: string;
  readonly config: string;
  readonly policy: string;
  readonly strategy: 'bfs' | 'random';
  readonly complete: boolean;
  readonly distinctStates?: number;
  readonly invariants: readonly { readonly name: string; readonly status: 'holds' | 'violated' | 'unknown'; readonly counterexample?: Trace }[];
  /** The CLI command that reproduces this check. */
  readonly replay: string;
  /** strategy 'random': the walks that ran. */
  readonly walks?: WalksDone;
}

export async function checkModelHere(spec: CheckModelSpec): Promise<CheckedModel> {
  const session = await openSession(spec);
  const invariants = selectInvariants(session.built, spec.invariants ?? []);
  const names = spec.invariants ?? [];
  const head = { model: session.family.name, config: session.config.id, policy: session.policy.id };
  if (spec.strategy === 'random') {
    const o = { seed: spec.seed ?? 1, runs: spec.runs ?? 1000, depth: spec.depth ?? 100, bias: spec.bias ?? ('uniform' as Bias) };
    const r = randomSearch(session.built.model, invariants, o);
    return withTraces(session, {
      ...head,
      strategy: 'random',
      complete: false,
      walks: { seed: r.seed, runs: r.runs, runsDone: r.runsDone, depth: r.depth, bias: r.bias },
      invariants: invariants.map((i) =>
        r.violation?.invariant === i.name ? { name: i.name, status: 'violated', counterexample: r.violation.trace } : { name: i.name, status: 'unknown' },
      ),
      replay: replayCommand(session, { ...o, invariants: names }),
    });
  }
  const limits = limitsOf(spec);
  const workers = spec.workers ?? 1;
  const r =
    workers > 1
      ? await checkParallel(
          workerFactory({
            spec: sessionSpecOf(spec),
            baseDir: process.cwd(),
            invariants: names.length > 0 ? names : 'all',
          }),
          session.built.model,
          invariants,
          { ...limits, stopWhenAllViolated: false, workers },
        )
      : check(session.built.model, invariants, { ...limits, stopWhenAllViolated: false });
  return withTraces(session, {
    ...head,
    strategy: 'bfs',
    complete: r.complete,
    distinctStates: r.distinctStates,
    invariants: r.invariants.map((i) => (i.counterexample ? { name: i.name, status: i.status, counterexample: i.counterexample } : { name: i.name, status: i.status })),
    replay: checkCommand(session, [], names),
  });
}

function withTraces(session: Session, result: ModelCheckResult): CheckedModel {
  const traces: Record<string, TraceFile> = {};
  for (const i of result.invariants) if (i.counterexample) traces[i.name] = traceFile(session, i.counterexample);
  return { result, traces };
}
