/**
 * The packed state of the set/way model (spec section 2) and its accessors.
 *
 * Exactly the spec's variables are stored (plus any bookkeeping the policy
 * declares): ram[a], sys[a] (with a system cache), cache[p][s][w] (the
 * shared memory system of model/cache/), latest[a], and per vCPU pc, pcpu,
 * cacheOn, tvm, stale.
 */
import { CacheHierarchy } from '../cache/hierarchy.ts';
import type { Instr, SetwayParams } from './params.ts';
import { programFor } from './params.ts';

export { SYS_CLEAN, SYS_DIRTY, SYS_EMPTY } from '../cache/hierarchy.ts';

export interface PolicyStateDecl {
  /** Per-vCPU bookkeeping: name -> largest value (values are 0..max). */
  readonly perVcpu?: Readonly<Record<string, number>>;
  /** Per-pCPU bookkeeping: name -> largest value. */
  readonly perPcpu?: Readonly<Record<string, number>>;
}

export class SetwayState extends CacheHierarchy {
  readonly V: number;
  readonly A: number; // guest addresses
  readonly N: number; // neighbour addresses
  readonly addrs: number; // A + N
  readonly hypSpec: boolean;
  readonly programs: readonly (readonly Instr[])[];
  readonly maxValue: readonly number[];

  readonly latestF: number[] = [];
  readonly pcF: number[] = [];
  readonly pcpuF: number[] = [];
  readonly cacheOnF: number[] = [];
  readonly tvmF: number[] = [];
  readonly staleF: number[] = [];
  readonly vcpuVarNames: readonly string[];
  readonly pcpuVarNames: readonly string[];
  private readonly vcpuVarF: number[] = []; // [v * nVcpuVars + k]
  private readonly pcpuVarF: number[] = []; // [p * nPcpuVars + k]

  constructor(readonly params: SetwayParams, policyState: PolicyStateDecl = {}) {
    super(params);
    const p = params;
    this.V = p.vcpus;
    this.A = p.lines;
    this.N = p.neighborLines;
    this.addrs = p.lines + p.neighborLines;
    this.hypSpec = p.hypSpeculation;
    this.programs = Array.from({ length: this.V }, (_, v) => programFor(p, v));

    // Values are write counts: each STR of an address adds one.
    const writes = new Array<number>(this.addrs).fill(0);
    for (const prog of this.programs) for (const ins of prog) if (ins.op === 'STR') writes[ins.addr]!++;
    for (let n = this.A; n < this.addrs; n++) writes[n] = 1;
    this.maxValue = writes;
    const maxVal = Math.max(1, ...writes);

    const L = this.layout;
    for (let a = 0; a < this.addrs; a++) {
      const name = this.addrName(a);
      this.declareRam(name, writes[a]!);
      this.latestF.push(L.field(`latest[${name}]`, writes[a]!));
      this.declareSys(name, writes[a]!);
    }
    this.declareCaches(this.addrs, maxVal);
    const maxPc = Math.max(...this.programs.map((pr) => pr.length));
    for (let v = 0; v < this.V; v++) {
      this.pcF.push(L.field(`v${v}.pc`, maxPc));
      this.pcpuF.push(L.field(`v${v}.pcpu`, this.P - 1));
      this.cacheOnF.push(L.field(`v${v}.cacheOn`, 1));
      this.tvmF.push(L.field(`v${v}.tvm`, 1));
      this.staleF.push(L.field(`v${v}.stale`, 1));
    }
    this.vcpuVarNames = Object.keys(policyState.perVcpu ?? {});
    this.pcpuVarNames = Object.keys(policyState.perPcpu ?? {});
    for (let v = 0; v < this.V; v++)
      for (const k of this.vcpuVarNames) this.vcpuVarF.push(L.field(`v${v}.${k}`, policyState.perVcpu![k]!));
    for (let q = 0; q < this.P; q++)
      for (const k of this.pcpuVarNames) this.pcpuVarF.push(L.field(`p${q}.${k}`, policyState.perPcpu![k]!));
    L.freeze();
  }

  addrName(a: number): string {
    return a < this.A ? `a${a}` : `n${a - this.A}`;
  }

  isGuest(a: number): boolean {
    return a < this.A;
  }

  /** canSpeculate(p, a): a neighbour address, or hypSpeculation, or a vCPU on p has its caches on. */
  canSpeculate(s: Uint32Array, p: number, a: number): boolean {
    if (!this.isGuest(a) || this.hypSpec) return true;
    for (let v = 0; v < this.V; v++) if (this.pcpu(s, v) === p && this.cacheOn(s, v)) return true;
    return false;
  }

  // --- ghost ---
  latest(s: Uint32Array, a: number): number {
    return this.layout.get(s, this.latestF[a]!);
  }
  setLatest(s: Uint32Array, a: number, v: number): void {
    this.layout.put(s, this.latestF[a]!, v);
  }
  // --- vCPUs ---
  pc(s: Uint32Array, v: number): number {
    return this.layout.get(s, this.pcF[v]!);
  }
  setPc(s: Uint32Array, v: number, x: number): void {
    this.layout.put(s, this.pcF[v]!, x);
  }
  pcpu(s: Uint32Array, v: number): number {
    return this.layout.get(s, this.pcpuF[v]!);
  }
  setPcpu(s: Uint32Array, v: number, p: number): void {
    this.layout.put(s, this.pcpuF[v]!, p);
  }
  cacheOn(s: Uint32Array, v: number): boolean {
    return this.layout.get(s, this.cacheOnF[v]!) === 1;
  }
  setCacheOn(s: Uint32Array, v: number, on: boolean): void {
    this.layout.put(s, this.cacheOnF[v]!, on ? 1 : 0);
  }
  tvm(s: Uint32Array, v: number): boolean {
    return this.layout.get(s, this.tvmF[v]!) === 1;
  }
  setTvm(s: Uint32Array, v: number, on: boolean): void {
    this.layout.put(s, this.tvmF[v]!, on ? 1 : 0);
  }
  stale(s: Uint32Array, v: number): boolean {
    return this.layout.get(s, this.staleF[v]!) === 1;
  }
  setStale(s: Uint32Array, v: number): void {
    this.layout.put(s, this.staleF[v]!, 1);
  }
  /** The vCPU on pCPU p, or -1. */
  vcpuOn(s: Uint32Array, p: number): number {
    for (let v = 0; v < this.V; v++) if (this.pcpu(s, v) === p) return v;
    return -1;
  }

  // --- policy bookkeeping ---
  vcpuVarField(v: number, name: string): number {
    const k = this.vcpuVarNames.indexOf(name);
    return k < 0 ? -1 : this.vcpuVarF[v * this.vcpuVarNames.length + k]!;
  }
  pcpuVarField(p: number, name: string): number {
    const k = this.pcpuVarNames.indexOf(name);
    return k < 0 ? -1 : this.pcpuVarF[p * this.pcpuVarNames.length + k]!;
  }
}
