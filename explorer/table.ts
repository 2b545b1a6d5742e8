/**
 * The visited set of a search (and of each parallel worker): open-addressing
 * hash tables (linear probing, load at most 0.75) whose slots hold the full
 * packed state, W words per slot, and nothing else. Which state was found
 * from which is the business of the store (explorer/store.ts), which keeps
 * states in discovery order.
 *
 * - A lookup compares full states: two different states are never merged
 *   (collision probability zero, by construction).
 * - A slot is empty when all its words are 0. The all-zero state, which a
 *   layout may well allow, is kept outside the table, as one flag.
 * - **Buckets by locality.** With a locality mask (the model's
 *   `partitionMask`: the bits most actions leave alone), the set is 4,096
 *   tables, and a state goes to the one its masked bits hash to (the low 12
 *   bits of that hash; the parallel search's owner uses the high ones). The
 *   states one stretch of a level probes then share few buckets, which stay
 *   in the processor's caches far more than slots spread over one big table
 *   would: about 10 % on `ref-e` `trap-va`. Each bucket grows on its own
 *   (doubling, rehashing only itself), so the set as a whole never doubles
 *   at once: a third less memory at the end of `ref-e` `native`. Without a
 *   mask it is one table. A bucket starts as a shared empty placeholder.
 * - In front of the tables, a direct-mapped cache of recently seen states
 *   (65,536 entries, indexed by the top 16 bits of the hash; the buckets use
 *   the low bits). Most successors in a search are states already seen, often
 *   by a sibling a moment ago: about two thirds of the lookups on `ref-e` end
 *   there, without the cache miss a probe of a bucket costs. Entries are
 *   only ever states the set holds, so a hit is never wrong, and they stay
 *   right when a bucket grows.
 * - The hot functions (hash, add, has) are generated once per state width
 *   and mask as straight-line JavaScript (`compileTable`): the words of the
 *   state in local variables, no loops over W.
 */

const MAX_LOAD = 0.75;
const RECENT_BITS = 16;
/** log2 of the number of buckets when there is a locality mask. */
const BUCKET_BITS = 12;
/** The capacity, in slots, a bucket gets when its first state arrives. */
const FIRST_CAPACITY = 16;

/** The code of a table, per width and mask. The functions taking `t` see the table's fields; the state is a[off..off+W), and h, where given, is its `hash`. */
interface TableCode {
  /** hashWords(a, off, W) of explorer/hash.ts, unrolled. */
  hash(a: Uint32Array, off: number): number;
  /** StateTable.add: the zero test, the hash, the recent-states cache and the probe in one function (about 10 % faster than calling them one by one). */
  add(t: StateTable, a: Uint32Array, off: number): boolean;
  /** StateTable.add without the recent-states cache, for a state that is not all zero. */
  addDirect(t: StateTable, a: Uint32Array, off: number, h: number): boolean;
  /** StateTable.seenRecently for a state that is not all zero. */
  recent(t: StateTable, a: Uint32Array, off: number, h: number): boolean;
  /** StateTable.has, the zero test and the hash included. */
  has(t: StateTable, a: Uint32Array, off: number): boolean;
  /** StateTable.route. */
  route(t: StateTable, a: Uint32Array, off: number, me: number, N: number): number;
  /** Which of N workers owns the state a[off..off+W) (`Partition.owner`). */
  owner(a: Uint32Array, off: number, N: number): number;
  /** Whether a[off..off+W) is all zero. */
  zero(a: Uint32Array, off: number): boolean;
}

/** `route`: the state was in the recent-states cache or the table. */
export const ROUTE_SEEN = -1;
/** `route`: the state was new, and is now in the table. */
export const ROUTE_STORED = -2;
/** `route`: the all-zero state, which the caller must handle the slow way (`hash`, `seenRecently`, `addDirect`). */
export const ROUTE_SLOW = -3;

const compiled = new Map<string, TableCode>();

/**
 * The hash of hashWords for W words, as source text over `${v}0..${v}(W-1)`
 * (each word and-ed with mask[i] when there is a mask), into `${out}`.
 */
