import { definePolicy } from '../policy.ts';

/**
 * KVM's policy, and Xen's once fixed (p2m_set_way_flush / p2m_toggle_cache):
 * on the first trapped set/way operation, clean+invalidate the whole guest by
 * VA and set TVM; while TVM is set, a SCTLR write that toggles the caches
 * flushes again, and turning the caches on clears TVM.
 */
export default definePolicy({
  model: 'setway',
  name: 'trap-va',
  description: 'set/way trapped and turned into flushVM by VA; TVM catches the next SCTLR toggle',
  onSetWay(hyp) {
    if (!hyp.tvm) {
      hyp.flushVM();
      hyp.setTvm(true);
    }
  },
  onSctlr(hyp, on) {
    if (hyp.tvm) {
      const was = hyp.cacheOn;
      hyp.setCacheOn(on);
      if (was !== on) hyp.flushVM();
      if (on) hyp.setTvm(false);
    } else {
      hyp.setCacheOn(on);
    }
  },
});
