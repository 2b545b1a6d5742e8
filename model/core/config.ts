/**
 * Resolving what the user asked for into a validated configuration:
 * defaults, then a reference configuration or a JSON file, then one flag per
 * parameter. Configurations are immutable maps; every problem is a UsageError.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Map as IMap } from 'immutable';
import { z } from 'zod';
import { UsageError } from './errors.ts';
import type { AnyFamily } from './family.ts';
import { type ParamMap, coerceParams } from './params.ts';

export interface ResolvedConfig {
  /** Display name: a reference id, a file name, or `default`, with overrides appended. */
  readonly id: string;
  readonly params: ParamMap;
  /** A policy named inside a JSON config file, if any. */
  readonly policy?: string;
}

/** A configuration file: its parameters (checked against the model's by coerceParams), and optionally its model and policy. */
const CONFIG_FILE = z.looseObject({ model: z.string().min(1).optional(), policy: z.string().min(1).optional() });

export function looksLikeFile(spec: string): boolean {
  return /[\\/]/.test(spec) || spec.endsWith('.json');
}

export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${what} ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

export function resolveConfig(
  family: AnyFamily,
  config: string | undefined,
  overrides: Readonly<Record<string, unknown>> = {},
  baseDir: string = process.cwd(),
): ResolvedConfig {
  let params: ParamMap = IMap(family.defaults);
  let id = 'default';
  let policy: string | undefined;
  if (config !== undefined) {
    const ref = Object.hasOwn(family.configs, config) ? family.configs[config] : undefined;
    if (ref) {
      params = params.merge(IMap(ref));
      id = config;
    } else if (looksLikeFile(config)) {
      const raw = readJsonFile(resolve(baseDir, config), 'config file');
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
        throw new UsageError(`config file ${config} must hold a JSON object of parameters`);
      }
      const checked = CONFIG_FILE.safeParse(raw);
      if (!checked.success) {
        const i = checked.error.issues[0]!;
        throw new UsageError(`config file ${config}: ${i.path.join('.')} must be a non-empty string`);
      }
      const { model, policy: pol, ...rest } = checked.data;
      if (model !== undefined && model !== family.name) {
        throw new UsageError(`config file ${config} is for model ${JSON.stringify(model)}, not ${family.name}`);
      }
      policy = pol;
      params = params.merge(coerceParams(family.params, rest, `config file ${config}`, true));
      id = config;
    } else {
      throw new UsageError(
        `unknown configuration ${JSON.stringify(config)} for model ${family.name} (reference configurations: ${Object.keys(family.configs).join(', ')}; or a .json file)`,
      );
    }
  }
  const over = coerceParams(family.params, overrides, 'command line');
  if (over.size > 0) {
    params = params.merge(over);
    id += ' ' + over.map((v, k) => `${k}=${v}`).join(' ');
  }
  family.validate(params);
  return policy === undefined ? { id, params } : { id, params, policy };
}
