/**
 * The set/way model: hardware, guest (with the neighbour), scheduler and a
 * policy plug-in composed into one `Model` over packed states.
 *
 * At build time every action of the finite universe is compiled, through an
 * exhaustive ts-pattern match, into a step closure; the search loop then just
 * calls `steps[i](src, dst)`.
 */
import { OrderedMap } from 'immutable';
import { match } from 'ts-pattern';
import { ActionModel, type StepFn } from '../../explorer/action-model.ts';
import type { ActionLabel, StateView, Value } from '../../explorer/model.ts';
import type { SetwayAction } from './actions.ts';
import { Guest, instrText } from './guest.ts';
import { SetwayHardware } from './hardware.ts';
import { PolicyRunner } from './hyp.ts';
import type { SetwayParams } from './params.ts';
import { initialCacheOn } from './params.ts';
import type { SetwayPolicy } from './policy.ts';
import { Scheduler } from './scheduler.ts';
import { SuccessorGenerator } from './successors.ts';
import { PcpuSymmetry } from './symmetry.ts';
import { SYS_CLEAN, SYS_DIRTY, SetwayState } from './state.ts';

export interface SetwayModelOptions {
  /** Run every policy hook twice and compare (for policies loaded from files). */
  readonly checkPolicy?: boolean;
}

export class SetwayModel extends ActionModel<SetwayAction> {
  readonly name = 'setway';
  readonly st: SetwayState;
  readonly hw: SetwayHardware;
  readonly guest: Guest;
  readonly sched: Scheduler;
  readonly words: number;
  private readonly generator: SuccessorGenerator;
  private readonly symmetry: PcpuSymmetry;

  constructor(
    readonly params: SetwayParams,
    readonly policy: SetwayPolicy,
    options: SetwayModelOptions = {},
  ) {
    super();
    this.st = new SetwayState(params, policy.state);
    this.hw = new SetwayHardware(this.st);
    const runner = new PolicyRunner(policy, this.st, this.hw, options.checkPolicy ?? false);
    this.guest = new Guest(this.st, this.hw, runner);
    this.sched = new Scheduler(this.st, runner);
    this.words = this.st.words;
    this.defineActions(universe(this.st), (a) => this.compile(a));
    this.generator = new SuccessorGenerator(this.st, this.guest, this.sched, this.actions, policy.onMigrate !== undefined);
    this.symmetry = new PcpuSymmetry(this.st);
  }

  canonicalize(s: Uint32Array): void {
    this.symmetry.canonicalize(s);
  }

  forEachSuccessor(src: Uint32Array, dst: Uint32Array, visit: (i: number) => void): void {
    this.generator.run(src, dst, visit);
  }

  initial(out: Uint32Array): void {
    const st = this.st;
    out.fill(0);
    for (let v = 0; v < st.V; v++) {
      st.setPcpu(out, v, v);
      st.setCacheOn(out, v, initialCacheOn(this.params.program));
    }
  }

  /** Turn one action into its step function (enabledness on src, effect on a copy in dst). */
  private compile(a: SetwayAction): StepFn {
    const { st, hw, guest, sched } = this;
    return match(a)
      .with({ kind: 'guest' }, ({ vcpu, way }) => (src: Uint32Array, dst: Uint32Array) => {
        if (!guest.enabled(src, vcpu, way)) return false;
        dst.set(src);
        guest.exec(dst, vcpu, way);
        return true;
      })
      .with({ kind: 'nbStore' }, ({ addr, pcpu, way }) => (src: Uint32Array, dst: Uint32Array) => {
        if (!guest.nbEnabled(src, addr, pcpu, way)) return false;
        dst.set(src);
        guest.nbStore(dst, addr, pcpu, way);
        return true;
      })
      .with({ kind: 'evict' }, ({ pcpu, set, way }) => {
        const slot = st.slot(pcpu, set, way);
        return (src: Uint32Array, dst: Uint32Array) => {
          if (st.tag(src, slot) === 0) return false;
          dst.set(src);
          hw.evictSlot(dst, slot);
          return true;
        };
      })
      .with({ kind: 'sysEvict' }, ({ addr }) => (src: Uint32Array, dst: Uint32Array) => {
        if (!hw.sysEvictEnabled(src, addr)) return false;
        dst.set(src);
        hw.sysEvict(dst, addr);
        return true;
      })
      .with({ kind: 'specFill' }, ({ pcpu, addr, way }) => (src: Uint32Array, dst: Uint32Array) => {
        if (!hw.specFillEnabled(src, pcpu, addr)) return false;
        dst.set(src);
        hw.specFill(dst, pcpu, addr, way);
        return true;
      })
      .with({ kind: 'sysFill' }, ({ addr }) => (src: Uint32Array, dst: Uint32Array) => {
        if (!hw.sysFillEnabled(src, addr)) return false;
        dst.set(src);
        hw.sysFill(dst, addr);
        return true;
      })
      .with({ kind: 'lineMove' }, ({ from, to, addr, way }) => (src: Uint32Array, dst: Uint32Array) => {
        if (!hw.lineMoveEnabled(src, from, to, addr)) return false;
        dst.set(src);
        hw.lineMove(dst, from, to, addr, way);
        return true;
      })
      .with({ kind: 'migrate' }, ({ vcpu, to }) => (src: Uint32Array, dst: Uint32Array) => {
        if (!sched.enabled(src, vcpu, to)) return false;
        dst.set(src);
        return sched.migrate(dst, vcpu, to);
      })
      .exhaustive();
  }

