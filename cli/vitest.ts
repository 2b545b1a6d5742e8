/**
 * hvmc inside vitest (`import { checkModel } from 'hvmc/vitest'`): check a
 * model and policy from a test, and matchers that fail with the rendered
 * trace and the command that replays it.
 *
 *   import { expect, test } from 'vitest';
 *   import { checkModel } from 'hvmc/vitest';
 *
 *   test.each(['ref-a', 'ref-b', 'ref-c'])('my policy on %s', async (config) => {
 *     const result = await checkModel({ model: 'setway', config, policy: './my-policy.ts' });
 *     expect(result).toHold();
 *   });
 */
import { expect } from 'vitest';
import { check, checkParallel } from '../explorer/check.ts';
import { type SearchLimits, limitsOf } from '../explorer/bfs.ts';
import { type Bias, randomSearch } from '../explorer/random.ts';
import { type Trace, renderTrace } from '../explorer/trace.ts';
import { checkCommand, replayCommand } from './random.ts';
import { openSession, selectInvariants, type SessionSpec, sessionSpecOf } from './session.ts';
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
}

export async function checkModel(spec: CheckModelSpec): Promise<ModelCheckResult> {
  const session = await openSession(spec);
  const invariants = selectInvariants(session.built, spec.invariants ?? []);
  const names = spec.invariants ?? [];
  const head = { model: session.family.name, config: session.config.id, policy: session.policy.id };
  if (spec.strategy === 'random') {
    const o = { seed: spec.seed ?? 1, runs: spec.runs ?? 1000, depth: spec.depth ?? 100, bias: spec.bias ?? ('uniform' as Bias) };
    const r = randomSearch(session.built.model, invariants, o);
    return {
      ...head,
      strategy: 'random',
      complete: false,
      invariants: invariants.map((i) =>
        r.violation?.invariant === i.name ? { name: i.name, status: 'violated', counterexample: r.violation.trace } : { name: i.name, status: 'unknown' },
      ),
      replay: replayCommand(session, { ...o, invariants: names }),
    };
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
  return {
    ...head,
    strategy: 'bfs',
    complete: r.complete,
    distinctStates: r.distinctStates,
    invariants: r.invariants.map((i) => (i.counterexample ? { name: i.name, status: i.status, counterexample: i.counterexample } : { name: i.name, status: i.status })),
    replay: checkCommand(session, [], names),
  };
}

function describeFailure(r: ModelCheckResult, name: string): string {
  const inv = r.invariants.find((i) => i.name === name)!;
  const head = `${r.model} · config ${r.config} · policy ${r.policy}: ${name} ${inv.status}`;
  const trace = inv.counterexample ? `\n${renderTrace(inv.counterexample)}` : '';
  return `${head}${trace}\nreplay: ${r.replay}`;
}

function pick(r: ModelCheckResult, invariant: string | undefined): ModelCheckResult['invariants'] {
  if (invariant === undefined) return r.invariants;
  const found = r.invariants.filter((i) => i.name === invariant);
  if (found.length === 0) throw new Error(`${r.model} has no checked invariant ${JSON.stringify(invariant)} (${r.invariants.map((i) => i.name).join(', ')})`);
  return found;
}

expect.extend({
  /** Every checked invariant (or the one named) holds, after a complete search. */
  toHold(received: ModelCheckResult, invariant?: string) {
    const bad = pick(received, invariant).filter((i) => i.status !== 'holds');
    return {
      pass: bad.length === 0,
      message: () =>
        bad.length === 0
          ? `expected ${invariant ?? 'some invariant'} not to hold, but it holds\nreplay: ${received.replay}`
          : bad.map((i) => describeFailure(received, i.name)).join('\n\n'),
    };
  },
  /** The named invariant is violated (with a counterexample of exactly `length` steps, if given). */
  toBeViolated(received: ModelCheckResult, invariant: string, opts: { length?: number } = {}) {
    const [inv] = pick(received, invariant);
    const length = inv!.counterexample?.steps.length;
    const pass = inv!.status === 'violated' && (opts.length === undefined || opts.length === length);
    return {
      pass,
      message: () =>
        pass
          ? `expected ${invariant} not to be violated\n${describeFailure(received, invariant)}`
          : inv!.status === 'violated'
            ? `expected a counterexample of ${opts.length} steps for ${invariant}, got ${length}\n${describeFailure(received, invariant)}`
            : `expected ${invariant} to be violated, but it is ${inv!.status}\nreplay: ${received.replay}`,
    };
  },
});

interface HvmcMatchers<R = unknown> {
  toHold(invariant?: string): R;
  toBeViolated(invariant: string, opts?: { length?: number }): R;
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Assertion<T = any> extends HvmcMatchers<T> {}
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AsymmetricMatchersContaining extends HvmcMatchers {}
}
