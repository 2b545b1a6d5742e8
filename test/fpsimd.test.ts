import { describe, expect, test } from 'vitest';
import { check } from '../explorer/check.ts';
import { fpsimdFamily } from '../model/fpsimd/index.ts';
import { runCli } from './cli-support.ts';
import { buildReference, expectPinned } from './pinned.ts';

const build = (config: string, policy: string) => buildReference(fpsimdFamily, config, policy);

/** Distinct states with invariants off. */
const COUNTS: Record<string, Record<string, number>> = {
  'kvm-4.18': { 'fp-a': 271, 'fp-b': 5546, 'fp-c': 45026 },
  'kvm-4.19': { 'fp-a': 55, 'fp-b': 1130, 'fp-c': 3770 },
  'no-force': { 'fp-a': 57, 'fp-b': 1158, 'fp-c': 3750 },
};

const VERDICTS: Record<string, Record<string, number | 'holds'>> = {
  'kvm-4.18': { 'fp-regs-of-task': 5, 'fpexc-preserved': 4 },
  'kvm-4.19': { 'fp-regs-of-task': 'holds', 'fpexc-preserved': 'holds' },
  'no-force': { 'fp-regs-of-task': 'holds', 'fpexc-preserved': 1 },
};

describe.each(Object.keys(COUNTS))('fpsimd %s', (policy) => {
  test.each(['fp-a', 'fp-b', 'fp-c'])('%s: count, verdicts, shortest traces replay', (config) => {
    expectPinned(build(config, policy), COUNTS[policy]![config]!, VERDICTS[policy]!);
  });
});

describe('the kvm-4.18 trace a reviewer follows', () => {
  test('task1 runs VFP on task0\'s registers after an entry forced EN back on', () => {
    const { model, invariants } = build('fp-a', 'kvm-4.18');
    const cex = check(model, invariants).invariants[0]!.counterexample!;
    expect(cex.steps.map((s) => `${s.actor}: ${s.action}`)).toEqual([
      'kvm: enter the guest on p0',
      'guest: switch to task1 (FPEXC.EN := 0)',
      'v0: exit to the host on p0',
      'kvm: enter the guest on p0',
      "task1: VFP executes on task0's registers",
    ]);
    expect(cex.steps[3]!.changes).toContainEqual({ name: 'p0.FPEXC32_EL2.EN', from: 0, to: 1 });
    expect(cex.violation.values).toEqual({ task: 'task1', registersHeld: 'task0' });
  });

  test('the explorer is generic: the same CLI checks it', async () => {
    const r = await runCli('check', '--model', 'fpsimd', '--config', 'fp-b', '--policy', 'kvm-4.19');
    expect(r.code).toBe(0);
    expect(r.out).toContain('1,130 distinct states');
    const bad = await runCli('check', '--model', 'fpsimd', '--policy', 'kvm-4.19', '--lines', '2');
    expect([bad.code, bad.err]).toEqual([2, expect.stringContaining('--lines is not a parameter of model fpsimd')]);
  });
});
