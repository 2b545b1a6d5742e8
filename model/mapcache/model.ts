/**
 * Concurrent P2M edits and IOREQ mapcache invalidation (Xen on Arm).
 *
 * A guest with `vcpus` vCPUs gives frames back (decrease_reservation) and
 * repopulates them; IOREQ servers cache gfn -> mfn translations in their
 * mapcaches; a toolstack may remove frames from outside. The policy plug-in
 * decides when servers are asked to invalidate and who waits for them.
 * Frames are named per gfn: the original frame, or the fresh one a
 * repopulation gives. docs/semantics.md lists the choices.
 */
import { OrderedMap } from 'immutable';
import { match } from 'ts-pattern';
import { LayoutModel, type StepFn } from '../../explorer/action-model.ts';
import type { ActionLabel, StateView, Value } from '../../explorer/model.ts';
import { PolicyError } from '../core/errors.ts';
import { runPolicyHook } from '../core/policy-loader.ts';
import type { MapcacheParams } from './params.ts';
import { MC_HYP_MEMBERS, type McHyp, type MapcachePolicy, type ReturnPath } from './policy.ts';
import { capabilityOf } from '../core/capability.ts';

export type MapcacheAction =
  | { readonly kind: 'hcRemove'; readonly vcpu: number; readonly gfn: number }
  | { readonly kind: 'hcPopulate'; readonly vcpu: number; readonly gfn: number }
  | { readonly kind: 'hcOther'; readonly vcpu: number }
  | { readonly kind: 'leave'; readonly vcpu: number }
  | { readonly kind: 'resume'; readonly vcpu: number }
  | { readonly kind: 'unpaused'; readonly vcpu: number }
  | { readonly kind: 'map'; readonly server: number; readonly gfn: number }
  | { readonly kind: 'invalidate'; readonly server: number }
  | { readonly kind: 'pause' }
  | { readonly kind: 'foreignRemove'; readonly gfn: number }
  | { readonly kind: 'unpause' };

/** P2M and mapcache entries. */
export const NONE = 0;
export const ORIG = 1;
export const FRESH = 2;
/** vCPU modes. */
export const GUEST = 0;
export const HCALL = 1;
export const WAIT = 2;
export const RESUME = 3;
const MODES = ['guest', 'hypercall', 'waiting', 'resuming'];

export class MapcacheModel extends LayoutModel<MapcacheAction> {
  readonly name = 'mapcache';
  readonly V: number;
  readonly G: number;
  readonly S: number;
  readonly p2m: number[] = [];
  readonly removedBy: number[] = []; // 0 never, 1+v by vCPU v, V+1 by the toolstack
  readonly mc: number[] = []; // [s * G + g]
  readonly pending: number[] = [];
  readonly mode: number[] = [];
  readonly hc: number[] = []; // 0 none, 1 other, 2+g remove g, 2+G+g populate g
  readonly owes: number[] = []; // ghost bitmask of gfns whose removal this vCPU must see invalidated
  readonly paused: number;
  readonly domVars: Map<string, number> = new Map();
  readonly vcpuVars: Map<string, number[]> = new Map();
  private readonly hyp: Hyp;
  private readonly probe: Uint32Array;

