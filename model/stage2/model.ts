/**
 * The stage2 model: guest memory that the host wrote. The shared memory
 * system (model/cache/) over machine frames, the stage-2 table gfn -> frame,
 * one guest vCPU running a short program, the host (VMM, host kernel or Xen)
 * loading images, breaking copy-on-write and reallocating frames, a
 * non-coherent DMA master, and a policy plug-in deciding the cache
 * maintenance. docs/semantics.md ("stage2") says what every action does.
 */
import { OrderedMap } from 'immutable';
import { P, match } from 'ts-pattern';
import { ActionModel, type StepFn } from '../../explorer/action-model.ts';
import type { ActionLabel, StateView, Value } from '../../explorer/model.ts';
import {
  HARDWARE_KINDS,
  type HardwareAction,
  compileHardware,
  hardwareLabel,
  hardwareUniverse,
  hardwareWhyDisabled,
  memoryView,
} from '../cache/actions.ts';
import { Hardware } from '../cache/hardware.ts';
import { PolicyError } from '../core/errors.ts';
import { runPolicyHook } from '../core/policy-loader.ts';
import { type S2Instr, type Stage2Params, instrText } from './params.ts';
import { S2_HYP_MEMBERS, type S2AllocHyp, type Stage2Policy } from './policy.ts';
import { capabilityOf } from '../core/capability.ts';
import { FOREIGN, Stage2State, ZERO } from './state.ts';

/** Any hardware action (delegated to model/cache/actions.ts). */
const HARDWARE = { kind: P.union(...HARDWARE_KINDS) } as const;

export type Stage2Action =
  /** v0 executes its next instruction; `way` is the victim way when it allocates a line. */
  | { readonly kind: 'guest'; readonly way: number }
  /** v0's next access touches an unmapped gfn: stage-2 fault, the policy, then the mapping. */
  | { readonly kind: 'fault' }
  | { readonly kind: 'migrate'; readonly to: number }
  /** The host writes gfn's image through its cacheable mapping on `pcpu`, before the guest runs. */
  | { readonly kind: 'load'; readonly gfn: number; readonly pcpu: number; readonly way: number }
  /** The host breaks copy-on-write on gfn: copies its frame into the spare frame on `pcpu`, repoints stage 2. */
  | { readonly kind: 'cow'; readonly gfn: number; readonly pcpu: number; readonly way: number }
  /** gfn is given the frame another domain freed; the policy scrubs it on `pcpu`. */
  | { readonly kind: 'realloc'; readonly gfn: number; readonly pcpu: number; readonly way: number }
  /** The guest's DMA master reads gfn's frame from RAM. */
  | { readonly kind: 'dmaRead'; readonly gfn: number }
  | HardwareAction;

export class Stage2Model extends ActionModel<Stage2Action> {
  readonly name = 'stage2';
  readonly st: Stage2State;
  readonly hw: Hardware<Stage2State>;
  readonly words: number;
  readonly hcrDC: boolean;
  private readonly hyp: S2HypImpl;

  constructor(
    readonly params: Stage2Params,
    readonly policy: Stage2Policy,
    readonly checkPolicy = false,
  ) {
    super();
    this.st = new Stage2State(params);
    this.hw = new Hardware(this.st);
    this.words = this.st.words;
    this.hcrDC = policy.hcrDC === true;
    this.hyp = new S2HypImpl(this);
    this.defineActions(universe(this.st), (a) => this.compile(a));
  }

  initial(out: Uint32Array): void {
    const st = this.st;
    out.fill(0);
    for (let g = 0; g < st.G; g++) st.put(out, st.backF[g]!, g);
    for (let f = st.G; f < st.M; f++) st.setRam(out, f, FOREIGN);
    st.put(out, st.cacheOnF, st.startsCacheOn ? 1 : 0);
  }

  // --- the guest ---

  next(s: Uint32Array): S2Instr | undefined {
    return this.st.program[this.st.pc(s)];
  }

  /** v0's accesses are cacheable: its MMU and caches are on, or HCR_EL2.DC is set. */
  cacheable(s: Uint32Array): boolean {
    return this.hcrDC || this.st.cacheOn(s);
  }

