/**
 * The hypervisor-policy plug-in of the mapcache model: when to ask the IOREQ
 * servers to invalidate their mapcaches after a P2M removal, and which vCPU
 * waits for them.
 */
import type { Exhaustive } from '../core/capability.ts';
export type ReturnPath = 'hypercall' | 'wait' | 'unpause';

export interface McHyp {
  /** The guest vCPU concerned, or -1 for an edit by the toolstack (another domain is current). */
  readonly vcpu: number;
  readonly vcpus: number;
  /** The policy's domain-wide bookkeeping variable. */
  getDomain(name: string): number;
  setDomain(name: string, value: number): void;
  /** A vCPU's bookkeeping variable. */
  getVcpu(vcpu: number, name: string): number;
  setVcpu(vcpu: number, name: string, value: number): void;
}

export interface MapcachePolicy {
  readonly model: 'mapcache';
  readonly name: string;
  readonly description: string;
  /** Bookkeeping: name -> largest value, per domain and per vCPU. */
  readonly state?: { readonly domain?: Readonly<Record<string, number>>; readonly perVcpu?: Readonly<Record<string, number>> };
  /**
   * A RAM page left the guest's P2M (p2m_free_entry). `foreign`: the edit was
   * made by the toolstack, so `p2m->domain != current->domain`.
   */
  onP2mRemove(hyp: McHyp, e: { readonly gfn: number; readonly foreign: boolean }): void;
  /**
   * `hyp.vcpu` is about to run guest code again: after its hypercall, after
   * waiting for the servers, or after the toolstack unpaused the guest. Return
   * true to send every server an invalidate request and make the vCPU wait.
   */
  onReturnToGuest(hyp: McHyp, from: ReturnPath): boolean;
}

export function defineMapcachePolicy(p: MapcachePolicy): MapcachePolicy {
  return p;
}

/** Every member of McHyp: what a policy file's hooks receive (model/core/capability.ts). */
export const MC_HYP_MEMBERS = ['vcpu', 'vcpus', 'getDomain', 'setDomain', 'getVcpu', 'setVcpu'] as const satisfies readonly (keyof McHyp)[];
MC_HYP_MEMBERS satisfies Exhaustive<keyof McHyp, typeof MC_HYP_MEMBERS>;
