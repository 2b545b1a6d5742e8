/** Resolve model, configuration and policy names into a built model. */
import { UsageError } from '../model/core/errors.ts';
import type { AnyFamily, BuiltModel, PolicyChoice } from '../model/core/family.ts';
import { isAbsolute, relative, resolve } from 'node:path';
import { type ResolvedConfig, looksLikeFile, resolveConfig } from '../model/core/config.ts';
import { isPolicyPath, resolvePolicy } from '../model/core/policy-loader.ts';
import type { ParamMap } from '../model/core/params.ts';
import type { Invariant } from '../explorer/model.ts';
import { FAMILIES } from '../model/registry.ts';

export interface SessionSpec {
  readonly model?: string;
  readonly config?: string;
  readonly policy?: string;
  /** Parameter overrides from flags, by parameter name. */
  readonly overrides?: Readonly<Record<string, unknown>>;
}

/**
 * Only the session fields of a larger set of options (a CLI command's, a
 * vitest spec's): what a worker thread needs to open the same session
 * (structured-cloneable; `overrides` always present).
 */
export function sessionSpecOf(o: SessionSpec): SessionSpec {
  return { model: o.model, config: o.config, policy: o.policy, overrides: o.overrides ?? {} };
}

/** A path given relative to `baseDir`, as the CLI would name it from the working directory. */
function fromCwd(spec: string, baseDir: string): string {
  if (isAbsolute(spec)) return spec;
  const rel = relative(process.cwd(), resolve(baseDir, spec));
  return isAbsolute(rel) || rel.startsWith('..') ? rel : `./${rel}`;
}

/**
 * The policy and config of a spec whose relative file paths are relative to
 * `baseDir` (a test file's folder, a gate file's), renamed relative to the
 * working directory: the names then work in a printed command and in a trace
 * file written there.
 */
export function specFromCwd(spec: SessionSpec, baseDir: string): Pick<SessionSpec, 'policy' | 'config'> {
  return {
    ...(spec.policy !== undefined ? { policy: isPolicyPath(spec.policy) ? fromCwd(spec.policy, baseDir) : spec.policy } : {}),
    ...(spec.config !== undefined ? { config: looksLikeFile(spec.config) ? fromCwd(spec.config, baseDir) : spec.config } : {}),
  };
}

export interface Session {
  readonly family: AnyFamily;
  readonly config: ResolvedConfig;
  readonly policy: PolicyChoice<unknown>;
  readonly built: BuiltModel;
}

export function familyByName(name: string | undefined): AnyFamily {
  const n = name ?? 'setway';
  const f = Object.hasOwn(FAMILIES, n) ? FAMILIES[n] : undefined;
  if (!f) throw new UsageError(`unknown model ${JSON.stringify(n)} (models: ${Object.keys(FAMILIES).join(', ')})`);
  return f;
}

export async function openSession(spec: SessionSpec, baseDir = process.cwd()): Promise<Session> {
  const family = familyByName(spec.model);
  const config = resolveConfig(family, spec.config, spec.overrides ?? {}, baseDir);
  if (spec.policy !== undefined && config.policy !== undefined && spec.policy !== config.policy) {
    throw new UsageError(`config file ${spec.config} names policy ${JSON.stringify(config.policy)} and --policy names ${JSON.stringify(spec.policy)}: give one`);
  }
  const policy = await resolvePolicy(family, spec.policy ?? config.policy, baseDir);
  return { family, config, policy, built: family.build(config.params, policy) };
}

export async function sessionFor(family: AnyFamily, id: string, params: ParamMap, policySpec: string, baseDir = process.cwd()): Promise<Session> {
  family.validate(params);
  const policy = await resolvePolicy(family, policySpec, baseDir);
  return { family, config: { id, params }, policy, built: family.build(params, policy) };
}

/** The invariants to check: all of the model's, or the ones named (unknown names are errors). */
export function selectInvariants(built: BuiltModel, names: readonly string[]): Invariant[] {
  if (names.length === 0) return [...built.invariants];
  return names.map((n) => {
    const inv = built.invariants.find((i) => i.name === n);
    if (!inv) throw new UsageError(`unknown invariant ${JSON.stringify(n)} (invariants: ${built.invariants.map((i) => i.name).join(', ')})`);
    return inv;
  });
}