  /** Whether v0's next instruction allocates a line (a cacheable miss): only then is the way a choice. */
  allocates(s: Uint32Array, ins: S2Instr): boolean {
    if (ins.op === 'SCTLR' || !this.cacheable(s)) return false;
    return this.st.find(s, this.st.pcpu(s), this.st.back(s, ins.gfn)) < 0;
  }

  /** The value v0's LDR of gfn reads now. */
  readValue(s: Uint32Array, g: number): number {
    const st = this.st;
    const f = st.back(s, g);
    if (!this.cacheable(s)) return st.ram(s, f);
    const k = st.find(s, st.pcpu(s), f);
    return k >= 0 ? st.val(s, k) : this.hw.missValue(s, f);
  }

  private guestEnabled(s: Uint32Array, way: number): boolean {
    const ins = this.next(s);
    if (ins === undefined) return false;
    if (ins.op !== 'SCTLR' && !this.st.mapped(s, ins.gfn)) return false;
    return way === 0 || this.allocates(s, ins);
  }

  private exec(s: Uint32Array, way: number): void {
    const { st, hw } = this;
    const pc = st.pc(s);
    const ins = st.program[pc]!;
    const p = st.pcpu(s);
    match(ins)
      .with({ op: 'STR' }, ({ gfn }) => {
        const f = st.back(s, gfn);
        const x = st.strValue(pc);
        st.put(s, st.latestF[gfn]!, x);
        if (this.cacheable(s)) hw.cacheableStore(s, p, f, x, way);
        else st.setRam(s, f, x);
      })
      .with({ op: 'LDR' }, ({ gfn }) => {
        const f = st.back(s, gfn);
        const r = this.readValue(s, gfn);
        if (this.cacheable(s) && st.find(s, p, f) < 0) hw.place(s, p, f, way, false, r);
        if (r !== st.latest(s, gfn) && st.get(s, st.staleReadF) === 0) st.put(s, st.staleReadF, 1 + gfn * st.NV + r);
        if (r === FOREIGN && st.get(s, st.leakF) === 0) st.put(s, st.leakF, 1 + gfn * 2);
      })
      .with({ op: 'SCTLR' }, ({ on }) => st.put(s, st.cacheOnF, on ? 1 : 0))
      .exhaustive();
    st.put(s, st.pcF, pc + 1);
  }

  /** The gfn v0's next instruction touches while it is unmapped, or -1. */
  faultingGfn(s: Uint32Array): number {
    const ins = this.next(s);
    if (ins === undefined || ins.op === 'SCTLR') return -1;
    return this.st.mapped(s, ins.gfn) ? -1 : ins.gfn;
  }

  // --- the host ---

  private loadEnabled(s: Uint32Array, g: number, p: number, way: number): boolean {
    const st = this.st;
    if (!this.params.load || st.started(s) || st.latest(s, g) === st.imageValue(g)) return false;
    return way === 0 || st.find(s, p, st.back(s, g)) < 0;
  }

  private cowEnabled(s: Uint32Array, g: number, p: number, way: number): boolean {
    const st = this.st;
    if (st.cowFrame < 0 || st.get(s, st.cowDoneF) === 1 || !st.mapped(s, g) || st.isGuestWrite(st.latest(s, g))) return false;
    return way === 0 || st.find(s, p, st.cowFrame) < 0;
  }

  private reallocEnabled(s: Uint32Array, way: number): boolean {
    const st = this.st;
    if (st.reallocFrame < 0 || st.get(s, st.reallocDoneF) === 1) return false;
    // The way is a choice only if the scrub allocates; a policy that does not scrub makes equal successors.
    return way === 0 || st.W > 1;
  }

