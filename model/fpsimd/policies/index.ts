import { defineFpsimdPolicy, type FpsimdPolicy } from '../policy.ts';

/**
 * KVM 4.18 ("Optimise FPSIMD handling to reduce guest/host thrashing"):
 * trap FP only when the guest's FP state is not loaded, but set
 * FPEXC32_EL2.EN on every entry (__activate_traps_fpsimd32), trapping or not.
 */
const kvm418 = defineFpsimdPolicy({
  model: 'fpsimd',
  name: 'kvm-4.18',
  description: 'TFP only when the guest FP state is not loaded, but FPEXC32_EL2.EN forced on every entry',
  onEntry(hyp) {
    hyp.setTfp(!hyp.fpLoaded);
    hyp.setFpexc32En(true);
  },
});

/** KVM 4.19 ("arm64: KVM: Only force FPEXC32_EL2.EN if trapping FPSIMD"). */
const kvm419 = defineFpsimdPolicy({
  model: 'fpsimd',
  name: 'kvm-4.19',
  description: 'FPEXC32_EL2.EN forced only when trapping FP to EL2',
  onEntry(hyp) {
    hyp.setTfp(!hyp.fpLoaded);
    if (hyp.tfp) hyp.setFpexc32En(true);
  },
});

/**
 * Never touching FPEXC32_EL2: shows why EN must be forced when trapping
 * ("it is critical to set FPEXC32_EL2.EN to 1 so that the trapping is taken
 * to EL2 and not EL1").
 */
const noForce = defineFpsimdPolicy({
  model: 'fpsimd',
  name: 'no-force',
  description: 'TFP only when the guest FP state is not loaded; FPEXC32_EL2 never forced',
  onEntry(hyp) {
    hyp.setTfp(!hyp.fpLoaded);
  },
});

export const FPSIMD_POLICIES: Readonly<Record<string, FpsimdPolicy>> = {
  'kvm-4.18': kvm418,
  'kvm-4.19': kvm419,
  'no-force': noForce,
};