  constructor(
    readonly params: MapcacheParams,
    readonly policy: MapcachePolicy,
    readonly checkPolicy = false,
  ) {
    super();
    const L = this.layout;
    this.V = params.vcpus;
    this.G = params.gfns;
    this.S = params.servers;
    for (let g = 0; g < this.G; g++) {
      this.p2m.push(L.field(`p2m[g${g}]`, 2));
      this.removedBy.push(L.field(`removedBy[g${g}]`, this.V + 1));
    }
    for (let s = 0; s < this.S; s++) {
      for (let g = 0; g < this.G; g++) this.mc.push(L.field(`srv${s}.mapcache[g${g}]`, 2));
      this.pending.push(L.field(`srv${s}.pending`, 1));
    }
    for (let v = 0; v < this.V; v++) {
      this.mode.push(L.field(`v${v}.mode`, 3));
      this.hc.push(L.field(`v${v}.hypercall`, 1 + 2 * this.G));
      this.owes.push(L.field(`v${v}.owes`, (1 << this.G) - 1));
    }
    this.paused = L.field('paused', 1);
    for (const [k, max] of Object.entries(policy.state?.domain ?? {})) this.domVars.set(k, L.field(`dom.${k}`, max));
    for (const [k, max] of Object.entries(policy.state?.perVcpu ?? {})) {
      this.vcpuVars.set(k, [...Array(this.V).keys()].map((v) => L.field(`v${v}.${k}`, max)));
    }
    L.freeze();
    this.probe = new Uint32Array(this.words);
    this.hyp = new Hyp(this);
    const actions: MapcacheAction[] = [];
    for (let vcpu = 0; vcpu < this.V; vcpu++) {
      for (let gfn = 0; gfn < this.G; gfn++) actions.push({ kind: 'hcRemove', vcpu, gfn }, { kind: 'hcPopulate', vcpu, gfn });
      actions.push({ kind: 'hcOther', vcpu }, { kind: 'leave', vcpu }, { kind: 'resume', vcpu }, { kind: 'unpaused', vcpu });
    }
    for (let server = 0; server < this.S; server++) {
      for (let gfn = 0; gfn < this.G; gfn++) actions.push({ kind: 'map', server, gfn });
      actions.push({ kind: 'invalidate', server });
    }
    if (params.toolstack) {
      actions.push({ kind: 'pause' });
      for (let gfn = 0; gfn < this.G; gfn++) actions.push({ kind: 'foreignRemove', gfn });
      actions.push({ kind: 'unpause' });
    }
    this.defineActions(actions, (a) => this.compile(a));
  }

  initial(out: Uint32Array): void {
    out.fill(0);
    for (let g = 0; g < this.G; g++) this.p(out, this.p2m[g]!, ORIG);
  }

  private running(s: Uint32Array, v: number): boolean {
    return this.g(s, this.mode[v]!) === GUEST && this.g(s, this.paused) === 0;
  }
  private anyInHypercall(s: Uint32Array): boolean {
    for (let v = 0; v < this.V; v++) {
      const m = this.g(s, this.mode[v]!);
      if (m === HCALL || m === WAIT) return true;
    }
    return false;
  }
  private anyPending(s: Uint32Array): boolean {
    for (let k = 0; k < this.S; k++) if (this.g(s, this.pending[k]!) === 1) return true;
    return false;
  }
  /** The hypercall that removed g by a vCPU has returned to the guest. */
  private giveBackDone(s: Uint32Array, gfn: number): boolean {
    const by = this.g(s, this.removedBy[gfn]!);
    if (by === 0 || by === this.V + 1) return false;
    return this.g(s, this.hc[by - 1]!) !== 2 + gfn;
  }

  /** The return-to-guest path: the policy may send invalidations and make the vCPU wait. */
  private returnToGuest(s: Uint32Array, v: number, from: ReturnPath): void {
    const wait = this.hyp.returnToGuest(s, v, from);
    if (wait && this.S > 0) {
      for (let k = 0; k < this.S; k++) this.p(s, this.pending[k]!, 1);
      this.p(s, this.mode[v]!, WAIT);
    } else {
      this.p(s, this.mode[v]!, GUEST);
      this.p(s, this.hc[v]!, 0);
    }
  }

