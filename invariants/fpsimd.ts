/** Invariants of the lazy FP/SIMD model. */
import type { Invariant } from '../explorer/model.ts';
import type { FpsimdModel } from '../model/fpsimd/model.ts';
import type { InvariantDef } from './setway.ts';

const FP_REGS_OF_TASK = {
  name: 'fp-regs-of-task',
  description: "a VFP instruction that does not trap sees the running task's own register values",
};
const FPEXC_PRESERVED = {
  name: 'fpexc-preserved',
  description: "the guest's FPEXC.EN is what it last wrote whenever guest code runs",
};

export function fpRegsOfTask(m: FpsimdModel): Invariant {
  return {
    ...FP_REGS_OF_TASK,
    holds: (s) => m.g(s, m.badTask) === 0,
    explain(s) {
      const task = m.g(s, m.badTask) - 1;
      const data = m.content(m.g(s, m.badData));
      return {
        message: `task${task} executed a VFP instruction without trapping on ${data}'s register values`,
        values: { task: `task${task}`, registersHeld: data },
      };
    },
  };
}

export function fpexcPreserved(m: FpsimdModel): Invariant {
  return {
    ...FPEXC_PRESERVED,
    holds: (s) => m.g(s, m.inGuest) === 0 || m.effectiveEn(s) === m.g(s, m.gEn),
    explain(s) {
      const p = m.g(s, m.pcpu);
      const values = {
        'guest.wroteEN': m.g(s, m.gEn),
        effectiveEN: m.effectiveEn(s),
        [`p${p}.FPEXC32_EL2.EN`]: m.g(s, m.hwEn[p]!),
        'v0.TFP': m.g(s, m.tfp),
      };
      return {
        message: `the guest last wrote FPEXC.EN = ${values['guest.wroteEN']} but runs with EN = ${values.effectiveEN} (FPEXC32_EL2.EN on p${p} = ${values[`p${p}.FPEXC32_EL2.EN`]}, TFP = ${values['v0.TFP']})`,
        values,
      };
    },
  };
}

export const FPSIMD_INVARIANTS: readonly InvariantDef<FpsimdModel>[] = [
  { ...FP_REGS_OF_TASK, make: fpRegsOfTask },
  { ...FPEXC_PRESERVED, make: fpexcPreserved },
];
