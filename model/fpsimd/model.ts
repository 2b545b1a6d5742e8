/**
 * Lazy FP/SIMD switching for a 32-bit guest (issue: KVM 4.18 forced
 * FPEXC32_EL2.EN on every entry). One vCPU; its guest kernel switches FP
 * state lazily between its tasks by clearing FPEXC.EN; KVM switches the
 * vCPU's FP state lazily against the host's by trapping FP with
 * CPTR_EL2.TFP. The policy plug-in decides TFP and FPEXC32_EL2 on entry.
 * Register contents are tracked by identity: "task t's values" or the host's.
 * docs/semantics.md lists the choices.
 */
import { OrderedMap } from 'immutable';
import { match } from 'ts-pattern';
import { LayoutModel, type StepFn } from '../../explorer/action-model.ts';
import type { ActionLabel, StateView, Value } from '../../explorer/model.ts';
import { PolicyError } from '../core/errors.ts';
import { runPolicyHook } from '../core/policy-loader.ts';
import type { FpsimdParams } from './params.ts';
import { FP_HYP_MEMBERS, type FpHyp, type FpsimdPolicy } from './policy.ts';
import { boolArg, capabilityOf } from '../core/capability.ts';

export type FpsimdAction =
  /** The guest kernel switches to another task and clears FPEXC.EN (lazy FP switch). */
  | { readonly kind: 'switchTask'; readonly to: number }
  /** The running guest task executes a VFP instruction. */
  | { readonly kind: 'vfp' }
  /** The vCPU exits to the host. */
  | { readonly kind: 'exit' }
  /** KVM enters the guest (the policy sets TFP and FPEXC32_EL2). */
  | { readonly kind: 'enter' }
  /** The host uses FP/SIMD on a pCPU (saving the guest's registers if they are there). */
  | { readonly kind: 'hostFp'; readonly pcpu: number }
  /** The scheduler moves the (exited) vCPU to another pCPU. */
  | { readonly kind: 'migrate'; readonly to: number };

export class FpsimdModel extends LayoutModel<FpsimdAction> {
  readonly name = 'fpsimd';
  readonly T: number;
  readonly P: number;
  /** Register contents: 0..T-1 = that task's values, T = the host's. */
  readonly HOST: number;
  // fields
  readonly owner: number[] = []; // per pCPU: 0 host, 1 the vCPU
  readonly regs: number[] = []; // per pCPU: content of its FP registers
  readonly hwEn: number[] = []; // per pCPU: FPEXC32_EL2.EN
  readonly inGuest: number;
  readonly pcpu: number;
  readonly tfp: number;
  readonly saved: number; // the vCPU's saved FP registers (content)
  readonly savedEn: number; // the vCPU's saved FPEXC.EN
  readonly cur: number; // running guest task
  readonly gOwner: number; // the guest kernel's idea of whose values are in the FP registers
  readonly gEn: number; // FPEXC.EN as the guest last wrote it
  readonly taskSave: number[] = []; // per task: the guest's save area (content)
  readonly badTask: number; // ghost: 0, or 1 + the task that ran VFP on someone else's values
  readonly badData: number; // ghost: whose values it saw
  private readonly hyp: HypImpl;

