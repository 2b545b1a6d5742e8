/** Parameters and reference configurations of the lazy FP/SIMD model. */
import { type ParamMap, type ParamSpec, withDefaults } from '../core/params.ts';

export interface FpsimdParams {
  /** Guest tasks sharing the vCPU's FP registers through the guest's lazy switching. */
  readonly tasks: number;
  readonly pcpus: number;
}

export const FPSIMD_PARAMS: readonly ParamSpec[] = [
  { kind: 'int', name: 'tasks', min: 1, max: 4, description: 'tasks of the 32-bit guest kernel, switched lazily for FP' },
  { kind: 'int', name: 'pcpus', min: 1, max: 3, description: 'physical CPUs the one vCPU may run on' },
];

export const FPSIMD_DEFAULTS: FpsimdParams = { tasks: 2, pcpus: 1 };

export const FPSIMD_CONFIGS: Readonly<Record<string, Partial<FpsimdParams>>> = {
  'fp-a': {},
  'fp-b': { pcpus: 2 },
  'fp-c': { tasks: 3, pcpus: 2 },
};

export function fpsimdParams(m: ParamMap): FpsimdParams {
  const p = withDefaults(FPSIMD_DEFAULTS, m);
  return p;
}
