/**
 * The KVM-policy plug-in of the lazy FP/SIMD model: what KVM does to
 * CPTR_EL2.TFP and FPEXC32_EL2 when it enters the 32-bit guest.
 */
import type { Exhaustive } from '../core/capability.ts';
export interface FpHyp {
  /** The pCPU the vCPU is entering on. */
  readonly pcpu: number;
  /** The vCPU's FP registers are live in this pCPU's registers (no trap needed). */
  readonly fpLoaded: boolean;
  /** CPTR_EL2.TFP: trap the guest's FP/SIMD accesses to EL2. */
  readonly tfp: boolean;
  setTfp(on: boolean): void;
  /** FPEXC32_EL2.EN in this pCPU's hardware. */
  readonly fpexc32En: boolean;
  setFpexc32En(on: boolean): void;
  /** FPEXC.EN as saved in the vCPU's context. */
  readonly savedFpexcEn: boolean;
}

export interface FpsimdPolicy {
  readonly model: 'fpsimd';
  readonly name: string;
  readonly description: string;
  /** Called on every guest entry, after the vCPU's registers are restored. */
  onEntry(hyp: FpHyp): void;
}

export function defineFpsimdPolicy(p: FpsimdPolicy): FpsimdPolicy {
  return p;
}

/** Every member of FpHyp: what a policy file's hooks receive (model/core/capability.ts). */
export const FP_HYP_MEMBERS = ['pcpu', 'fpLoaded', 'tfp', 'setTfp', 'fpexc32En', 'setFpexc32En', 'savedFpexcEn'] as const satisfies readonly (keyof FpHyp)[];
FP_HYP_MEMBERS satisfies Exhaustive<keyof FpHyp, typeof FP_HYP_MEMBERS>;
