import { describe, expect, test } from 'vitest';
import { check } from '../explorer/check.ts';
import { bfs } from '../explorer/bfs.ts';
import { openSession } from '../cli/session.ts';
import { HvmcError } from '../model/core/errors.ts';
import type { Hyp, SetwayPolicy } from '../model/setway/policy.ts';
import { model } from './setway-support.ts';

async function run(config: string, policy: string) {
  const s = await openSession({ config, policy });
  return { s, report: check(s.built.model, s.built.invariants) };
}

describe('user policies loaded from files', () => {
  test('the worked example in docs/ holds on ref-a and is broken by the system cache on ref-b', async () => {
    const a = await run('ref-a', './docs/examples/clean-before-migrate.ts');
    expect(a.s.policy).toMatchObject({ id: './docs/examples/clean-before-migrate.ts', fromFile: true });
    expect(a.report.invariants.map((i) => i.status)).toEqual(['holds', 'holds']);
    const b = await run('ref-b', './docs/examples/clean-before-migrate.ts');
    expect(b.report.invariants[0]!.counterexample!.steps).toHaveLength(6);
  });

  test('its bookkeeping is part of the state and of the count', async () => {
    const { s } = await run('ref-a', './docs/examples/clean-before-migrate.ts');
    expect(s.built.model.view(new Uint32Array(s.built.model.words)).has('v0.migrations')).toBe(true);
    const withCounter = bfs(s.built.model).distinctStates;
    // the same policy without its counter
    const policy = s.policy.policy as SetwayPolicy;
    const plain = { ...policy, state: {}, onMigrate: (h: Hyp) => void h.setWayAll('CISW', h.pcpu) };
    const without = bfs(model('ref-a', plain)).distinctStates;
    expect([withCounter, without]).toEqual([164, 82]);
  });

  test('a JavaScript policy that forbids migrations: pinning while caches are off does not save shutdown', async () => {
    const { report } = await run('ref-a', './test/fixtures/pin-while-off.mjs');
    const cex = report.invariants[0]!.counterexample!;
    expect(cex.steps).toHaveLength(7);
    // the migration still happens, while the caches are on, in the middle of the clean loop
    const mig = cex.steps.findIndex((s) => s.actor === 'sched');
    const off = cex.steps.findIndex((s) => s.action === 'SCTLR off');
    expect(mig).toBeGreaterThanOrEqual(0);
    expect(mig).toBeLessThan(off);
  });

  const failures: [string, RegExp][] = [
    ['./test/fixtures/throws.ts', /onSetWay\(v0 on p0, CISW set=0 way=0\) threw: p2m_set_way_flush: not implemented/],
    ['./test/fixtures/nondeterministic.ts', /is nondeterministic/],
    ['./test/fixtures/out-of-range.ts', /v0\.ops must be an integer 0\.\.1, got 2/],
  ];
  test.each(failures)('%s stops the search with exit code 2 and says why', async (file, message) => {
    const s = await openSession({ config: 'ref-a', policy: file });
    let err: unknown;
    try {
      check(s.built.model, s.built.invariants);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HvmcError);
    expect((err as HvmcError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(message);
  });

  const bad: [string, RegExp][] = [
    ['./test/fixtures/wrong-model.ts', /for model "mapcache", not "setway"/],
    ['./test/fixtures/not-a-policy.ts', /must export its policy as default or as `policy`/],
    ['./test/fixtures/fails-to-load.ts', /failed to load: this module cannot be imported/],
    ['./test/fixtures/missing.ts', /policy file not found/],
  ];
  test.each(bad)('%s is rejected before the search', async (file, message) => {
    await expect(openSession({ config: 'ref-a', policy: file })).rejects.toThrow(message);
  });
});