  private compile(a: Stage2Action): StepFn {
    const { st, hw, hyp } = this;
    return match(a)
      .with({ kind: 'guest' }, ({ way }) => (src: Uint32Array, dst: Uint32Array) => {
        if (!this.guestEnabled(src, way)) return false;
        dst.set(src);
        this.exec(dst, way);
        return true;
      })
      .with({ kind: 'fault' }, () => (src: Uint32Array, dst: Uint32Array) => {
        const g = this.faultingGfn(src);
        if (g < 0) return false;
        dst.set(src);
        hyp.call(dst, g, st.back(dst, g), st.pcpu(dst), 0, 'onStage2Fault', this.policy.onStage2Fault);
        st.put(dst, st.mappedF[g]!, 1);
        return true;
      })
      .with({ kind: 'migrate' }, ({ to }) => (src: Uint32Array, dst: Uint32Array) => {
        if (st.pc(src) >= st.program.length || st.pcpu(src) === to) return false;
        dst.set(src);
        st.put(dst, st.pcpuF, to);
        return true;
      })
      .with({ kind: 'load' }, ({ gfn, pcpu, way }) => (src: Uint32Array, dst: Uint32Array) => {
        if (!this.loadEnabled(src, gfn, pcpu, way)) return false;
        dst.set(src);
        const f = st.back(dst, gfn);
        const x = st.imageValue(gfn);
        st.put(dst, st.latestF[gfn]!, x);
        hw.cacheableStore(dst, pcpu, f, x, way);
        hyp.call(dst, gfn, f, pcpu, way, 'onHostWrite', this.policy.onHostWrite);
        return true;
      })
      .with({ kind: 'cow' }, ({ gfn, pcpu, way }) => (src: Uint32Array, dst: Uint32Array) => {
        if (!this.cowEnabled(src, gfn, pcpu, way)) return false;
        dst.set(src);
        const old = st.back(dst, gfn);
        const k = st.find(dst, pcpu, old);
        const v = k >= 0 ? st.val(dst, k) : hw.missValue(dst, old);
        hw.cacheableStore(dst, pcpu, st.cowFrame, v, way);
        st.put(dst, st.cowDoneF, 1);
        hyp.call(dst, gfn, st.cowFrame, pcpu, way, 'onCowRemap', this.policy.onCowRemap);
        st.put(dst, st.backF[gfn]!, st.cowFrame);
        return true;
      })
      .with({ kind: 'realloc' }, ({ gfn, pcpu, way }) => (src: Uint32Array, dst: Uint32Array) => {
        if (!this.reallocEnabled(src, way)) return false;
        dst.set(src);
        st.put(dst, st.mappedF[gfn]!, 0);
        st.put(dst, st.reallocDoneF, 1);
        hyp.call(dst, gfn, st.reallocFrame, pcpu, way, 'onAllocate', this.policy.onAllocate ?? defaultAllocate);
        st.put(dst, st.backF[gfn]!, st.reallocFrame);
        st.put(dst, st.latestF[gfn]!, ZERO);
        return true;
      })
      .with({ kind: 'dmaRead' }, ({ gfn }) => (src: Uint32Array, dst: Uint32Array) => {
        if (!this.params.dma || !st.mapped(src, gfn)) return false;
        dst.set(src);
        const r = st.ram(dst, st.back(dst, gfn));
        const latest = st.latest(dst, gfn);
        if (st.mmuOffWrite[latest] && r !== latest && st.get(dst, st.staleDmaF) === 0) st.put(dst, st.staleDmaF, 1 + gfn * st.NV + r);
        if (r === FOREIGN && st.get(dst, st.leakF) === 0) st.put(dst, st.leakF, 2 + gfn * 2);
        return true;
      })
      .with(HARDWARE, (h) => compileHardware(st, hw, h))
      .exhaustive();
  }