  private compile(a: MapcacheAction): StepFn {
    return match(a)
      .with({ kind: 'hcRemove' }, ({ vcpu, gfn }) => (src: Uint32Array, dst: Uint32Array) => {
        if (!this.running(src, vcpu) || this.g(src, this.p2m[gfn]!) !== ORIG || this.g(src, this.removedBy[gfn]!) !== 0) return false;
        dst.set(src);
        this.p(dst, this.p2m[gfn]!, NONE);
        this.p(dst, this.removedBy[gfn]!, vcpu + 1);
        this.p(dst, this.owes[vcpu]!, this.g(dst, this.owes[vcpu]!) | (1 << gfn));
        this.p(dst, this.mode[vcpu]!, HCALL);
        this.p(dst, this.hc[vcpu]!, 2 + gfn);
        this.hyp.p2mRemove(dst, vcpu, gfn, false);
        return true;
      })
      .with({ kind: 'hcPopulate' }, ({ vcpu, gfn }) => (src: Uint32Array, dst: Uint32Array) => {
        if (!this.running(src, vcpu) || this.g(src, this.p2m[gfn]!) !== NONE || !this.giveBackDone(src, gfn)) return false;
        dst.set(src);
        this.p(dst, this.p2m[gfn]!, FRESH);
        this.p(dst, this.mode[vcpu]!, HCALL);
        this.p(dst, this.hc[vcpu]!, 2 + this.G + gfn);
        return true;
      })
      .with({ kind: 'hcOther' }, ({ vcpu }) => (src: Uint32Array, dst: Uint32Array) => {
        if (!this.running(src, vcpu)) return false;
        dst.set(src);
        this.p(dst, this.mode[vcpu]!, HCALL);
        this.p(dst, this.hc[vcpu]!, 1);
        return true;
      })
      .with({ kind: 'leave' }, ({ vcpu }) => (src: Uint32Array, dst: Uint32Array) => {
        if (this.g(src, this.mode[vcpu]!) !== HCALL) return false;
        dst.set(src);
        this.returnToGuest(dst, vcpu, 'hypercall');
        return true;
      })
      .with({ kind: 'resume' }, ({ vcpu }) => (src: Uint32Array, dst: Uint32Array) => {
        if (this.g(src, this.mode[vcpu]!) !== WAIT || this.anyPending(src)) return false;
        dst.set(src);
        this.returnToGuest(dst, vcpu, 'wait');
        return true;
      })
      .with({ kind: 'unpaused' }, ({ vcpu }) => (src: Uint32Array, dst: Uint32Array) => {
        if (this.g(src, this.mode[vcpu]!) !== RESUME || this.g(src, this.paused) === 1) return false;
        dst.set(src);
        this.returnToGuest(dst, vcpu, 'unpause');
        return true;
      })
      .with({ kind: 'map' }, ({ server, gfn }) => {
        const f = this.mc[server * this.G + gfn]!;
        return (src: Uint32Array, dst: Uint32Array) => {
          const now = this.g(src, this.p2m[gfn]!);
          if (now === NONE || this.g(src, f) === now) return false;
          dst.set(src);
          this.p(dst, f, now);
          return true;
        };
      })
      .with({ kind: 'invalidate' }, ({ server }) => (src: Uint32Array, dst: Uint32Array) => {
        if (this.g(src, this.pending[server]!) === 0) return false;
        dst.set(src);
        for (let gfn = 0; gfn < this.G; gfn++) this.p(dst, this.mc[server * this.G + gfn]!, NONE);
        this.p(dst, this.pending[server]!, 0);
        return true;
      })
      .with({ kind: 'pause' }, () => (src: Uint32Array, dst: Uint32Array) => {
        if (this.g(src, this.paused) === 1 || this.anyInHypercall(src)) return false;
        dst.set(src);
        this.p(dst, this.paused, 1);
        return true;
      })
      .with({ kind: 'foreignRemove' }, ({ gfn }) => (src: Uint32Array, dst: Uint32Array) => {
        const paused = this.g(src, this.paused) === 1;
        if ((this.params.pauseForForeign && !paused) || this.g(src, this.p2m[gfn]!) !== ORIG || this.g(src, this.removedBy[gfn]!) !== 0) {
          return false;
        }
        dst.set(src);
        this.p(dst, this.p2m[gfn]!, NONE);
        this.p(dst, this.removedBy[gfn]!, this.V + 1);
        // Every vCPU of the guest owes a foreign removal: with pauseForForeign they are all
        // paused (the spec's case); without it, they may be running guest code right now.
        for (let v = 0; v < this.V; v++) this.p(dst, this.owes[v]!, this.g(dst, this.owes[v]!) | (1 << gfn));
        this.hyp.p2mRemove(dst, -1, gfn, true);
        return true;
      })
      .with({ kind: 'unpause' }, () => (src: Uint32Array, dst: Uint32Array) => {
        if (this.g(src, this.paused) === 0) return false;
        dst.set(src);
        this.p(dst, this.paused, 0);
        for (let v = 0; v < this.V; v++) if (this.g(dst, this.mode[v]!) === GUEST) this.p(dst, this.mode[v]!, RESUME);
        return true;
      })
      .exhaustive();
  }

