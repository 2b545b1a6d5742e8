/**
 * The visited set of a search (and of each parallel worker): one open-addressing hash table
 * (linear probing, load at most 0.75) whose slots hold the full packed state,
 * W words per slot, and nothing else. Which state was found from which is the
 * business of the store (explorer/store.ts), which keeps states in discovery
 * order.
 *
 * - A lookup compares full states: two different states are never merged
 *   (collision probability zero, by construction).
 * - A slot is empty when all its words are 0. The all-zero state, which a
 *   layout may well allow, is kept outside the table, as one flag.
 * - Growing rehashes the states into a table twice as large; nothing else
 *   refers to slots, so nothing has to be remapped.
 * - In front of the table, a direct-mapped cache of recently seen states
 *   (65,536 entries, indexed by the top 16 bits of the hash; the table uses
 *   the low bits). Most successors in a search are states already seen, often
 *   by a sibling a moment ago: about two thirds of the lookups on `ref-e` end
 *   there, without the cache miss a probe of the big table costs. Entries are
 *   only ever states the table holds, so a hit is never wrong, and they stay
 *   right when the table grows.
 * - The hot functions (hash, add, has) are generated once per state width
 *   as straight-line JavaScript (`compileTable`): the words of the state in
 *   local variables, no loops over W.
 */

const MAX_LOAD = 0.75;
const RECENT_BITS = 16;

/** The per-width code of a table. `add`, `addDirect`, `recent` and `has` see the table's fields; the state is a[off..off+W), with hash h. */
interface TableCode {
  /** hashWords(a, off, W) of explorer/hash.ts, unrolled. */
  hash(a: Uint32Array, off: number): number;
  /** StateTable.add for a state that is not all zero. */
  add(t: StateTable, a: Uint32Array, off: number, h: number): boolean;
  /** StateTable.add without the recent-states cache, for a state that is not all zero. */
  addDirect(t: StateTable, a: Uint32Array, off: number, h: number): boolean;
  /** StateTable.seenRecently for a state that is not all zero. */
  recent(t: StateTable, a: Uint32Array, off: number, h: number): boolean;
  /** StateTable.has for a state that is not all zero. */
  has(t: StateTable, a: Uint32Array, off: number, h: number): boolean;
  /** Whether a[off..off+W) is all zero. */
  zero(a: Uint32Array, off: number): boolean;
}

const compiled = new Map<number, TableCode>();

/** The hash of hashWords for W words, as source text over `${v}0..${v}(W-1)`, into `h`. */
function hashSource(W: number, v: string): string {
  const lines = [`let h = ${(0x9747b28c ^ W) >>> 0} | 0, k = 0;`];
  for (let i = 0; i < W; i++) {
    lines.push(
      `k = Math.imul(${v}${i}, 0xcc9e2d51); k = (k << 15) | (k >>> 17); k = Math.imul(k, 0x1b873593);`,
      `h ^= k; h = (h << 13) | (h >>> 19); h = (Math.imul(h, 5) + 0xe6546b64) | 0;`,
    );
  }
  lines.push(
    'h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35); h ^= h >>> 16;',
  );
  return lines.join('\n');
}

export function compileTable(W: number): TableCode {
  const have = compiled.get(W);
  if (have) return have;
  const idx = [...Array(W).keys()];
  const load = idx.map((i) => `const s${i} = a[off + ${i}];`).join(' ');
  const equalAt = (arr: string, base: string): string => idx.map((i) => `${arr}[${base} + ${i}] === s${i}`).join(' && ');
  const emptyAt = (arr: string, base: string): string => `(${idx.map((i) => `${arr}[${base} + ${i}]`).join(' | ')}) === 0`;
  const store = (arr: string, base: string): string => idx.map((i) => `${arr}[${base} + ${i}] = s${i};`).join(' ');
  const probe = (onFound: string, onEmpty: string): string => `
    const keys = t.keys, mask = t.mask;
    let slot = h & mask;
    for (;;) {
      const b = slot * ${W};
      if (${equalAt('keys', 'b')}) { ${onFound} }
      if (${emptyAt('keys', 'b')}) { ${onEmpty} }
      slot = (slot + 1) & mask;
    }`;
  const fn = (args: string, body: string): never =>
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    new Function(...args.split(','), body) as never;
  // The recent-states cache: `onHit` if it holds the state, else it does from now on.
  const recentCheck = (onHit: string): string => `
      const rc = t.recent, r = (h >>> ${32 - RECENT_BITS}) * ${W};
      if (${equalAt('rc', 'r')}) ${onHit}
      ${store('rc', 'r')}`;
  const insert = probe('return false;', `${store('keys', 'b')} t.size++; return true;`);
  const code: TableCode = {
    hash: fn('a,off', `${idx.map((i) => `const a${i} = a[off + ${i}];`).join(' ')}\n${hashSource(W, 'a')}\nreturn h >>> 0;`),
    add: fn('t,a,off,h', `${load}\n${recentCheck('return false;')}\n${insert}`),
    addDirect: fn('t,a,off,h', `${load}\n${insert}`),
    has: fn('t,a,off,h', `${load}\n${probe('return true;', 'return false;')}`),
    recent: fn('t,a,off,h', `${load}\n${recentCheck('return true;')}\nreturn false;`),
    zero: fn('a,off', `return (${idx.map((i) => `a[off + ${i}]`).join(' | ')}) === 0;`),
  };
  compiled.set(W, code);
  return code;
}

