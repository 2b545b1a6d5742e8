/** The `setway` model family: parameters, reference configurations, built-in policies, invariants. */
import { SETWAY_INVARIANTS, setwayInvariants } from '../../invariants/setway.ts';
import type { ModelFamily } from '../core/family.ts';
import { checkPolicyShape, checkStateDecl } from '../core/policy-loader.ts';
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

function validatePolicy(x: unknown, where: string): SetwayPolicy {
  const p = checkPolicyShape(x, where, 'setway', ['onSetWay', 'onSctlr'], ['onMigrate'], ['state']);
  checkStateDecl(p.state, where, ['perVcpu', 'perPcpu'], RESERVED);
  return p as unknown as SetwayPolicy;
}

export const setwayFamily: ModelFamily<SetwayPolicy> = {
  name: 'setway',
  description: 'cache maintenance by set/way under virtualization (docs/semantics.md in the hvmc package)',
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
