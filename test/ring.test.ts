import { describe, expect, test } from 'vitest';
import { Ring } from '../explorer/ring.ts';

describe('the rings between parallel workers', () => {
  test('entries come out in order, a full ring refuses more, and positions wrap around', () => {
    const producer = new Ring(Ring.allocate(4, 2), 2);
    const buffer = Ring.allocate(8, 3);
    const p = new Ring(buffer, 3);
    const c = new Ring(buffer, 3);
    expect(producer.reserve()).toBe(0);
    let sent = 0;
    let received = 0;
    const got: number[] = [];
    for (let round = 0; round < 1000; round++) {
      // fill it up (8 entries), then one more is refused
      for (let k = 0; k < 8; k++) {
        const at = p.reserve();
        expect(at).toBeGreaterThanOrEqual(0);
        p.data[at] = sent;
        p.data[at + 1] = sent * 2;
        p.data[at + 2] = 7;
        p.commit();
        sent++;
      }
      // nothing is visible before it is published (the batch is 64 entries)
      if (round === 0) expect(c.drain(() => {})).toBe(0);
      // a full ring refuses (and publishes what it holds)
      expect(p.reserve()).toBe(-1);
      const n = c.drain((d, off) => {
        got.push(d[off]!);
        if (d[off + 1] !== d[off]! * 2 || d[off + 2] !== 7) throw new Error('torn entry');
      });
      received += n;
      expect(n).toBe(8);
    }
    expect(received).toBe(sent);
    expect(got.every((x, i) => x === i)).toBe(true);
  });
});