  label(src: Uint32Array, i: number): ActionLabel {
    const { st, guest } = this;
    const name = (a: number) => st.addrName(a);
    const wayNote = (way: number) => (st.W > 1 ? ` way=${way}` : '');
    return match(this.actions[i]!)
      .with({ kind: 'guest' }, ({ vcpu, way }) => {
        const ins = guest.next(src, vcpu);
        if (ins === undefined) return { actor: `v${vcpu}`, text: '(finished)' };
        let text = instrText(ins, name);
        if (ins.op === 'LDR') {
          const r = guest.readValue(src, vcpu, ins.addr);
          const latest = st.latest(src, ins.addr);
          text += ` -> ${r}` + (r !== latest ? ` (stale: latest is ${latest})` : '');
        }
        if (guest.allocates(src, vcpu, ins)) text += wayNote(way);
        return { actor: `v${vcpu}`, text };
      })
      .with({ kind: 'nbStore' }, ({ addr, pcpu, way }) => ({
        actor: 'nb',
        text: `STR ${name(addr)} on p${pcpu}` + (st.find(src, pcpu, addr) < 0 ? wayNote(way) : ''),
      }))
      .with({ kind: 'evict' }, ({ pcpu, set, way }) => ({ actor: `p${pcpu}`, text: `evict set=${set} way=${way}` }))
      .with({ kind: 'sysEvict' }, ({ addr }) => ({ actor: 'sys', text: `evict ${name(addr)}` }))
      .with({ kind: 'specFill' }, ({ pcpu, addr, way }) => ({ actor: `p${pcpu}`, text: `specFill ${name(addr)} way=${way}` }))
      .with({ kind: 'sysFill' }, ({ addr }) => ({ actor: 'sys', text: `fill ${name(addr)}` }))
      .with({ kind: 'lineMove' }, ({ from, to, addr, way }) => ({
        actor: `p${from}`,
        text: `lineMove ${name(addr)} -> p${to} way=${way}`,
      }))
      .with({ kind: 'migrate' }, ({ vcpu, to }) => ({ actor: 'sched', text: `migrate v${vcpu} p${st.pcpu(src, vcpu)}->p${to}` }))
      .exhaustive();
  }

  whyDisabled(src: Uint32Array, i: number): string {
    const { st, hw, guest, sched } = this;
    const name = (a: number) => st.addrName(a);
    const probe = new Uint32Array(this.words);
    return match(this.actions[i]!)
      .with({ kind: 'guest' }, ({ vcpu, way }) => {
        const ins = guest.next(src, vcpu);
        if (ins === undefined) return `v${vcpu} has finished its program`;
        return `way ${way} is a choice only when ${instrText(ins, name)} misses in p${st.pcpu(src, vcpu)}'s cache and allocates`;
      })
      .with({ kind: 'nbStore' }, ({ addr, pcpu }) =>
        st.latest(src, addr) !== 0
          ? `${name(addr)} has already been written`
          : `p${pcpu}'s cache already holds ${name(addr)}, so no way is chosen`,
      )
      .with({ kind: 'evict' }, ({ pcpu, set, way }) => `slot p${pcpu} set=${set} way=${way} is empty`)
      .with({ kind: 'sysEvict' }, ({ addr }) => `sys[${name(addr)}] is empty`)
      .with({ kind: 'specFill' }, ({ pcpu, addr }) =>
        !hw.canSpeculate(src, pcpu, addr)
          ? `p${pcpu} cannot speculate ${name(addr)} (no vCPU there has its caches on)`
          : st.find(src, pcpu, addr) >= 0
            ? `p${pcpu}'s cache already holds ${name(addr)}`
            : `some cache holds ${name(addr)} dirty`,
      )
      .with({ kind: 'sysFill' }, ({ addr }) =>
        st.sysKind(src, addr) !== 0 ? `sys[${name(addr)}] is not empty` : `no pCPU can speculate ${name(addr)}`,
      )
      .with({ kind: 'lineMove' }, ({ from, to, addr }) => {
        const k = st.find(src, from, addr);
        if (k < 0 || !st.dirty(src, k)) return `p${from}'s cache does not hold ${name(addr)} dirty`;
        if (!hw.canSpeculate(src, to, addr)) return `p${to} cannot speculate ${name(addr)}`;
        return `p${to}'s cache already holds ${name(addr)}`;
      })
      .with({ kind: 'migrate' }, ({ vcpu, to }) =>
        sched.enabled(src, vcpu, to) && !this.step(src, i, probe)
          ? `the policy forbids migrating v${vcpu} to p${to}`
          : sched.whyDisabled(src, vcpu, to),
      )
      .exhaustive();
  }

