/** Tiny models whose state spaces are counted by hand in engine.test.ts. */
import { defineModel } from '../explorer/define.ts';

/** Two independent bits, each flippable at any time: 4 states, 8 transitions, depth 2. */
export const twoBits = () =>
  defineModel({
    name: 'two-bits',
    fields: { x: 1, y: 1 },
    initial: { x: 0, y: 0 },
    actions: [
      { actor: 'x', text: 'flip', enabled: () => true, next: (s) => ({ ...s, x: 1 - s.x }) },
      { actor: 'y', text: 'flip', enabled: () => true, next: (s) => ({ ...s, y: 1 - s.y }) },
    ],
  });

/** An n x n grid walked right and down from (0,0): n^2 states, 2n(n-1) transitions, depth 2(n-1). */
export const grid = (n: number) =>
  defineModel({
    name: `grid-${n}`,
    fields: { x: n - 1, y: n - 1 },
    initial: { x: 0, y: 0 },
    actions: [
      { actor: 'walker', text: 'right', enabled: (s) => s.x < n - 1, next: (s) => ({ ...s, x: s.x + 1 }) },
      { actor: 'walker', text: 'down', enabled: (s) => s.y < n - 1, next: (s) => ({ ...s, y: s.y + 1 }) },
    ],
  });

/**
 * Two routes to `bad`: a long one (five `slow` steps) that is listed first,
 * and a short one (`jump` then `land`). BFS must report the short one.
 * States: pos 0..5 on the slow road, 6 = after jump; bad when pos == 5.
 * Reachable: 0,1,2,3,4,5,6 = 7 states.
 */
export const twoRoutes = () =>
  defineModel({
    name: 'two-routes',
    fields: { pos: 7 },
    initial: { pos: 0 },
    actions: [
      { actor: 'slow', text: 'step', enabled: (s) => s.pos < 5, next: (s) => ({ pos: s.pos + 1 }) },
      { actor: 'fast', text: 'jump', enabled: (s) => s.pos === 0, next: () => ({ pos: 6 }) },
      { actor: 'fast', text: 'land', enabled: (s) => s.pos === 6, next: () => ({ pos: 5 }) },
    ],
  });

/** A counter mod n: n states, n transitions (one back to 0), depth n-1. */
export const ring = (n: number) =>
  defineModel({
    name: `ring-${n}`,
    fields: { c: n - 1 },
    initial: { c: 0 },
    actions: [{ actor: 'c', text: 'inc', enabled: () => true, next: (s) => ({ c: (s.c + 1) % n }) }],
  });
