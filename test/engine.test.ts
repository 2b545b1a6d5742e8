import { describe, expect, test } from 'vitest';
import { bfs } from '../explorer/bfs.ts';
import { check } from '../explorer/check.ts';
import { replay } from '../explorer/replay.ts';
import { Layout } from '../explorer/layout.ts';
import { grid, ring, twoBits, twoRoutes } from './toys.ts';

describe('BFS on hand-counted toy models', () => {
  test('two bits: 4 states, 8 transitions, depth 2', () => {
    const r = bfs(twoBits());
    expect([r.distinctStates, r.transitions, r.maxDepth, r.complete]).toEqual([4, 8, 2, true]);
  });

  test('3x3 grid: 9 states, 12 transitions, depth 4', () => {
    const r = bfs(grid(3));
    expect([r.distinctStates, r.transitions, r.maxDepth, r.complete]).toEqual([9, 12, 4, true]);
  });

  test('5x5 grid: 25 states, 40 transitions, depth 8', () => {
    const r = bfs(grid(5));
    expect([r.distinctStates, r.transitions, r.maxDepth]).toEqual([25, 40, 8]);
  });

  test('ring of 5: 5 states, 5 transitions, depth 4', () => {
    const r = bfs(ring(5));
    expect([r.distinctStates, r.transitions, r.maxDepth]).toEqual([5, 5, 4]);
  });

  test('the shortest counterexample wins even when the long route is listed first', () => {
    const m = twoRoutes();
    const bad = m.invariant('never-5', (s) => s.pos !== 5);
    const rep = check(m, [bad]);
    expect(rep.invariants[0]!.status).toBe('violated');
    const cex = rep.invariants[0]!.counterexample!;
    expect(cex.steps.map((s) => `${s.actor}: ${s.action}`)).toEqual(['fast: jump', 'fast: land']);
    expect(cex.steps[1]!.changes).toEqual([{ name: 'pos', from: 6, to: 5 }]);
  });

  test('a violation in the initial state has a trace of length 0', () => {
    const m = ring(3);
    const rep = check(m, [m.invariant('c-positive', (s) => s.c > 0)]);
    expect(rep.invariants[0]!.counterexample!.steps).toHaveLength(0);
  });

  test('an invariant that holds is reported as holding only after a complete search', () => {
    const m = grid(3);
    const inv = m.invariant('x+y<=4', (s) => s.x + s.y <= 4);
    expect(check(m, [inv]).invariants[0]!.status).toBe('holds');
    expect(check(m, [inv], { maxStates: 4 }).invariants[0]!.status).toBe('unknown');
  });

  test('several invariants: each gets its own shortest trace; search stops once all are violated', () => {
    const m = grid(4);
    const rep = check(m, [m.invariant('x<2', (s) => s.x < 2), m.invariant('x+y<1', (s) => s.x + s.y < 1)]);
    expect(rep.invariants.map((i) => i.counterexample!.steps.length)).toEqual([2, 1]);
    expect(rep.stopReason).toBe('all-violated');
    expect(rep.complete).toBe(false);
  });
});

describe('limits end the run with complete: false, never a crash', () => {
  test('max-states', () => {
    const r = bfs(grid(3), { maxStates: 3 });
    expect([r.distinctStates, r.complete, r.stopReason]).toEqual([3, false, 'max-states']);
  });

  test('max-depth cuts the search when deeper states exist', () => {
    const r = bfs(grid(3), { maxDepth: 2 });
    // depths 0,1,2 hold 1+2+3 states
    expect([r.distinctStates, r.maxDepth, r.complete, r.stopReason]).toEqual([6, 2, false, 'max-depth']);
  });

  test('max-depth equal to the real depth still completes', () => {
    const r = bfs(grid(3), { maxDepth: 4 });
    expect([r.distinctStates, r.complete]).toEqual([9, true]);
  });

  test('timeout', () => {
    const r = bfs(ring(100_000), { timeoutSeconds: 1e-9 });
    expect(r.complete).toBe(false);
    expect(r.stopReason).toBe('timeout');
  });
});

describe('replay', () => {
  test('a trace replays and confirms; a tampered trace says where it breaks', () => {
    const m = twoRoutes();
    const inv = m.invariant('never-5', (s) => s.pos !== 5);
    const cex = check(m, [inv]).invariants[0]!.counterexample!;
    expect(replay(m, cex.steps, inv)).toMatchObject({ reproduced: true, length: 2 });
    const bad = [cex.steps[1]!, cex.steps[0]!];
    const out = replay(m, bad, inv);
    expect(out).toMatchObject({ reproduced: false, step: 1 });
    expect(!out.reproduced && out.reason).toMatch(/not enabled/);
    const shortened = replay(m, cex.steps.slice(0, 1), inv);
    expect(shortened).toMatchObject({ reproduced: false, step: null });
  });
});

describe('layout', () => {
  test('fields pack into words without straddling and read back', () => {
    const l = new Layout();
    const a = l.field('a', 1);
    const b = l.field('b', 0xffff);
    const c = l.field('c', 0xffff);
    const d = l.field('d', 2 ** 32 - 1);
    l.freeze();
    expect(l.words).toBe(3);
    const s = new Uint32Array(l.words);
    l.set(s, a, 1);
    l.set(s, b, 0xabcd);
    l.set(s, c, 0x1234);
    l.set(s, d, 0xdeadbeef);
    expect([l.get(s, a), l.get(s, b), l.get(s, c), l.get(s, d)]).toEqual([1, 0xabcd, 0x1234, 0xdeadbeef]);
    expect(() => l.set(s, a, 2)).toThrow(/out of range/);
  });
});
