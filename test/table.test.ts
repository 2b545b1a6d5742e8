import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { hashWords } from '../explorer/hash.ts';
import { Backlog, ROOT, StateStore } from '../explorer/store.ts';
import { Partition } from '../explorer/parallel-protocol.ts';
import { ROUTE_SEEN, ROUTE_SLOW, ROUTE_STORED, StateTable, compileTable } from '../explorer/table.ts';

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

  // No mask: one table. A mask that keeps every bit, or a few: 4,096 buckets, or only as many as the masked values.
  const masks = (W: number): [string, number[] | undefined][] => [
    ['no mask', undefined],
    ['a full mask', new Array<number>(W).fill(0xffffffff)],
    ['a two-bit mask', [3, ...new Array<number>(W - 1).fill(0)]],
  ];

  test.each([1, 2, 3].flatMap((W) => masks(W).map(([name, mask]) => [W, name, mask] as const)))(
    'it holds each distinct state once, the all-zero one included (%i words, %s)',
    (W, _name, mask) => {
      fc.assert(
        fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: W, maxLength: W }), { maxLength: 400 }), (states) => {
          const t = new StateTable(W, mask);
          const seen = new Set<string>();
          for (const st of states) {
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
    },
  );

  test.each([1, 2, 3].flatMap((W) => masks(W).map(([name, mask]) => [W, name, mask] as const)))(
    'its buckets grow, addDirect and the recent-states cache agree with add, and a snapshot answers the same (%i words, %s)',
    (W, _name, mask) => {
      const t = new StateTable(W, mask);
      const n = 60_000;
      const s = new Uint32Array(W);
      const fill = (i: number): void => {
        for (let k = 0; k < W; k++) s[k] = Math.imul(i + 1, 0x9e3779b1 + k) >>> (k === 0 ? 0 : 7);
      };
      let wrong = 0;
      for (let i = 0; i < n; i++) {
        fill(i);
        if (!(i % 2 === 0 ? t.add(s) : t.addDirect(s, 0, t.hash(s)))) wrong++;
      }
      for (let i = 0; i < n; i++) {
        fill(i);
        const h = t.hash(s);
        // The first time a state is asked, the cache may miss; a second time right after, it must hit.
        t.seenRecently(s, 0, h);
        if (!t.seenRecently(s, 0, h) || t.add(s) || t.addDirect(s, 0, h) || !t.has(s)) wrong++;
      }
      expect(wrong).toBe(0);
      expect(t.size).toBe(n);
      // Bytes: the load stays at most 0.75 in every bucket, and above 0.375 overall for this many states.
      const slotBytes = t.bytes - t.recent.byteLength;
      expect(slotBytes).toBeGreaterThanOrEqual((n / 0.75) * W * 4);
      if (!mask || mask[0] !== 3) expect(slotBytes).toBeLessThanOrEqual((n / 0.375) * W * 4 * 1.2);
      const { transfer, ...snap } = t.snapshot();
      expect(new Set(transfer).size).toBe(transfer.length);
      const copy = StateTable.from(W, mask, snap);
      let missing = 0;
      for (let i = 0; i < n; i++) {
        fill(i);
        if (!copy.has(s)) missing++;
      }
      fill(n);
      expect([missing, copy.has(s), copy.size]).toEqual([0, false, n]);
    },
  );
  // Owner masks: none (the locality mask decides), or the low half of every word.
  const ownerMasks = (W: number): [string, number[] | undefined][] => [
    ['no owner mask', undefined],
    ['owner mask', new Array<number>(W).fill(0xffff)],
  ];
  test.each(
    [1, 2, 3].flatMap((W) =>
      masks(W).flatMap(([name, mask]) =>
        ownerMasks(W).flatMap(([oname, ownerMask]) => [1, 2, 3].map((N) => [W, name, oname, N, mask, ownerMask] as const)),
      ),
    ),
  )(
    "route sends a state to the owner the partition names, and stores the worker's own once (%i words, %s, %s, %i workers)",
    (W, _name, _oname, N, mask, ownerMask) => {
      const partition = new Partition(W, N, mask, ownerMask);
      fc.assert(
        fc.property(fc.array(fc.array(fc.nat({ max: 0xffffffff }), { minLength: W, maxLength: W }), { maxLength: 300 }), fc.nat({ max: N - 1 }), (states, me) => {
          const t = new StateTable(W, mask, { ownerMask });
          const mine = new Set<string>();
          const sent = new Set<string>();
          for (const st of states) {
            const a = Uint32Array.from(st);
            const key = st.join(',');
            const r = t.route(a, 0, me, N);
            if (key === new Array(W).fill(0).join(',')) {
              expect(r).toBe(ROUTE_SLOW);
              continue;
            }
            // The owner, from the reference hash of the owner's masked words: the partition and route must both name it.
            const by = ownerMask ?? mask;
            const masked = a.map((w, k) => (by ? w & by[k]! : w));
            const owner = N > 1 ? ((hashWords(masked, 0, W) >>> 16) * N) >>> 16 : 0;
            expect(partition.owner(a)).toBe(owner);
            if (owner !== me) {
              // Sent (or, met before, possibly still in the recent-states cache); asked again right after, the cache has it.
              if (!(sent.has(key) && r === ROUTE_SEEN)) expect([r, t.lastHash[0]]).toEqual([owner, t.hash(a)]);
              sent.add(key);
              expect(t.route(a, 0, me, N)).toBe(ROUTE_SEEN);
            } else {
              expect(r).toBe(mine.has(key) ? ROUTE_SEEN : ROUTE_STORED);
              mine.add(key);
              expect(t.has(a)).toBe(true);
            }
          }
          expect(t.size).toBe(mine.size);
        }),
      );
    },
  );
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

  test('a backlog hands its states and parents back in the order pushed, past its first capacity, and again after a flush', () => {
    const backlog = new Backlog(2);
    const s = new Uint32Array(4);
    for (const n of [3000, 5, 0, 2500]) {
      for (let i = 0; i < n; i++) {
        s[2] = i;
        s[3] = 0xffffffff - i;
        backlog.push(s, 2, i === 0 ? ROOT : i * 3);
      }
      expect(backlog.length).toBe(n);
      const got: number[][] = [];
      backlog.flush((d, off, parent) => got.push([d[off]!, d[off + 1]!, parent]));
      expect(got).toEqual([...Array(n).keys()].map((i) => [i, 0xffffffff - i, i === 0 ? ROOT : i * 3]));
      expect(backlog.length).toBe(0);
    }
    expect(backlog.bytes).toBe(4096 * 3 * 4);
  });
});
