import { definePolicy } from '../policy.ts';

/**
 * Xen's first RFC: set/way is trapped, but the handler tests
 * `if ( hsr.sysreg.read )` where it meant `!hsr.sysreg.read`, so a trapped
 * DC by set/way does nothing at all. TVM is never set.
 */
export default definePolicy({
  model: 'setway',
  name: 'xen-rfc',
  description: 'trapped, but the inverted direction check makes every DC xSW a no-op; TVM never set',
  onSetWay() {
    /* if ( hsr.sysreg.read ) p2m_set_way_flush(current);  -- never taken for a write */
  },
  onSctlr(hyp, on) {
    hyp.setCacheOn(on);
  },
});
