import { describe, expect, test } from 'vitest';
import { bfs } from '../explorer/bfs.ts';
import { replay } from '../explorer/replay.ts';
import { setwayInvariants } from '../invariants/setway.ts';
import { naiveCount } from './reference/setway-naive.ts';
import { POLICIES, type PolicyName, checkSetway, model, params } from './setway-support.ts';

/**
 * Distinct states (invariants off, no symmetry) per reference configuration
 * and policy, as the spec's cross-check counts them. Pinned after agreeing
 * with the independent naive implementation in test/reference.
 */
const COUNTS: Record<string, Record<PolicyName, number>> = {
  'ref-a': { native: 538, 'native-swio': 538, 'xen-rfc': 538, 'trap-va': 222 },
  'ref-b': { native: 3680, 'native-swio': 3680, 'xen-rfc': 3680, 'trap-va': 1158 },
  'ref-c': { native: 11668, 'native-swio': 11668, 'xen-rfc': 11668, 'trap-va': 4686 },
  'ref-d': { native: 7376, 'native-swio': 7376, 'xen-rfc': 7376, 'trap-va': 2088 },
  'ref-f': { native: 312, 'native-swio': 240, 'xen-rfc': 240, 'trap-va': 240 },
};

/** Verdicts: invariant -> shortest counterexample length, or 'holds'. */
const VERDICTS: Record<string, Record<PolicyName, Record<string, number | 'holds'>>> = {
  'ref-a': {
    native: { 'coherent-read': 7, 'no-lost-write': 'holds' },
    'native-swio': { 'coherent-read': 7, 'no-lost-write': 'holds' },
    'xen-rfc': { 'coherent-read': 6, 'no-lost-write': 'holds' },
    'trap-va': { 'coherent-read': 'holds', 'no-lost-write': 'holds' },
  },
  'ref-b': {
    native: { 'coherent-read': 6, 'no-lost-write': 'holds' },
    'native-swio': { 'coherent-read': 6, 'no-lost-write': 'holds' },
    'xen-rfc': { 'coherent-read': 6, 'no-lost-write': 'holds' },
    'trap-va': { 'coherent-read': 'holds', 'no-lost-write': 'holds' },
  },
  'ref-c': {
    native: { 'coherent-read': 6, 'no-lost-write': 'holds' },
    'native-swio': { 'coherent-read': 6, 'no-lost-write': 'holds' },
    'xen-rfc': { 'coherent-read': 6, 'no-lost-write': 'holds' },
    'trap-va': { 'coherent-read': 'holds', 'no-lost-write': 'holds' },
  },
  'ref-d': {
    native: { 'coherent-read': 7, 'no-lost-write': 'holds' },
    'native-swio': { 'coherent-read': 7, 'no-lost-write': 'holds' },
    'xen-rfc': { 'coherent-read': 7, 'no-lost-write': 'holds' },
    'trap-va': { 'coherent-read': 'holds', 'no-lost-write': 'holds' },
  },
  'ref-f': {
    native: { 'coherent-read': 'holds', 'no-lost-write': 4 },
    'native-swio': { 'coherent-read': 'holds', 'no-lost-write': 'holds' },
    'xen-rfc': { 'coherent-read': 'holds', 'no-lost-write': 'holds' },
    'trap-va': { 'coherent-read': 'holds', 'no-lost-write': 'holds' },
  },
};

