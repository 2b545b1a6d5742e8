/**
 * The search's fast path for the set/way model: enumerate the enabled
 * actions of a state without testing every action of the universe. One scan
 * of the caches per state finds, for each address, which pCPUs hold it and
 * which one holds it dirty; then each kind of action is enumerated from those
 * masks, in the universe's order. The effects are the same functions `step`
 * uses; test/successors.test.ts checks that both agree on every state of
 * several configurations.
 */
import type { SetwayAction } from './actions.ts';
import type { Guest } from './guest.ts';
import type { Hardware } from './hardware.ts';
import type { Scheduler } from './scheduler.ts';
import type { SetwayState } from './state.ts';

export class SuccessorGenerator {
  private readonly hold: Int32Array; // per address: bitmask of pCPUs holding it
  private readonly dirtyAt: Int32Array; // per address: pCPU holding it dirty, or -1
  private readonly base: Record<SetwayAction['kind'], number>;

  constructor(
    private readonly st: SetwayState,
    private readonly hw: Hardware,
    private readonly guest: Guest,
    private readonly sched: Scheduler,
    actions: readonly SetwayAction[],
  ) {
    this.hold = new Int32Array(st.addrs);
    this.dirtyAt = new Int32Array(st.addrs);
    const base = {} as Record<SetwayAction['kind'], number>;
    actions.forEach((a, i) => {
      if (base[a.kind] === undefined) base[a.kind] = i;
    });
    this.base = base;
  }

  run(src: Uint32Array, dst: Uint32Array, visit: (i: number) => void): void {
    const { st, hw, guest, sched, hold, dirtyAt, base } = this;
    const P = st.P;
    const S = st.S;
    const W = st.W;
    const A = st.A;
    const ADDR = st.addrs;
    const words = st.words;

    // One scan of the private caches.
    hold.fill(0);
    dirtyAt.fill(-1);
    for (let p = 0; p < P; p++)
      for (let set = 0; set < S; set++)
        for (let w = 0; w < W; w++) {
          const slot = (p * S + set) * W + w;
          const tag = st.tag(src, slot);
          if (tag === 0) continue;
          const a = (tag - 1) * S + set;
          hold[a] |= 1 << p;
          if (st.dirty(src, slot)) dirtyAt[a] = p;
        }
    // pCPUs whose vCPU has its caches on, and pCPUs with a vCPU at all.
    let onMask = 0;
    let occupied = 0;
    for (let v = 0; v < st.V; v++) {
      const p = st.pcpu(src, v);
      occupied |= 1 << p;
      if (st.cacheOn(src, v)) onMask |= 1 << p;
    }
    const allMask = (1 << P) - 1;
    const guestSpec = st.hypSpec ? allMask : onMask;
    // (no closures here: the hot path allocates nothing)

    // 3.1 guest instructions
    for (let v = 0; v < st.V; v++) {
      const ins = guest.next(src, v);
      if (ins === undefined) continue;
      let ways = 1;
      if ((ins.op === 'STR' || ins.op === 'LDR') && st.cacheOn(src, v) && !(hold[ins.addr]! & (1 << st.pcpu(src, v)))) ways = W;
      for (let way = 0; way < ways; way++) {
        for (let k = 0; k < words; k++) dst[k] = src[k]!;
        guest.exec(dst, v, way);
        visit(base.guest + v * W + way);
      }
    }
    // 3.2 neighbour stores
    for (let n = A; n < ADDR; n++) {
      if (st.latest(src, n) !== 0) continue;
      for (let p = 0; p < P; p++) {
        const ways = hold[n]! & (1 << p) ? 1 : W;
        for (let way = 0; way < ways; way++) {
          for (let k = 0; k < words; k++) dst[k] = src[k]!;
          guest.nbStore(dst, n, p, way);
          visit(base.nbStore + ((n - A) * P + p) * W + way);
        }
      }
    }
    // 3.3 hardware: evict
    const slots = P * S * W;
    for (let slot = 0; slot < slots; slot++) {
      if (st.tag(src, slot) === 0) continue;
      for (let k = 0; k < words; k++) dst[k] = src[k]!;
      hw.evictSlot(dst, slot);
      visit(base.evict + slot);
    }
    if (st.sysCache) {
      for (let a = 0; a < ADDR; a++) {
        if (st.sysKind(src, a) === 0) continue;
        for (let k = 0; k < words; k++) dst[k] = src[k]!;
        hw.sysEvict(dst, a);
        visit(base.sysEvict + a);
      }
    }
    // specFill p a w
    for (let p = 0; p < P; p++)
      for (let a = 0; a < ADDR; a++) {
        if (!((a < A ? guestSpec : allMask) & (1 << p)) || hold[a]! & (1 << p) || dirtyAt[a]! >= 0) continue;
        for (let w = 0; w < W; w++) {
          for (let k = 0; k < words; k++) dst[k] = src[k]!;
          hw.specFill(dst, p, a, w);
          visit(base.specFill + (p * ADDR + a) * W + w);
        }
      }
    if (st.sysCache) {
      for (let a = 0; a < ADDR; a++) {
        if (st.sysKind(src, a) !== 0 || (a < A ? guestSpec : allMask) === 0) continue;
        for (let k = 0; k < words; k++) dst[k] = src[k]!;
        hw.sysFill(dst, a);
        visit(base.sysFill + a);
      }
    }
    // lineMove from to a w
    for (let from = 0; from < P; from++)
      for (let to = 0; to < P; to++) {
        if (to === from) continue;
        const pair = from * (P - 1) + (to < from ? to : to - 1);
        for (let a = 0; a < ADDR; a++) {
          if (dirtyAt[a] !== from || !((a < A ? guestSpec : allMask) & (1 << to)) || hold[a]! & (1 << to)) continue;
          for (let w = 0; w < W; w++) {
            for (let k = 0; k < words; k++) dst[k] = src[k]!;
            hw.lineMove(dst, from, to, a, w);
            visit(base.lineMove + (pair * ADDR + a) * W + w);
          }
        }
      }
    // 3.4 scheduler
    for (let v = 0; v < st.V; v++) {
      if (st.pc(src, v) >= st.programs[v]!.length) continue;
      const here = st.pcpu(src, v);
      for (let to = 0; to < P; to++) {
        if (to === here || occupied & (1 << to)) continue;
        for (let k = 0; k < words; k++) dst[k] = src[k]!;
        if (sched.migrate(dst, v, to)) visit(base.migrate + v * P + to);
      }
    }
  }
}
