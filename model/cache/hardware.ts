/**
 * The hardware of the cache models: private caches, the optional system cache
 * and RAM, with the helper operations of the set/way spec (section 2) and its
 * hardware actions (section 3.3). Every function works in place on a packed
 * state; the model's state class says who may speculate.
 */
import type { CacheHierarchy } from './hierarchy.ts';
import { SYS_CLEAN, SYS_DIRTY, SYS_EMPTY } from './hierarchy.ts';

export type SetWayOp = 'ISW' | 'CSW' | 'CISW';

export class Hardware<H extends CacheHierarchy = CacheHierarchy> {
  constructor(protected readonly st: H) {}

  canSpeculate(s: Uint32Array, p: number, a: number): boolean {
    return this.st.canSpeculate(s, p, a);
  }

  /** writeBack(a, v): the level below the private caches receives dirty data. */
  writeBack(s: Uint32Array, a: number, v: number): void {
    if (this.st.sysCache) this.st.setSys(s, a, SYS_DIRTY, v);
    else this.st.setRam(s, a, v);
  }

  /** evictSlot: write back a dirty line, then empty the slot. */
  evictSlot(s: Uint32Array, slot: number): void {
    const st = this.st;
    const tag = st.tag(s, slot);
    if (tag === 0) return;
    if (st.dirty(s, slot)) {
      const set = Math.floor(slot / st.W) % st.S;
      this.writeBack(s, st.addrOf(set, tag), st.val(s, slot));
    }
    st.clearSlot(s, slot);
  }

  /** place(p, a, w, line): evict the victim slot of a's set, then fill it. */
  place(s: Uint32Array, p: number, a: number, w: number, dirty: boolean, v: number): void {
    const slot = this.st.slot(p, this.st.setOf(a), w);
    this.evictSlot(s, slot);
    this.st.setLine(s, slot, a, dirty, v);
  }

  /** The value a cacheable miss reads: a dirty private copy, else sys, else RAM. */
  missValue(s: Uint32Array, a: number): number {
    const st = this.st;
    const d = st.dirtySlot(s, a);
    if (d >= 0) return st.val(s, d);
    return this.fillValue(s, a);
  }

  /** The value a fill from below the private caches reads: sys if not empty, else RAM. */
  fillValue(s: Uint32Array, a: number): number {
    const st = this.st;
    return st.sysKind(s, a) !== SYS_EMPTY ? st.sysVal(s, a) : st.ram(s, a);
  }

  /** coh(a): the value the coherent memory system holds for a (used by no-lost-write). */
  coherentValue(s: Uint32Array, a: number): number {
    const st = this.st;
    const d = st.dirtySlot(s, a);
    if (d >= 0) return st.val(s, d);
    if (st.sysKind(s, a) === SYS_DIRTY) return st.sysVal(s, a);
    return st.ram(s, a);
  }

  /** Remove a from the private caches of every pCPU but `except` (no write-back). */
  dropOthers(s: Uint32Array, a: number, except: number): void {
    for (let q = 0; q < this.st.P; q++) {
      if (q === except) continue;
      const k = this.st.find(s, q, a);
      if (k >= 0) this.st.clearSlot(s, k);
    }
  }

  /** A cacheable store of value x to a by pCPU p, allocating into way w on a miss. */
  cacheableStore(s: Uint32Array, p: number, a: number, x: number, w: number): void {
    this.dropOthers(s, a, p);
    const k = this.st.find(s, p, a);
    if (k >= 0) this.st.setLine(s, k, a, true, x);
    else this.place(s, p, a, w, true, x);
  }

  /** Clean and invalidate a by VA to the Point of Coherency (DC CIVAC, broadcast). */
  cleanInvalidateVA(s: Uint32Array, a: number): void {
    const st = this.st;
    const d = st.dirtySlot(s, a);
    if (d >= 0) st.setRam(s, a, st.val(s, d));
    else if (st.sysKind(s, a) === SYS_DIRTY) st.setRam(s, a, st.sysVal(s, a));
    for (let q = 0; q < st.P; q++) {
      const k = st.find(s, q, a);
      if (k >= 0) st.clearSlot(s, k);
    }
    if (st.sysCache) st.setSys(s, a, SYS_EMPTY, 0);
  }

