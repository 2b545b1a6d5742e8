/**
 * The hypervisor-policy plug-in interface of the set/way model.
 *
 * A policy reacts to three events: a trapped guest set/way operation, a
 * trapped SCTLR write, and a scheduler migration (before it happens). It acts
 * only through `Hyp`, the hypervisor's view of the machine: clean/invalidate
 * by VA to PoC, set/way maintenance on any pCPU's slot or whole cache, the
 * vCPU's SCTLR cache state and HCR_EL2.TVM, and its own small bookkeeping,
 * which the policy declares (name -> largest value) and which becomes part of
 * the state and of its fingerprint. The built-in policies use exactly this
 * interface.
 *
 * Rules: hooks must be deterministic functions of what `Hyp` shows (no module
 * state, no randomness, no clock) and must not throw. hvmc runs every hook of
 * a policy loaded from a file twice and stops with exit code 2 when the two
 * runs disagree or a hook throws.
 */
import type { SetWayOp } from './hardware.ts';
import type { PolicyStateDecl } from './state.ts';
import type { Exhaustive } from '../core/capability.ts';

export type { SetWayOp } from './hardware.ts';
export type { PolicyStateDecl } from './state.ts';

export interface Geometry {
  readonly pcpus: number;
  readonly vcpus: number;
  /** Guest addresses 0..lines-1 (flushVM and the VA operations act on these). */
  readonly lines: number;
  readonly neighborLines: number;
  readonly sets: number;
  readonly ways: number;
  readonly systemCache: boolean;
}

/** What a policy hook can see and do. */
export interface Hyp {
  /** The vCPU that trapped, or that the scheduler is migrating. */
  readonly vcpu: number;
  /** The pCPU that vCPU is on (for a migration: the pCPU it leaves). */
  readonly pcpu: number;
  readonly geometry: Geometry;

  /** SCTLR.M and SCTLR.C of the current vCPU both set. */
  readonly cacheOn: boolean;
  setCacheOn(on: boolean): void;
  /** HCR_EL2.TVM for the current vCPU (its SCTLR writes are trapped to the policy). */
  readonly tvm: boolean;
  setTvm(on: boolean): void;

  /** Clean and invalidate every guest address by VA to PoC (broadcast: all pCPUs and the system cache). */
  flushVM(): void;
  /** DC CIVAC on one guest address. */
  cleanInvalidateVA(addr: number): void;
  /** DC CVAC on one guest address. */
  cleanVA(addr: number): void;
  /** DC IVAC on one guest address (discards dirty data). */
  invalidateVA(addr: number): void;
  /** A set/way operation executed by hardware on one slot of `pcpu`'s private cache. */
  setWay(op: SetWayOp, pcpu: number, set: number, way: number): void;
  /** The same on every slot of `pcpu`'s private cache. */
  setWayAll(op: SetWayOp, pcpu: number): void;

  /** The vCPU running on `pcpu`, or -1. */
  vcpuOn(pcpu: number): number;
  /** Another vCPU's cache state and TVM bit (read-only). */
  cacheOnOf(vcpu: number): boolean;
  tvmOf(vcpu: number): boolean;

  /** The current vCPU's bookkeeping variable `name` (declared in `state.perVcpu`). */
  get(name: string): number;
  set(name: string, value: number): void;
  getVcpu(vcpu: number, name: string): number;
  setVcpu(vcpu: number, name: string, value: number): void;
  /** A pCPU's bookkeeping variable `name` (declared in `state.perPcpu`). */
  getPcpu(pcpu: number, name: string): number;
  setPcpu(pcpu: number, name: string, value: number): void;
}

export interface SetwayPolicy {
  readonly model: 'setway';
  readonly name: string;
  readonly description: string;
  /** Bookkeeping the policy keeps; part of the state. */
  readonly state?: PolicyStateDecl;
  /** A guest `DC ISW|CSW|CISW set way` (HCR_EL2.TSW). Not trapping = doing `hyp.setWay(op, hyp.pcpu, set, way)`. */
  onSetWay(hyp: Hyp, op: SetWayOp, set: number, way: number): void;
  /** A guest SCTLR write turning its caches on or off. Not trapping = `hyp.setCacheOn(on)`. */
  onSctlr(hyp: Hyp, on: boolean): void;
  /**
   * The scheduler is about to move `hyp.vcpu` from `hyp.pcpu` to `to`.
   * Return false to forbid it (then nothing the hook did takes effect).
   */
  onMigrate?(hyp: Hyp, to: number): boolean | void;
}

/** Identity helper that gives a policy file its types: `export default definePolicy({...})`. */
export function definePolicy(p: SetwayPolicy): SetwayPolicy {
  return p;
}

/** Every member of Hyp: what a policy file's hooks receive (model/core/capability.ts). */
export const HYP_MEMBERS = [
  'vcpu', 'pcpu', 'geometry', 'cacheOn', 'setCacheOn', 'tvm', 'setTvm', 'flushVM', 'cleanInvalidateVA', 'cleanVA', 'invalidateVA',
  'setWay', 'setWayAll', 'vcpuOn', 'cacheOnOf', 'tvmOf', 'get', 'set', 'getVcpu', 'setVcpu', 'getPcpu', 'setPcpu',
] as const satisfies readonly (keyof Hyp)[];
HYP_MEMBERS satisfies Exhaustive<keyof Hyp, typeof HYP_MEMBERS>;