export class StateTable {
  readonly words: number;
  /** capacity * W words: slot k is words [k*W, (k+1)*W), all zero when empty. */
  keys: Uint32Array;
  /** The recent-states cache: 2^16 entries of W words, all zero when empty. */
  readonly recent: Uint32Array;
  capacity: number;
  mask: number;
  size = 0;
  /** Whether the all-zero state is in the set. */
  private zeroHeld = false;
  private limit: number;
  private readonly code: TableCode;

  constructor(words: number, initialCapacity = 1 << 14) {
    this.words = words;
    this.code = compileTable(words);
    let cap = 1 << 4;
    while (cap < initialCapacity) cap <<= 1;
    this.capacity = cap;
    this.mask = cap - 1;
    this.limit = Math.floor(cap * MAX_LOAD);
    this.keys = new Uint32Array(cap * words);
    this.recent = new Uint32Array((1 << RECENT_BITS) * words);
  }

  /** Whether inserting one more state would make the table grow first. */
  get full(): boolean {
    return this.size >= this.limit;
  }

  /** Whether the set holds the state a[off..off+W). */
  has(a: Uint32Array, off = 0): boolean {
    if (this.code.zero(a, off)) return this.zeroHeld;
    return this.code.has(this, a, off, this.code.hash(a, off));
  }

  /**
   * Add the state a[off..off+W) if absent: true if it is new, false when the
   * set already holds it (found in the recent-states cache or the table). The
   * caller must call `grow` first when `full`.
   */
  add(a: Uint32Array, off = 0): boolean {
    const code = this.code;
    return code.zero(a, off) ? this.addZero() : code.add(this, a, off, code.hash(a, off));
  }

  /** `add` for the all-zero state, which is a flag rather than a slot. */
  private addZero(): boolean {
    if (this.zeroHeld) return false;
    this.zeroHeld = true;
    this.size++;
    return true;
  }

  /**
   * `add` for a state of hash h (`hash`), without the recent-states cache: for
   * a caller that has filtered its states through a cache of its own (a
   * worker of the parallel search).
   */
  addDirect(a: Uint32Array, off: number, h: number): boolean {
    const code = this.code;
    return code.zero(a, off) ? this.addZero() : code.addDirect(this, a, off, h);
  }

  /**
   * Whether the recent-states cache holds a[off..off+W) (of hash h); if not,
   * it does from now on. For a worker of the parallel search, which puts there
   * the states it stored and those it sent to their owners (who store them in
   * the same level), and then stores its own with `addDirect`. Never true for
   * the all-zero state.
   */
  seenRecently(a: Uint32Array, off: number, h: number): boolean {
    const code = this.code;
    return !code.zero(a, off) && code.recent(this, a, off, h);
  }

  /** The hash of the state a[off..off+W), as the table computes it. */
  hash(a: Uint32Array, off = 0): number {
    return this.code.hash(a, off);
  }

  /** The states, for another thread to query (`StateTable.from`). */
  snapshot(): { keys: Uint32Array; zero: boolean; size: number } {
    return { keys: this.keys, zero: this.zeroHeld, size: this.size };
  }

  /** A table over a snapshot's states (for lookups). */
  static from(words: number, snap: { keys: Uint32Array; zero: boolean; size: number }): StateTable {
    const t = new StateTable(words, 16);
    t.keys = snap.keys;
    t.capacity = snap.keys.length / words;
    t.mask = t.capacity - 1;
    t.limit = Math.floor(t.capacity * MAX_LOAD);
    t.zeroHeld = snap.zero;
    t.size = snap.size;
    return t;
  }

  /** Double the capacity, rehashing every state. */
  grow(): void {
    const W = this.words;
    const old = this.keys;
    const oldCap = this.capacity;
    const cap = oldCap * 2;
    const mask = cap - 1;
    const keys = new Uint32Array(cap * W);
    const { hash, zero } = this.code;
    for (let o = 0; o < oldCap; o++) {
      const ob = o * W;
      if (zero(old, ob)) continue;
      let slot = hash(old, ob) & mask;
      while (!zero(keys, slot * W)) slot = (slot + 1) & mask;
      const nb = slot * W;
      for (let k = 0; k < W; k++) keys[nb + k] = old[ob + k]!;
    }
    this.keys = keys;
    this.capacity = cap;
    this.mask = mask;
    this.limit = Math.floor(cap * MAX_LOAD);
  }

  get bytes(): number {
    return this.keys.byteLength + this.recent.byteLength;
  }
}
