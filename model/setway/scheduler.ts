/** The scheduler (spec 3.4): migrates an unfinished vCPU to a free pCPU, if the policy allows. */
import type { PolicyRunner } from './hyp.ts';
import type { SetwayState } from './state.ts';

export class Scheduler {
  constructor(
    private readonly st: SetwayState,
    private readonly policy: PolicyRunner,
  ) {}

  /** Precondition of `migrate v p->q` before the policy is asked. */
  enabled(s: Uint32Array, v: number, q: number): boolean {
    const st = this.st;
    return st.pc(s, v) < st.programs[v]!.length && st.pcpu(s, v) !== q && st.vcpuOn(s, q) < 0;
  }

  whyDisabled(s: Uint32Array, v: number, q: number): string {
    const st = this.st;
    if (st.pc(s, v) >= st.programs[v]!.length) return `v${v} has finished its program`;
    if (st.pcpu(s, v) === q) return `v${v} already runs on p${q}`;
    const u = st.vcpuOn(s, q);
    if (u >= 0) return `v${u} runs on p${q}`;
    return `the policy forbids the migration`;
  }

  /** Migrate in place; false when the policy forbids it (the state is then garbage). */
  migrate(s: Uint32Array, v: number, q: number): boolean {
    if (!this.policy.migrate(s, v, this.st.pcpu(s, v), q)) return false;
    this.st.setPcpu(s, v, q);
    return true;
  }
}
