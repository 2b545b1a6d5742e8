/**
 * A worked example of a user policy (see docs/policies.md).
 *
 * Idea, from the Xen RFC thread: leave set/way untrapped, but never let the
 * scheduler carry a vCPU away from a cache it is cleaning by set/way. Before
 * migrating a vCPU whose caches are on, clean+invalidate the whole private
 * cache of the pCPU it leaves (by set/way, on that pCPU), and count how often
 * that happened (bookkeeping, part of the state).
 *
 *   npx hvmc check --config ref-a --policy ./docs/examples/clean-before-migrate.ts   # holds
 *   npx hvmc check --config ref-b --policy ./docs/examples/clean-before-migrate.ts   # the system cache breaks it
 */
import { definePolicy } from 'hvmc';

export default definePolicy({
  model: 'setway',
  name: 'clean-before-migrate',
  description: 'native set/way, plus a set/way clean of the old pCPU before every migration',
  state: { perVcpu: { migrations: 2 } },
  onSetWay(hyp, op, set, way) {
    hyp.setWay(op, hyp.pcpu, set, way);
  },
  onSctlr(hyp, on) {
    hyp.setCacheOn(on);
  },
  onMigrate(hyp) {
    hyp.setWayAll('CISW', hyp.pcpu);
    hyp.set('migrations', Math.min(2, hyp.get('migrations') + 1));
    return true;
  },
});
