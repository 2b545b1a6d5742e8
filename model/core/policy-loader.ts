/**
 * Policies: a built-in name, or a user's policy file loaded by
 * ./user-module.ts. Every failure is a clear error with exit code 2.
 */
import { PolicyError, UsageError } from './errors.ts';
import { PHASE_HOOK, enterUserCode, leaveUserCode } from '../../explorer/watch.ts';
import { importUserModule, isModulePath, oneLine, userModulePath } from './user-module.ts';

/** A `--policy` value names a file when it has a path separator or a script extension. */
export const isPolicyPath = isModulePath;

/** Import the module and return the export that is the policy (default, `policy`, or the only export). */
export async function importPolicy(spec: string, baseDir: string = process.cwd()): Promise<{ path: string; value: unknown }> {
  const path = userModulePath(spec, baseDir, 'policy file');
  const mod = await importUserModule(path, spec, 'policy file');
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
  const builtin = Object.hasOwn(family.policies, spec) ? family.policies[spec] : undefined;
  if (builtin !== undefined) return { id: spec, policy: builtin, fromFile: false };
  if (!isPolicyPath(spec)) {
    throw new UsageError(`unknown policy ${JSON.stringify(spec)} for model ${family.name} (built-in: ${names.join(', ')}; or a path to a policy file)`);
  }
  const { value } = await importPolicy(spec, baseDir);
  return { id: spec, policy: family.validatePolicy(value, `policy file ${spec}`), fromFile: true };
}

/**
 * The checks every family makes on a loaded policy object: an object for
 * this model, with a name and the hooks it needs. Returns it for the family's
 * own further checks; throws PolicyError (exit code 2) naming what is wrong.
 */
export function checkPolicyShape(
  x: unknown,
  where: string,
  model: string,
  hooks: readonly string[],
  optionalHooks: readonly string[] = [],
  dataKeys: readonly string[] = [],
): Record<string, unknown> {
  const bad = (msg: string): never => {
    throw new PolicyError(`${where}: ${msg}`);
  };
  if (x === null || typeof x !== 'object') return bad('the export is not a policy object');
  // Read every member once, here: a getter that throws, or a proxy, is a policy error, not hvmc's.
  let p: Record<string, unknown>;
  try {
    p = Object.fromEntries(Object.keys(x).map((k) => [k, (x as Record<string, unknown>)[k]]));
  } catch (e) {
    return bad(`reading the policy object threw: ${e instanceof Error ? e.message : String(e)}`);
  }
  const known = ['model', 'name', 'description', ...hooks, ...optionalHooks, ...dataKeys];
  for (const k of Object.keys(p)) {
    if (!known.includes(k)) {
      const near = nearest(k, known);
      bad(`unknown key ${JSON.stringify(k)}${near ? ` (did you mean ${near}?)` : ''}; a ${model} policy has ${known.join(', ')}`);
    }
  }
  if (p.model !== model) return bad(`the policy is for model ${JSON.stringify(p.model)}, not "${model}" (set model: '${model}')`);
  if (typeof p.name !== 'string' || p.name.length === 0) return bad('the policy needs a non-empty string `name`');
  if (p.description !== undefined && typeof p.description !== 'string') return bad('`description` must be a string');
  for (const h of hooks) if (typeof p[h] !== 'function') bad(`the policy must define the hook ${h}(hyp, ...)`);
  for (const h of optionalHooks) if (p[h] !== undefined && typeof p[h] !== 'function') bad(`${h} must be a function`);
  for (const h of [...hooks, ...optionalHooks]) {
    if (typeof p[h] === 'function' && /^Async(Generator)?Function$/.test((p[h] as { constructor?: { name?: string } }).constructor?.name ?? '')) {
      bad(`${h} is async: hooks must be synchronous functions (a hook's effect must be complete when it returns)`);
    }
  }
  return { description: '', ...p };
}

/** The known name closest to a misspelt one (edit distance at most 2, or 3 for long names), if any. */
export function nearest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== undefined && bestD <= (name.length > 8 ? 3 : 2) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Check a policy's bookkeeping declaration: `{ <scope>: { name: largest value } }`
 * with scopes from `scopes`, usable names, and largest values 1..255.
 */
export function checkStateDecl(state: unknown, where: string, scopes: readonly string[], reserved: ReadonlySet<string> = new Set()): void {
  const bad = (msg: string): never => {
    throw new PolicyError(`${where}: ${msg}`);
  };
  if (state === undefined) return;
  if (state === null || typeof state !== 'object') return bad(`\`state\` must be { ${scopes.map((s) => `${s}?`).join(', ')} }`);
  for (const [k, decl] of Object.entries(state)) {
    if (!scopes.includes(k)) return bad(`unknown key state.${k} (expected ${scopes.join(', ')})`);
    if (decl === null || typeof decl !== 'object') return bad(`state.${k} must map variable names to their largest value`);
    for (const [name, max] of Object.entries(decl as Record<string, unknown>)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || reserved.has(name)) return bad(`state.${k}.${name}: not a usable variable name`);
      if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 255) {
        return bad(`state.${k}.${name}: the largest value must be an integer 1..255, got ${String(max)}`);
      }
    }
  }
}

/**
 * Call a policy hook that works on state `s`: a throw becomes a PolicyError
 * naming the call; with `checked` (policies from files) the hook runs twice
 * on the same state and must give the same state and result.
 */
export function runPolicyHook<R>(policy: string, where: string, s: Uint32Array, checked: boolean, hook: () => R): R {
  const call = (): R => {
    let r: R;
    try {
      r = hook();
    } catch (e) {
      if (e instanceof PolicyError) throw e;
      throw new PolicyError(`policy ${policy}: ${where} threw: ${oneLine(e instanceof Error ? e.message : String(e))}`);
    }
    if (checked && r !== null && typeof r === 'object' && typeof (r as { then?: unknown }).then === 'function') {
      throw new PolicyError(`policy ${policy}: ${where} returned a Promise: hooks must be synchronous`);
    }
    return r;
  };
  if (!checked) return call();
  const before = s.slice();
  enterUserCode(PHASE_HOOK, where, before);
  let r1: R;
  let r2: R;
  let first: Uint32Array;
  try {
    r1 = call();
    first = s.slice();
    s.set(before);
    r2 = call();
  } finally {
    leaveUserCode();
  }
  if (r1 !== r2 || !first.every((w, k) => w === s[k])) {
    throw new PolicyError(
      `policy ${policy}: ${where} is nondeterministic: two calls on the same state gave different results ` +
        '(a hook must depend only on what its argument shows: no module-level state, randomness or clock)',
    );
  }
  return r1;
}
