/**
 * A visited set that several worker threads share (the parallel search's
 * default): the buckets by locality of `StateTable` (explorer/table.ts), but
 * all of them in one arena of shared memory, so that any worker looks any
 * state up and adds it, and no state is ever sent from one worker to another.
 *
 * - **Layout.** `meta` holds four words per bucket: a lock (0 free, 1 held),
 *   where its slots are (`e`: the region's offset in the arena in units of
 *   16 words, times 32, plus log2 of its capacity; 0 before its first state),
 *   how many states it holds, and a spare. A slot holds a state's W words
 *   complemented (~s), so that a stored word is never 0; an empty slot is all
 *   zero. The state of all ones, which would look empty, is a flag word.
 * - **Lookups take no lock and no atomic.** Each word of a slot is written
 *   once, from 0 to its final value, and once its bucket has moved on a
 *   region is only zeroed (see growing), so within a level a racing plain
 *   read of a word sees 0 or that value. A slot whose W words all equal
 *   the state's is therefore that state, written or being written by the
 *   thread that holds the lock (which will answer that it added it). A half-written slot shows
 *   a 0 where the state has none, so it never matches. A state with a word
 *   of all ones (complemented, 0) cannot be told from a half-written one that
 *   way, so it takes the locked path: rare, and never wrong.
 * - **Adding takes the bucket's lock** (`Atomics.compareExchange`), probes
 *   again, writes the slot, and lets the lock go (`Atomics.store`): every
 *   negative answer of a lookup is confirmed under the lock, so a state is
 *   never lost and two threads never both add the same state. Under a state
 *   limit the place is taken there too, where the state is known to be new.
 * - **Growing**, under the lock, copies the bucket into a region of twice
 *   the size and publishes its `e`, then zeroes the old region: a lookup
 *   still scanning it sees states the set holds, or zeros, which never match
 *   (it then goes to the locked path). The old region holds another bucket
 *   only after the level (`recycle`): by then every thread has seen the
 *   zeros, through the level's control words. Reused sooner, a plain read
 *   racing with the zeroing could mix the words of two states. The arena is
 *   reserved up front (8 GiB at most; only the pages used are ever touched).
 * - Every thread has its own `SharedTable` over the same buffers, with a
 *   recent-states cache of its own in front of the shared buckets (its
 *   entries are states the set holds, so a hit is never wrong).
 */
import { generated, hashSource, wordsSource } from './table.ts';

const RECENT_BITS = 16;
const BUCKET_BITS = 12;
const BUCKETS = 1 << BUCKET_BITS;
/** Words of `meta` per bucket: lock, e, count, spare. */
const META = 4;
/** The word of `meta` that says whether the state of all ones (which no slot can hold) is in the set. */
const SPECIAL = BUCKETS * META;
/** The word of `meta` with the arena's next free unit. */
const TOP = SPECIAL + 2;
const FIRST_LOG = 4;
/** Arena offsets count units of 16 words (a region holds at least 16 slots of one word). */
const UNIT_SHIFT = 4;
const UNIT = 1 << UNIT_SHIFT;

/** The shared memory of a table, as the coordinator hands it to every worker. */
export interface SharedTableBuffers {
  readonly words: number;
  readonly arena: SharedArrayBuffer;
  readonly meta: SharedArrayBuffer;
}

/** `SharedTable.add`: the set held the state already. */
export const SEEN = 0;
/** `SharedTable.add`: the state is new, and this call added it. */
export const ADDED = 1;
/** `SharedTable.add` with a quota: the state is new, but the quota had no place left for it (not added). */
export const NO_PLACE = 2;

interface SharedCode {
  add(t: SharedTable, a: Uint32Array, off: number): number;
  insert(t: SharedTable, a: Uint32Array, off: number, h: number, bk: number): number;
  /** `has` for a state the lock-free scan did not find: probe bucket bk under its lock. */
  hasLocked(t: SharedTable, a: Uint32Array, off: number, h: number, bk: number): boolean;
  has(t: SharedTable, a: Uint32Array, off: number): boolean;
  /** Copy every state of the region at A[from..from+oldCap*W) into the empty one at A[to..) of capacity mask+1. */
  rehash(A: Int32Array, from: number, oldCap: number, to: number, mask: number): void;
}