  frame(x: number, gfn: number): string {
    return x === NONE ? 'none' : x === ORIG ? `mfn${gfn}` : `mfn${gfn}'`;
  }

  label(src: Uint32Array, i: number): ActionLabel {
    const a = this.actions[i]!;
    const outcome = (vcpu: number) => {
      if (!this.step(src, i, this.probe)) return '';
      return this.g(this.probe, this.mode[vcpu]!) === WAIT ? ': invalidate mapcaches, wait' : ': back to guest code';
    };
    return match(a)
      .with({ kind: 'hcRemove' }, ({ vcpu, gfn }) => ({ actor: `v${vcpu}`, text: `hypercall decrease_reservation g${gfn} (removes mfn${gfn})` }))
      .with({ kind: 'hcPopulate' }, ({ vcpu, gfn }) => ({ actor: `v${vcpu}`, text: `hypercall populate_physmap g${gfn} (fresh mfn${gfn}')` }))
      .with({ kind: 'hcOther' }, ({ vcpu }) => ({ actor: `v${vcpu}`, text: 'another hypercall' }))
      .with({ kind: 'leave' }, ({ vcpu }) => ({ actor: `v${vcpu}`, text: `leaves the hypercall${outcome(vcpu)}` }))
      .with({ kind: 'resume' }, ({ vcpu }) => ({ actor: `v${vcpu}`, text: `servers acknowledged${outcome(vcpu)}` }))
      .with({ kind: 'unpaused' }, ({ vcpu }) => ({ actor: `v${vcpu}`, text: `return-to-guest after unpause${outcome(vcpu)}` }))
      .with({ kind: 'map' }, ({ server, gfn }) => ({
        actor: `srv${server}`,
        text: `maps g${gfn} -> ${this.frame(this.g(src, this.p2m[gfn]!), gfn)}`,
      }))
      .with({ kind: 'invalidate' }, ({ server }) => ({ actor: `srv${server}`, text: 'invalidates its mapcache, acknowledges' }))
      .with({ kind: 'pause' }, () => ({ actor: 'toolstack', text: 'pauses the guest' }))
      .with({ kind: 'foreignRemove' }, ({ gfn }) => ({ actor: 'toolstack', text: `removes g${gfn} from the guest's P2M (foreign edit)` }))
      .with({ kind: 'unpause' }, () => ({ actor: 'toolstack', text: 'unpauses the guest' }))
      .exhaustive();
  }

  whyDisabled(src: Uint32Array, i: number): string {
    const a = this.actions[i]!;
    const mode = (v: number) => MODES[this.g(src, this.mode[v]!)]!;
    return match(a)
      .with({ kind: 'hcRemove' }, { kind: 'hcPopulate' }, { kind: 'hcOther' }, ({ vcpu }) =>
        this.running(src, vcpu) ? 'that gfn is not in a state this hypercall can change' : `v${vcpu} is not running guest code (${mode(vcpu)})`,
      )
      .with({ kind: 'leave' }, { kind: 'resume' }, { kind: 'unpaused' }, ({ vcpu }) => `v${vcpu} is ${mode(vcpu)}`)
      .with({ kind: 'map' }, ({ gfn }) => `g${gfn} is unmapped or already cached`)
      .with({ kind: 'invalidate' }, ({ server }) => `srv${server} has no pending request`)
      .with({ kind: 'pause' }, () => 'the guest is paused, or a vCPU is inside a hypercall')
      .with({ kind: 'foreignRemove' }, ({ gfn }) => `g${gfn} cannot be removed now`)
      .with({ kind: 'unpause' }, () => 'the guest is not paused')
      .exhaustive();
  }