export function hashSource(W: number, v: string, out = 'h', mask?: readonly number[]): string {
  const word = (i: number): string => (mask ? `(${v}${i} & ${mask[i]! | 0})` : `${v}${i}`);
  const k = `k${out}`;
  const lines = [`let ${out} = ${(0x9747b28c ^ W) >>> 0} | 0, ${k} = 0;`];
  for (let i = 0; i < W; i++) {
    lines.push(
      `${k} = Math.imul(${word(i)}, 0xcc9e2d51); ${k} = (${k} << 15) | (${k} >>> 17); ${k} = Math.imul(${k}, 0x1b873593);`,
      `${out} ^= ${k}; ${out} = (${out} << 13) | (${out} >>> 19); ${out} = (Math.imul(${out}, 5) + 0xe6546b64) | 0;`,
    );
  }
  lines.push(
    `${out} ^= ${out} >>> 16; ${out} = Math.imul(${out}, 0x85ebca6b); ${out} ^= ${out} >>> 13; ${out} = Math.imul(${out}, 0xc2b2ae35); ${out} ^= ${out} >>> 16;`,
  );
  return lines.join('\n');
}

/** Pieces of source text over the W words of a state (v0..v(W-1)), for the generated tables (here and explorer/shared-table.ts). */
export function wordsSource(W: number) {
  const idx = [...Array(W).keys()];
  return {
    /** arr[base + i] === v_i for every word i. */
    equalAt: (arr: string, base: string, v = 's'): string => idx.map((i) => `${arr}[${base} + ${i}] === ${v}${i}`).join(' && '),
    /** Whether arr[base..base+W) is all zero. */
    emptyAt: (arr: string, base: string): string => `(${idx.map((i) => `${arr}[${base} + ${i}]`).join(' | ')}) === 0`,
    /** arr[base + i] = v_i, for every word i. */
    storeAt: (arr: string, base: string, v = 's'): string => idx.map((i) => `${arr}[${base} + ${i}] = ${v}${i};`).join(' '),
    /** Whether v_0..v_(W-1) are all zero. */
    allZero: (v = 's'): string => `(${idx.map((i) => `${v}${i}`).join(' | ')}) === 0`,
    /** One statement per word, from `line(i)`. */
    each: (line: (i: number) => string): string => idx.map(line).join(' '),
  };
}

/** A function compiled from generated source (`args` comma-separated). */
export function generated<F>(args: string, body: string): F {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(...args.split(','), body) as F;
}

