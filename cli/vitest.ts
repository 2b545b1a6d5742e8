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
 *
 * Relative paths (policy and config files) resolve against the folder of the
 * test file that calls checkModel, or against `baseDir` if given. The
 * `replay:` command a failure prints names them relative to the working
 * directory, so it runs as printed from where vitest was started.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { check, checkParallel } from '../explorer/check.ts';
import { type SearchLimits, limitsOf } from '../explorer/bfs.ts';
import { type Bias, randomSearch } from '../explorer/random.ts';
import { type Trace, renderTrace } from '../explorer/trace.ts';
import { checkCommand, replayCommand } from './random.ts';
import { type Session, openSession, selectInvariants, type SessionSpec, sessionSpecOf, specFromCwd } from './session.ts';
import { traceFile } from './trace-file.ts';
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

/** The folder of the test file now running (vitest's own record of it), if any. */
function testFileDir(): string | undefined {
  try {
    const path = expect.getState().testPath;
    return typeof path === 'string' && path !== '' ? dirname(path) : undefined;
  } catch {
    return undefined;
  }
}

export async function checkModel(given: CheckModelSpec): Promise<ModelCheckResult> {
  const baseDir = given.baseDir ?? testFileDir() ?? process.cwd();
  const spec: CheckModelSpec = { ...given, ...specFromCwd(given, baseDir) };
  const session = await openSession(spec);
  const invariants = selectInvariants(session.built, spec.invariants ?? []);
  const names = spec.invariants ?? [];
  const head = { model: session.family.name, config: session.config.id, policy: session.policy.id };
  if (spec.strategy === 'random') {
    const o = { seed: spec.seed ?? 1, runs: spec.runs ?? 1000, depth: spec.depth ?? 100, bias: spec.bias ?? ('uniform' as Bias) };
    const r = randomSearch(session.built.model, invariants, o);
    return remember(session, {
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
  return remember(session, {
    ...head,
    strategy: 'bfs',
    complete: r.complete,
    distinctStates: r.distinctStates,
    invariants: r.invariants.map((i) => (i.counterexample ? { name: i.name, status: i.status, counterexample: i.counterexample } : { name: i.name, status: i.status })),
    replay: checkCommand(session, [], names),
  });
}

/** The session each result came from, for writing its trace files. */
const sessions = new WeakMap<ModelCheckResult, Session>();

function remember(session: Session, r: ModelCheckResult): ModelCheckResult {
  sessions.set(r, session);
  return r;
}

/**
 * With HVMC_TRACE_DIR set (in CI, for artifacts), a failing matcher writes
 * the counterexample it prints there as a trace file for `hvmc replay`; the
 * message names the file. Returns '' when nothing was written.
 */
function writeTrace(r: ModelCheckResult, name: string, trace: Trace): string {
  const dir = process.env.HVMC_TRACE_DIR;
  const session = sessions.get(r);
  if (!dir || !session) return '';
  const base = `${r.model}-${r.policy}-${r.config}-${name}`.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  const file = join(dir, `${base}.json`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, JSON.stringify(traceFile(session, trace), null, 2) + '\n');
    return `\ntrace file: ${file} (hvmc replay ${file})`;
  } catch (e) {
    return `\ntrace file: could not write ${file}: ${(e as Error).message}`;
  }
}

function describeFailure(r: ModelCheckResult, name: string): string {
  const inv = r.invariants.find((i) => i.name === name)!;
  const head = `${r.model} · config ${r.config} · policy ${r.policy}: ${name} ${statusText(inv.status)}`;
  const trace = inv.counterexample ? `\n${renderTrace(inv.counterexample)}${writeTrace(r, name, inv.counterexample)}` : '';
  return `${head}${trace}\nreplay: ${r.replay}`;
}

function statusText(status: 'holds' | 'violated' | 'unknown'): string {
  return status === 'unknown' ? 'is not decided (the search stopped at a limit)' : status;
}

function walksText(w: WalksDone): string {
  return `${w.runsDone} random walk${w.runsDone === 1 ? '' : 's'} of at most ${w.depth} steps (seed ${w.seed}${w.bias === 'uniform' ? '' : `, bias ${w.bias}`})`;
}

function pick(r: ModelCheckResult, invariant: string | undefined): ModelCheckResult['invariants'] {
  if (invariant === undefined) return r.invariants;
  const found = r.invariants.filter((i) => i.name === invariant);
  if (found.length === 0) throw new Error(`${r.model} has no checked invariant ${JSON.stringify(invariant)} (${r.invariants.map((i) => i.name).join(', ')})`);
  return found;
}

expect.extend({
  /** Every checked invariant (or the one named) holds, after a complete search (strategy 'bfs'). */
  toHold(received: ModelCheckResult, invariant?: string) {
    const checked = pick(received, invariant);
    if (received.strategy === 'random' && !checked.some((i) => i.status === 'violated')) {
      return {
        pass: false,
        message: () =>
          `a random search cannot show that ${invariant ?? 'the invariants'} hold${invariant ? 's' : ''}: ` +
          `${walksText(received.walks!)} found no violation, which is not a proof. ` +
          `Use expect(result).toSurviveWalks() for what random walks can say, or strategy 'bfs' (with workers: 2 for speed) for a proof.\n` +
          `replay: ${received.replay}`,
      };
    }
    const bad = checked.filter((i) => i.status !== 'holds');
    return {
      pass: bad.length === 0,
      message: () =>
        bad.length === 0
          ? `expected ${invariant ?? 'some invariant'} not to hold, but it holds\nreplay: ${received.replay}`
          : bad.map((i) => describeFailure(received, i.name)).join('\n\n'),
    };
  },
  /** A random search (strategy 'random') found no violation of any checked invariant (or of the one named). */
  toSurviveWalks(received: ModelCheckResult, invariant?: string) {
    if (received.strategy !== 'random') {
      throw new Error(`toSurviveWalks is for strategy 'random' (this was a '${received.strategy}' search: use toHold())`);
    }
    const bad = pick(received, invariant).filter((i) => i.status === 'violated');
    return {
      pass: bad.length === 0,
      message: () =>
        bad.length === 0
          ? `expected a violation of ${invariant ?? 'some invariant'}, but ${walksText(received.walks!)} found none\nreplay: ${received.replay}`
          : `${walksText(received.walks!)} found a violation:\n` + bad.map((i) => describeFailure(received, i.name)).join('\n\n'),
    };
  },
  /** The named invariant is violated (with a counterexample of exactly `length` steps, if given). */
  toBeViolated(received: ModelCheckResult, invariant: string, opts: { length?: number } = {}) {
    const [inv] = pick(received, invariant);
    const length = inv!.counterexample?.steps.length;
    const pass = inv!.status === 'violated' && (opts.length === undefined || opts.length === length);
    const none =
      received.strategy === 'random' ? `${walksText(received.walks!)} found no violation` : `it ${statusText(inv!.status)}`;
    return {
      pass,
      message: () =>
        pass
          ? `expected ${invariant} not to be violated\n${describeFailure(received, invariant)}`
          : inv!.status === 'violated'
            ? `expected a counterexample of ${opts.length} steps for ${invariant}, got ${length}\n${describeFailure(received, invariant)}`
            : `expected ${invariant} to be violated, but ${none}\nreplay: ${received.replay}`,
    };
  },
});

interface HvmcMatchers<R = unknown> {
  toHold(invariant?: string): R;
  toSurviveWalks(invariant?: string): R;
  toBeViolated(invariant: string, opts?: { length?: number }): R;
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Assertion<T = any> extends HvmcMatchers<T> {}
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AsymmetricMatchersContaining extends HvmcMatchers {}
}
