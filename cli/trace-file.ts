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
import { readJsonFile } from '../model/core/config.ts';
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
  if (typeof raw.model !== 'string') return bad('missing "model"');
  if (typeof raw.policy !== 'string') return bad('missing "policy"');
  if (typeof raw.invariant !== 'string') return bad('missing "invariant"');
  if (!isObj(raw.params)) return bad('missing "params"');
  if (!Array.isArray(raw.steps)) return bad('missing "steps"');
  raw.steps.forEach((s: unknown, k: number) => {
    if (!isObj(s) || typeof s.actor !== 'string' || typeof s.action !== 'string' || !('key' in s)) {
      return bad(`step ${k + 1} must have "actor", "action" and "key"`);
    }
    if (s.changes !== undefined && !Array.isArray(s.changes)) bad(`step ${k + 1}: "changes" must be a list`);
  });
  const file = raw as unknown as TraceFile;
  const family = familyByName(file.model);
  const params = coerceParams(family.params, file.params, `trace file ${path}`, true);
  // A policy file is looked up from the current directory, then beside the trace.
  let policyBase = process.cwd();
  if (isPolicyPath(file.policy) && !existsSync(resolve(policyBase, file.policy))) policyBase = dirname(resolve(path));
  const session = await sessionFor(family, typeof file.config === 'string' ? file.config : 'trace', params, file.policy, policyBase);
  return { file, session };
}
