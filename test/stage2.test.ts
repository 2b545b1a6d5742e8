import { Map as IMap } from 'immutable';
import { describe, expect, test } from 'vitest';
import { bfs } from '../explorer/bfs.ts';
import { check } from '../explorer/check.ts';
import { stage2Family } from '../model/stage2/index.ts';
import { STAGE2_CONFIGS } from '../model/stage2/params.ts';
import { runCli } from './cli-support.ts';
import { buildReference, expectPinned, type Verdicts } from './pinned.ts';
import { NAIVE_S2_POLICIES, type NaiveS2Params, naiveStage2Count } from './reference/stage2-naive.ts';

const build = (config: string, policy: string) => buildReference(stage2Family, config, policy);

const CONFIGS = ['s2-a', 's2-b', 's2-c', 's2-d', 's2-e', 's2-f', 's2-g'] as const;

/** Distinct states, invariants off, per policy and configuration (s2-a .. s2-g). */
const COUNTS: Record<string, readonly number[]> = {
  'no-maintenance': [40, 64, 82, 307, 192, 3910, 73244],
  'fault-clean-cache-off': [28, 64, 44, 214, 104, 2050, 32344],
  'fault-clean': [28, 44, 44, 214, 104, 2050, 32344],
  'cow-clean': [28, 44, 44, 130, 104, 2050, 18632],
  'hcr-dc': [36, 60, 92, 212, 168, 3222, 51638],
  'xen-flush-before-scrub': [24, 40, 40, 204, 192, 1440, 30976],
  'xen-flush-after-scrub': [24, 40, 40, 204, 84, 1440, 21440],
};

const v = (fresh: number | 'holds', dma: number | 'holds', cross: number | 'holds'): Verdicts => ({
  'guest-read-fresh': fresh,
  'dma-read-fresh': dma,
  'no-cross-domain-read': cross,
});
const OK = v('holds', 'holds', 'holds');
const COW = v(3, 'holds', 3);

/** Verdicts (shortest counterexample lengths) per policy, s2-a .. s2-g. */
const VERDICTS: Record<string, readonly Verdicts[]> = {
  'no-maintenance': [v(3, 'holds', 'holds'), v(5, 'holds', 'holds'), v(6, 6, 'holds'), COW, COW, v(3, 'holds', 'holds'), COW],
  'fault-clean-cache-off': [OK, v(5, 'holds', 'holds'), OK, COW, OK, OK, COW],
  'fault-clean': [OK, OK, OK, COW, OK, OK, COW],
  'cow-clean': [OK, OK, OK, OK, OK, OK, OK],
  'hcr-dc': [OK, OK, v('holds', 3, 'holds'), OK, v('holds', 'holds', 3), OK, OK],
  'xen-flush-before-scrub': [OK, OK, OK, COW, COW, OK, COW],
  'xen-flush-after-scrub': [OK, OK, OK, COW, OK, OK, COW],
};

describe.each(Object.keys(COUNTS))('stage2 %s', (policy) => {
  test.each(CONFIGS.map((c, k) => [c, k] as const))('%s: count, verdicts, shortest traces replay', (config, k) => {
    expectPinned(build(config, policy), COUNTS[policy]![k]!, VERDICTS[policy]![k]!);
  });
});

const trace = (config: string, policy: string, invariant: string) => {
  const { model, invariants } = build(config, policy);
  const cex = check(model, invariants, { stopWhenAllViolated: false }).invariants.find((i) => i.name === invariant)!.counterexample!;
  return { lines: cex.steps.map((s) => `${s.actor}: ${s.action}`), message: cex.violation.message, values: cex.violation.values };
};