/** The code of a table of W words per state, with buckets by `mask` if given, and the owner among workers by `ownerMask` (by `mask` without it). */
export function compileTable(W: number, mask?: readonly number[], ownerMask?: readonly number[]): TableCode {
  const id = `${W}:${mask ? mask.join(',') : ''}:${ownerMask ? ownerMask.join(',') : ''}`;
  const have = compiled.get(id);
  if (have) return have;
  const words = wordsSource(W);
  const { equalAt, emptyAt, storeAt: store, each } = words;
  const load = each((i) => `const s${i} = a[off + ${i}];`);
  const allZero = words.allZero();
  // The hash of the masked words, g (the whole hash h without a mask); the bucket is its low bits.
  const maskedHash = mask ? hashSource(W, 's', 'g', mask) : 'const g = h;';
  const bucket = mask ? `const bk = g & ${(1 << BUCKET_BITS) - 1};` : 'const bk = 0;';
  // The owner among N workers: the high bits of the hash go of the owner's masked words (g without an
  // owner mask), scaled (the buckets use g's low bits, the probe h's).
  const ownerHash = ownerMask ? hashSource(W, 's', 'go', ownerMask) : 'const go = g;';
  const ownerOf = '((go >>> 16) * N) >>> 16';
  const probe = (onFound: string, onEmpty: string, haveG = false): string => `
    ${mask && !haveG ? maskedHash : ''}
    ${bucket}
    const keys = t.buckets[bk], mask = t.masks[bk];
    let slot = h & mask;
    for (;;) {
      const b = slot * ${W};
      if (${equalAt('keys', 'b')}) { ${onFound} }
      if (${emptyAt('keys', 'b')}) { ${onEmpty} }
      slot = (slot + 1) & mask;
    }`;
  const fn = generated<never>;
  // The recent-states cache: `onHit` if it holds the state, else it does from now on.
  const recentCheck = (onHit: string): string => `
      const rc = t.recent, r = (h >>> ${32 - RECENT_BITS}) * ${W};
      if (${equalAt('rc', 'r')}) ${onHit}
      ${store('rc', 'r')}`;
  // A bucket grows once it holds more than its limit (a placeholder, limit 0, at its first state).
  const stored = `${store('keys', 'b')} t.size++; if (++t.counts[bk] > t.limits[bk]) t.growBucket(bk);`;
  const insert = probe('return false;', `${stored} return true;`);
  const code: TableCode = {
    hash: fn('a,off', `${each((i) => `const a${i} = a[off + ${i}];`)}\n${hashSource(W, 'a')}\nreturn h >>> 0;`),
    add: fn('t,a,off', `${load}\nif (${allZero}) return t.addZero();\n${hashSource(W, 's')}\n${recentCheck('return false;')}\n${insert}`),
    addDirect: fn('t,a,off,h', `${load}\n${insert}`),
    has: fn('t,a,off', `${load}\nif (${allZero}) return t.zeroHeld;\n${hashSource(W, 's')}\n${probe('return true;', 'return false;')}`),
    recent: fn('t,a,off,h', `${load}\n${recentCheck('return true;')}\nreturn false;`),
    route: fn(
      't,a,off,me,N',
      `${load}
      if (${allZero}) return ${ROUTE_SLOW};
      ${hashSource(W, 's')}
      t.lastHash[0] = h;
      ${recentCheck(`return ${ROUTE_SEEN};`)}
      ${maskedHash}
      if (N > 1) { ${ownerHash} const o = ${ownerOf}; if (o !== me) return o; }
      ${probe(`return ${ROUTE_SEEN};`, `${stored} return ${ROUTE_STORED};`, true)}`,
    ),
    // With an owner mask only go is needed; without one, go is g, the masked hash (or h itself).
    owner: fn('a,off,N', `${load}\n${ownerMask ? '' : `${mask ? '' : hashSource(W, 's')}\n${maskedHash}`}\n${ownerHash}\nreturn N > 1 ? ${ownerOf} : 0;`),
    zero: fn('a,off', `return ${emptyAt('a', 'off')};`),
  };
  compiled.set(id, code);
  return code;
}

/** The states of a table, for another thread to query (`StateTable.from`). */
export interface TableStates {
  readonly buckets: readonly Uint32Array[];
  readonly zero: boolean;
  readonly size: number;
}

export class StateTable {
  readonly words: number;
  /** Per bucket: capacity * W words, slot k at words [k*W, (k+1)*W), all zero when empty. */
  readonly buckets: Uint32Array[];
  /** Per bucket: its capacity - 1. */
  readonly masks: Int32Array;
  /** Per bucket: how many states it holds, and how many it may hold before it grows. */
  readonly counts: Int32Array;
  readonly limits: Int32Array;
  /** The recent-states cache: 2^16 entries of W words, all zero when empty. */
  readonly recent: Uint32Array;
  /** The hash `route` computed (an array: a field would box hashes beyond 2^30). */
  readonly lastHash = new Uint32Array(1);
  size = 0;
  /** Whether the all-zero state is in the set (read by the generated code). */
  zeroHeld = false;
  private readonly code: TableCode;
  /**
   * The placeholder of every bucket that holds nothing yet: one slot, limit 0.
   * The first state stored there makes the bucket grow at once, which moves
   * that state to a bucket of its own and clears the placeholder again.
   */
  private readonly empty: Uint32Array;

