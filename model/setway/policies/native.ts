import { definePolicy } from '../policy.ts';

/** Set/way and SCTLR are not trapped (HCR_EL2.TSW = 0, TVM = 0): the guest's operations act on the local pCPU only. */
export default definePolicy({
  model: 'setway',
  name: 'native',
  description: 'set/way not trapped: each DC xSW acts on the executing pCPU only; SCTLR not trapped',
  onSetWay(hyp, op, set, way) {
    hyp.setWay(op, hyp.pcpu, set, way);
  },
  onSctlr(hyp, on) {
    hyp.setCacheOn(on);
  },
});
