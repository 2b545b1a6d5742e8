/**
 * Property tests with fast-check: random walks through the set/way model.
 * A walk is a list of choices; choice c at a state picks the (c mod n)-th of
 * its n enabled actions.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { bfs } from '../explorer/bfs.ts';
import type { Model } from '../explorer/model.ts';
import { replay } from '../explorer/replay.ts';
import { buildTrace } from '../explorer/trace.ts';
import { setwayInvariants } from '../invariants/setway.ts';
import { model } from './setway-support.ts';

/** Follow the choices; returns the action path and every state visited. */
function walk(m: Model, choices: readonly number[]): { path: number[]; states: Uint32Array[] } {
  let cur = new Uint32Array(m.words);
  m.initial(cur);
  const states = [cur.slice()];
  const path: number[] = [];
  const tmp = new Uint32Array(m.words);
  for (const c of choices) {
    const enabled: number[] = [];
    for (let i = 0; i < m.actionCount; i++) if (m.step(cur, i, tmp)) enabled.push(i);
    if (enabled.length === 0) break;
    const i = enabled[c % enabled.length]!;
    const next = new Uint32Array(m.words);
    m.step(cur, i, next);
    path.push(i);
    states.push(next);
    cur = next;
  }
  return { path, states };
}

const choices = fc.array(fc.nat(1000), { minLength: 10, maxLength: 40 });

describe('random walks', () => {
  test('every state a random walk reaches was found by BFS (ref-c, native and trap-va)', () => {
    for (const policy of ['native', 'trap-va'] as const) {
      const m = model('ref-c', policy);
      const r = bfs(m);
      fc.assert(
        fc.property(choices, (cs) => walk(m, cs).states.every((s) => r.has(s))),
        { numRuns: 300, seed: 42 },
      );
    }
  });

  test('steps are deterministic and never modify their source state', () => {
    const m = model('ref-e', 'native');
    fc.assert(
      fc.property(choices, (cs) => {
        const { states } = walk(m, cs);
        const a = new Uint32Array(m.words);
        const b = new Uint32Array(m.words);
        for (const s of states) {
          const before = s.slice();
          for (let i = 0; i < m.actionCount; i++) {
            const ea = m.step(s, i, a);
            const eb = m.step(s, i, b);
            if (ea !== eb || (ea && !a.every((w, k) => w === b[k]))) return false;
          }
          if (!s.every((w, k) => w === before[k])) return false;
        }
        return true;
      }),
      { numRuns: 100, seed: 7 },
    );
  });

  test('trap-va keeps both invariants on random walks through ref-e (too big for a unit-test BFS)', () => {
    const m = model('ref-e', 'trap-va');
    const invs = setwayInvariants(m);
    fc.assert(
      fc.property(fc.array(fc.nat(1000), { minLength: 40, maxLength: 80 }), (cs) => walk(m, cs).states.every((s) => invs.every((i) => i.holds(s)))),
      { numRuns: 300, seed: 1 },
    );
  });

  test('a violating random walk becomes a trace that replays', () => {
    const m = model('ref-b', 'xen-rfc');
    const [coherent] = setwayInvariants(m);
    const failing = fc.check(
      fc.property(fc.array(fc.nat(1000), { minLength: 30, maxLength: 60 }), (cs) => walk(m, cs).states.every((s) => coherent!.holds(s))),
      { numRuns: 2000, seed: 3 },
    );
    expect(failing.failed).toBe(true);
    const { path, states } = walk(m, failing.counterexample![0]);
    const end = states.findIndex((s) => !coherent!.holds(s));
    const trace = buildTrace(m, path.slice(0, end), coherent!);
    expect(replay(m, trace.steps, coherent!).reproduced).toBe(true);
  });
});