describe.each(Object.keys(COUNTS))('setway %s', (cfg) => {
  test.each(POLICIES)('%s: distinct states pinned and equal to the naive implementation', (policy) => {
    const r = bfs(model(cfg, policy));
    expect(r.complete).toBe(true);
    expect(r.distinctStates).toBe(COUNTS[cfg]![policy]);
    expect(naiveCount(params(cfg), policy)).toBe(r.distinctStates);
  });

  test.each(POLICIES)('%s: verdicts, shortest lengths, and every trace replays', (policy) => {
    const { m, invariants, report } = checkSetway(cfg, policy);
    const got = Object.fromEntries(
      report.invariants.map((i) => [i.name, i.status === 'violated' ? i.counterexample!.steps.length : i.status]),
    );
    expect(got).toEqual(VERDICTS[cfg]![policy]);
    report.invariants.forEach((i, k) => {
      if (!i.counterexample) return;
      const out = replay(m, i.counterexample.steps, invariants[k]!);
      expect(out.reproduced).toBe(true);
      // Shortest: no violation of this invariant within one step less.
      const shorter = bfs(m, { invariants: [invariants[k]!], maxDepth: i.counterexample.steps.length - 1 });
      expect(shorter.invariants[0]!.status).not.toBe('violated');
    });
  });
});

describe('setway: configurations beyond the reference ones agree with the naive implementation', () => {
  const extra = [
    { pcpus: 3, vcpus: 2, lines: 2, sets: 1 },
    { pcpus: 2, vcpus: 2, lines: 3, sets: 1, ways: 2 },
    { lines: 1, neighborLines: 2, sets: 2, program: 'shutdown' as const },
    { pcpus: 1, lines: 2, sets: 1, ways: 2, systemCache: true, program: 'boot' as const },
    { pcpus: 2, vcpus: 2, lines: 2, systemCache: true, hypSpeculation: true, sets: 1 },
  ];
  test.each(extra.map((e) => [JSON.stringify(e), e] as const))('%s', (_name, cfg) => {
    for (const policy of POLICIES) {
      expect(bfs(model(cfg, policy)).distinctStates, policy).toBe(naiveCount(params(cfg), policy));
    }
  });
});

describe('setway traces read like the spec', () => {
  test('native on ref-a: the vCPU migrates in the middle of its clean loop', () => {
    const { report } = checkSetway('ref-a', 'native');
    const cex = report.invariants.find((i) => i.name === 'coherent-read')!.counterexample!;
    const labels = cex.steps.map((s) => `${s.actor}: ${s.action}`);
    expect(labels.filter((l) => l.startsWith('sched: migrate v0'))).toHaveLength(1);
    expect(labels).toContain('v0: DC CISW set=1 way=0');
    expect(labels.at(-1)).toBe('v0: LDR a0 -> 0 (stale: latest is 1)');
    expect(cex.violation.values).toEqual({ 'v0.stale': true });
  });

  test('native on ref-f: DC ISW discards the neighbour\'s dirty line (XSA-93)', () => {
    const { report } = checkSetway('ref-f', 'native');
    const cex = report.invariants.find((i) => i.name === 'no-lost-write')!.counterexample!;
    expect(cex.steps.map((s) => s.actor)).toContain('nb');
    expect(cex.violation.values).toMatchObject({ 'coh(n0)': 0, 'latest[n0]': 1, 'coh(n0).source': 'ram[n0]' });
    expect(cex.violation.message).toBe('coh(n0) = 0 (from ram[n0]) but latest[n0] = 1');
  });

  test('each step lists only what changed', () => {
    const { report } = checkSetway('ref-b', 'xen-rfc');
    const cex = report.invariants[0]!.counterexample!;
    for (const s of cex.steps) for (const c of s.changes) expect(c.from).not.toEqual(c.to);
    expect(cex.steps.find((s) => s.action.startsWith('DC'))!.changes).toEqual([{ name: 'v0.pc', from: 2, to: 3 }]);
  });
});

describe('setway model details', () => {
  test('a state of ref-e packs into two 32-bit words', () => {
    expect(model('ref-e', 'trap-va').words).toBe(2);
  });

  test('the invariants report every offending value', () => {
    const m = model({ pcpus: 2, vcpus: 2, lines: 2 }, 'xen-rfc');
    const [cr] = setwayInvariants(m);
    const s = new Uint32Array(m.words);
    m.initial(s);
    m.st.setStale(s, 0);
    m.st.setStale(s, 1);
    expect(cr!.explain(s).values).toEqual({ 'v0.stale': true, 'v1.stale': true });
  });
});
