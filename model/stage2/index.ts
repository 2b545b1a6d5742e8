/** The `stage2` model family: guest memory the host wrote (stage-2 faults, copy-on-write, DMA, scrubbing). */
import { STAGE2_INVARIANTS } from '../../invariants/stage2.ts';
import type { ModelFamily } from '../core/family.ts';
import { PolicyError } from '../core/errors.ts';
import type { ParamValue } from '../core/params.ts';
import { checkPolicyShape } from '../core/policy-loader.ts';
import { Stage2Model } from './model.ts';
import { STAGE2_CONFIGS, STAGE2_DEFAULTS, STAGE2_PARAMS, stage2Params } from './params.ts';
import { STAGE2_POLICIES } from './policies.ts';
import { STAGE2_HOOKS, type Stage2Policy } from './policy.ts';

export { Stage2Model, type Stage2Action } from './model.ts';
export { defineStage2Policy, type S2AllocHyp, type S2Hyp, type Stage2Policy } from './policy.ts';

function validatePolicy(x: unknown, where: string): Stage2Policy {
  const p = checkPolicyShape(x, where, 'stage2', [], STAGE2_HOOKS, ['hcrDC']);
  if (p.hcrDC !== undefined && typeof p.hcrDC !== 'boolean') throw new PolicyError(`${where}: hcrDC must be true or false`);
  return p as unknown as Stage2Policy;
}

export const stage2Family: ModelFamily<Stage2Policy> = {
  name: 'stage2',
  description: 'guest memory the host wrote: stage-2 faults, copy-on-write, DMA, scrubbing (KVM and Xen on Arm)',
  params: STAGE2_PARAMS,
  defaults: STAGE2_DEFAULTS as unknown as Record<string, ParamValue>,
  configs: STAGE2_CONFIGS as unknown as Record<string, Record<string, ParamValue>>,
  gateConfigs: Object.keys(STAGE2_CONFIGS),
  policies: STAGE2_POLICIES,
  invariants: STAGE2_INVARIANTS.map(({ name, description }) => ({ name, description })),
  validate: (params) => void stage2Params(params),
  validatePolicy,
  policyDescription: (p) => p.description,
  build(params, choice) {
    const model = new Stage2Model(stage2Params(params), choice.policy, choice.fromFile);
    return { model, invariants: STAGE2_INVARIANTS.map((i) => i.make(model)) };
  },
};