describe('each historical bug, as the trace a reviewer reads', () => {
  test('external L3 (2013): the image the VMM wrote is still dirty in a cache when the guest reads with its MMU off', () => {
    const t = trace('s2-a', 'no-maintenance', 'guest-read-fresh');
    expect(t.lines).toEqual([
      'host: writes image.g0 into g0 (m0) on p0, cacheable',
      'v0: stage-2 fault on g0: no-maintenance maps it to m0',
      'v0: LDR g0 (m0) non-cacheable -> zero (stale: latest is image.g0)',
    ]);
    expect(t.message).toBe('v0 read g0 (m0) and got zero, but the latest value written to g0 is image.g0');
    expect(t.values).toMatchObject({ read: 'zero', 'latest[g0]': 'image.g0', 'ram[m0]': 'zero' });
  });

  test('cleaning only while the caches are off misses a page faulted in with caches on and read after they are turned off', () => {
    const t = trace('s2-b', 'fault-clean-cache-off', 'guest-read-fresh');
    expect(t.lines.slice(1)).toEqual([
      'v0: stage-2 fault on g0: fault-clean-cache-off maps it to m0',
      'v0: LDR g0 (m0) cacheable -> image.g0',
      'v0: SCTLR off',
      'v0: LDR g0 (m0) non-cacheable -> zero (stale: latest is image.g0)',
    ]);
  });

  test('HCR_EL2.DC=1: firmware writes a DMA buffer with its MMU off, and the device reads RAM', () => {
    const t = trace('s2-c', 'hcr-dc', 'dma-read-fresh');
    expect(t.lines).toEqual([
      'v0: stage-2 fault on g0: hcr-dc maps it to m0',
      'v0: STR g0 (m0) cacheable := v0.pc0',
      'dma: reads g0 (m0) from RAM -> zero (latest is v0.pc0)',
    ]);
  });

  test('KVM up to v4.18: the copy-on-write remap is not cleaned; the guest reads the old contents of the new page', () => {
    const t = trace('s2-d', 'fault-clean', 'no-cross-domain-read');
    expect(t.lines).toEqual([
      'v0: stage-2 fault on g0: fault-clean maps it to m0',
      'host: breaks copy-on-write on g0 (m0): copies it into m1 on p0, repoints stage 2',
      'v0: LDR g0 (m1) non-cacheable -> foreign (stale: latest is zero)',
    ]);
    expect(t.message).toContain('another domain wrote there');
  });

  test("XSA-364: Xen flushes the page before it scrubs it, so the previous owner's data is still in RAM", () => {
    const t = trace('s2-e', 'xen-flush-before-scrub', 'no-cross-domain-read');
    expect(t.lines).toEqual([
      'host: gives g0 m1, freed by another domain; xen-flush-before-scrub scrubs it on p0',
      'v0: stage-2 fault on g0: xen-flush-before-scrub maps it to m1',
      'v0: LDR g0 (m1) non-cacheable -> foreign (stale: latest is zero)',
    ]);
  });
});

describe('stage2 from the command line', () => {
  test('a policy in its own file (docs/examples/userspace-clean.ts)', async () => {
    const ok = await runCli('check', '--model', 'stage2', '--config', 's2-a', '--policy', './docs/examples/userspace-clean.ts');
    expect(ok.code).toBe(0);
    const later = await runCli('check', '--model', 'stage2', '--config', 's2-e', '--policy', './docs/examples/userspace-clean.ts');
    expect(later.code).toBe(1);
    expect(later.out).toContain('no-cross-domain-read  violated  (shortest counterexample: 3 steps)');
  });

  test.each([
    ['./test/fixtures/s2-nondeterministic.ts', /onStage2Fault\(g0, m0\) is nondeterministic/],
    ['./test/fixtures/s2-scrub-outside.ts', /scrub\(\) is only available in onAllocate/],
    ['./test/fixtures/s2-bad-dc.mjs', /hcrDC must be true or false/],
  ])('bad policy file %s: exit 2 with a clear message', async (file, message) => {
    const r = await runCli('check', '--model', 'stage2', '--policy', file);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  test('out-of-range and unknown parameters: exit 2', async () => {
    const big = await runCli('check', '--model', 'stage2', '--policy', 'cow-clean', '--gfns', '4');
    expect([big.code, big.err]).toEqual([2, expect.stringContaining('gfns must be an integer 1..3, got "4"')]);
    const prog = await runCli('check', '--model', 'stage2', '--policy', 'cow-clean', '--program', 'shutdown');
    expect([prog.code, prog.err]).toEqual([2, expect.stringContaining('program must be one of boot, reboot, firmware')]);
  });
});

describe('stage2 agrees state for state with a naive implementation of docs/semantics.md', () => {
  const base = { pcpus: 1, gfns: 1, sets: 1, ways: 1, systemCache: true, load: true, cow: false, realloc: false, dma: false, program: 'boot' } as const;
  const configs: Record<string, Partial<NaiveS2Params>> = {
    ...Object.fromEntries(CONFIGS.filter((c) => c !== 's2-g').map((c) => [c, STAGE2_CONFIGS[c]!])),
    'two ways, no system cache, firmware with CoW and DMA': { ways: 2, systemCache: false, cow: true, dma: true, program: 'firmware' },
    'two sets, two gfns, reboot': { sets: 2, gfns: 2, program: 'reboot', cow: true },
  };
  test.each(Object.keys(NAIVE_S2_POLICIES))('%s', (policy) => {
    for (const [name, change] of Object.entries(configs)) {
      const params = { ...base, ...change };
      const built = stage2Family.build(IMap(params), { id: policy, policy: stage2Family.policies[policy]!, fromFile: false });
      expect(bfs(built.model).distinctStates, name).toBe(naiveStage2Count(params, NAIVE_S2_POLICIES[policy]!));
    }
  });
});
