/**
 * Loading a user's policy file (`--policy ./my-policy.ts`). TypeScript files
 * load through tsx (the CLI registers it) or vitest's transformer; JavaScript
 * files load as they are. Every failure is a clear error with exit code 2.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PolicyError, UsageError } from './errors.ts';

/** A `--policy` value names a file when it has a path separator or a script extension. */
export function isPolicyPath(spec: string): boolean {
  return /[\\/]/.test(spec) || /\.(m|c)?(t|j)s$/.test(spec);
}

/** Import the module and return the export that is the policy (default, `policy`, or the only export). */
export async function importPolicy(spec: string, baseDir: string = process.cwd()): Promise<{ path: string; value: unknown }> {
  const path = isAbsolute(spec) ? spec : resolve(baseDir, spec);
  if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`policy file not found: ${spec} (looked at ${path})`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (e) {
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new PolicyError(`policy file ${spec} failed to load: ${msg}`);
  }
  if (mod.default !== undefined) return { path, value: mod.default };
  if (mod.policy !== undefined) return { path, value: mod.policy };
  const keys = Object.keys(mod);
  if (keys.length === 1) return { path, value: mod[keys[0]!] };
  throw new PolicyError(
    `policy file ${spec} must export its policy as default or as \`policy\` (it exports: ${keys.join(', ') || 'nothing'})`,
  );
}

/** A built-in policy name or a policy file, resolved for a family. */
export async function resolvePolicy<P>(
  family: { name: string; policies: Readonly<Record<string, P>>; validatePolicy(x: unknown, where: string): P },
  spec: string | undefined,
  baseDir: string = process.cwd(),
): Promise<{ id: string; policy: P; fromFile: boolean }> {
  const names = Object.keys(family.policies);
  if (spec === undefined || spec === '') {
    throw new UsageError(`--policy is required for model ${family.name}: one of ${names.join(', ')}, or a policy file`);
  }
  const builtin = family.policies[spec];
  if (builtin !== undefined) return { id: spec, policy: builtin, fromFile: false };
  if (!isPolicyPath(spec)) {
    throw new UsageError(`unknown policy ${JSON.stringify(spec)} for model ${family.name} (built-in: ${names.join(', ')}; or a path to a policy file)`);
  }
  const { value } = await importPolicy(spec, baseDir);
  return { id: spec, policy: family.validatePolicy(value, `policy file ${spec}`), fromFile: true };
}
