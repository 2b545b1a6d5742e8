/** The `fpsimd` model family: lazy FP/SIMD switching for 32-bit guests. */
import { FPSIMD_INVARIANTS } from '../../invariants/fpsimd.ts';
import type { ModelFamily } from '../core/family.ts';
import { checkPolicyShape } from '../core/policy-loader.ts';
import type { ParamValue } from '../core/params.ts';
import { FpsimdModel } from './model.ts';
import { FPSIMD_CONFIGS, FPSIMD_DEFAULTS, FPSIMD_PARAMS, fpsimdParams } from './params.ts';
import { FPSIMD_POLICIES } from './policies/index.ts';
import type { FpsimdPolicy } from './policy.ts';

export { FpsimdModel } from './model.ts';
export { defineFpsimdPolicy, type FpsimdPolicy, type FpHyp } from './policy.ts';

function validatePolicy(x: unknown, where: string): FpsimdPolicy {
  return checkPolicyShape(x, where, 'fpsimd', ['onEntry']) as unknown as FpsimdPolicy;
}

export const fpsimdFamily: ModelFamily<FpsimdPolicy> = {
  name: 'fpsimd',
  description: 'lazy FP/SIMD switching for 32-bit guests (FPEXC32_EL2.EN, CPTR_EL2.TFP)',
  params: FPSIMD_PARAMS,
  defaults: FPSIMD_DEFAULTS as unknown as Record<string, ParamValue>,
  configs: FPSIMD_CONFIGS as unknown as Record<string, Record<string, ParamValue>>,
  gateConfigs: Object.keys(FPSIMD_CONFIGS),
  policies: FPSIMD_POLICIES,
  invariants: FPSIMD_INVARIANTS.map(({ name, description }) => ({ name, description })),
  validate: (params) => void fpsimdParams(params),
  validatePolicy,
  policyDescription: (p) => p.description,
  build(params, choice) {
    const model = new FpsimdModel(fpsimdParams(params), choice.policy, choice.fromFile);
    return { model, invariants: FPSIMD_INVARIANTS.map((i) => i.make(model)) };
  },
};
