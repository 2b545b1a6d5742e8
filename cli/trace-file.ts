/**
 * The versioned JSON trace file written by `check --trace-out` and read by
 * `replay`: model, configuration, policy, invariant, steps (each with its
 * structured action as the replay key) and the violation.
 */
import { dirname, resolve } from 'node:path';
import { UsageError } from '../model/core/errors.ts';
import { coerceParams, paramsObject } from '../model/core/params.ts';
import type { Trace, TraceStep } from '../explorer/trace.ts';
import type { Violation } from '../explorer/model.ts';
import { readJsonFile, resolveConfig } from '../model/core/config.ts';
import { traceSchema, zodLine } from './schemas.ts';
import { type Session, familyByName, sessionFor } from './session.ts';
import { isPolicyPath } from '../model/core/policy-loader.ts';
import { existsSync } from 'node:fs';

export const TRACE_FORMAT = 'hvmc-trace';
export const TRACE_VERSION = 1;

export interface TraceFile {
  readonly format: typeof TRACE_FORMAT;
  readonly version: number;
  readonly model: string;
  readonly config: string;
  readonly params: Record<string, unknown>;
  readonly policy: string;
  readonly invariant: string;
  readonly length: number;
  readonly steps: readonly TraceStep[];
  readonly violation: Violation;
}

/** A trace file's name from what it is of (model, policy, configuration, invariant): letters, digits, '.', '_' and '-' only. */
export function traceFileName(...parts: readonly string[]): string {
  return `${parts.join('-').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '')}.json`;
}

export function traceFile(session: Session, trace: Trace): TraceFile {
  return {
    format: TRACE_FORMAT,
    version: TRACE_VERSION,
    model: session.family.name,
    config: session.config.id,
    params: paramsObject(session.family.params, session.config.params),
    policy: session.policy.id,
    invariant: trace.invariant,
    length: trace.steps.length,
    steps: trace.steps,
    violation: trace.violation,
  };
}

function isObj(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

/** Read and validate a trace file, and open a session for it. */
export async function loadTraceFile(path: string): Promise<{ file: TraceFile; session: Session }> {
  const raw = readJsonFile(path, 'trace file');
  const bad = (msg: string): never => {
    throw new UsageError(`trace file ${path}: ${msg}`);
  };
  if (!isObj(raw) || raw.format !== TRACE_FORMAT) return bad(`not an hvmc trace (expected "format": "${TRACE_FORMAT}")`);
  if (raw.version !== TRACE_VERSION) return bad(`unsupported version ${JSON.stringify(raw.version)} (this hvmc reads version ${TRACE_VERSION})`);
  const checked = traceSchema.safeParse(raw);
  if (!checked.success) return bad(zodLine(checked.error));
  const file = checked.data as TraceFile;
  const family = familyByName(file.model);
  const params = coerceParams(family.params, file.params, `trace file ${path}`, true);
  // The config label must say what the params are: a reference configuration's id
  // with other params would replay one configuration under another's name.
  if (Object.hasOwn(family.configs, file.config)) {
    const ref = resolveConfig(family, file.config).params;
    const full = ref.merge(params);
    if (!full.equals(ref) || params.size !== ref.size) {
      return bad(`"config" is ${file.config}, but "params" are not ${file.config}'s (${JSON.stringify(paramsObject(family.params, ref))})`);
    }
  }
  // A policy file is looked up from the current directory, then beside the trace.
  let policyBase = process.cwd();
  if (isPolicyPath(file.policy) && !existsSync(resolve(policyBase, file.policy))) policyBase = dirname(resolve(path));
  const session = await sessionFor(family, typeof file.config === 'string' ? file.config : 'trace', params, file.policy, policyBase);
  return { file, session };
}
