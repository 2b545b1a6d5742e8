/** The `mapcache` model family: concurrent P2M edits and IOREQ mapcache invalidation. */
import { MAPCACHE_INVARIANTS } from '../../invariants/mapcache.ts';
import type { ModelFamily } from '../core/family.ts';
import type { ParamValue } from '../core/params.ts';
import { checkPolicyShape, checkStateDecl } from '../core/policy-loader.ts';
import { MapcacheModel } from './model.ts';
import { MAPCACHE_CONFIGS, MAPCACHE_DEFAULTS, MAPCACHE_PARAMS, mapcacheParams } from './params.ts';
import { MAPCACHE_POLICIES } from './policies.ts';
import type { MapcachePolicy } from './policy.ts';

export { MapcacheModel } from './model.ts';
export { defineMapcachePolicy, type MapcachePolicy, type McHyp } from './policy.ts';

function validatePolicy(x: unknown, where: string): MapcachePolicy {
  const p = checkPolicyShape(x, where, 'mapcache', ['onP2mRemove', 'onReturnToGuest'], [], ['state']);
  checkStateDecl(p.state, where, ['domain', 'perVcpu']);
  return p as unknown as MapcachePolicy;
}

export const mapcacheFamily: ModelFamily<MapcachePolicy> = {
  name: 'mapcache',
  description: 'concurrent P2M edits and IOREQ mapcache invalidation (Xen on Arm)',
  params: MAPCACHE_PARAMS,
  defaults: MAPCACHE_DEFAULTS as unknown as Record<string, ParamValue>,
  configs: MAPCACHE_CONFIGS as unknown as Record<string, Record<string, ParamValue>>,
  gateConfigs: Object.keys(MAPCACHE_CONFIGS),
  policies: MAPCACHE_POLICIES,
  invariants: MAPCACHE_INVARIANTS.map(({ name, description }) => ({ name, description })),
  validate: (params) => void mapcacheParams(params),
  validatePolicy,
  policyDescription: (p) => p.description,
  build(params, choice) {
    const model = new MapcacheModel(mapcacheParams(params), choice.policy, choice.fromFile);
    return { model, invariants: MAPCACHE_INVARIANTS.map((i) => i.make(model)) };
  },
};
