/**
 * Parameters of the stage2 model, its reference configurations and the
 * guest programs. docs/semantics.md ("stage2") is the full description.
 */
import { type ParamMap, type ParamSpec, withDefaults } from '../core/params.ts';

export type Stage2Program = 'boot' | 'reboot' | 'firmware';
export const STAGE2_PROGRAMS: readonly Stage2Program[] = ['boot', 'reboot', 'firmware'];

export interface Stage2Params {
  readonly pcpus: number;
  readonly gfns: number;
  readonly sets: number;
  readonly ways: number;
  readonly systemCache: boolean;
  readonly load: boolean;
  readonly cow: boolean;
  readonly realloc: boolean;
  readonly dma: boolean;
  readonly program: Stage2Program;
}

export const STAGE2_PARAMS: readonly ParamSpec[] = [
  { kind: 'int', name: 'pcpus', min: 1, max: 3, description: 'physical CPUs p0..p(P-1); the guest has one vCPU, v0, starting on p0' },
  { kind: 'int', name: 'gfns', min: 1, max: 3, description: 'guest frames g0..g(G-1), each first backed by machine frame m<g>' },
  { kind: 'int', name: 'sets', min: 1, max: 4, description: 'sets of every private cache; machine frame m lives in set m mod S' },
  { kind: 'int', name: 'ways', min: 1, max: 2, description: 'ways of every private cache' },
  { kind: 'bool', name: 'systemCache', description: 'a shared system cache (external L3) between the private caches and RAM' },
  { kind: 'bool', name: 'load', description: 'the host (VMM or domain builder) writes an image into every gfn before the guest runs' },
  { kind: 'bool', name: 'cow', description: 'one copy-on-write break by the host: a spare machine frame, previously another domain\'s' },
  { kind: 'bool', name: 'realloc', description: 'one reallocation: a frame freed by another domain is scrubbed and given to a gfn' },
  { kind: 'bool', name: 'dma', description: 'a non-coherent DMA master of the guest (passthrough) that reads RAM through the stage-2 tables (SMMU)' },
  { kind: 'enum', name: 'program', values: STAGE2_PROGRAMS, description: 'the program v0 runs (boot: MMU-off reads; reboot: reads with caches on, then off; firmware: MMU-off writes, then reads)' },
];

export const STAGE2_DEFAULTS: Stage2Params = {
  pcpus: 1,
  gfns: 1,
  sets: 1,
  ways: 1,
  systemCache: true,
  load: true,
  cow: false,
  realloc: false,
  dma: false,
  program: 'boot',
};

/** Reference configurations: changes from the defaults. */
export const STAGE2_CONFIGS: Readonly<Record<string, Partial<Stage2Params>>> = {
  's2-a': {},
  's2-b': { program: 'reboot' },
  's2-c': { program: 'firmware', dma: true },
  's2-d': { cow: true },
  's2-e': { load: false, realloc: true, dma: true },
  's2-f': { pcpus: 2, gfns: 2 },
  's2-g': { pcpus: 2, cow: true, realloc: true },
};

export function stage2Params(m: ParamMap): Stage2Params {
  return withDefaults(STAGE2_DEFAULTS, m);
}

export type S2Instr =
  | { readonly op: 'STR'; readonly gfn: number }
  | { readonly op: 'LDR'; readonly gfn: number }
  | { readonly op: 'SCTLR'; readonly on: boolean };

/** Whether v0 starts with its MMU and caches on (SCTLR_EL1.M and .C). */
export function initialCacheOn(program: Stage2Program): boolean {
  return program === 'reboot';
}

export function stage2Program(p: Stage2Params): S2Instr[] {
  const each = <T>(f: (gfn: number) => T): T[] => Array.from({ length: p.gfns }, (_, g) => f(g));
  const ldr = each((gfn): S2Instr => ({ op: 'LDR', gfn }));
  switch (p.program) {
    case 'boot':
      return ldr;
    case 'reboot':
      return [...ldr, { op: 'SCTLR', on: false }, ...ldr];
    case 'firmware':
      return [...each((gfn): S2Instr => ({ op: 'STR', gfn })), ...ldr];
  }
}

export function instrText(ins: S2Instr): string {
  return ins.op === 'SCTLR' ? `SCTLR ${ins.on ? 'on' : 'off'}` : `${ins.op} g${ins.gfn}`;
}
