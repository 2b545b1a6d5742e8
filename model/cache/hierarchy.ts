/**
 * The packed memory system shared by the cache models: RAM, the optional
 * system cache and every pCPU's private cache, over a numbered set of
 * addresses (guest lines for `setway`, machine frames for `stage2`).
 *
 * A model's state class extends this one and declares the memory fields in
 * its own order, interleaved with its other fields (so that each model
 * chooses its packing). Empty slots and empty sys entries are all-zero, so
 * equal states have equal bits.
 *
 * A cache slot is (tag, dirty, value) with tag 0 = Empty and tag t >= 1 the
 * address (t-1)*S + s of its set s. A sys entry is (kind, value) with kind
 * 0 = Empty, 1 = Clean, 2 = Dirty.
 */
import { Layout } from '../../explorer/layout.ts';

export const SYS_EMPTY = 0;
export const SYS_CLEAN = 1;
export const SYS_DIRTY = 2;

export interface CacheGeometry {
  readonly pcpus: number;
  readonly sets: number;
  readonly ways: number;
  readonly systemCache: boolean;
}

export abstract class CacheHierarchy {
  readonly layout = new Layout();
  readonly P: number;
  readonly S: number;
  readonly W: number;
  readonly sysCache: boolean;

  readonly ramF: number[] = [];
  readonly sysKindF: number[] = [];
  readonly sysValF: number[] = [];
  readonly tagF: number[] = [];
  readonly dirtyF: number[] = [];
  readonly valF: number[] = [];

  constructor(geometry: CacheGeometry) {
    this.P = geometry.pcpus;
    this.S = geometry.sets;
    this.W = geometry.ways;
    this.sysCache = geometry.systemCache;
  }

  /** Whether pCPU p may speculatively allocate address a now (the model's rule). */
  abstract canSpeculate(s: Uint32Array, p: number, a: number): boolean;
  /** The display name of address a. */
  abstract addrName(a: number): string;

  get words(): number {
    return this.layout.words;
  }

  // --- declaring the fields (call in the order the model wants them packed) ---

  /** ram[a]: values 0..maxValue. */
  protected declareRam(name: string, maxValue: number): void {
    this.ramF.push(this.layout.field(`ram[${name}]`, maxValue));
  }

  /** sys[a] (only with a system cache): kind and value. */
  protected declareSys(name: string, maxValue: number): void {
    if (!this.sysCache) return;
    this.sysKindF.push(this.layout.field(`sys[${name}].kind`, 2));
    this.sysValF.push(this.layout.field(`sys[${name}].value`, maxValue));
  }

  /** cache[p][s][w] for every pCPU, set and way, for `addrs` addresses with values 0..maxValue. */
  protected declareCaches(addrs: number, maxValue: number): void {
    const maxTag = Math.ceil(addrs / this.S);
    for (let q = 0; q < this.P; q++)
      for (let s = 0; s < this.S; s++)
        for (let w = 0; w < this.W; w++) {
          const n = `cache[p${q}][${s}][${w}]`;
          this.tagF.push(this.layout.field(`${n}.tag`, maxTag));
          this.dirtyF.push(this.layout.field(`${n}.dirty`, 1));
          this.valF.push(this.layout.field(`${n}.value`, maxValue));
        }
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

  /** Display of sys[a] and of one slot, shared by the models' views. */
  sysText(s: Uint32Array, a: number, value: (v: number) => string = String): string {
    const k = this.sysKind(s, a);
    return k === SYS_CLEAN ? `clean ${value(this.sysVal(s, a))}` : k === SYS_DIRTY ? `dirty ${value(this.sysVal(s, a))}` : 'empty';
  }
  slotText(s: Uint32Array, p: number, set: number, w: number, value: (v: number) => string = String): string {
    const k = this.slot(p, set, w);
    const tag = this.tag(s, k);
    if (tag === 0) return 'empty';
    return `${this.addrName(this.addrOf(set, tag))} ${this.dirty(s, k) ? 'dirty' : 'clean'} ${value(this.val(s, k))}`;
  }
}
