import { describe, expect, test } from 'vitest';
import { bfs } from '../explorer/bfs.ts';
import { check } from '../explorer/check.ts';
import { replay } from '../explorer/replay.ts';
import { setwayInvariants } from '../invariants/setway.ts';
import { POLICIES, model, reachableViaStep } from './setway-support.ts';
import { PcpuSymmetry } from '../model/setway/symmetry.ts';

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
    const m = model({ pcpus: 3, vcpus: 2, lines: 2, sets: 1, systemCache: true }, 'native');
    const st = m.st;
    const L = st.layout;
    /** The image of s when pCPU p becomes pi[p], built field by field here, independently of symmetry.ts. */
    const permute = (s: Uint32Array, pi: number[]): Uint32Array => {
      const out = s.slice();
      const perP = st.S * st.W;
      for (let p = 0; p < st.P; p++)
        for (let k = 0; k < perP; k++) {
          for (const f of [st.tagF, st.dirtyF, st.valF]) L.set(out, f[pi[p]! * perP + k]!, L.get(s, f[p * perP + k]!));
        }
      for (let v = 0; v < st.V; v++) L.set(out, st.pcpuF[v]!, pi[L.get(s, st.pcpuF[v]!)]!);
      return out;
    };
    const perms = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
    for (const s of reachableViaStep(m).slice(0, 3000)) {
      const c = s.slice();
      m.canonicalize(c);
      const again = c.slice();
      m.canonicalize(again);
      expect(again).toEqual(c);
      for (const pi of perms) {
        const image = permute(s, pi);
        m.canonicalize(image);
        expect(image).toEqual(c);
      }
    }
  });
});

describe('the compiled canonicalisation', () => {
  test('gives exactly the interpreted canonical form (3 pCPUs, with and without a system cache, 2 ways)', () => {
    for (const cfg of [
      { pcpus: 3, vcpus: 2, lines: 2, sets: 1, systemCache: true },
      { pcpus: 3, vcpus: 1, lines: 2, sets: 1, ways: 2 },
    ]) {
      const m = model(cfg, 'native');
      const sym = new PcpuSymmetry(m.st);
      for (const s of reachableViaStep(m).slice(0, 5000)) {
        const a = s.slice();
        const b = s.slice();
        m.canonicalize(a);
        sym.interpreted(b);
        expect(a).toEqual(b);
      }
    }
  });
});
