/**
 * The set/way model's hardware: the shared cache hardware (model/cache/) plus
 * flushVM, the hypervisor's clean and invalidate of every guest address.
 */
import { Hardware } from '../cache/hardware.ts';
import { compileFlushVM } from './codegen.ts';
import type { SetwayState } from './state.ts';
import { SYS_DIRTY, SYS_EMPTY } from './state.ts';

export type { SetWayOp } from '../cache/hardware.ts';

export class SetwayHardware extends Hardware<SetwayState> {
  /** flushVM compiled for this configuration (codegen.ts). */
  private readonly compiledFlushVM: (s: Uint32Array) => void;

  constructor(st: SetwayState) {
    super(st);
    this.compiledFlushVM = compileFlushVM(st);
  }

  /**
   * flushVM(): clean and invalidate every guest address (never a neighbour's)
   * to PoC. Runs as code compiled for the configuration; `flushVMReference`
   * is the same operation, interpreted.
   */
  flushVM(s: Uint32Array): void {
    this.compiledFlushVM(s);
  }

  /**
   * flushVM, interpreted: equal to cleanInvalidateVA on each guest address,
   * in two passes: dirty sys entries reach RAM first, then dirty private
   * lines, which are newer and so win; every guest line and sys entry is
   * emptied.
   */
  flushVMReference(s: Uint32Array): void {
    const st = this.st;
    if (st.sysCache) {
      for (let a = 0; a < st.A; a++) {
        const k = st.sysKind(s, a);
        if (k === SYS_EMPTY) continue;
        if (k === SYS_DIRTY) st.setRam(s, a, st.sysVal(s, a));
        st.setSys(s, a, SYS_EMPTY, 0);
      }
    }
    const slots = st.P * st.S * st.W;
    for (let slot = 0; slot < slots; slot++) {
      const tag = st.tag(s, slot);
      if (tag === 0) continue;
      const a = st.addrOf(Math.floor(slot / st.W) % st.S, tag);
      if (!st.isGuest(a)) continue;
      if (st.dirty(s, slot)) st.setRam(s, a, st.val(s, slot));
      st.clearSlot(s, slot);
    }
  }
}
