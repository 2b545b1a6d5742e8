/** 32-bit hash of `n` words of `a` from `off` (murmur3-style mixing; not cryptographic). */
export function hashWords(a: Uint32Array, off: number, n: number): number {
  let h = 0x9747b28c ^ n;
  for (let i = 0; i < n; i++) {
    let k = a[off + i]!;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
