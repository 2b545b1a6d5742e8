import { Worker } from 'node:worker_threads';
import { describe, expect, test } from 'vitest';
import { ADDED, NO_PLACE, SEEN, SharedTable } from '../explorer/shared-table.ts';

/** n distinct states of W words (a xorshift stream), among them the all-zero state, the all-ones state and states with an all-ones word. */
function states(n: number, W: number, seed = 7): Uint32Array {
  const out = new Uint32Array(n * W);
  const seen = new Set<string>();
  let x = seed;
  const rnd = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  const special = [new Array(W).fill(0), new Array(W).fill(0xffffffff), [0xffffffff, ...new Array(W - 1).fill(3)], [...new Array(W - 1).fill(0), 0xffffffff]];
  for (let i = 0, next = 0; i < n; i++) {
    // Small words too, so that states share words and hash chains.
    const s = next < special.length ? special[next++]! : Array.from({ length: W }, () => (rnd() % 2 ? rnd() % 64 : rnd()));
    const key = s.join(',');
    if (seen.has(key)) {
      i--;
      continue;
    }
    seen.add(key);
    out.set(s, i * W);
  }
  return out;
}

describe('the shared visited set, on one thread', () => {
  test.each([1, 2, 3])('W=%i: add answers ADDED once per state, then SEEN; has agrees; it grows', (W) => {
    const n = 20_000;
    const all = states(n, W);
    for (const mask of [undefined, new Array(W).fill(0x3f), new Array(W).fill(0)]) {
      const t = new SharedTable(SharedTable.allocate(W, 2 ** 24), mask);
      const wrong: string[] = [];
      const want = (what: string, got: unknown, expected: unknown) => {
        if (got !== expected && wrong.length < 5) wrong.push(`${what}: ${String(got)}, not ${String(expected)}`);
      };
      for (let i = 0; i < n; i += 2) want(`add #${i}`, t.add(all, i * W), ADDED);
      for (let i = 0; i < n; i++) want(`has #${i}`, t.has(all, i * W), i % 2 === 0);
      for (let i = 0; i < n; i++) want(`add again #${i}`, t.add(all, i * W), i % 2 === 0 ? SEEN : ADDED);
      for (let i = 0; i < n; i++) want(`has after #${i}`, t.has(all, i * W), true);
      expect(wrong).toEqual([]);
      expect(t.count()).toBe(n);
    }
  });

  test('regions given up by growing are reused after recycle(), zeroed: nothing lost, less arena', () => {
    const W = 2;
    const n = 40_000;
    const all = states(n, W, 5);
    const bytes = (recycle: boolean): number => {
      const t = new SharedTable(SharedTable.allocate(W, 2 ** 24), [0x3f, 0x3f]);
      // Ten "levels" of 4,000 states, with the recycling a worker does between levels.
      for (let level = 0; level < 10; level++) {
        for (let i = level * 4000; i < (level + 1) * 4000; i++) if (t.add(all, i * W) !== ADDED) throw new Error(`state ${i} not new`);
        if (recycle) t.recycle();
        for (let i = 0; i < (level + 1) * 4000; i += 7) if (t.add(all, i * W) !== SEEN) throw new Error(`state ${i} lost`);
      }
      for (let i = 0; i < n; i++) if (!t.has(all, i * W)) throw new Error(`state ${i} lost`);
      expect(t.count()).toBe(n);
      return t.arenaBytes;
    };
    expect(bytes(true)).toBeLessThan(bytes(false));
  });

  test('a quota: at most quotaMax states are added; the others are NO_PLACE and stay out', () => {
    const W = 2;
    const all = states(100, W);
    const t = new SharedTable(SharedTable.allocate(W, 2 ** 20));
    const count = new Int32Array(new SharedArrayBuffer(8));
    count[1] = 3;
    t.quota = count;
    t.quotaIndex = 1;
    t.quotaMax = 40;
    const got = Array.from({ length: 100 }, (_, i) => t.add(all, i * W));
    expect(got.filter((r) => r === ADDED).length).toBe(37);
    expect(got.slice(37).every((r) => r === NO_PLACE)).toBe(true);
    expect(count[1]).toBe(40);
    expect(Array.from({ length: 100 }, (_, i) => t.has(all, i * W))).toEqual(got.map((r) => r === ADDED));
    expect(t.add(all, 0)).toBe(SEEN);
  });

  test('an arena too small: a clear error', () => {
    const t = new SharedTable(SharedTable.allocate(2, 2 ** 16));
    const all = states(20_000, 2);
    expect(() => {
      for (let i = 0; i < 20_000; i++) t.add(all, i * 2);
    }).toThrow(/the shared visited set is full/);
  });
});

describe('the shared visited set, on three threads at once', () => {
  // Every thread adds all the states, each in an order of its own, and most of them into one bucket
  // (mask 0): the lock is contended and the bucket grows while others scan it.
  test.each([
    ['buckets by the hash', undefined],
    ['one bucket for all', [0, 0]],
  ])('%s: each state is added by exactly one thread, and every thread then finds all', async (_name, mask) => {
    const W = 2;
    const n = 60_000;
    const all = states(n, W, 11);
    const buffers = SharedTable.allocate(W, 2 ** 26);
    const start = new SharedArrayBuffer(8);
    const threads = 3;
    const orders = Array.from({ length: threads }, (_, k) => {
      const o = Int32Array.from({ length: n }, (_, i) => i);
      // A different shuffle per thread (the first goes in order).
      let x = 1 + k;
      for (let i = n - 1; i > 0 && k > 0; i--) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        const j = x % (i + 1);
        [o[i], o[j]] = [o[j]!, o[i]!];
      }
      return o;
    });
    const entry = new URL('../explorer/worker-entry.mjs', import.meta.url);
    const workers = orders.map(
      (order) => new Worker(entry, { workerData: { entry: new URL('./fixtures/shared-table-worker.ts', import.meta.url).href, buffers, mask, states: all, order, start } }),
    );
    const results = workers.map((w) => new Promise<{ added: number[]; seenAfter: number }>((resolve, reject) => (w.once('message', resolve), w.once('error', reject))));
    const go = new Int32Array(start);
    while (Atomics.load(go, 0) < threads) await new Promise((r) => setTimeout(r, 5));
    Atomics.store(go, 1, 1);
    const got = await Promise.all(results);
    await Promise.all(workers.map((w) => w.terminate()));
    const added = got.flatMap((r) => r.added).sort((a, b) => a - b);
    expect(added.length).toBe(n);
    expect(added.every((v, i) => v === i)).toBe(true);
    expect(got.map((r) => r.seenAfter)).toEqual([n, n, n]);
    const t = new SharedTable(buffers, mask, { lookupsOnly: true });
    expect(t.count()).toBe(n);
    for (let i = 0; i < n; i++) if (!t.has(all, i * W)) throw new Error(`state ${i} lost`);
  });
});