  /**
   * Clean a by VA to the Point of Coherency (DC CVAC): the newest data reaches
   * RAM; copies stay cached, clean. A clean sys copy takes the new value.
   */
  cleanVA(s: Uint32Array, a: number): void {
    const st = this.st;
    const d = st.dirtySlot(s, a);
    let v: number;
    if (d >= 0) {
      v = st.val(s, d);
      st.setDirty(s, d, false);
    } else if (st.sysKind(s, a) === SYS_DIRTY) {
      v = st.sysVal(s, a);
    } else {
      return;
    }
    st.setRam(s, a, v);
    if (st.sysKind(s, a) !== SYS_EMPTY) st.setSys(s, a, SYS_CLEAN, v);
  }

  /** Invalidate a by VA to the Point of Coherency (DC IVAC): every cached copy is discarded, dirty or not. */
  invalidateVA(s: Uint32Array, a: number): void {
    const st = this.st;
    for (let q = 0; q < st.P; q++) {
      const k = st.find(s, q, a);
      if (k >= 0) st.clearSlot(s, k);
    }
    if (st.sysCache) st.setSys(s, a, SYS_EMPTY, 0);
  }

  /** A set/way operation executed by the hardware on one slot of pCPU p's private cache. */
  setWay(s: Uint32Array, op: SetWayOp, p: number, set: number, w: number): void {
    const st = this.st;
    const slot = st.slot(p, set, w);
    switch (op) {
      case 'CSW':
        if (st.tag(s, slot) !== 0 && st.dirty(s, slot)) {
          this.writeBack(s, st.addrOf(set, st.tag(s, slot)), st.val(s, slot));
          st.setDirty(s, slot, false);
        }
        return;
      case 'ISW':
        st.clearSlot(s, slot);
        return;
      case 'CISW':
        this.evictSlot(s, slot);
        return;
      default: {
        const never: never = op;
        throw new Error(`unknown set/way op ${String(never)}`);
      }
    }
  }

  // --- hardware actions (spec 3.3); each returns false when not enabled ---

  evict(s: Uint32Array, p: number, set: number, w: number): boolean {
    const slot = this.st.slot(p, set, w);
    if (this.st.tag(s, slot) === 0) return false;
    this.evictSlot(s, slot);
    return true;
  }

  sysEvictEnabled(s: Uint32Array, a: number): boolean {
    return this.st.sysKind(s, a) !== SYS_EMPTY;
  }
  sysEvict(s: Uint32Array, a: number): void {
    const st = this.st;
    if (st.sysKind(s, a) === SYS_DIRTY) st.setRam(s, a, st.sysVal(s, a));
    st.setSys(s, a, SYS_EMPTY, 0);
  }

  specFillEnabled(s: Uint32Array, p: number, a: number): boolean {
    return this.canSpeculate(s, p, a) && this.st.find(s, p, a) < 0 && this.st.dirtySlot(s, a) < 0;
  }
  specFill(s: Uint32Array, p: number, a: number, w: number): void {
    this.place(s, p, a, w, false, this.fillValue(s, a));
  }

  sysFillEnabled(s: Uint32Array, a: number): boolean {
    if (this.st.sysKind(s, a) !== SYS_EMPTY) return false;
    for (let p = 0; p < this.st.P; p++) if (this.canSpeculate(s, p, a)) return true;
    return false;
  }
  sysFill(s: Uint32Array, a: number): void {
    this.st.setSys(s, a, SYS_CLEAN, this.st.ram(s, a));
  }

  lineMoveEnabled(s: Uint32Array, p: number, q: number, a: number): boolean {
    if (p === q) return false;
    const k = this.st.find(s, p, a);
    return k >= 0 && this.st.dirty(s, k) && this.canSpeculate(s, q, a) && this.st.find(s, q, a) < 0;
  }
  lineMove(s: Uint32Array, p: number, q: number, a: number, w: number): void {
    const k = this.st.find(s, p, a);
    const v = this.st.val(s, k);
    this.st.clearSlot(s, k);
    this.place(s, q, a, w, true, v);
  }
}
