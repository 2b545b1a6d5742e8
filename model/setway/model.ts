/**
 * The set/way model: hardware, guest (with the neighbour), scheduler and a
 * policy plug-in composed into one `Model` over packed states.
 *
 * At build time every action of the finite universe is compiled, through an
 * exhaustive ts-pattern match, into a step closure; the search loop then just
 * calls `steps[i](src, dst)`.
 */
import { OrderedMap } from 'immutable';
import { P, match } from 'ts-pattern';
import { ActionModel, type StepFn } from '../../explorer/action-model.ts';
import type { ActionLabel, StateView, Value } from '../../explorer/model.ts';
import type { SetwayAction } from './actions.ts';
import { HARDWARE_KINDS, compileHardware, hardwareLabel, hardwareUniverse, hardwareWhyDisabled, memoryView } from '../cache/actions.ts';
import { Guest, instrText } from './guest.ts';
import { SetwayHardware } from './hardware.ts';
import { PolicyRunner } from './hyp.ts';
import type { SetwayParams } from './params.ts';
import { initialCacheOn } from './params.ts';
import type { SetwayPolicy } from './policy.ts';
import { Scheduler } from './scheduler.ts';
import { SuccessorGenerator } from './successors.ts';
import { PcpuSymmetry } from './symmetry.ts';
import { SetwayState } from './state.ts';

/** Any hardware action (delegated to model/cache/actions.ts). */
const HARDWARE = { kind: P.union(...HARDWARE_KINDS) } as const;

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
    this.partitionMask = maskOut(this.st, memoryFields(this.st));
    const owner = maskOut(this.st, [...memoryFields(this.st), ...this.st.ramF, ...this.st.pcF]);
    this.ownerMask = owner.some((w) => w !== 0) ? owner : undefined;
  }

  /**
   * Every bit but the caches' (system cache and private caches), which the
   * hardware actions change: the visited set's buckets. As the owner of
   * the parallel search (before `ownerMask`), on ref-e trap-va (to depth 16,
   * 2 workers) it sent 9 % of the successors to another worker and split
   * the states 52/48; masking RAM too sent 7 % but split them 57/43, and
   * masking only the private caches sent 17 %.
   */
  readonly partitionMask: readonly number[];

  /**
   * The partition mask without RAM and the program counters: a guest
   * instruction moves its vCPU's program counter, so with them in, the two
   * orders of a guest step and a cache move end in different workers. On
   * ref-e native (to depth 16, 2 workers) this sends 8.3 % of the successors
   * to the other worker instead of 13.2 %, raises the recent-cache hits from
   * 38 % to 43 % of the successors, and keeps the states split 50/50; the
   * whole count took 117.2 / 120.5 s against 133.0 / 133.6 s (alternating).
   * No gain on trap-va, which it splits 46/54. None when nothing would be
   * left.
   */
  readonly ownerMask: readonly number[] | undefined;

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
      .with(HARDWARE, (h) => compileHardware(st, hw, h))
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
      .with(HARDWARE, (h) => hardwareLabel(st, h))
      .with({ kind: 'migrate' }, ({ vcpu, to }) => ({ actor: 'sched', text: `migrate v${vcpu} p${st.pcpu(src, vcpu)}->p${to}` }))
      .exhaustive();
  }

  whyDisabled(src: Uint32Array, i: number): string {
    const { st, guest, sched } = this;
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
      .with(HARDWARE, (h) => hardwareWhyDisabled(st, src, h, 'no vCPU there has its caches on'))
      .with({ kind: 'migrate' }, ({ vcpu, to }) =>
        sched.enabled(src, vcpu, to) && !this.step(src, i, probe)
          ? `the policy forbids migrating v${vcpu} to p${to}`
          : sched.whyDisabled(src, vcpu, to),
      )
      .exhaustive();
  }

  view(s: Uint32Array): StateView {
    const st = this.st;
    const entries: [string, Value][] = memoryView(st, s, st.addrs);
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
  out.push(...hardwareUniverse(st, st.addrs));
  for (let vcpu = 0; vcpu < st.V; vcpu++) for (let to = 0; to < st.P; to++) out.push({ kind: 'migrate', vcpu, to });
  return out;
}

/** The caches' fields (system cache and private caches), which the hardware actions change. */
function memoryFields(st: SetwayState): number[] {
  return [st.sysKindF, st.sysValF, st.tagF, st.dirtyF, st.valF].flat();
}

/** Every bit of a state but those of `fields`. */
function maskOut(st: SetwayState, fields: readonly number[]): number[] {
  const mask = new Array<number>(st.words).fill(0xffffffff);
  for (const f of fields) {
    const { word, shift, bits } = st.layout.info(f);
    if (bits === 0) continue;
    mask[word] = (mask[word]! & ~((bits === 32 ? 0xffffffff : 2 ** bits - 1) * 2 ** shift)) >>> 0;
  }
  return mask;
}
