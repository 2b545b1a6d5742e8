/**
 * The visited set with parent links of the sequential search: one
 * open-addressing hash table (linear probing, load at most 0.75) whose slots
 * hold the full packed state inline, W words per slot, with the parent links
 * in an array of their own indexed by slot.
 *
 * - A lookup compares full states: two different states are never merged
 *   (collision probability zero, by construction). It reads only the state
 *   words; a link is written once, when its state is stored.
 * - A slot is empty when all its words are 0. The all-zero state, which a
 *   layout may well allow, is therefore kept outside the probed range, in the
 *   extra slot `capacity`.
 * - A state's identity is its slot. When the table grows every slot moves;
 *   `grow` returns the old -> new slot map so the caller can remap the slots
 *   it holds (queues, violation sites); parent links are remapped here.
 * - In front of the table, a direct-mapped cache of recently seen states
 *   (65,536 entries, indexed by the top 16 bits of the hash; the table uses
 *   the low bits). Most successors in a search are states already seen, often
 *   by a sibling a moment ago: about two thirds of the lookups on `ref-e` end
 *   there, without the cache miss a probe of the big table costs. Entries are
 *   only ever states the table holds, so a hit is never wrong; they are
 *   states, not slots, so they stay right when the table grows.
 * - The hot functions (hash, add, find) are generated once per state width
 *   as straight-line JavaScript (`compileTable`): the words of the state in
 *   local variables, no loops over W.
 */

export const ROOT = 0xffffffff;
const MAX_LOAD = 0.75;
const RECENT_BITS = 16;

/** The per-width code of a table. `add` and `find` see the table's fields; the state is a[off..off+W), with hash h. */
interface TableCode {
  /** hashWords(a, off, W) of explorer/hash.ts, unrolled. */
  hash(a: Uint32Array, off: number): number;
  /** StateTable.addAt for a state that is not all zero. */
  add(t: StateTable, a: Uint32Array, off: number, h: number, link: number): number;
  /** StateTable.findAt for a state that is not all zero. */
  find(t: StateTable, a: Uint32Array, off: number, h: number): number;
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
  const code: TableCode = {
    hash: fn('a,off', `${idx.map((i) => `const a${i} = a[off + ${i}];`).join(' ')}\n${hashSource(W, 'a')}\nreturn h >>> 0;`),
    add: fn(
      't,a,off,h,link',
      `${load}
      const rc = t.recent, r = (h >>> ${32 - RECENT_BITS}) * ${W};
      if (${equalAt('rc', 'r')}) return -1;
      ${store('rc', 'r')}
      ${probe('return -1;', `${store('keys', 'b')} t.links[slot] = link; t.size++; return slot;`)}`,
    ),
    find: fn('t,a,off,h', `${load}\n${probe('return slot;', 'return -1;')}`),
    zero: fn('a,off', `return (${idx.map((i) => `a[off + ${i}]`).join(' | ')}) === 0;`),
  };
  compiled.set(W, code);
  return code;
}

export class StateTable {
  readonly words: number;
  /** (capacity + 1) * W words: slot k is words [k*W, (k+1)*W); slot `capacity` is the all-zero state's. */
  keys: Uint32Array;
  /** capacity + 1 links: 0 for an empty slot, ROOT for the initial state, else parent slot + 1. */
  links: Uint32Array;
  /** The recent-states cache: 2^16 entries of W words, all zero when empty. */
  readonly recent: Uint32Array;
  capacity: number;
  mask: number;
  size = 0;
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
    this.keys = new Uint32Array((cap + 1) * words);
    this.links = new Uint32Array(cap + 1);
    this.recent = new Uint32Array((1 << RECENT_BITS) * words);
  }

  /** Whether inserting one more state would make the table grow first. */
  get full(): boolean {
    return this.size >= this.limit;
  }

  /** The hash of the state a[off..off+W) (for `findAt` and `addAt`). */
  hashAt(a: Uint32Array, off: number): number {
    return this.code.hash(a, off);
  }

  /** The slot holding the state a[off..off+W) of hash h, or -1. */
  findAt(a: Uint32Array, off: number, h: number): number {
    if (this.code.zero(a, off)) return this.links[this.capacity] === 0 ? -1 : this.capacity;
    return this.code.find(this, a, off, h);
  }

  /**
   * Add the state a[off..off+W) of hash h with parent link `link` if absent:
   * its new slot, or -1 when the table already holds it (found in the
   * recent-states cache or the table). The caller must call `grow` first when
   * `full`.
   */
  addAt(a: Uint32Array, off: number, h: number, link: number): number {
    if (!this.code.zero(a, off)) return this.code.add(this, a, off, h, link);
    const z = this.capacity;
    if (this.links[z] !== 0) return -1;
    this.links[z] = link;
    this.size++;
    return z;
  }

  /** The slot holding a state equal to `s`, or -1. */
  find(s: Uint32Array): number {
    return this.findAt(s, 0, this.code.hash(s, 0));
  }

  /** `addAt` for the state s[0..W). */
  add(s: Uint32Array, link: number): number {
    return this.addAt(s, 0, this.code.hash(s, 0), link);
  }

  /** Copy the state in `slot` into out[0..W). */
  read(slot: number, out: Uint32Array): void {
    const W = this.words;
    const base = slot * W;
    for (let k = 0; k < W; k++) out[k] = this.keys[base + k]!;
  }

  /** The parent slot of `slot`, or -1 for the initial state. */
  parent(slot: number): number {
    const link = this.links[slot]!;
    return link === ROOT ? -1 : link - 1;
  }

  /** Double the capacity; returns the map old slot -> new slot (ROOT for empty slots). */
  grow(): Uint32Array {
    const W = this.words;
    const oldKeys = this.keys;
    const oldLinks = this.links;
    const oldCap = this.capacity;
    const cap = oldCap * 2;
    const mask = cap - 1;
    const keys = new Uint32Array((cap + 1) * W);
    const links = new Uint32Array(cap + 1);
    const map = new Uint32Array(oldCap + 1).fill(ROOT);
    map[oldCap] = cap;
    const hash = this.code.hash;
    for (let o = 0; o < oldCap; o++) {
      if (oldLinks[o] === 0) continue;
      const ob = o * W;
      let slot = hash(oldKeys, ob) & mask;
      while (links[slot] !== 0) slot = (slot + 1) & mask;
      const nb = slot * W;
      for (let k = 0; k < W; k++) keys[nb + k] = oldKeys[ob + k]!;
      links[slot] = 1; // occupied; the real link is set below
      map[o] = slot;
    }
    for (let o = 0; o <= oldCap; o++) {
      const link = oldLinks[o]!;
      if (link === 0) continue;
      links[map[o]!] = link === ROOT ? ROOT : map[link - 1]! + 1;
    }
    this.keys = keys;
    this.links = links;
    this.capacity = cap;
    this.mask = mask;
    this.limit = Math.floor(cap * MAX_LOAD);
    return map;
  }

  get bytes(): number {
    return this.keys.byteLength + this.links.byteLength + this.recent.byteLength;
  }
}

/** A growable list of 32-bit values (a BFS level of slots). */
export class SlotList {
  data = new Uint32Array(1 << 10);
  length = 0;

  push(v: number): void {
    if (this.length === this.data.length) {
      const d = new Uint32Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = v;
  }

  remap(map: Uint32Array): void {
    for (let i = 0; i < this.length; i++) this.data[i] = map[this.data[i]!]!;
  }

  clear(): void {
    this.length = 0;
  }

  get bytes(): number {
    return this.data.byteLength;
  }
}