  label(src: Uint32Array, i: number): ActionLabel {
    const st = this.st;
    const val = (v: number) => st.valueName(v);
    const wayNote = (way: number, allocates: boolean) => (st.W > 1 && allocates ? ` way=${way}` : '');
    const frame = (g: number) => `g${g} (m${st.back(src, g)})`;
    return match(this.actions[i]!)
      .with({ kind: 'guest' }, ({ way }) => {
        const ins = this.next(src);
        if (ins === undefined) return { actor: 'v0', text: '(finished)' };
        let text = ins.op === 'SCTLR' ? instrText(ins) : `${ins.op} ${frame(ins.gfn)}`;
        if (ins.op !== 'SCTLR') text += this.cacheable(src) ? ' cacheable' : ' non-cacheable';
        if (ins.op === 'LDR') {
          const r = this.readValue(src, ins.gfn);
          const latest = st.latest(src, ins.gfn);
          text += ` -> ${val(r)}` + (r !== latest ? ` (stale: latest is ${val(latest)})` : '');
        }
        if (ins.op === 'STR') text += ` := ${val(st.strValue(st.pc(src)))}`;
        return { actor: 'v0', text: text + wayNote(way, this.allocates(src, ins)) };
      })
      .with({ kind: 'fault' }, () => {
        const g = this.faultingGfn(src);
        return { actor: 'v0', text: g < 0 ? 'stage-2 fault (none pending)' : `stage-2 fault on g${g}: ${this.policy.name} maps it to m${st.back(src, g)}` };
      })
      .with({ kind: 'migrate' }, ({ to }) => ({ actor: 'sched', text: `migrate v0 p${st.pcpu(src)}->p${to}` }))
      .with({ kind: 'load' }, ({ gfn, pcpu, way }) => ({
        actor: 'host',
        text: `writes image.g${gfn} into ${frame(gfn)} on p${pcpu}, cacheable` + wayNote(way, true),
      }))
      .with({ kind: 'cow' }, ({ gfn, pcpu, way }) => ({
        actor: 'host',
        text: `breaks copy-on-write on ${frame(gfn)}: copies it into m${st.cowFrame} on p${pcpu}, repoints stage 2` + wayNote(way, true),
      }))
      .with({ kind: 'realloc' }, ({ gfn, pcpu, way }) => ({
        actor: 'host',
        text: `gives g${gfn} m${st.reallocFrame}, freed by another domain; ${this.policy.name} scrubs it on p${pcpu}` + wayNote(way, true),
      }))
      .with({ kind: 'dmaRead' }, ({ gfn }) => {
        const r = st.ram(src, st.back(src, gfn));
        const latest = st.latest(src, gfn);
        return { actor: 'dma', text: `reads ${frame(gfn)} from RAM -> ${val(r)}` + (r !== latest ? ` (latest is ${val(latest)})` : '') };
      })
      .with(HARDWARE, (h) => hardwareLabel(st, h))
      .exhaustive();
  }

  whyDisabled(src: Uint32Array, i: number): string {
    const st = this.st;
    return match(this.actions[i]!)
      .with({ kind: 'guest' }, ({ way }) => {
        const ins = this.next(src);
        if (ins === undefined) return 'v0 has finished its program';
        if (ins.op !== 'SCTLR' && !st.mapped(src, ins.gfn)) return `g${ins.gfn} is not mapped at stage 2 (v0 takes a fault first)`;
        return `way ${way} is a choice only when ${instrText(ins)} misses in p${st.pcpu(src)}'s cache and allocates`;
      })
      .with({ kind: 'fault' }, () => 'v0\'s next instruction touches no unmapped gfn')
      .with({ kind: 'migrate' }, ({ to }) =>
        st.pc(src) >= st.program.length ? 'v0 has finished its program' : `v0 already runs on p${to}`,
      )
      .with({ kind: 'load' }, ({ gfn, pcpu }) =>
        !this.params.load
          ? 'load is off'
          : st.started(src)
            ? 'the guest has started running'
            : st.latest(src, gfn) === st.imageValue(gfn)
              ? `g${gfn}'s image is already written`
              : `p${pcpu}'s cache already holds m${st.back(src, gfn)}, so no way is chosen`,
      )
      .with({ kind: 'cow' }, ({ gfn }) =>
        st.cowFrame < 0
          ? 'cow is off'
          : st.get(src, st.cowDoneF) === 1
            ? 'the spare frame is used'
            : !st.mapped(src, gfn)
              ? `g${gfn} is not mapped at stage 2`
              : st.isGuestWrite(st.latest(src, gfn))
                ? `the guest wrote g${gfn}, so it is no longer shared`
                : 'the copy hits in that cache, so no way is chosen',
      )
      .with({ kind: 'realloc' }, () =>
        st.reallocFrame < 0 ? 'realloc is off' : st.get(src, st.reallocDoneF) === 1 ? 'the freed frame is already given' : 'one way only',
      )
      .with({ kind: 'dmaRead' }, ({ gfn }) => (this.params.dma ? `g${gfn} is not mapped at stage 2 (the SMMU shares it)` : 'dma is off'))
      .with(HARDWARE, (h) => hardwareWhyDisabled(st, src, h, 'never: the host maps all RAM'))
      .exhaustive();
  }

