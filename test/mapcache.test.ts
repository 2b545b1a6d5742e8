import { describe, expect, test } from 'vitest';
import { check } from '../explorer/check.ts';
import { mapcacheFamily } from '../model/mapcache/index.ts';
import { runCli } from './cli-support.ts';
import { buildReference, expectPinned } from './pinned.ts';

const build = (config: string, policy: string) => buildReference(mapcacheFamily, config, policy);

const COUNTS: Record<string, Record<string, number>> = {
  'arm-v3': { 'mc-a': 2402, 'mc-b': 341, 'mc-c': 4102, 'mc-d': 4158, 'mc-e': 348 },
  'domain-flag': { 'mc-a': 2402, 'mc-b': 447, 'mc-c': 4829, 'mc-d': 5204, 'mc-e': 348 },
  'per-vcpu': { 'mc-a': 986, 'mc-b': 371, 'mc-c': 2988, 'mc-d': 5291, 'mc-e': 140 },
};

type V = Record<string, number | 'holds'>;
const race: V = { 'no-stale-return': 5, 'dm-access-current': 6 };
const VERDICTS: Record<string, Record<string, V>> = {
  'arm-v3': { 'mc-a': race, 'mc-b': { 'no-stale-return': 5, 'dm-access-current': 'holds' }, 'mc-c': race, 'mc-d': { 'no-stale-return': 2, 'dm-access-current': 6 }, 'mc-e': race },
  'domain-flag': { 'mc-a': race, 'mc-b': { 'no-stale-return': 5, 'dm-access-current': 'holds' }, 'mc-c': race, 'mc-d': { 'no-stale-return': 2, 'dm-access-current': 6 }, 'mc-e': race },
  'per-vcpu': {
    'mc-a': { 'no-stale-return': 'holds', 'dm-access-current': 'holds' },
    'mc-b': { 'no-stale-return': 'holds', 'dm-access-current': 'holds' },
    'mc-c': { 'no-stale-return': 'holds', 'dm-access-current': 'holds' },
    'mc-d': { 'no-stale-return': 2, 'dm-access-current': 'holds' },
    'mc-e': { 'no-stale-return': 'holds', 'dm-access-current': 'holds' },
  },
};

describe.each(Object.keys(COUNTS))('mapcache %s', (policy) => {
  test.each(Object.keys(COUNTS[policy]!))('%s: count, verdicts, shortest traces replay', (config) => {
    expectPinned(build(config, policy), COUNTS[policy]![config]!, VERDICTS[policy]![config]!);
  });
});

describe('the traces a reviewer reads', () => {
  test('arm-v3, two vCPUs: the other vCPU consumes the domain-wide flag', () => {
    const { model, invariants } = build('mc-a', 'arm-v3');
    const cex = check(model, invariants).invariants[0]!.counterexample!;
    const labels = cex.steps.map((s) => `${s.actor}: ${s.action}`);
    expect(labels).toContain('v0: leaves the hypercall: invalidate mapcaches, wait');
    expect(labels.at(-1)).toBe('v1: leaves the hypercall: back to guest code');
    expect(cex.violation.message).toBe("v1 runs guest code while srv0 still maps g1 -> mfn1, which v1's hypercall gave back");
  });

  test('arm-v3, toolstack: the foreign removal never sets the flag', () => {
    const { model, invariants } = build('mc-b', 'arm-v3');
    const cex = check(model, invariants).invariants[0]!.counterexample!;
    expect(cex.steps.map((s) => s.actor)).toEqual(['srv0', 'toolstack', 'toolstack', 'toolstack', 'v0']);
    expect(cex.violation.message).toContain('which the toolstack removed from the guest');
  });

  test('per-vcpu depends on the toolstack pausing the guest for foreign edits', async () => {
    const withPause = await runCli('check', '--model', 'mapcache', '--config', 'mc-c', '--policy', 'per-vcpu');
    expect(withPause.code).toBe(0);
    const without = await runCli('check', '--model', 'mapcache', '--config', 'mc-c', '--policy', 'per-vcpu', '--pause-for-foreign', 'false');
    expect(without.code).toBe(1);
    expect(without.out).toContain('2. toolstack: removes g0 from the guest\'s P2M (foreign edit)');
    const bad = await runCli('check', '--model', 'mapcache', '--policy', 'per-vcpu', '--no-pause-for-foreign');
    expect([bad.code, bad.err]).toEqual([2, expect.stringContaining('pauseForForeign=false needs toolstack=true')]);
  });
});