const compiled = new Map<string, SharedCode>();

function compileShared(W: number, mask?: readonly number[]): SharedCode {
  const id = `${W}:${mask ? mask.join(',') : ''}`;
  const have = compiled.get(id);
  if (have) return have;
  const { equalAt, emptyAt, storeAt, allZero, each } = wordsSource(W);
  // s_i: the state's words; x_i: as a slot holds them (complemented, so that no word of a stored state is 0).
  const load = each((i) => `const s${i} = a[off + ${i}] | 0, x${i} = ~s${i};`);
  // A word x_i = 0 (s_i all ones) could be one not written yet: such a state takes the locked path.
  const noZeroX = `${each((i) => `x${i} !== 0 &&`)} true`;
  const bucket = mask ? `${hashSource(W, 's', 'g', mask)}\nconst bk = g & ${BUCKETS - 1};` : `const bk = h >>> ${32 - BUCKET_BITS};`;
  const region = (e: string): string => `const base = (${e} >>> 5) << ${UNIT_SHIFT}, mask = (1 << (${e} & 31)) - 1;`;
  const fn = generated<never>;
  // Take bucket bk's lock; its region is then e.
  const locked = `const M = t.meta, A = t.arena, m = bk * ${META};
      if (Atomics.compareExchange(M, m, 0, 1) !== 0) t.lock(m);
      let e = M[m + 1];`;
  // The lock-free lookup: ${onFound} when every word of a slot equals the state's (then the slot
  // holds it: each word of a slot is either 0 or the one value ever written there); falls through
  // at an empty slot, an unplaced bucket, or a state with a word x_i = 0.
  const lockFree = (onFound: string): string => `
    if (${noZeroX}) {
      const e = t.meta[bk * ${META} + 1], A = t.arena;
      if (e !== 0) {
        ${region('e')}
        let slot = h & mask;
        for (;;) {
          const b = base + slot * ${W};
          if (${equalAt('A', 'b', 'x')}) ${onFound}
          if (${emptyAt('A', 'b')}) break;
          slot = (slot + 1) & mask;
        }
      }
    }`;
  const code: SharedCode = {
    rehash: fn(
      'A,from,oldCap,to,mask',
      `for (let ob = from, end = from + oldCap * ${W}; ob < end; ob += ${W}) {
        ${each((i) => `const x${i} = A[ob + ${i}], s${i} = ~x${i};`)}
        if (${allZero('x')}) continue;
        ${hashSource(W, 's')}
        let slot = h & mask;
        for (;;) {
          const b = to + slot * ${W};
          if (${emptyAt('A', 'b')}) { ${storeAt('A', 'b', 'x')} break; }
          slot = (slot + 1) & mask;
        }
      }`,
    ),
    add: fn(
      't,a,off',
      `${load}
      if (${allZero('x')}) return t.addSpecial();
      ${hashSource(W, 's')}
      const rc = t.recent, r = (h >>> ${32 - RECENT_BITS}) * ${W};
      if (${equalAt('rc', 'r', 'x')}) return ${SEEN};
      ${storeAt('rc', 'r', 'x')}
      ${bucket}
      ${lockFree(`return ${SEEN};`)}
      return t.code.insert(t, a, off, h, bk);`,
    ),
    // Under the bucket's lock: probe, and insert if absent.
    insert: fn(
      't,a,off,h,bk',
      `${load}
      ${locked}
      if (e === 0) e = t.grow(bk, 0);
      ${region('e')}
      let slot = h & mask;
      for (;;) {
        const b = base + slot * ${W};
        if (${equalAt('A', 'b', 'x')}) { Atomics.store(M, m, 0); return ${SEEN}; }
        if (${emptyAt('A', 'b')}) {
          // New, and no other thread can add it while this one holds the lock: the place to take, if counted.
          if (t.quota !== null && !t.takePlace()) {
            Atomics.store(M, m, 0);
            return ${NO_PLACE};
          }
          ${storeAt('A', 'b', 'x')}
          if (++M[m + 2] > 3 << ((e & 31) - 2)) t.grow(bk, e);
          Atomics.store(M, m, 0);
          return ${ADDED};
        }
        slot = (slot + 1) & mask;
      }`,
    ),
    has: fn(
      't,a,off',
      `${load}
      if (${allZero('x')}) return Atomics.load(t.meta, ${SPECIAL}) !== 0;
      ${hashSource(W, 's')}
      ${bucket}
      ${lockFree('return true;')}
      return t.code.hasLocked(t, a, off, h, bk);`,
    ),
    hasLocked: fn(
      't,a,off,h,bk',
      `${load}
      ${locked}
      let found = false;
      if (e !== 0) {
        ${region('e')}
        for (let slot = h & mask; ; slot = (slot + 1) & mask) {
          const b = base + slot * ${W};
          if (${equalAt('A', 'b', 'x')}) { found = true; break; }
          if (${emptyAt('A', 'b')}) break;
        }
      }
      Atomics.store(M, m, 0);
      return found;`,
    ),
  };
  compiled.set(id, code);
  return code;
}

