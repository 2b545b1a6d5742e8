/**
 * Parameters of the set/way model (spec section 1), its reference
 * configurations (section 7) and the guest programs (section 4).
 */
import { UsageError } from '../core/errors.ts';
import { type ParamMap, type ParamSpec, withDefaults } from '../core/params.ts';

export type ProgramName = 'shutdown' | 'boot';
export const PROGRAMS: readonly ProgramName[] = ['shutdown', 'boot'];

export interface SetwayParams {
  readonly pcpus: number;
  readonly vcpus: number;
  readonly lines: number;
  readonly neighborLines: number;
  readonly sets: number;
  readonly ways: number;
  readonly systemCache: boolean;
  readonly hypSpeculation: boolean;
  readonly program: ProgramName;
}

export const SETWAY_PARAMS: readonly ParamSpec[] = [
  { kind: 'int', name: 'pcpus', min: 1, max: 6, description: 'physical CPUs p0..p(P-1)' },
  { kind: 'int', name: 'vcpus', min: 1, max: 6, description: "vCPUs of the guest v0..v(V-1); at most pcpus" },
  { kind: 'int', name: 'lines', min: 1, max: 8, description: 'guest cache lines (addresses) a0..a(A-1)' },
  { kind: 'int', name: 'neighborLines', min: 0, max: 4, description: "cache lines n0.. of another domain, addresses A..A+N-1" },
  { kind: 'int', name: 'sets', min: 1, max: 8, description: 'sets of every private cache; address x lives in set x mod S' },
  { kind: 'int', name: 'ways', min: 1, max: 4, description: 'ways of every private cache' },
  { kind: 'bool', name: 'systemCache', description: 'a shared system cache between the private caches and RAM' },
  { kind: 'bool', name: 'hypSpeculation', description: 'the hypervisor maps all guest RAM cacheable (any pCPU may speculate guest lines)' },
  { kind: 'enum', name: 'program', values: PROGRAMS, description: 'guest program every vCPU runs' },
];

export const SETWAY_DEFAULTS: SetwayParams = {
  pcpus: 2,
  vcpus: 1,
  lines: 2,
  neighborLines: 0,
  sets: 2,
  ways: 1,
  systemCache: false,
  hypSpeculation: false,
  program: 'shutdown',
};

/** Reference configurations: changes from the defaults (spec section 7). */
export const SETWAY_CONFIGS: Readonly<Record<string, Partial<SetwayParams>>> = {
  'ref-a': {},
  'ref-b': { systemCache: true },
  'ref-c': { sets: 1, ways: 2, systemCache: true, hypSpeculation: true },
  'ref-d': { program: 'boot', systemCache: true, hypSpeculation: true },
  'ref-e': { pcpus: 3, vcpus: 2, lines: 4, systemCache: true },
  'ref-f': { lines: 1, neighborLines: 1, program: 'boot' },
};

/** Turn a merged, per-value-validated parameter map into params, checking cross-parameter rules. */
export function setwayParams(m: ParamMap): SetwayParams {
  const p = withDefaults(SETWAY_DEFAULTS, m);
  if (p.vcpus > p.pcpus) {
    throw new UsageError(`vcpus (${p.vcpus}) must not exceed pcpus (${p.pcpus}): every vCPU starts on its own pCPU`);
  }
  return p;
}

export type Instr =
  | { readonly op: 'STR'; readonly addr: number }
  | { readonly op: 'LDR'; readonly addr: number }
  | { readonly op: 'DC'; readonly kind: 'ISW' | 'CSW' | 'CISW'; readonly set: number; readonly way: number }
  | { readonly op: 'SCTLR'; readonly on: boolean };

/** Addresses vCPU `v` owns: a with a mod V == v, increasing. */
export function ownedAddresses(p: SetwayParams, v: number): number[] {
  const out: number[] = [];
  for (let a = 0; a < p.lines; a++) if (a % p.vcpus === v) out.push(a);
  return out;
}

export function initialCacheOn(program: ProgramName): boolean {
  return program === 'shutdown';
}

/** The program vCPU `v` runs (spec section 4). */
export function programFor(p: SetwayParams, v: number): Instr[] {
  const owned = ownedAddresses(p, v);
  const loop: Instr[] = [];
  const kind = p.program === 'shutdown' ? 'CISW' : 'ISW';
  for (let s = 0; s < p.sets; s++) for (let w = 0; w < p.ways; w++) loop.push({ op: 'DC', kind, set: s, way: w });
  return [
    ...owned.map((addr): Instr => ({ op: 'STR', addr })),
    ...loop,
    { op: 'SCTLR', on: p.program === 'boot' },
    ...owned.map((addr): Instr => ({ op: 'LDR', addr })),
  ];
}
