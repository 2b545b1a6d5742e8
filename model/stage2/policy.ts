/**
 * The hypervisor-policy plug-in of the stage2 model: what the hypervisor (or
 * the host kernel and VMM) does to the caches when the guest's memory is
 * written by someone else, faulted in, copied on write or reallocated.
 *
 * A policy is an object with `model: 'stage2'`, a name and any of the hooks
 * below; a hook that is absent does no cache maintenance (except
 * `onAllocate`, whose default scrubs without maintenance, as Linux's
 * clear_page does). Hooks act through the `S2Hyp` they are given and must
 * depend only on what it shows. docs/policies.md has a worked example.
 */
import type { Exhaustive } from '../core/capability.ts';

export interface S2Hyp {
  /** The guest frame concerned. */
  readonly gfn: number;
  /** The machine frame concerned (the one about to be mapped, copied into, scrubbed or loaded). */
  readonly frame: number;
  /** v0's SCTLR_EL1.M and .C are both set. */
  readonly guestCachesOn: boolean;
  /** The pCPU the hypervisor or host runs this on. */
  readonly pcpu: number;
  /** DC CIVAC over the frame: clean and invalidate to the Point of Coherency (broadcast). */
  cleanInvalidate(): void;
  /** DC CVAC over the frame: clean to the Point of Coherency; copies stay cached, clean. */
  clean(): void;
  /** DC IVAC over the frame: invalidate every cached copy, dirty or not. */
  invalidate(): void;
}

export interface S2AllocHyp extends S2Hyp {
  /** Write zeros over the frame through the hypervisor's cacheable mapping, on `pcpu`. */
  scrub(): void;
}

export interface Stage2Policy {
  readonly model: 'stage2';
  readonly name: string;
  readonly description: string;
  /** HCR_EL2.DC: the guest's MMU-off accesses are Normal, write-back cacheable. */
  readonly hcrDC?: boolean;
  /** The host (VMM or domain builder) has just written an image page into the guest's memory. */
  onHostWrite?(hyp: S2Hyp): void;
  /** The guest touched an unmapped gfn: called before stage 2 maps it to `hyp.frame`. */
  onStage2Fault?(hyp: S2Hyp): void;
  /** The host broke copy-on-write: `hyp.frame` holds the copy; called before stage 2 is repointed at it. */
  onCowRemap?(hyp: S2Hyp): void;
  /** A frame another domain freed is given to the guest; the hook must scrub it. Default: `hyp.scrub()`. */
  onAllocate?(hyp: S2AllocHyp): void;
}

export const STAGE2_HOOKS = ['onHostWrite', 'onStage2Fault', 'onCowRemap', 'onAllocate'] as const;

export function defineStage2Policy(p: Stage2Policy): Stage2Policy {
  return p;
}

/** Every member of S2AllocHyp: what a policy file's hooks receive (model/core/capability.ts). */
export const S2_HYP_MEMBERS = ['gfn', 'frame', 'guestCachesOn', 'pcpu', 'cleanInvalidate', 'clean', 'invalidate', 'scrub'] as const satisfies readonly (keyof S2AllocHyp)[];
S2_HYP_MEMBERS satisfies Exhaustive<keyof S2AllocHyp, typeof S2_HYP_MEMBERS>;
