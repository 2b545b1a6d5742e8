/** The `setway` model family: parameters, reference configurations, built-in policies, invariants. */
import { SETWAY_INVARIANTS, setwayInvariants } from '../../invariants/setway.ts';
import { PolicyError } from '../core/errors.ts';
import type { ModelFamily } from '../core/family.ts';
import { checkPolicyShape } from '../core/policy-loader.ts';
import type { ParamMap, ParamValue } from '../core/params.ts';
import { SetwayModel } from './model.ts';
import { SETWAY_CONFIGS, SETWAY_DEFAULTS, SETWAY_PARAMS, setwayParams } from './params.ts';
import { SETWAY_POLICIES } from './policies/index.ts';
import type { SetwayPolicy } from './policy.ts';

export { SetwayModel } from './model.ts';
export { definePolicy } from './policy.ts';
export type { Hyp, SetwayPolicy, SetWayOp } from './policy.ts';
export type { SetwayAction } from './actions.ts';
export { SETWAY_CONFIGS, SETWAY_DEFAULTS, type SetwayParams } from './params.ts';
export { SETWAY_POLICIES } from './policies/index.ts';

const RESERVED = new Set(['pc', 'pcpu', 'cacheOn', 'tvm', 'stale']);
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function validatePolicy(x: unknown, where: string): SetwayPolicy {
  const bad = (msg: string): never => {
    throw new PolicyError(`${where}: ${msg}`);
  };
  const p = checkPolicyShape(x, where, 'setway', ['onSetWay', 'onSctlr'], ['onMigrate']);
  if (p.state !== undefined) {
    if (p.state === null || typeof p.state !== 'object') return bad('`state` must be { perVcpu?, perPcpu? }');
    const st = p.state as Record<string, unknown>;
    for (const [k, decl] of Object.entries(st)) {
      if (k !== 'perVcpu' && k !== 'perPcpu') return bad(`unknown key state.${k} (expected perVcpu, perPcpu)`);
      if (decl === null || typeof decl !== 'object') return bad(`state.${k} must map variable names to their largest value`);
      for (const [name, max] of Object.entries(decl as Record<string, unknown>)) {
        if (!IDENT.test(name) || RESERVED.has(name)) return bad(`state.${k}.${name}: not a usable variable name`);
        if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 255) {
          return bad(`state.${k}.${name}: the largest value must be an integer 1..255, got ${String(max)}`);
        }
      }
    }
  }
  return p as unknown as SetwayPolicy;
}

export const setwayFamily: ModelFamily<SetwayPolicy> = {
  name: 'setway',
  description: 'cache maintenance by set/way under virtualization (spec: setway.md)',
  params: SETWAY_PARAMS,
  defaults: SETWAY_DEFAULTS as unknown as Record<string, ParamValue>,
  configs: SETWAY_CONFIGS as unknown as Record<string, Record<string, ParamValue>>,
  gateConfigs: ['ref-a', 'ref-b', 'ref-c', 'ref-d', 'ref-f'],
  policies: SETWAY_POLICIES,
  invariants: SETWAY_INVARIANTS.map(({ name, description }) => ({ name, description })),
  validate(params: ParamMap) {
    setwayParams(params);
  },
  validatePolicy,
  policyDescription: (p) => p.description,
  build(params, choice) {
    const model = new SetwayModel(setwayParams(params), choice.policy, { checkPolicy: choice.fromFile });
    return { model, invariants: setwayInvariants(model) };
  },
};
