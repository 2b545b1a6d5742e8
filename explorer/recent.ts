/**
 * A small direct-mapped cache of states known to be in a visited set,
 * indexed by bits 15.. of the state's hash (the table uses the low bits).
 * Most successors in a search are states already seen, often by a sibling a
 * moment ago (about 62 % of lookups on ref-e end here); a hit saves a probe of
 * the big table, a cache miss. Entries are only ever states the visited set
 * holds, so a hit is never wrong; they are states, not slots, so they stay
 * right when the table grows. Used by `StateTable` and by each worker of the
 * parallel search.
 */
const MASK = (1 << 15) - 1;

export class RecentStates {
  private readonly data: Uint32Array;

  constructor(private readonly words: number) {
    this.data = new Uint32Array((MASK + 1) * (words + 1));
  }

  /** The entry index of a state of hash h (for `holds` and `remember`). */
  entry(h: number): number {
    return ((h >>> 15) & MASK) * (this.words + 1);
  }

  /** Whether entry `e` holds state s. */
  holds(e: number, s: Uint32Array): boolean {
    const d = this.data;
    if (d[e] !== 1) return false;
    const W = this.words;
    let k = 0;
    while (k < W && d[e + 1 + k] === s[k]) k++;
    return k === W;
  }

  /** Put s (now known to be in the visited set) in entry `e`. */
  remember(e: number, s: Uint32Array): void {
    const d = this.data;
    d[e] = 1;
    for (let k = 0; k < this.words; k++) d[e + 1 + k] = s[k]!;
  }

  get bytes(): number {
    return this.data.byteLength;
  }
}