  constructor(
    readonly params: FpsimdParams,
    readonly policy: FpsimdPolicy,
    /** Run the entry hook twice and compare (policies loaded from files). */
    readonly checkPolicy = false,
  ) {
    super();
    const L = this.layout;
    this.T = params.tasks;
    this.P = params.pcpus;
    this.HOST = this.T;
    for (let p = 0; p < this.P; p++) {
      this.owner.push(L.field(`p${p}.fpOwner`, 1));
      this.regs.push(L.field(`p${p}.fpRegs`, this.HOST));
      this.hwEn.push(L.field(`p${p}.fpexc32.EN`, 1));
    }
    this.inGuest = L.field('v0.inGuest', 1);
    this.pcpu = L.field('v0.pcpu', this.P - 1);
    this.tfp = L.field('v0.TFP', 1);
    this.saved = L.field('v0.savedFpRegs', this.HOST);
    this.savedEn = L.field('v0.savedFpexc.EN', 1);
    this.cur = L.field('guest.current', this.T - 1);
    this.gOwner = L.field('guest.fpOwner', this.T - 1);
    this.gEn = L.field('guest.wroteEN', 1);
    for (let t = 0; t < this.T; t++) this.taskSave.push(L.field(`guest.saved[task${t}]`, this.HOST));
    this.badTask = L.field('ghost.badTask', this.T);
    this.badData = L.field('ghost.badData', this.HOST);
    L.freeze();
    const actions: FpsimdAction[] = [];
    for (let to = 0; to < this.T; to++) actions.push({ kind: 'switchTask', to });
    actions.push({ kind: 'vfp' }, { kind: 'exit' }, { kind: 'enter' });
    for (let pcpu = 0; pcpu < this.P; pcpu++) actions.push({ kind: 'hostFp', pcpu });
    for (let to = 0; to < this.P; to++) actions.push({ kind: 'migrate', to });
    this.hyp = new HypImpl(this);
    this.defineActions(actions, (a) => this.compile(a));
  }

  initial(out: Uint32Array): void {
    out.fill(0);
    for (let p = 0; p < this.P; p++) this.p(out, this.regs[p]!, this.HOST);
    this.p(out, this.saved, 0);
    this.p(out, this.savedEn, 1);
    this.p(out, this.gEn, 1);
    for (let t = 0; t < this.T; t++) this.p(out, this.taskSave[t]!, t);
  }

  /** The EN the guest actually runs with: with TFP set, a 0 in hardware UNDEFs first; a 1 traps to KVM, which restores the saved value. */
  effectiveEn(s: Uint32Array): number {
    const p = this.g(s, this.pcpu);
    const hw = this.g(s, this.hwEn[p]!);
    if (this.g(s, this.tfp) === 0) return hw;
    return hw === 0 ? 0 : this.g(s, this.savedEn);
  }

  /** KVM's FP trap handler: load the vCPU's FP registers and FPEXC on its pCPU, stop trapping. */
  private kvmLoad(s: Uint32Array): void {
    const p = this.g(s, this.pcpu);
    this.p(s, this.regs[p]!, this.g(s, this.saved));
    this.p(s, this.hwEn[p]!, this.g(s, this.savedEn));
    this.p(s, this.owner[p]!, 1);
    this.p(s, this.tfp, 0);
  }

  /** The guest's undefined-instruction handler for VFP (lazy switch between its tasks). */
  private guestLazySwitch(s: Uint32Array): void {
    if (this.g(s, this.tfp) === 1) this.kvmLoad(s); // its own FP accesses trap to KVM first
    const p = this.g(s, this.pcpu);
    const cur = this.g(s, this.cur);
    this.p(s, this.taskSave[this.g(s, this.gOwner)]!, this.g(s, this.regs[p]!));
    this.p(s, this.regs[p]!, this.g(s, this.taskSave[cur]!));
    this.p(s, this.gOwner, cur);
    this.p(s, this.hwEn[p]!, 1);
    this.p(s, this.gEn, 1);
  }

  /** What a VFP instruction does now. */
  vfpOutcome(s: Uint32Array): 'el2-trap' | 'el1-undef' | 'executes' {
    const p = this.g(s, this.pcpu);
    const hw = this.g(s, this.hwEn[p]!);
    if (hw === 0) return 'el1-undef';
    return this.g(s, this.tfp) === 1 ? 'el2-trap' : 'executes';
  }

