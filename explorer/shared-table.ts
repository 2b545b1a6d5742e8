/**
 * The visited set of the parallel search: the same layout as `StateTable`
 * (slot k = [link, s0 .. s(W-1)], full states inline, so two different states
 * are never merged) in a SharedArrayBuffer that every worker inserts into.
 *
 * Claiming a slot: a worker that probes to an empty slot swaps its link from
 * 0 to BUSY with Atomics.compareExchange, writes the state words, then
 * publishes the link with Atomics.store. A reader that loads a published link
 * with Atomics.load sees the words written before it; one that loads BUSY
 * waits for the link.
 *
 * Atomics.load is a call in this V8 (about four times a plain read), and most
 * probes meet slots written in earlier levels, which the level barrier (a
 * message round trip) already made visible. So every link carries the parity
 * of the level that wrote it (bit 31): a probe reads links plainly, and only
 * a slot that is empty, BUSY or of the current level's parity is read again
 * through Atomics.load before its words are trusted. A state is inserted only
 * after a probe sequence in which every slot written during this level was
 * read through Atomics.load found it absent, and by a compareExchange on the
 * empty slot that ends the sequence: two workers never store the same state,
 * on any memory model.
 *
 * The table never grows while workers insert: when the load passes the
 * limit, a flag asks them to stop between two states; then all of them move
 * the states into a table twice as large (`rehashRange`, `relinkRange`),
 * remapping slots as `StateTable.grow` does, before they go on. The limit
 * leaves room for the states inserted meanwhile.
 */
import { hashWords } from './hash.ts';

export const ROOT = 0xffffffff;
export const BUSY = 0xfffffffe;
/** Bit 31 of a link: the parity of the level that stored the state. */
export const GEN = 0x80000000;
const MAX_LOAD = 0.7;
// With a load limit of 0.7 and batches of 256 per worker, the table never fills.

/**
 * Shared control words (an Int32Array over its own SharedArrayBuffer). Words
 * written often by one worker and read by the other sit on cache lines of
 * their own (16 words apart), so that workers do not invalidate each other's
 * lines on every state.
 */
const LINE = 16;
export const CTRL_SIZE = 0; // distinct states stored (workers add in batches; exact between levels)
export const CTRL_POS = LINE; // next frontier index to hand out
export const CTRL_RESIZE = 2 * LINE; // 1: workers stop between states, the table must grow
export const CTRL_STOP = 2 * LINE + 1; // 1: stop the search (limits, violations)
export const CTRL_VIOLATED = 2 * LINE + 2; // bitmask of invariants violated in this search
export const CTRL_TRANSITIONS = 3 * LINE; // worker w's transitions / 1024 at CTRL_TRANSITIONS + w * LINE (progress only)
export const CTRL_WORDS = 3 * LINE + 64 * LINE;
export const ctrlTransitions = (w: number): number => CTRL_TRANSITIONS + w * LINE;

/** How many insertions a worker counts locally before adding them to CTRL_SIZE. */
export const SIZE_BATCH = 256;

export class SharedTable {
  readonly words: number;
  readonly stride: number;
  data: Uint32Array;
  capacity: number;
  mask: number;
  limit: number;

  constructor(
    words: number,
    buffer: SharedArrayBuffer,
    readonly ctrl: Int32Array,
  ) {
    this.words = words;
    this.stride = words + 1;
    this.data = new Uint32Array(buffer);
    this.capacity = this.data.length / this.stride;
    this.mask = this.capacity - 1;
    this.limit = Math.floor(this.capacity * MAX_LOAD);
  }

  static allocate(words: number, capacity: number): SharedArrayBuffer {
    return new SharedArrayBuffer(capacity * (words + 1) * 4);
  }

  get buffer(): SharedArrayBuffer {
    return this.data.buffer as SharedArrayBuffer;
  }

  get size(): number {
    return Atomics.load(this.ctrl, CTRL_SIZE);
  }

  /** Point at a new (grown) buffer. */
  attach(buffer: SharedArrayBuffer): void {
    this.data = new Uint32Array(buffer);
    this.capacity = this.data.length / this.stride;
    this.mask = this.capacity - 1;
    this.limit = Math.floor(this.capacity * MAX_LOAD);
  }

  /** Parity bit (0 or GEN) of the level being expanded; set by the coordinator's orders. */
  gen = 0;

  /** The published link at `base` (waiting while another worker writes it), or 0 if empty. */
  private link(base: number): number {
    let l = Atomics.load(this.data, base);
    while (l === BUSY) l = Atomics.load(this.data, base);
    return l;
  }

  /** Whether a plainly read link may belong to a slot written during this level (then it must be read atomically). */
  private racy(l: number): boolean {
    return l === 0 || l === BUSY || l === ROOT || (l & GEN) === this.gen;
  }

  private same(base: number, s: Uint32Array): boolean {
    const W = this.words;
    const data = this.data;
    let k = 0;
    while (k < W && data[base + 1 + k] === s[k]) k++;
    return k === W;
  }

