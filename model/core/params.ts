/**
 * Typed parameter schemas shared by every model family: each parameter is an
 * integer range, a boolean or a choice among names. The CLI derives one flag
 * per parameter from the schema; configurations (reference ids, JSON files,
 * flag overrides) are merged as immutable maps and validated here, so every
 * bad value is a UsageError (exit code 2), never a silent default.
 */
import { Map as IMap } from 'immutable';
import { match } from 'ts-pattern';
import { UsageError } from './errors.ts';

export type ParamSpec =
  | { readonly kind: 'int'; readonly name: string; readonly min: number; readonly max: number; readonly description: string }
  | { readonly kind: 'bool'; readonly name: string; readonly description: string }
  | { readonly kind: 'enum'; readonly name: string; readonly values: readonly string[]; readonly description: string };

export type ParamValue = number | boolean | string;
export type ParamMap = IMap<string, ParamValue>;

/** `neighborLines` -> `--neighbor-lines` */
export function flagName(param: string): string {
  return '--' + param.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

export function describeRange(spec: ParamSpec): string {
  return match(spec)
    .with({ kind: 'int' }, (s) => `an integer ${s.min}..${s.max}`)
    .with({ kind: 'bool' }, () => 'true or false')
    .with({ kind: 'enum' }, (s) => `one of ${s.values.join(', ')}`)
    .exhaustive();
}

/**
 * Check one value against its spec, coercing CLI strings (not JSON ones:
 * in a JSON file a number is a number); throws UsageError naming the parameter.
 */
export function coerceParam(spec: ParamSpec, raw: unknown, where: string, fromJson = false): ParamValue {
  const bad = (): never => {
    throw new UsageError(`${where}: ${spec.name} must be ${describeRange(spec)}${fromJson && spec.kind !== 'enum' ? ` (a JSON ${spec.kind === 'int' ? 'number' : 'boolean'})` : ''}, got ${JSON.stringify(raw) ?? String(raw)}`);
  };
  return match(spec)
    .with({ kind: 'int' }, (s) => {
      const n = !fromJson && typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < s.min || n > s.max) return bad();
      return n;
    })
    .with({ kind: 'bool' }, () => {
      if (typeof raw === 'boolean') return raw;
      if (fromJson) return bad();
      if (raw === 'true' || raw === 'on' || raw === '1') return true;
      if (raw === 'false' || raw === 'off' || raw === '0') return false;
      return bad();
    })
    .with({ kind: 'enum' }, (s) => {
      if (typeof raw !== 'string' || !s.values.includes(raw)) return bad();
      return raw;
    })
    .exhaustive();
}

/** Validate a whole object of parameters (from a JSON file or overrides): unknown names are errors. */
export function coerceParams(specs: readonly ParamSpec[], obj: Readonly<Record<string, unknown>>, where: string, fromJson = false): ParamMap {
  let out: ParamMap = IMap();
  for (const [k, v] of Object.entries(obj)) {
    const spec = specs.find((s) => s.name === k);
    if (!spec) {
      throw new UsageError(`${where}: unknown parameter ${JSON.stringify(k)} (known: ${specs.map((s) => s.name).join(', ')})`);
    }
    out = out.set(k, coerceParam(spec, v, where, fromJson));
  }
  return out;
}

/** Parameters as a plain object in the schema's order (for JSON output and trace files). */
export function paramsObject(specs: readonly ParamSpec[], m: ParamMap): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const s of specs) {
    const v = m.get(s.name);
    if (v !== undefined) out[s.name] = v;
  }
  return out;
}

/** A family's defaults overridden by a validated parameter map, frozen. */
export function withDefaults<P extends object>(defaults: P, m: ParamMap): Readonly<P> {
  return Object.freeze({ ...defaults, ...m.toObject() } as P);
}
