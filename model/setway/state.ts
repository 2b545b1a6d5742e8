/**
 * The packed state of the set/way model (spec section 2) and its accessors.
 *
 * Exactly the spec's variables are stored (plus any bookkeeping the policy
 * declares): ram[a], sys[a] (with a system cache), cache[p][s][w], latest[a],
 * and per vCPU pc, pcpu, cacheOn, tvm, stale. Empty slots and empty sys
 * entries are all-zero, so equal states have equal bits.
 *
 * A cache slot is (tag, dirty, value) with tag 0 = Empty and tag t >= 1 the
 * address (t-1)*S + s of its set s. A sys entry is (kind, value) with kind
 * 0 = Empty, 1 = Clean, 2 = Dirty.
 */
import { Layout } from '../../explorer/layout.ts';
import type { Instr, SetwayParams } from './params.ts';
import { programFor } from './params.ts';

export const SYS_EMPTY = 0;
export const SYS_CLEAN = 1;
export const SYS_DIRTY = 2;

export interface PolicyStateDecl {
  /** Per-vCPU bookkeeping: name -> largest value (values are 0..max). */
  readonly perVcpu?: Readonly<Record<string, number>>;
  /** Per-pCPU bookkeeping: name -> largest value. */
  readonly perPcpu?: Readonly<Record<string, number>>;
}

export class SetwayState {
  readonly layout = new Layout();
  readonly P: number;
  readonly V: number;
  readonly A: number; // guest addresses
  readonly N: number; // neighbour addresses
  readonly addrs: number; // A + N
  readonly S: number;
  readonly W: number;
  readonly sysCache: boolean;
  readonly hypSpec: boolean;
  readonly programs: readonly (readonly Instr[])[];
  readonly maxValue: readonly number[];

  readonly ramF: number[] = [];
  readonly latestF: number[] = [];
  readonly sysKindF: number[] = [];
  readonly sysValF: number[] = [];
  readonly tagF: number[] = [];
  readonly dirtyF: number[] = [];
  readonly valF: number[] = [];
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
    const p = params;
    this.P = p.pcpus;
    this.V = p.vcpus;
    this.A = p.lines;
    this.N = p.neighborLines;
    this.addrs = p.lines + p.neighborLines;
    this.S = p.sets;
    this.W = p.ways;
    this.sysCache = p.systemCache;
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
      this.ramF.push(L.field(`ram[${name}]`, writes[a]!));
      this.latestF.push(L.field(`latest[${name}]`, writes[a]!));
      if (this.sysCache) {
        this.sysKindF.push(L.field(`sys[${name}].kind`, 2));
        this.sysValF.push(L.field(`sys[${name}].value`, writes[a]!));
      }
    }
    const maxTag = Math.ceil(this.addrs / this.S);
    for (let q = 0; q < this.P; q++)
      for (let s = 0; s < this.S; s++)
        for (let w = 0; w < this.W; w++) {
          const n = `cache[p${q}][${s}][${w}]`;
          this.tagF.push(L.field(`${n}.tag`, maxTag));
          this.dirtyF.push(L.field(`${n}.dirty`, 1));
          this.valF.push(L.field(`${n}.value`, maxVal));
        }
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

  get words(): number {
    return this.layout.words;
  }

  addrName(a: number): string {
    return a < this.A ? `a${a}` : `n${a - this.A}`;
  }

  isGuest(a: number): boolean {
    return a < this.A;
  }

  setOf(a: number): number {
    return a % this.S;
  }

  tagOf(a: number): number {
    return Math.floor(a / this.S) + 1;
  }

  addrOf(set: number, tag: number): number {
    return (tag - 1) * this.S + set;
  }

  // --- memory ---
  ram(s: Uint32Array, a: number): number {
    return this.layout.get(s, this.ramF[a]!);
  }
  setRam(s: Uint32Array, a: number, v: number): void {
    this.layout.put(s, this.ramF[a]!, v);
  }
  latest(s: Uint32Array, a: number): number {
    return this.layout.get(s, this.latestF[a]!);
  }
  setLatest(s: Uint32Array, a: number, v: number): void {
    this.layout.put(s, this.latestF[a]!, v);
  }
  sysKind(s: Uint32Array, a: number): number {
    return this.sysCache ? this.layout.get(s, this.sysKindF[a]!) : SYS_EMPTY;
  }
  sysVal(s: Uint32Array, a: number): number {
    return this.layout.get(s, this.sysValF[a]!);
  }
  setSys(s: Uint32Array, a: number, kind: number, v: number): void {
    this.layout.put(s, this.sysKindF[a]!, kind);
    this.layout.put(s, this.sysValF[a]!, kind === SYS_EMPTY ? 0 : v);
  }

  // --- private caches ---
  slot(p: number, set: number, w: number): number {
    return (p * this.S + set) * this.W + w;
  }
  tag(s: Uint32Array, slot: number): number {
    return this.layout.get(s, this.tagF[slot]!);
  }
  dirty(s: Uint32Array, slot: number): boolean {
    return this.layout.get(s, this.dirtyF[slot]!) === 1;
  }
  val(s: Uint32Array, slot: number): number {
    return this.layout.get(s, this.valF[slot]!);
  }
  setLine(s: Uint32Array, slot: number, a: number, dirty: boolean, v: number): void {
    this.layout.put(s, this.tagF[slot]!, this.tagOf(a));
    this.layout.put(s, this.dirtyF[slot]!, dirty ? 1 : 0);
    this.layout.put(s, this.valF[slot]!, v);
  }
  setDirty(s: Uint32Array, slot: number, dirty: boolean): void {
    this.layout.put(s, this.dirtyF[slot]!, dirty ? 1 : 0);
  }
  clearSlot(s: Uint32Array, slot: number): void {
    this.layout.put(s, this.tagF[slot]!, 0);
    this.layout.put(s, this.dirtyF[slot]!, 0);
    this.layout.put(s, this.valF[slot]!, 0);
  }
  /** The slot of p's cache holding address a, or -1. */
  find(s: Uint32Array, p: number, a: number): number {
    const t = this.tagOf(a);
    const base = (p * this.S + (a % this.S)) * this.W;
    for (let w = 0; w < this.W; w++) if (this.layout.get(s, this.tagF[base + w]!) === t) return base + w;
    return -1;
  }
  /** The slot holding a dirty copy of a in any pCPU's cache, or -1 (the rules keep at most one). */
  dirtySlot(s: Uint32Array, a: number): number {
    for (let p = 0; p < this.P; p++) {
      const k = this.find(s, p, a);
      if (k >= 0 && this.dirty(s, k)) return k;
    }
    return -1;
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