  /**
   * The slot holding a state equal to `s` (hash `h`), or, as -1 - slot, the
   * empty slot ending its probe sequence (read through Atomics.load there).
   */
  private locate(s: Uint32Array, h: number): number {
    const data = this.data;
    let slot = h & this.mask;
    for (;;) {
      const base = slot * this.stride;
      let l = data[base]!;
      if (this.racy(l)) {
        l = this.link(base);
        if (l === 0) return -1 - slot;
      }
      if (this.same(base, s)) return slot;
      slot = (slot + 1) & this.mask;
    }
  }

  /** The slot holding a state equal to `s`, or -1. */
  find(s: Uint32Array): number {
    const r = this.locate(s, hashWords(s, 0, this.words));
    return r < 0 ? -1 : r;
  }

  /** States this thread inserted and has not yet added to CTRL_SIZE. */
  private unsized = 0;

  /** Add this thread's uncounted insertions to CTRL_SIZE; ask for a grow when past the limit. */
  flushSize(): void {
    if (this.unsized === 0) return;
    const n = Atomics.add(this.ctrl, CTRL_SIZE, this.unsized) + this.unsized;
    this.unsized = 0;
    if (n >= this.limit) Atomics.store(this.ctrl, CTRL_RESIZE, 1);
  }

  /**
   * Insert `s` with parent link `link` unless present: its new slot, or -1 if
   * some worker stored it already. Counted in CTRL_SIZE by batches
   * (`flushSize`); the load limit leaves room for what the batches hide.
   */
  add(s: Uint32Array, h: number, link: number): number {
    const W = this.words;
    const data = this.data;
    const tagged = link === ROOT ? ROOT : link | this.gen;
    let r = this.locate(s, h);
    for (;;) {
      if (r >= 0) return -1;
      const slot = -1 - r;
      const base = slot * this.stride;
      if (Atomics.compareExchange(data, base, 0, BUSY) === 0) {
        for (let k = 0; k < W; k++) data[base + 1 + k] = s[k]!;
        Atomics.store(data, base, tagged);
        if (++this.unsized >= SIZE_BATCH) this.flushSize();
        return slot;
      }
      // Another worker claimed it first: compare with its state, then go on probing atomically.
      this.link(base);
      if (this.same(base, s)) return -1;
      r = this.locateFrom(s, (slot + 1) & this.mask);
    }
  }

  /** `locate` from `slot` on, every link read through Atomics.load. */
  private locateFrom(s: Uint32Array, slot: number): number {
    for (;;) {
      const base = slot * this.stride;
      if (this.link(base) === 0) return -1 - slot;
      if (this.same(base, s)) return slot;
      slot = (slot + 1) & this.mask;
    }
  }

  read(slot: number, out: Uint32Array): void {
    const base = slot * this.stride + 1;
    for (let k = 0; k < this.words; k++) out[k] = this.data[base + k]!;
  }

  parent(slot: number): number {
    const link = this.data[slot * this.stride]!;
    return link === ROOT ? -1 : (link & ~GEN) - 1;
  }

  /**
   * Growing, in three steps that several threads may share (no thread may be
   * inserting meanwhile): `prepareGrow` allocates a table of twice the
   * capacity; `rehashRange` moves the states of old slots [from, to) into it
   * (claiming slots with the same atomics as `add`) and records old -> new
   * slots in `map`; `relinkRange` then rewrites the parent links of new slots
   * [from, to) through `map` (explorer/parallel.ts shares the two ranges
 * among the workers).
   */
  static prepareGrow(words: number, oldCapacity: number): { table: SharedArrayBuffer; map: SharedArrayBuffer } {
    const map = new SharedArrayBuffer(oldCapacity * 4);
    new Uint32Array(map).fill(ROOT);
    return { table: SharedTable.allocate(words, oldCapacity * 2), map };
  }

  static rehashRange(words: number, oldBuffer: SharedArrayBuffer, newBuffer: SharedArrayBuffer, mapBuffer: SharedArrayBuffer, from: number, to: number): void {
    const stride = words + 1;
    const old = new Uint32Array(oldBuffer);
    const data = new Uint32Array(newBuffer);
    const map = new Uint32Array(mapBuffer);
    const mask = data.length / stride - 1;
    for (let o = from; o < to; o++) {
      const ob = o * stride;
      const link = old[ob]!;
      if (link === 0) continue;
      let slot = hashWords(old, ob + 1, words) & mask;
      while (Atomics.compareExchange(data, slot * stride, 0, BUSY) !== 0) slot = (slot + 1) & mask;
      const nb = slot * stride;
      for (let k = 1; k <= words; k++) data[nb + k] = old[ob + k]!;
      Atomics.store(data, nb, link);
      map[o] = slot;
    }
  }

  static relinkRange(words: number, newBuffer: SharedArrayBuffer, mapBuffer: SharedArrayBuffer, from: number, to: number): void {
    const stride = words + 1;
    const data = new Uint32Array(newBuffer);
    const map = new Uint32Array(mapBuffer);
    for (let n = from; n < to; n++) {
      const link = data[n * stride]!;
      if (link !== 0 && link !== ROOT) data[n * stride] = ((map[(link & ~GEN) - 1]! + 1) | (link & GEN)) >>> 0;
    }
  }
}