  private compile(a: FpsimdAction): StepFn {
    const inGuest = (s: Uint32Array) => this.g(s, this.inGuest) === 1;
    return match(a)
      .with({ kind: 'switchTask' }, ({ to }) => (src: Uint32Array, dst: Uint32Array) => {
        if (!inGuest(src) || this.g(src, this.cur) === to) return false;
        dst.set(src);
        this.p(dst, this.cur, to);
        if (this.g(dst, this.tfp) === 1) this.kvmLoad(dst); // VMSR FPEXC traps with TFP
        this.p(dst, this.hwEn[this.g(dst, this.pcpu)]!, 0);
        this.p(dst, this.gEn, 0);
        return true;
      })
      .with({ kind: 'vfp' }, () => (src: Uint32Array, dst: Uint32Array) => {
        if (!inGuest(src)) return false;
        dst.set(src);
        const outcome = this.vfpOutcome(src);
        if (outcome === 'el2-trap') this.kvmLoad(dst);
        else if (outcome === 'el1-undef') this.guestLazySwitch(dst);
        else {
          const data = this.g(dst, this.regs[this.g(dst, this.pcpu)]!);
          const cur = this.g(dst, this.cur);
          if (data !== cur && this.g(dst, this.badTask) === 0) {
            this.p(dst, this.badTask, cur + 1);
            this.p(dst, this.badData, data);
          }
        }
        return true;
      })
      .with({ kind: 'exit' }, () => (src: Uint32Array, dst: Uint32Array) => {
        if (!inGuest(src)) return false;
        dst.set(src);
        const p = this.g(dst, this.pcpu);
        if (this.g(dst, this.owner[p]!) === 1) this.p(dst, this.savedEn, this.g(dst, this.hwEn[p]!));
        this.p(dst, this.inGuest, 0);
        return true;
      })
      .with({ kind: 'enter' }, () => (src: Uint32Array, dst: Uint32Array) => {
        if (inGuest(src)) return false;
        dst.set(src);
        this.p(dst, this.inGuest, 1);
        this.hyp.run(dst);
        return true;
      })
      .with({ kind: 'hostFp' }, ({ pcpu }) => (src: Uint32Array, dst: Uint32Array) => {
        if (inGuest(src) && this.g(src, this.pcpu) === pcpu) return false;
        if (this.g(src, this.owner[pcpu]!) === 0 && this.g(src, this.regs[pcpu]!) === this.HOST) return false;
        dst.set(src);
        if (this.g(dst, this.owner[pcpu]!) === 1) this.p(dst, this.saved, this.g(dst, this.regs[pcpu]!));
        this.p(dst, this.owner[pcpu]!, 0);
        this.p(dst, this.regs[pcpu]!, this.HOST);
        return true;
      })
      .with({ kind: 'migrate' }, ({ to }) => (src: Uint32Array, dst: Uint32Array) => {
        if (inGuest(src) || this.g(src, this.pcpu) === to) return false;
        dst.set(src);
        const p = this.g(dst, this.pcpu);
        if (this.g(dst, this.owner[p]!) === 1) {
          this.p(dst, this.saved, this.g(dst, this.regs[p]!));
          this.p(dst, this.owner[p]!, 0);
        }
        this.p(dst, this.pcpu, to);
        return true;
      })
      .exhaustive();
  }

  content(v: number): string {
    return v === this.HOST ? 'host' : `task${v}`;
  }

  label(src: Uint32Array, i: number): ActionLabel {
    const p = this.g(src, this.pcpu);
    return match(this.actions[i]!)
      .with({ kind: 'switchTask' }, ({ to }) => ({ actor: 'guest', text: `switch to task${to} (FPEXC.EN := 0)` }))
      .with({ kind: 'vfp' }, () => {
        const task = `task${this.g(src, this.cur)}`;
        const outcome = this.vfpOutcome(src);
        const text =
          outcome === 'el2-trap'
            ? 'VFP: trap to EL2, KVM loads the FP state'
            : outcome === 'el1-undef'
              ? 'VFP: UNDEF at EL1, the guest switches FP state lazily'
              : `VFP executes on ${this.content(this.g(src, this.regs[p]!))}'s registers`;
        return { actor: task, text };
      })
      .with({ kind: 'exit' }, () => ({ actor: 'v0', text: `exit to the host on p${p}` }))
      .with({ kind: 'enter' }, () => ({ actor: 'kvm', text: `enter the guest on p${p}` }))
      .with({ kind: 'hostFp' }, ({ pcpu }) => ({ actor: 'host', text: `uses FP/SIMD on p${pcpu}` }))
      .with({ kind: 'migrate' }, ({ to }) => ({ actor: 'sched', text: `migrate v0 p${p}->p${to}` }))
      .exhaustive();
  }