/**
 * The arena has no room left for a bucket to grow: the search cannot go on.
 * Its exit code is the CLI's for a search that could not finish (3), which
 * a worker passes on with the message.
 */
export class TableFullError extends Error {
  readonly exitCode = 3;
  constructor(arenaBytes: number) {
    super(`the shared visited set is full (its arena of ${sizeText(arenaBytes)}); run on one thread, or with fewer states`);
    this.name = 'TableFullError';
  }
}

function sizeText(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${Math.round(bytes / 2 ** 20)} MiB`;
}

export class SharedTable {
  readonly words: number;
  readonly arena: Int32Array;
  readonly meta: Int32Array;
  /** This thread's recent-states cache, 2^16 entries of W words, as slots hold them (complemented; all zero when empty). */
  readonly recent: Int32Array;
  readonly code: SharedCode;
  /** Units of the arena (16 words each). */
  private readonly units: number;
  /** Regions (e) this thread's grows gave up in this level; those it may reuse, by log2 capacity (unit offsets). */
  private retired: number[] = [];
  private readonly free: number[][] = [];

  /** The shared memory of a table of W words per state: an arena of at most `arenaBytes` (at most 8 GiB). */
  static allocate(words: number, arenaBytes: number): SharedTableBuffers {
    const units = Math.min(Math.floor(arenaBytes / (UNIT * 4)), 2 ** 27 - 1);
    return SharedTable.over(words, new SharedArrayBuffer(units * UNIT * 4));
  }

  /** The shared memory of an empty table over `arena`, which must be all zero (at most 2^27 - 1 units of 64 bytes). */
  static over(words: number, arena: SharedArrayBuffer): SharedTableBuffers {
    const meta = new SharedArrayBuffer((BUCKETS * META + 3) * 4);
    // Unit 0 is never handed out, so that e = 0 can mean "no region yet".
    new Int32Array(meta)[TOP] = 1;
    return { words, arena, meta };
  }

  /**
   * A thread's view of the set in `buffers`, with buckets by `localityMask`
   * (the same for every thread). With `lookupsOnly` (a thread that mostly
   * asks `has`, such as the coordinator) it has no recent-states cache; `add`
   * still works, without one.
   */
  constructor(buffers: SharedTableBuffers, localityMask?: readonly number[], options: { readonly lookupsOnly?: boolean } = {}) {
    this.words = buffers.words;
    if (localityMask && localityMask.length !== this.words) throw new Error(`a locality mask of ${localityMask.length} words for states of ${this.words}`);
    this.arena = new Int32Array(buffers.arena);
    this.meta = new Int32Array(buffers.meta);
    this.units = buffers.arena.byteLength / (UNIT * 4);
    this.code = compileShared(this.words, localityMask);
    this.recent = new Int32Array(options.lookupsOnly ? 0 : (1 << RECENT_BITS) * this.words);
  }

  /**
   * With a quota, a new state first takes a place: quota[quotaIndex] is the
   * count of states, shared by all threads, and at most quotaMax are added.
   * The place is taken under the bucket's lock, where the state is known to
   * be new, so no duplicate ever holds one.
   */
  quota: Int32Array | null = null;
  quotaIndex = 0;
  quotaMax = 0;

  /** Add the state a[off..off+W) if absent: ADDED if this call added it (no other thread's did), SEEN, or NO_PLACE (quota). */
  add(a: Uint32Array, off = 0): number {
    return this.code.add(this, a, off);
  }

  /** Whether the set holds a[off..off+W) (exact at the moment it answers). */
  has(a: Uint32Array, off = 0): boolean {
    return this.code.has(this, a, off);
  }

  /** With a quota, take a place for a state known to be new: false (and nothing taken) if none is left. */
  takePlace(): boolean {
    const q = this.quota!;
    if (Atomics.add(q, this.quotaIndex, 1) < this.quotaMax) return true;
    Atomics.sub(q, this.quotaIndex, 1);
    return false;
  }

  /** `add` for the state whose words are all ones, which no slot can hold (called by the generated code). */
  addSpecial(): number {
    const M = this.meta;
    this.lock(SPECIAL + 1);
    let r: number = SEEN;
    if (M[SPECIAL] === 0) {
      if (this.quota !== null && !this.takePlace()) r = NO_PLACE;
      else {
        Atomics.store(M, SPECIAL, 1);
        r = ADDED;
      }
    }
    Atomics.store(M, SPECIAL + 1, 0);
    return r;
  }

  /**
   * Take the lock word meta[i]: spin a while, then sleep 20 µs at a time. (A
   * thread that holds a lock may have lost its core to another, when there
   * are more threads than cores: spinning on would keep it off.)
   */
  lock(i: number): void {
    const M = this.meta;
    for (let n = 0; Atomics.compareExchange(M, i, 0, 1) !== 0; n++) if (n >= 100) Atomics.wait(M, i, 1, 0.02);
  }

  /**
   * Give bucket bk (whose region is `e`, 0 for none) a region twice the
   * size (one this thread gave up in an earlier level, or fresh) and rehash
   * it there; called with the bucket's lock held. The old region is zeroed
   * and waits for `recycle`: a lookup may still be scanning it. Returns the
   * new e.
   */
  grow(bk: number, e: number): number {
    const W = this.words, A = this.arena;
    const log = e === 0 ? FIRST_LOG : (e & 31) + 1;
    const cap = 1 << log, mask = cap - 1;
    const units = (cap * W) / UNIT;
    let at = this.free[log]?.pop() ?? -1;
    if (at < 0) {
      at = Atomics.add(this.meta, TOP, units);
      if (at + units > this.units) {
        Atomics.sub(this.meta, TOP, units);
        // (The bucket's lock is let go, so that no other thread waits for it forever.)
        Atomics.store(this.meta, bk * META, 0);
        throw new TableFullError(this.arena.byteLength);
      }
    }
    const ne = (at * 32 + log) | 0;
    if (e !== 0) {
      const oldBase = (e >>> 5) * UNIT, oldCap = 1 << (e & 31);
      this.code.rehash(A, oldBase, oldCap, at * UNIT, mask);
      Atomics.store(this.meta, bk * META + 1, ne);
      // The old region is zeroed now (a lookup still scanning it sees empty or half-empty slots,
      // which never match: it goes to the locked path) and reused only after the level (`recycle`).
      A.fill(0, oldBase, oldBase + oldCap * W);
      this.retired.push(e);
    } else Atomics.store(this.meta, bk * META + 1, ne);
    return ne;
  }

  /**
   * Once every thread has finished a level (and has seen, through the
   * level's control words, that every other has), the regions this thread
   * gave up in it, zeroed when it did, may hold a bucket again: no lookup
   * can still be reading them, and every thread sees them as zero.
   */
  recycle(): void {
    for (const e of this.retired) (this.free[e & 31] ??= []).push(e >>> 5);
    this.retired = [];
  }

  /** States in the whole set (all threads; exact when none is inserting). */
  count(): number {
    let n = Atomics.load(this.meta, SPECIAL);
    for (let k = 0; k < BUCKETS; k++) n += this.meta[k * META + 2]!;
    return n;
  }

  /** Bytes of the arena handed out (the regions growing gave up, and those waiting to be reused, included). */
  get arenaBytes(): number {
    return Atomics.load(this.meta, TOP) * UNIT * 4;
  }
}