  /**
   * A set of states of `words` words; with `localityMask` (one mask per
   * word), in buckets by the masked bits. `route` names owners by
   * `ownerMask` (by default, `localityMask`); a table for `lookupsOnly`
   * (`from`) has no recent-states cache.
   */
  constructor(words: number, localityMask?: readonly number[], options: { readonly ownerMask?: readonly number[]; readonly lookupsOnly?: boolean } = {}) {
    const { ownerMask, lookupsOnly = false } = options;
    if (localityMask && localityMask.length !== words) throw new Error(`a locality mask of ${localityMask.length} words for states of ${words}`);
    this.words = words;
    this.code = compileTable(words, localityMask, ownerMask);
    const n = localityMask ? 1 << BUCKET_BITS : 1;
    this.empty = new Uint32Array(words);
    this.buckets = new Array<Uint32Array>(n).fill(this.empty);
    this.masks = new Int32Array(n);
    this.counts = new Int32Array(n);
    this.limits = new Int32Array(n);
    // A table for lookups only (`from`) never reads or fills the recent-states cache.
    this.recent = new Uint32Array(lookupsOnly ? 0 : (1 << RECENT_BITS) * words);
  }

  /** Whether the set holds the state a[off..off+W). */
  has(a: Uint32Array, off = 0): boolean {
    return this.code.has(this, a, off);
  }

  /**
   * Add the state a[off..off+W) if absent: true if it is new, false when the
   * set already holds it (found in the recent-states cache or its bucket).
   */
  add(a: Uint32Array, off = 0): boolean {
    return this.code.add(this, a, off);
  }

  /** `add` for the all-zero state, which is a flag rather than a slot (called by the generated code). */
  addZero(): boolean {
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

  /**
   * The whole of a parallel worker's lookup in one generated function (as
   * `add` is for one thread): the recent-states
   * cache, as `seenRecently`; then the owner among N workers, as
   * `Partition.owner` (parallel-protocol.ts) names it; then, if the owner is `me`,
   * `addDirect`. Returns ROUTE_SEEN, ROUTE_STORED, the owner to send the
   * state to (its hash is then in `lastHash[0]`), or ROUTE_SLOW for the
   * all-zero state.
   */
  route(a: Uint32Array, off: number, me: number, N: number): number {
    return this.code.route(this, a, off, me, N);
  }

  /** The hash of the state a[off..off+W), as the table computes it. */
  hash(a: Uint32Array, off = 0): number {
    return this.code.hash(a, off);
  }

  /** The states, for another thread to query (`StateTable.from`); `transfer` lists each buffer once. */
  snapshot(): TableStates & { transfer: ArrayBuffer[] } {
    const transfer = [...new Set(this.buckets.map((b) => b.buffer as ArrayBuffer))];
    return { buckets: this.buckets, zero: this.zeroHeld, size: this.size, transfer };
  }

  /** A table over a snapshot's states, made with the same mask: for `has` only (it has no recent-states cache). */
  static from(words: number, localityMask: readonly number[] | undefined, snap: TableStates): StateTable {
    const t = new StateTable(words, localityMask, { lookupsOnly: true });
    if (snap.buckets.length !== t.buckets.length) throw new Error(`a snapshot of ${snap.buckets.length} buckets for a table of ${t.buckets.length}`);
    snap.buckets.forEach((b, k) => {
      t.buckets[k] = b;
      t.masks[k] = b.length / words - 1;
    });
    t.zeroHeld = snap.zero;
    t.size = snap.size;
    return t;
  }

  /** Double the capacity of bucket k (a placeholder gets its first), rehashing its states. */
  growBucket(k: number): void {
    const W = this.words;
    const old = this.buckets[k]!;
    const cap = old === this.empty ? FIRST_CAPACITY : (this.masks[k]! + 1) * 2;
    const mask = cap - 1;
    const keys = new Uint32Array(cap * W);
    const { hash, zero } = this.code;
    for (let ob = 0; ob < old.length; ob += W) {
      if (zero(old, ob)) continue;
      let slot = hash(old, ob) & mask;
      while (!zero(keys, slot * W)) slot = (slot + 1) & mask;
      const nb = slot * W;
      for (let j = 0; j < W; j++) keys[nb + j] = old[ob + j]!;
    }
    if (old === this.empty) old.fill(0);
    this.buckets[k] = keys;
    this.masks[k] = mask;
    this.limits[k] = Math.floor(cap * MAX_LOAD);
  }

  /** Bytes held: the buckets and the recent-states cache. */
  get bytes(): number {
    let n = this.recent.byteLength;
    for (const b of this.buckets) if (b !== this.empty) n += b.byteLength;
    return n;
  }
}
