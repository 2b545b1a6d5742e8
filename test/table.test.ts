import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { hashWords } from '../explorer/hash.ts';
import { ROOT, StateTable, compileTable } from '../explorer/table.ts';

describe('the sequential state table', () => {
  test.each([1, 2, 3, 5])('its generated hash is hashWords, for %i words', (W) => {
    const code = compileTable(W);
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 0xffffffff }), { minLength: W * 2, maxLength: W * 2 }), fc.nat({ max: W }), (words, off) => {
        const a = Uint32Array.from(words);
        expect(code.hash(a, off)).toBe(hashWords(a, off, W));
      }),
    );
  });

  test.each([1, 2, 3])('it stores each distinct state once, the all-zero one included, with its parent, across growth (%i words)', (W) => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: W, maxLength: W }), { maxLength: 400 }), (states) => {
        const t = new StateTable(W, 16);
        const slots = new Map<string, number>();
        const parentOf = new Map<string, string | undefined>();
        let prev: string | undefined;
        for (const st of states) {
          const s = Uint32Array.from(st);
          const key = st.join(',');
          if (t.full) {
            const map = t.grow();
            for (const [k, v] of slots) slots.set(k, map[v]!);
          }
          const link = prev === undefined ? ROOT : slots.get(prev)! + 1;
          const slot = t.add(s, link);
          if (slots.has(key)) expect(slot).toBe(-1);
          else {
            expect(slot).toBeGreaterThanOrEqual(0);
            slots.set(key, slot);
            parentOf.set(key, prev);
          }
          prev = key;
        }
        expect(t.size).toBe(slots.size);
        const out = new Uint32Array(W);
        for (const [key, slot] of slots) {
          expect(t.find(Uint32Array.from(key.split(',').map(Number)))).toBe(slot);
          t.read(slot, out);
          expect(out.join(',')).toBe(key);
          const p = parentOf.get(key);
          expect(t.parent(slot)).toBe(p === undefined ? -1 : slots.get(p));
        }
        expect(t.find(new Uint32Array(W).fill(6))).toBe(-1);
      }),
    );
  });
});
