/**
 * The search's fast path for the set/way model: enumerate the enabled
 * actions of a state, in the universe's order, without testing every action.
 * Guest instructions, neighbour stores and migrations (a few per state, and
 * the ones that call the policy) go through the same functions `step` uses;
 * the hardware actions, most of the transitions, run as code compiled for the
 * configuration (codegen.ts). test/successors.test.ts checks that this agrees
 * with `step` on every reachable state of several configurations.
 */
import type { SetwayAction } from './actions.ts';
import { type HardwareSuccessors, compileGuestMemory, compileHardwareSuccessors, compileMigrations } from './codegen.ts';
import type { Guest } from './guest.ts';
import type { Scheduler } from './scheduler.ts';
import type { SetwayState } from './state.ts';

export class SuccessorGenerator {
  private readonly base: Record<SetwayAction['kind'], number>;
  private readonly hardware: HardwareSuccessors;
  /** Per vCPU: its STR and LDR compiled (false: the instruction at pc is not one of them). */
  private readonly guestMemory: ((src: Uint32Array, dst: Uint32Array, visit: (i: number) => void) => boolean)[];
  /** Compiled migrations when the policy has no onMigrate hook. */
  private readonly migrations: HardwareSuccessors | undefined;

  constructor(
    private readonly st: SetwayState,
    private readonly guest: Guest,
    private readonly sched: Scheduler,
    actions: readonly SetwayAction[],
    policyHasMigrateHook: boolean,
  ) {
    const base = {} as Record<SetwayAction['kind'], number>;
    actions.forEach((a, i) => {
      if (base[a.kind] === undefined) base[a.kind] = i;
    });
    this.base = base;
    this.hardware = compileHardwareSuccessors(st, base);
    this.guestMemory = [...Array(st.V).keys()].map((v) => compileGuestMemory(st, v, base.guest + v * st.W));
    this.migrations = policyHasMigrateHook ? undefined : compileMigrations(st, base.migrate);
  }

  run(src: Uint32Array, dst: Uint32Array, visit: (i: number) => void): void {
    const { st, guest, sched, base } = this;
    const P = st.P;
    const W = st.W;
    const words = st.words;

    // 3.1 guest instructions: one successor per way when the access allocates
    for (let v = 0; v < st.V; v++) {
      if (this.guestMemory[v]!(src, dst, visit)) continue; // STR, LDR: compiled
      const ins = guest.next(src, v);
      if (ins === undefined) continue;
      const ways = guest.allocates(src, v, ins) ? W : 1;
      for (let way = 0; way < ways; way++) {
        for (let k = 0; k < words; k++) dst[k] = src[k]!;
        guest.exec(dst, v, way);
        visit(base.guest + v * W + way);
      }
    }
    // 3.2 neighbour stores
    for (let n = st.A; n < st.addrs; n++) {
      if (st.latest(src, n) !== 0) continue;
      for (let p = 0; p < P; p++) {
        const ways = st.find(src, p, n) >= 0 ? 1 : W;
        for (let way = 0; way < ways; way++) {
          for (let k = 0; k < words; k++) dst[k] = src[k]!;
          guest.nbStore(dst, n, p, way);
          visit(base.nbStore + ((n - st.A) * P + p) * W + way);
        }
      }
    }
    // 3.3 hardware: compiled for this configuration
    this.hardware(src, dst, visit);
    // 3.4 scheduler: unfinished vCPUs to free pCPUs, if the policy allows
    if (this.migrations) {
      this.migrations(src, dst, visit);
      return;
    }
    let occupied = 0;
    for (let v = 0; v < st.V; v++) occupied |= 1 << st.pcpu(src, v);
    for (let v = 0; v < st.V; v++) {
      if (st.pc(src, v) >= st.programs[v]!.length) continue;
      for (let to = 0; to < P; to++) {
        if (occupied & (1 << to)) continue;
        for (let k = 0; k < words; k++) dst[k] = src[k]!;
        if (sched.migrate(dst, v, to)) visit(base.migrate + v * P + to);
      }
    }
  }
}
