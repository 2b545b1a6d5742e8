/**
 * The vitest API (`hvmc/vitest`), used the way a Xen or KVM developer would:
 * here it sweeps every verdict the `npm start` gate expects.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { checkModel } from 'hvmc/vitest';
import { runCli } from './cli-support.ts';

type Verdict = Record<string, number | 'holds'> | 'holds';
const gate = JSON.parse(readFileSync(new URL('../hvmc.gate.json', import.meta.url), 'utf8')) as {
  checks: { model: string; policy: string; expect: Record<string, Verdict> }[];
};
const cases = gate.checks.flatMap(({ model, policy, expect: configs }) =>
  Object.entries(configs).map(([config, verdict]) => [model, policy, config, verdict] as const),
);

describe('every gate verdict, through hvmc/vitest', () => {
  test.each(cases)('%s %s %s', async (model, policy, config, verdict) => {
    const result = await checkModel({ model, config, policy });
    if (verdict === 'holds') expect(result).toHold();
    else for (const [invariant, v] of Object.entries(verdict)) {
      if (v === 'holds') expect(result).toHold(invariant);
      else expect(result).toBeViolated(invariant, { length: v });
    }
  });
});

describe('matchers fail with the trace and the replay command', () => {
  test('toHold on a broken policy', async () => {
    const result = await checkModel({ model: 'setway', config: 'ref-a', policy: 'xen-rfc' });
    let message = '';
    try {
      expect(result).toHold();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('setway · config ref-a · policy xen-rfc: coherent-read violated');
    expect(message).toContain('6. v0: LDR a0 -> 0 (stale: latest is 1)');
    expect(message).toContain('replay: hvmc check --model setway --config ref-a --policy xen-rfc');
  });

  test('with HVMC_TRACE_DIR, a failing matcher writes its counterexample as a trace file that replays', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hvmc-traces-'));
    process.env.HVMC_TRACE_DIR = dir;
    try {
      const result = await checkModel({ model: 'setway', config: 'ref-a', policy: 'xen-rfc' });
      expect(() => expect(result).toHold()).toThrow(/trace file: .*setway-xen-rfc-ref-a-coherent-read\.json/);
    } finally {
      delete process.env.HVMC_TRACE_DIR;
    }
    const file = join(dir, 'setway-xen-rfc-ref-a-coherent-read.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ format: 'hvmc-trace', policy: 'xen-rfc', length: 6 });
    expect((await runCli('replay', file)).code).toBe(1);
  });

  test('toBeViolated with the wrong length, and on a policy that holds', async () => {
    const broken = await checkModel({ model: 'fpsimd', config: 'fp-a', policy: 'kvm-4.18', invariants: ['fp-regs-of-task'] });
    expect(() => expect(broken).toBeViolated('fp-regs-of-task', { length: 4 })).toThrow(/expected a counterexample of 4 steps for fp-regs-of-task, got 5/);
    const fixed = await checkModel({ model: 'fpsimd', config: 'fp-a', policy: 'kvm-4.19' });
    expect(() => expect(fixed).toBeViolated('fp-regs-of-task')).toThrow(/but it holds\nreplay: hvmc check --model fpsimd --config fp-a --policy kvm-4.19/);
  });

  test('random strategy from a test, with a parameter override', async () => {
    const result = await checkModel({
      model: 'setway',
      config: 'ref-e',
      overrides: { ways: 2 },
      policy: 'native',
      strategy: 'random',
      seed: 4,
      runs: 500,
      depth: 80,
    });
    expect(result).toBeViolated('coherent-read');
    expect(result.replay).toBe('hvmc check --model setway --pcpus 3 --vcpus 2 --lines 4 --ways 2 --system-cache true --policy native --strategy random --seed 4 --runs 500 --depth 80');
  });
});

describe('checkModel with worker threads', () => {
  test('the same verdicts and state count as one thread, with a policy file', async () => {
    const spec = { model: 'stage2', config: 's2-e', policy: '../docs/examples/userspace-clean.ts' };
    const one = await checkModel(spec);
    const two = await checkModel({ ...spec, workers: 2 });
    expect(two.distinctStates).toBe(one.distinctStates);
    expect(two).toBeViolated('no-cross-domain-read', { length: 3 });
    expect(two).toHold('dma-read-fresh');
  });
});