  view(s: Uint32Array): StateView {
    const e: [string, Value][] = [];
    for (let g = 0; g < this.G; g++) e.push([`p2m[g${g}]`, this.frame(this.g(s, this.p2m[g]!), g)]);
    for (let k = 0; k < this.S; k++) {
      for (let g = 0; g < this.G; g++) e.push([`srv${k}.mapcache[g${g}]`, this.frame(this.g(s, this.mc[k * this.G + g]!), g)]);
      e.push([`srv${k}.pending`, this.g(s, this.pending[k]!) === 1]);
    }
    for (let v = 0; v < this.V; v++) {
      e.push([`v${v}.mode`, MODES[this.g(s, this.mode[v]!)]!]);
      const owes = this.g(s, this.owes[v]!);
      e.push([`v${v}.owes`, [...Array(this.G).keys()].filter((g) => owes & (1 << g)).map((g) => `g${g}`).join(' ') || '-']);
    }
    e.push(['paused', this.g(s, this.paused) === 1]);
    for (const [k, f] of this.domVars) e.push([`dom.${k}`, this.g(s, f)]);
    for (const [k, fs] of this.vcpuVars) fs.forEach((f, v) => e.push([`v${v}.${k}`, this.g(s, f)]));
    return OrderedMap(e);
  }
}

/** What policy hooks see; one object reused for every call. */
class Hyp implements McHyp {
  private s: Uint32Array = new Uint32Array(0);
  vcpu = -1;
  /** What the hooks get: a capability for policy files, this object for built-ins. */
  private readonly view: McHyp;
  constructor(private readonly m: MapcacheModel) {
    this.view = m.checkPolicy ? capabilityOf<McHyp>(this, MC_HYP_MEMBERS) : this;
  }

  get vcpus(): number {
    return this.m.V;
  }
  private field(f: number | undefined, what: string): number {
    if (f === undefined) throw new PolicyError(`policy ${this.m.policy.name}: no ${what} is declared in its state`);
    return f;
  }
  getDomain(name: string): number {
    return this.m.g(this.s, this.field(this.m.domVars.get(name), `domain variable ${JSON.stringify(name)}`));
  }
  setDomain(name: string, value: number): void {
    this.write(this.field(this.m.domVars.get(name), `domain variable ${JSON.stringify(name)}`), value);
  }
  getVcpu(vcpu: number, name: string): number {
    return this.m.g(this.s, this.field(this.m.vcpuVars.get(name)?.[vcpu], `per-vCPU variable ${JSON.stringify(name)} for v${vcpu}`));
  }
  setVcpu(vcpu: number, name: string, value: number): void {
    this.write(this.field(this.m.vcpuVars.get(name)?.[vcpu], `per-vCPU variable ${JSON.stringify(name)} for v${vcpu}`), value);
  }
  private write(f: number, value: number): void {
    const info = this.m.layout.info(f);
    if (!Number.isInteger(value) || value < 0 || value > info.max) {
      throw new PolicyError(`policy ${this.m.policy.name}: ${info.name} must be an integer 0..${info.max}, got ${String(value)}`);
    }
    this.m.layout.put(this.s, f, value);
  }

  p2mRemove(s: Uint32Array, vcpu: number, gfn: number, foreign: boolean): void {
    this.run(s, vcpu, `onP2mRemove(g${gfn}, ${foreign ? 'foreign' : `by v${vcpu}`})`, () => this.m.policy.onP2mRemove(this.view, { gfn, foreign }));
  }

  returnToGuest(s: Uint32Array, vcpu: number, from: ReturnPath): boolean {
    const r = this.run(s, vcpu, `onReturnToGuest(v${vcpu}, ${from})`, () => this.m.policy.onReturnToGuest(this.view, from));
    if (typeof r !== 'boolean') throw new PolicyError(`policy ${this.m.policy.name}: onReturnToGuest must return true or false, got ${String(r)}`);
    return r;
  }

  private run<R>(s: Uint32Array, vcpu: number, where: string, f: () => R): R {
    this.s = s;
    this.vcpu = vcpu;
    return runPolicyHook(this.m.policy.name, where, s, this.m.checkPolicy, f);
  }
}