  view(s: Uint32Array): StateView {
    const st = this.st;
    const val = (v: number) => st.valueName(v);
    const e: [string, Value][] = memoryView(st, s, st.M, val);
    for (let f = 0; f < st.M; f++) e.push([`owner[m${f}]`, st.owner(s, f)]);
    for (let g = 0; g < st.G; g++) {
      e.push([`s2[g${g}]`, st.mapped(s, g) ? `m${st.back(s, g)}` : 'none']);
      e.push([`back[g${g}]`, `m${st.back(s, g)}`]);
      e.push([`latest[g${g}]`, val(st.latest(s, g))]);
    }
    e.push(['v0.pc', st.pc(s)]);
    e.push(['v0.pcpu', `p${st.pcpu(s)}`]);
    e.push(['v0.cacheOn', st.cacheOn(s)]);
    e.push(['hcr.DC', this.hcrDC]);
    const read = (x: number) => (x === 0 ? '-' : `g${Math.floor((x - 1) / st.NV)} read ${val((x - 1) % st.NV)}`);
    e.push(['ghost.staleRead', read(st.get(s, st.staleReadF))]);
    e.push(['ghost.staleDma', read(st.get(s, st.staleDmaF))]);
    const leak = st.get(s, st.leakF);
    e.push(['ghost.leak', leak === 0 ? '-' : `g${Math.floor((leak - 1) / 2)} by ${(leak - 1) % 2 === 0 ? 'v0' : 'dma'}`]);
    return OrderedMap(e);
  }
}

function defaultAllocate(hyp: S2AllocHyp): void {
  hyp.scrub();
}

function universe(st: Stage2State): Stage2Action[] {
  const out: Stage2Action[] = [];
  for (let way = 0; way < st.W; way++) out.push({ kind: 'guest', way });
  out.push({ kind: 'fault' });
  if (st.P > 1) for (let to = 0; to < st.P; to++) out.push({ kind: 'migrate', to });
  const perGfnPcpuWay = (kind: 'load' | 'cow' | 'realloc') => {
    for (let gfn = 0; gfn < st.G; gfn++)
      for (let pcpu = 0; pcpu < st.P; pcpu++) for (let way = 0; way < st.W; way++) out.push({ kind, gfn, pcpu, way });
  };
  if (st.params.load) perGfnPcpuWay('load');
  if (st.params.cow) perGfnPcpuWay('cow');
  if (st.params.realloc) perGfnPcpuWay('realloc');
  if (st.params.dma) for (let gfn = 0; gfn < st.G; gfn++) out.push({ kind: 'dmaRead', gfn });
  out.push(...hardwareUniverse(st, st.M));
  return out;
}

type Hook = ((hyp: S2AllocHyp) => void) | undefined;

/** What policy hooks see; one object reused for every call. */
class S2HypImpl implements S2AllocHyp {
  private s: Uint32Array = new Uint32Array(0);
  gfn = 0;
  frame = 0;
  pcpu = 0;
  private way = 0;
  private scrubbing = false;
  /** What the hooks get: a capability for policy files, this object for built-ins. */
  private readonly view: S2AllocHyp;
  constructor(private readonly m: Stage2Model) {
    this.view = m.checkPolicy ? capabilityOf<S2AllocHyp>(this, S2_HYP_MEMBERS) : this;
  }

  get guestCachesOn(): boolean {
    return this.m.st.cacheOn(this.s);
  }
  cleanInvalidate(): void {
    this.m.hw.cleanInvalidateVA(this.s, this.frame);
  }
  clean(): void {
    this.m.hw.cleanVA(this.s, this.frame);
  }
  invalidate(): void {
    this.m.hw.invalidateVA(this.s, this.frame);
  }
  scrub(): void {
    if (!this.scrubbing) throw new PolicyError(`policy ${this.m.policy.name}: scrub() is only available in onAllocate`);
    this.m.hw.cacheableStore(this.s, this.pcpu, this.frame, ZERO, this.way);
  }

  call(s: Uint32Array, gfn: number, frame: number, pcpu: number, way: number, where: string, hook: Hook): void {
    if (hook === undefined) return;
    this.s = s;
    this.gfn = gfn;
    this.frame = frame;
    this.pcpu = pcpu;
    this.way = way;
    this.scrubbing = where === 'onAllocate';
    const name = this.m.policy.name;
    runPolicyHook(name, `${where}(g${gfn}, m${frame})`, s, this.m.checkPolicy, () => hook.call(this.m.policy, this.view));
  }
}
