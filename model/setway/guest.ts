/**
 * The guest: each vCPU runs its program (spec 3.1); STR and LDR are executed
 * by the hardware, DC by set/way and SCTLR writes go to the policy.
 * The neighbour domain's stores (3.2) live here too: they are guest code of
 * another domain, always cacheable.
 */
import type { SetwayHardware } from './hardware.ts';
import type { PolicyRunner } from './hyp.ts';
import type { Instr } from './params.ts';
import type { SetwayState } from './state.ts';

export class Guest {
  constructor(
    private readonly st: SetwayState,
    private readonly hw: SetwayHardware,
    private readonly policy: PolicyRunner,
  ) {}

  /** The instruction vCPU v executes next, or undefined when it has finished. */
  next(s: Uint32Array, v: number): Instr | undefined {
    return this.st.programs[v]![this.st.pc(s, v)];
  }

  /** Whether executing `ins` on p allocates a line (a cacheable miss): only then is the way a choice. */
  allocates(s: Uint32Array, v: number, ins: Instr): boolean {
    if (ins.op !== 'STR' && ins.op !== 'LDR') return false;
    return this.st.cacheOn(s, v) && this.st.find(s, this.st.pcpu(s, v), ins.addr) < 0;
  }

  enabled(s: Uint32Array, v: number, way: number): boolean {
    const ins = this.next(s, v);
    if (ins === undefined) return false;
    return way === 0 || this.allocates(s, v, ins);
  }

  /** The value an LDR would read now (for labels and for execution). */
  readValue(s: Uint32Array, v: number, a: number): number {
    const st = this.st;
    if (!st.cacheOn(s, v)) return st.ram(s, a);
    const k = st.find(s, st.pcpu(s, v), a);
    return k >= 0 ? st.val(s, k) : this.hw.missValue(s, a);
  }

  /** Execute vCPU v's next instruction in place (enabledness already checked). */
  exec(s: Uint32Array, v: number, way: number): void {
    const st = this.st;
    const ins = this.next(s, v)!;
    const p = st.pcpu(s, v);
    switch (ins.op) {
      case 'STR': {
        const a = ins.addr;
        const x = st.latest(s, a) + 1;
        st.setLatest(s, a, x);
        if (st.cacheOn(s, v)) this.hw.cacheableStore(s, p, a, x, way);
        else st.setRam(s, a, x);
        break;
      }
      case 'LDR': {
        const a = ins.addr;
        const r = this.readValue(s, v, a);
        if (st.cacheOn(s, v) && st.find(s, p, a) < 0) this.hw.place(s, p, a, way, false, r);
        if (r !== st.latest(s, a)) st.setStale(s, v);
        break;
      }
      case 'DC':
        this.policy.setWay(s, v, p, ins.kind, ins.set, ins.way);
        break;
      case 'SCTLR':
        this.policy.sctlr(s, v, p, ins.on);
        break;
      default: {
        const never: never = ins;
        throw new Error(`unknown instruction ${JSON.stringify(never)}`);
      }
    }
    st.setPc(s, v, st.pc(s, v) + 1);
  }

  // --- the neighbour (3.2) ---
  nbEnabled(s: Uint32Array, addr: number, p: number, way: number): boolean {
    return this.st.latest(s, addr) === 0 && (way === 0 || this.st.find(s, p, addr) < 0);
  }

  nbStore(s: Uint32Array, addr: number, p: number, way: number): void {
    this.st.setLatest(s, addr, 1);
    this.hw.cacheableStore(s, p, addr, 1, way);
  }
}

export function instrText(ins: Instr, name: (a: number) => string): string {
  switch (ins.op) {
    case 'STR':
    case 'LDR':
      return `${ins.op} ${name(ins.addr)}`;
    case 'DC':
      return `DC ${ins.kind} set=${ins.set} way=${ins.way}`;
    case 'SCTLR':
      return `SCTLR ${ins.on ? 'on' : 'off'}`;
  }
}
