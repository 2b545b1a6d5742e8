import { describe, expect, test } from 'vitest';
import { bfs } from '../explorer/bfs.ts';
import { check } from '../explorer/check.ts';
import { replay } from '../explorer/replay.ts';
import { setwayInvariants } from '../invariants/setway.ts';
import { POLICIES, model, reachableViaStep } from './setway-support.ts';

describe('symmetry reduction over pCPUs (setway)', () => {
  test.each(['ref-a', 'ref-b', 'ref-c', 'ref-d', 'ref-f'])('%s: half the states with two pCPUs, same verdicts, traces replay', (cfg) => {
    for (const policy of POLICIES) {
      const m = model(cfg, policy);
      const invs = setwayInvariants(m);
      expect(bfs(m, { symmetry: true }).distinctStates * 2).toBe(bfs(m).distinctStates);
      const plain = check(m, invs, { stopWhenAllViolated: false });
      const reduced = check(m, invs, { stopWhenAllViolated: false, symmetry: true });
      expect(reduced.invariants.map((i) => i.counterexample?.steps.length ?? i.status)).toEqual(
        plain.invariants.map((i) => i.counterexample?.steps.length ?? i.status),
      );
      reduced.invariants.forEach((i, k) => {
        if (i.counterexample) expect(replay(m, i.counterexample.steps, invs[k]!).reproduced).toBe(true);
      });
    }
  });

  test('three pCPUs: the classes BFS stores are exactly the canonical forms of the reachable states', () => {
    for (const policy of ['native', 'trap-va'] as const) {
      const m = model({ pcpus: 3, vcpus: 2, lines: 2, sets: 1 }, policy);
      const classes = new Set(
        reachableViaStep(m).map((s) => {
          const c = s.slice();
          m.canonicalize(c);
          return c.join(',');
        }),
      );
      const r = bfs(m, { symmetry: true });
      expect(r.distinctStates).toBe(classes.size);
      expect(r.distinctStates).toBeLessThan(bfs(m).distinctStates);
    }
  });

  test('canonical forms are fixed points and the same for every member of a class', () => {
    const m = model({ pcpus: 3, vcpus: 2, lines: 2, sets: 1 }, 'native');
    for (const s of reachableViaStep(m).slice(0, 2000)) {
      const c = s.slice();
      m.canonicalize(c);
      const again = c.slice();
      m.canonicalize(again);
      expect(again).toEqual(c);
    }
  });
});
