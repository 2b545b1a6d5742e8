/**
 * A stage2 policy in its own file: the first option of the 2013 thread, "let
 * userspace do the cache cleaning" — the VMM cleans what it loaded to PoC,
 * and the kernel does nothing on stage-2 faults.
 *
 *   hvmc check --model stage2 --config s2-a --policy ./docs/examples/userspace-clean.ts   # holds
 *   hvmc check --model stage2 --config s2-e --policy ./docs/examples/userspace-clean.ts   # breaks:
 *     a page the guest receives later (here, one another domain freed) was
 *     never loaded by userspace, so nobody cleans the scrub (Christoffer's
 *     "memory regions added later").
 */
import { defineStage2Policy } from 'hvmc';

export default defineStage2Policy({
  model: 'stage2',
  name: 'userspace-clean',
  description: 'the VMM cleans every page it loads to PoC (DC CIVAC); nothing on stage-2 faults',
  onHostWrite(hyp) {
    hyp.cleanInvalidate();
  },
});
