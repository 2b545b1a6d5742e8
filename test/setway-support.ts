/** Helpers for the set/way tests: build a model from a reference id or parameters. */
import { check } from '../explorer/check.ts';
import type { Model } from '../explorer/model.ts';
import { setwayInvariants } from '../invariants/setway.ts';
import { SetwayModel } from '../model/setway/model.ts';
import { SETWAY_CONFIGS, SETWAY_DEFAULTS, type SetwayParams } from '../model/setway/params.ts';
import { SETWAY_POLICIES } from '../model/setway/policies/index.ts';
import type { SetwayPolicy } from '../model/setway/policy.ts';

export const POLICIES = ['native', 'native-swio', 'xen-rfc', 'trap-va'] as const;
export type PolicyName = (typeof POLICIES)[number];

export function params(config: string | Partial<SetwayParams>): SetwayParams {
  return { ...SETWAY_DEFAULTS, ...(typeof config === 'string' ? SETWAY_CONFIGS[config] : config) };
}

export function model(config: string | Partial<SetwayParams>, policy: PolicyName | SetwayPolicy, checkPolicy = false): SetwayModel {
  return new SetwayModel(params(config), typeof policy === 'string' ? SETWAY_POLICIES[policy]! : policy, { checkPolicy });
}

export function checkSetway(config: string | Partial<SetwayParams>, policy: PolicyName | SetwayPolicy, opts = {}) {
  const m = model(config, policy);
  const invariants = setwayInvariants(m);
  return { m, invariants, report: check(m, invariants, { stopWhenAllViolated: false, ...opts }) };
}

/** Every state a model reaches through `step` alone (no fast path, no symmetry), breadth first. */
export function reachableViaStep(m: Model): Uint32Array[] {
  const init = new Uint32Array(m.words);
  m.initial(init);
  const seen = new Set([init.join(',')]);
  const out = [init];
  const t = new Uint32Array(m.words);
  for (let k = 0; k < out.length; k++) {
    for (let i = 0; i < m.actionCount; i++) {
      if (!m.step(out[k]!, i, t)) continue;
      const key = t.join(',');
      if (!seen.has(key)) {
        seen.add(key);
        out.push(t.slice());
      }
    }
  }
  return out;
}
