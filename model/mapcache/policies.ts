import { type McHyp, type ReturnPath, defineMapcachePolicy, type MapcachePolicy } from './policy.ts';

/** do_trap_hypercall's test_and_clear of the domain-wide flag: only at hypercall exit. */
function consumeDomainFlagAtHypercallExit(hyp: McHyp, from: ReturnPath): boolean {
  if (from !== 'hypercall' || hyp.getDomain('invalidate') === 0) return false;
  hyp.setDomain('invalidate', 0);
  return true;
}

/**
 * The reviewed Arm patch (v3): a domain-wide flag, set in p2m_free_entry only
 * when `p2m->domain == current->domain`, test-and-cleared at the end of
 * do_trap_hypercall by whichever vCPU's hypercall ends first.
 */
const armV3 = defineMapcachePolicy({
  model: 'mapcache',
  name: 'arm-v3',
  description: 'domain-wide flag, set only when the current domain owns the P2M, consumed at hypercall exit',
  state: { domain: { invalidate: 1 } },
  onP2mRemove(hyp, e) {
    if (!e.foreign) hyp.setDomain('invalidate', 1);
  },
  onReturnToGuest: consumeDomainFlagAtHypercallExit,
});

/** The same without the current-domain check (Stefano's question in the review). */
const domainFlag = defineMapcachePolicy({
  model: 'mapcache',
  name: 'domain-flag',
  description: 'domain-wide flag set on every removal, consumed at hypercall exit',
  state: { domain: { invalidate: 1 } },
  onP2mRemove(hyp) {
    hyp.setDomain('invalidate', 1);
  },
  onReturnToGuest: consumeDomainFlagAtHypercallExit,
});

/**
 * Xen 4.15: the flag lives in the vCPU; a foreign edit flags every vCPU of
 * the target domain; it is checked on every return to guest code.
 */
const perVcpu = defineMapcachePolicy({
  model: 'mapcache',
  name: 'per-vcpu',
  description: 'per-vCPU flag (a foreign edit flags every vCPU), checked on every return to guest code',
  state: { perVcpu: { invalidate: 1 } },
  onP2mRemove(hyp, e) {
    if (e.foreign) for (let v = 0; v < hyp.vcpus; v++) hyp.setVcpu(v, 'invalidate', 1);
    else hyp.setVcpu(hyp.vcpu, 'invalidate', 1);
  },
  onReturnToGuest(hyp) {
    if (hyp.getVcpu(hyp.vcpu, 'invalidate') === 0) return false;
    hyp.setVcpu(hyp.vcpu, 'invalidate', 0);
    return true;
  },
});

export const MAPCACHE_POLICIES: Readonly<Record<string, MapcachePolicy>> = {
  'arm-v3': armV3,
  'domain-flag': domainFlag,
  'per-vcpu': perVcpu,
};
