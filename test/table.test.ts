import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { hashWords } from '../explorer/hash.ts';
import { ROOT, StateStore } from '../explorer/store.ts';
import { StateTable, compileTable } from '../explorer/table.ts';

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

  test.each([1, 2, 3])('it holds each distinct state once, the all-zero one included, across growth (%i words)', (W) => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: W, maxLength: W }), { maxLength: 400 }), (states) => {
        const t = new StateTable(W, 16);
        const seen = new Set<string>();
        for (const st of states) {
          if (t.full) t.grow();
          const key = st.join(',');
          expect(t.add(Uint32Array.from(st))).toBe(!seen.has(key));
          seen.add(key);
        }
        expect(t.size).toBe(seen.size);
        for (const key of seen) expect(t.has(Uint32Array.from(key.split(',').map(Number)))).toBe(true);
        expect(t.has(new Uint32Array(W).fill(6))).toBe(false);
        expect(t.has(new Uint32Array(W))).toBe(seen.has(new Array(W).fill(0).join(',')));
      }),
    );
  });
});

describe('the state store', () => {
  test('keeps states in discovery order with their parents, past the first chunk', () => {
    const store = new StateStore(3);
    const n = (1 << 20) + 5000;
    const s = new Uint32Array(6);
    let misnumbered = 0;
    for (let i = 0; i < n; i++) {
      s[3] = i;
      s[4] = i * 7;
      s[5] = i ^ 0x55;
      if (store.push(s, 3, i === 0 ? ROOT : i >> 1) !== i) misnumbered++;
    }
    expect(misnumbered).toBe(0);
    const out = new Uint32Array(3);
    for (const i of [0, 1, 1023, 1024, 4097, (1 << 20) - 1, 1 << 20, n - 1]) {
      store.read(i, out);
      expect([...out]).toEqual([i, (i * 7) >>> 0, i ^ 0x55]);
      expect(store.parent(i)).toBe(i === 0 ? -1 : i >> 1);
    }
    expect(store.length).toBe(n);
  });
});
