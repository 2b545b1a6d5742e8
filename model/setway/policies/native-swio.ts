import { definePolicy } from '../policy.ts';

/** As native, with HCR_EL2.SWIO set: DC ISW executes as DC CISW (Xen's and KVM's answer to XSA-93). */
export default definePolicy({
  model: 'setway',
  name: 'native-swio',
  description: 'native, but HCR_EL2.SWIO upgrades DC ISW to DC CISW (XSA-93)',
  onSetWay(hyp, op, set, way) {
    hyp.setWay(op === 'ISW' ? 'CISW' : op, hyp.pcpu, set, way);
  },
  onSctlr(hyp, on) {
    hyp.setCacheOn(on);
  },
});
