/**
 * Built-in stage2 policies, named after the history: the 2013 KVM thread on
 * external L3 caches, KVM's copy-on-write fix of v4.19 and Xen's XSA-364.
 */
import { type S2Hyp, type Stage2Policy, defineStage2Policy } from './policy.ts';

const clean = (hyp: S2Hyp): void => hyp.cleanInvalidate();

/** The first arm64 KVM: nothing cleans what the host wrote. */
const noMaintenance = defineStage2Policy({
  model: 'stage2',
  name: 'no-maintenance',
  description: 'no cache maintenance anywhere (arm64 KVM before the external L3 cache thread)',
});

/** KVM v3.12: coherent_cache_guest_page cleans the page to PoC on a stage-2 fault while the guest's caches are off. */
const faultCleanCacheOff = defineStage2Policy({
  model: 'stage2',
  name: 'fault-clean-cache-off',
  description: 'clean+invalidate to PoC on a stage-2 fault, only while the guest runs with its caches off',
  onStage2Fault(hyp) {
    if (!hyp.guestCachesOn) hyp.cleanInvalidate();
  },
});

/** KVM v4.16-v4.18: clean_dcache_guest_page on every stage-2 fault; the CoW path (kvm_set_spte_hva) does not clean. */
const faultClean = defineStage2Policy({
  model: 'stage2',
  name: 'fault-clean',
  description: 'clean+invalidate to PoC on every stage-2 fault; a copy-on-write remap is not cleaned (KVM up to v4.18)',
  onStage2Fault: clean,
});

/** KVM v4.19: "Clean dcache to PoC when changing PTE due to CoW". */
const cowClean = defineStage2Policy({
  model: 'stage2',
  name: 'cow-clean',
  description: 'as fault-clean, and the copy-on-write remap cleans the new page to PoC first (KVM v4.19)',
  onStage2Fault: clean,
  onCowRemap: clean,
});

/** Marc Zyngier's proposal in the thread: HCR_EL2.DC=1, no cleaning. */
const hcrDc = defineStage2Policy({
  model: 'stage2',
  name: 'hcr-dc',
  description: "HCR_EL2.DC=1: the guest's MMU-off accesses are cacheable; no cleaning",
  hcrDC: true,
});

/**
 * Xen before XSA-364: alloc_heap_pages flushes a page before it checks
 * whether it still needs scrubbing, so the scrub's zeros may stay dirty in a
 * cache. The domain builder's writes are flushed (XEN_DOMCTL_cacheflush).
 */
const xenFlushBeforeScrub = defineStage2Policy({
  model: 'stage2',
  name: 'xen-flush-before-scrub',
  description: 'Xen before XSA-364: the new page is flushed, then scrubbed; the domain builder flushes what it loads',
  onHostWrite: clean,
  onAllocate(hyp) {
    hyp.cleanInvalidate();
    hyp.scrub();
  },
});

/** Xen after XSA-364: scrub, then flush. */
const xenFlushAfterScrub = defineStage2Policy({
  model: 'stage2',
  name: 'xen-flush-after-scrub',
  description: 'Xen after XSA-364: the new page is scrubbed, then flushed; the domain builder flushes what it loads',
  onHostWrite: clean,
  onAllocate(hyp) {
    hyp.scrub();
    hyp.cleanInvalidate();
  },
});

export const STAGE2_POLICIES: Readonly<Record<string, Stage2Policy>> = {
  'no-maintenance': noMaintenance,
  'fault-clean-cache-off': faultCleanCacheOff,
  'fault-clean': faultClean,
  'cow-clean': cowClean,
  'hcr-dc': hcrDc,
  'xen-flush-before-scrub': xenFlushBeforeScrub,
  'xen-flush-after-scrub': xenFlushAfterScrub,
};
