/**
 * The packed state of the stage2 model and its accessors.
 *
 * Memory (model/cache/): ram, sys and the private caches over machine frames
 * m0..m(M-1): first the gfns' own frames, then the copy-on-write spare, then
 * the reallocation frame. Then per gfn: latest (ghost), the frame backing it
 * and whether stage 2 maps it; v0's pc, pCPU and cache state; whether the
 * spare frames are used; and the three sticky ghosts of the invariants.
 *
 * Values are the identities of writes, fixed when the model is built, so a
 * value names its writer: 0 zero (a scrubbed or fresh page), 1 foreign (data
 * of another domain), 2+g the host's image of gfn g, 2+G+i the guest's STR at
 * program index i.
 */
import { CacheHierarchy } from '../cache/hierarchy.ts';
import { type S2Instr, type Stage2Params, initialCacheOn, stage2Program } from './params.ts';

export const ZERO = 0;
export const FOREIGN = 1;

export class Stage2State extends CacheHierarchy {
  readonly G: number;
  /** Machine frames. */
  readonly M: number;
  /** The copy-on-write spare frame, or -1. */
  readonly cowFrame: number;
  /** The frame another domain frees, or -1. */
  readonly reallocFrame: number;
  readonly program: readonly S2Instr[];
  readonly startsCacheOn: boolean;
  /** Number of distinct values. */
  readonly NV: number;
  /** Per value: written by the guest with its MMU (or caches) off. */
  readonly mmuOffWrite: readonly boolean[];

  readonly latestF: number[] = [];
  readonly backF: number[] = [];
  readonly mappedF: number[] = [];
  readonly pcF: number;
  readonly pcpuF: number;
  readonly cacheOnF: number;
  readonly cowDoneF: number;
  readonly reallocDoneF: number;
  /** Ghosts, sticky: 0, or 1 + gfn * NV + the value read (first offending read). */
  readonly staleReadF: number;
  readonly staleDmaF: number;
  /** Ghost, sticky: 0, or 1 + gfn * 2 + (0 guest read, 1 DMA read) of foreign data. */
  readonly leakF: number;

  constructor(readonly params: Stage2Params) {
    super(params);
    const G = (this.G = params.gfns);
    let m = G;
    this.cowFrame = params.cow ? m++ : -1;
    this.reallocFrame = params.realloc ? m++ : -1;
    this.M = m;
    this.program = stage2Program(params);
    this.startsCacheOn = initialCacheOn(params.program);
    this.NV = 2 + G + this.program.length;
    const off: boolean[] = new Array<boolean>(this.NV).fill(false);
    let on = this.startsCacheOn;
    this.program.forEach((ins, i) => {
      if (ins.op === 'SCTLR') on = ins.on;
      if (ins.op === 'STR') off[2 + G + i] = !on;
    });
    this.mmuOffWrite = off;

    const maxVal = this.NV - 1;
    const L = this.layout;
    for (let f = 0; f < this.M; f++) {
      this.declareRam(this.addrName(f), maxVal);
      this.declareSys(this.addrName(f), maxVal);
    }
    this.declareCaches(this.M, maxVal);
    for (let g = 0; g < G; g++) {
      this.latestF.push(L.field(`latest[g${g}]`, maxVal));
      this.backF.push(L.field(`back[g${g}]`, this.M - 1));
      this.mappedF.push(L.field(`s2[g${g}]`, 1));
    }
    this.pcF = L.field('v0.pc', this.program.length);
    this.pcpuF = L.field('v0.pcpu', this.P - 1);
    this.cacheOnF = L.field('v0.cacheOn', 1);
    this.cowDoneF = L.field('cowDone', 1);
    this.reallocDoneF = L.field('reallocDone', 1);
    this.staleReadF = L.field('ghost.staleRead', G * this.NV);
    this.staleDmaF = L.field('ghost.staleDma', G * this.NV);
    this.leakF = L.field('ghost.leak', G * 2);
    L.freeze();
  }

  addrName(f: number): string {
    return `m${f}`;
  }

  /** The host maps all RAM cacheable (KVM's linear map, Xen's directmap): any pCPU may speculate any frame. */
  canSpeculate(): boolean {
    return true;
  }

  valueName(v: number): string {
    if (v === ZERO) return 'zero';
    if (v === FOREIGN) return 'foreign';
    if (v < 2 + this.G) return `image.g${v - 2}`;
    return `v0.pc${v - 2 - this.G}`;
  }

  imageValue(g: number): number {
    return 2 + g;
  }
  strValue(pc: number): number {
    return 2 + this.G + pc;
  }
  isGuestWrite(v: number): boolean {
    return v >= 2 + this.G;
  }

  get(s: Uint32Array, f: number): number {
    return this.layout.get(s, f);
  }
  put(s: Uint32Array, f: number, v: number): void {
    this.layout.put(s, f, v);
  }
  latest(s: Uint32Array, g: number): number {
    return this.layout.get(s, this.latestF[g]!);
  }
  back(s: Uint32Array, g: number): number {
    return this.layout.get(s, this.backF[g]!);
  }
  mapped(s: Uint32Array, g: number): boolean {
    return this.layout.get(s, this.mappedF[g]!) === 1;
  }
  pc(s: Uint32Array): number {
    return this.layout.get(s, this.pcF);
  }
  pcpu(s: Uint32Array): number {
    return this.layout.get(s, this.pcpuF);
  }
  cacheOn(s: Uint32Array): boolean {
    return this.layout.get(s, this.cacheOnF) === 1;
  }
  /** The guest has run: it executed an instruction or took a stage-2 fault. */
  started(s: Uint32Array): boolean {
    if (this.pc(s) > 0) return true;
    for (let g = 0; g < this.G; g++) if (this.mapped(s, g)) return true;
    return false;
  }
  /** Who owns frame f now: the guest (it backs a gfn), another domain (a spare not yet used), or free. */
  owner(s: Uint32Array, f: number): 'guest' | 'other' | 'free' {
    for (let g = 0; g < this.G; g++) if (this.back(s, g) === f) return 'guest';
    if (f === this.cowFrame && this.get(s, this.cowDoneF) === 0) return 'other';
    if (f === this.reallocFrame && this.get(s, this.reallocDoneF) === 0) return 'other';
    return 'free';
  }
}