  view(s: Uint32Array): StateView {
    const st = this.st;
    const entries: [string, Value][] = [];
    for (let a = 0; a < st.addrs; a++) {
      const n = st.addrName(a);
      entries.push([`ram[${n}]`, st.ram(s, a)]);
      if (st.sysCache) {
        const k = st.sysKind(s, a);
        entries.push([`sys[${n}]`, k === SYS_CLEAN ? `clean ${st.sysVal(s, a)}` : k === SYS_DIRTY ? `dirty ${st.sysVal(s, a)}` : 'empty']);
      }
    }
    for (let p = 0; p < st.P; p++)
      for (let set = 0; set < st.S; set++)
        for (let w = 0; w < st.W; w++) {
          const k = st.slot(p, set, w);
          const tag = st.tag(s, k);
          entries.push([
            `cache[p${p}][${set}][${w}]`,
            tag === 0 ? 'empty' : `${st.addrName(st.addrOf(set, tag))} ${st.dirty(s, k) ? 'dirty' : 'clean'} ${st.val(s, k)}`,
          ]);
        }
    for (let a = 0; a < st.addrs; a++) entries.push([`latest[${st.addrName(a)}]`, st.latest(s, a)]);
    for (let v = 0; v < st.V; v++) {
      entries.push([`v${v}.pc`, st.pc(s, v)]);
      entries.push([`v${v}.pcpu`, `p${st.pcpu(s, v)}`]);
      entries.push([`v${v}.cacheOn`, st.cacheOn(s, v)]);
      entries.push([`v${v}.tvm`, st.tvm(s, v)]);
      entries.push([`v${v}.stale`, st.stale(s, v)]);
      for (const k of st.vcpuVarNames) entries.push([`v${v}.${k}`, st.layout.get(s, st.vcpuVarField(v, k))]);
    }
    for (let p = 0; p < st.P; p++)
      for (const k of st.pcpuVarNames) entries.push([`p${p}.${k}`, st.layout.get(s, st.pcpuVarField(p, k))]);
    return OrderedMap(entries);
  }
}

/** The finite action universe of a configuration, in a fixed order. */
function universe(st: SetwayState): SetwayAction[] {
  const out: SetwayAction[] = [];
  for (let v = 0; v < st.V; v++) for (let way = 0; way < st.W; way++) out.push({ kind: 'guest', vcpu: v, way });
  for (let addr = st.A; addr < st.addrs; addr++)
    for (let pcpu = 0; pcpu < st.P; pcpu++) for (let way = 0; way < st.W; way++) out.push({ kind: 'nbStore', addr, pcpu, way });
  for (let pcpu = 0; pcpu < st.P; pcpu++)
    for (let set = 0; set < st.S; set++) for (let way = 0; way < st.W; way++) out.push({ kind: 'evict', pcpu, set, way });
  if (st.sysCache) for (let addr = 0; addr < st.addrs; addr++) out.push({ kind: 'sysEvict', addr });
  for (let pcpu = 0; pcpu < st.P; pcpu++)
    for (let addr = 0; addr < st.addrs; addr++) for (let way = 0; way < st.W; way++) out.push({ kind: 'specFill', pcpu, addr, way });
  if (st.sysCache) for (let addr = 0; addr < st.addrs; addr++) out.push({ kind: 'sysFill', addr });
  for (let from = 0; from < st.P; from++)
    for (let to = 0; to < st.P; to++) {
      if (to === from) continue;
      for (let addr = 0; addr < st.addrs; addr++)
        for (let way = 0; way < st.W; way++) out.push({ kind: 'lineMove', from, to, addr, way });
    }
  for (let vcpu = 0; vcpu < st.V; vcpu++) for (let to = 0; to < st.P; to++) out.push({ kind: 'migrate', vcpu, to });
  return out;
}
