/** The `fpsimd` model family: lazy FP/SIMD switching for 32-bit guests. */
import { FPSIMD_INVARIANTS } from '../../invariants/fpsimd.ts';
import { PolicyError } from '../core/errors.ts';
import type { ModelFamily } from '../core/family.ts';
import type { ParamValue } from '../core/params.ts';
import { FpsimdModel } from './model.ts';
import { FPSIMD_CONFIGS, FPSIMD_DEFAULTS, FPSIMD_PARAMS, fpsimdParams } from './params.ts';
import { FPSIMD_POLICIES } from './policies/index.ts';
import type { FpsimdPolicy } from './policy.ts';

export { FpsimdModel } from './model.ts';
export { defineFpsimdPolicy, type FpsimdPolicy, type FpHyp } from './policy.ts';

function validatePolicy(x: unknown, where: string): FpsimdPolicy {
  const p = x as Record<string, unknown> | null;
  if (p === null || typeof p !== 'object') throw new PolicyError(`${where}: the export is not a policy object`);
  if (p.model !== 'fpsimd') throw new PolicyError(`${where}: the policy is for model ${JSON.stringify(p.model)}, not "fpsimd"`);
  if (typeof p.name !== 'string' || !p.name) throw new PolicyError(`${where}: the policy needs a non-empty string \`name\``);
  if (typeof p.onEntry !== 'function') throw new PolicyError(`${where}: the policy must define the hook onEntry(hyp)`);
  return { description: '', ...(p as object) } as FpsimdPolicy;
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
    const model = new FpsimdModel(fpsimdParams(params), choice.policy);
    return { model, invariants: FPSIMD_INVARIANTS.map((i) => i.make(model)) };
  },
};