  whyDisabled(src: Uint32Array, i: number): string {
    const inGuest = this.g(src, this.inGuest) === 1;
    return match(this.actions[i]!)
      .with({ kind: 'switchTask' }, ({ to }) => (inGuest ? `task${to} is already running` : 'the vCPU is not running guest code'))
      .with({ kind: 'vfp' }, { kind: 'exit' }, () => 'the vCPU is not running guest code')
      .with({ kind: 'enter' }, () => 'the vCPU is already in the guest')
      .with({ kind: 'hostFp' }, ({ pcpu }) =>
        inGuest && this.g(src, this.pcpu) === pcpu ? `the guest runs on p${pcpu}` : `p${pcpu} already holds the host's FP state`,
      )
      .with({ kind: 'migrate' }, ({ to }) => (inGuest ? 'the vCPU is running' : `the vCPU is already on p${to}`))
      .exhaustive();
  }

  view(s: Uint32Array): StateView {
    const e: [string, Value][] = [];
    for (let p = 0; p < this.P; p++) {
      e.push([`p${p}.fpOwner`, this.g(s, this.owner[p]!) === 1 ? 'v0' : 'host']);
      e.push([`p${p}.fpRegs`, this.content(this.g(s, this.regs[p]!))]);
      e.push([`p${p}.FPEXC32_EL2.EN`, this.g(s, this.hwEn[p]!)]);
    }
    e.push(['v0.inGuest', this.g(s, this.inGuest) === 1]);
    e.push(['v0.pcpu', `p${this.g(s, this.pcpu)}`]);
    e.push(['v0.TFP', this.g(s, this.tfp)]);
    e.push(['v0.saved.fpRegs', this.content(this.g(s, this.saved))]);
    e.push(['v0.saved.FPEXC.EN', this.g(s, this.savedEn)]);
    e.push(['guest.current', `task${this.g(s, this.cur)}`]);
    e.push(['guest.fpOwner', `task${this.g(s, this.gOwner)}`]);
    e.push(['guest.wroteEN', this.g(s, this.gEn)]);
    for (let t = 0; t < this.T; t++) e.push([`guest.saved[task${t}]`, this.content(this.g(s, this.taskSave[t]!))]);
    const bad = this.g(s, this.badTask);
    e.push(['ghost.vfpOnWrongRegs', bad === 0 ? 'none' : `task${bad - 1} ran on ${this.content(this.g(s, this.badData))}'s values`]);
    return OrderedMap(e);
  }
}

/** The object policy hooks see; reused for every call. */
class HypImpl implements FpHyp {
  private s: Uint32Array = new Uint32Array(0);
  /** What the hooks get: a capability for policy files, this object for built-ins. */
  private readonly view: FpHyp;
  constructor(private readonly m: FpsimdModel) {
    this.view = m.checkPolicy ? capabilityOf<FpHyp>(this, FP_HYP_MEMBERS) : this;
  }

  run(s: Uint32Array): void {
    this.s = s;
    runPolicyHook(this.m.policy.name, `onEntry(p${this.pcpu})`, s, this.m.checkPolicy, () => this.m.policy.onEntry(this.view));
  }
  private bool(x: unknown, what: string): boolean {
    return boolArg(x, what, (msg) => {
      throw new PolicyError(`policy ${this.m.policy.name}: onEntry(p${this.pcpu}): ${msg}`);
    });
  }
  get pcpu(): number {
    return this.m.g(this.s, this.m.pcpu);
  }
  get fpLoaded(): boolean {
    return this.m.g(this.s, this.m.owner[this.pcpu]!) === 1;
  }
  get tfp(): boolean {
    return this.m.g(this.s, this.m.tfp) === 1;
  }
  setTfp(on: boolean): void {
    this.m.layout.put(this.s, this.m.tfp, this.bool(on, 'setTfp(on)') ? 1 : 0);
  }
  get fpexc32En(): boolean {
    return this.m.g(this.s, this.m.hwEn[this.pcpu]!) === 1;
  }
  setFpexc32En(on: boolean): void {
    this.m.layout.put(this.s, this.m.hwEn[this.pcpu]!, this.bool(on, 'setFpexc32En(on)') ? 1 : 0);
  }
  get savedFpexcEn(): boolean {
    return this.m.g(this.s, this.m.savedEn) === 1;
  }
}
