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
import { renderTrace } from '../explorer/trace.ts';
import { looksLikeFile } from '../model/core/config.ts';
import { isPolicyPath } from '../model/core/policy-loader.ts';
import { type CheckModelSpec, type CheckedModel, type ModelCheckResult, type WalksDone, checkModelHere } from './check-model.ts';
import { specFromCwd } from './session.ts';
import { runSupervised } from './supervise.ts';
import { type TraceFile, traceFileName } from './trace-file.ts';

export type { CheckModelSpec, ModelCheckResult, WalksDone } from './check-model.ts';

/** The folder of the test file now running (vitest's own record of it), if any. */
function testFileDir(): string | undefined {
  try {
    const path = expect.getState().testPath;
    return typeof path === 'string' && path !== '' ? dirname(path) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Check a model and policy from a test. A policy file runs on a supervised
 * thread: a hook that never returns (5 s), a file that never finishes
 * loading, runs out of memory or calls process.exit fails the test with the
 * supervisor's one line, instead of hanging or ending vitest.
 */
export async function checkModel(given: CheckModelSpec): Promise<ModelCheckResult> {
  const baseDir = given.baseDir ?? testFileDir() ?? process.cwd();
  const { baseDir: _resolved, ...rest } = given;
  const spec: CheckModelSpec = { ...rest, ...specFromCwd(given, baseDir) };
  let checked: CheckedModel;
  // A policy file, or a config file (which may name one), runs supervised.
  if ((spec.policy !== undefined && isPolicyPath(spec.policy)) || (spec.config !== undefined && looksLikeFile(spec.config))) {
    const runner = new URL(import.meta.url.endsWith('.ts') ? './check-model-runner.ts' : './check-model-runner.js', import.meta.url);
    const r = await runSupervised<CheckedModel | { error: string }>(runner, { spec, cwd: process.cwd() }, spec.timeoutSeconds);
    if (!r.ok) throw new Error(r.line.replace(/^hvmc: error: /, 'hvmc: '));
    if ('error' in r.value) throw new Error(r.value.error);
    checked = r.value;
  } else {
    checked = await checkModelHere(spec);
  }
  traceFiles.set(checked.result, checked.traces);
  return checked.result;
}

/** The trace file of each counterexample of a result, for HVMC_TRACE_DIR. */
const traceFiles = new WeakMap<ModelCheckResult, Readonly<Record<string, TraceFile>>>();

/**
 * With HVMC_TRACE_DIR set (in CI, for artifacts), a failing matcher writes
 * the counterexample it prints there as a trace file for `hvmc replay`; the
 * message names the file. Returns '' when nothing was written.
 */
function writeTrace(r: ModelCheckResult, name: string): string {
  const dir = process.env.HVMC_TRACE_DIR;
  const file0 = traceFiles.get(r)?.[name];
  if (!dir || !file0) return '';
  const file = join(dir, traceFileName(r.model, r.policy, r.config, name));
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, JSON.stringify(file0, null, 2) + '\n');
    return `\ntrace file: ${file} (hvmc replay ${file})`;
  } catch (e) {
    return `\ntrace file: could not write ${file}: ${(e as Error).message}`;
  }
}

function describeFailure(r: ModelCheckResult, name: string): string {
  const inv = r.invariants.find((i) => i.name === name)!;
  const head = `${r.model} · config ${r.config} · policy ${r.policy}: ${name} ${statusText(inv.status)}`;
  const trace = inv.counterexample ? `\n${renderTrace(inv.counterexample)}${writeTrace(r, name)}` : '';
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
