/**
 * The visited set: every distinct state stored once, packed, in discovery
 * order, plus an open-addressing index over them.
 *
 * - States live in fixed-size Uint32Array chunks (no copy when growing);
 *   state `i` is words [i*W, i*W+W) of the logical array.
 * - The index is a power-of-two Uint32Array of `state index + 1` (0 = empty)
 *   with linear probing; a probe compares full states, so two different
 *   states are never merged (collision probability zero, by construction).
 * - In BFS, discovery order is queue order: the queue is just the index range
 *   [head, count) and costs no memory of its own.
 */
import { hashWords } from './hash.ts';

const CHUNK_SHIFT = 16; // states per chunk: 65536

export class StateStore {
  readonly words: number;
  private readonly chunks: Uint32Array[] = [];
  private readonly chunkWords: number;
  count = 0;

  constructor(words: number) {
    this.words = words;
    this.chunkWords = words << CHUNK_SHIFT;
  }

  /** Append a state; returns its index. */
  push(src: Uint32Array): number {
    const i = this.count;
    const c = i >>> CHUNK_SHIFT;
    if (c === this.chunks.length) this.chunks.push(new Uint32Array(this.chunkWords));
    const chunk = this.chunks[c]!;
    const off = (i & ((1 << CHUNK_SHIFT) - 1)) * this.words;
    for (let k = 0; k < this.words; k++) chunk[off + k] = src[k]!;
    this.count = i + 1;
    return i;
  }

  /** Copy state `i` into out[0..words). */
  read(i: number, out: Uint32Array): void {
    const chunk = this.chunks[i >>> CHUNK_SHIFT]!;
    const off = (i & ((1 << CHUNK_SHIFT) - 1)) * this.words;
    for (let k = 0; k < this.words; k++) out[k] = chunk[off + k]!;
  }

  equals(i: number, s: Uint32Array): boolean {
    const chunk = this.chunks[i >>> CHUNK_SHIFT]!;
    const off = (i & ((1 << CHUNK_SHIFT) - 1)) * this.words;
    for (let k = 0; k < this.words; k++) if (chunk[off + k] !== s[k]) return false;
    return true;
  }

  hash(i: number): number {
    const chunk = this.chunks[i >>> CHUNK_SHIFT]!;
    return hashWords(chunk, (i & ((1 << CHUNK_SHIFT) - 1)) * this.words, this.words);
  }

  get bytes(): number {
    return this.chunks.length * this.chunkWords * 4;
  }
}

/** A growable array of 32-bit unsigned integers (parent links), chunked like the store. */
export class U32Column {
  private readonly chunks: Uint32Array[] = [];
  length = 0;

  push(v: number): void {
    const i = this.length;
    const c = i >>> CHUNK_SHIFT;
    if (c === this.chunks.length) this.chunks.push(new Uint32Array(1 << CHUNK_SHIFT));
    this.chunks[c]![i & ((1 << CHUNK_SHIFT) - 1)] = v;
    this.length = i + 1;
  }

  get(i: number): number {
    return this.chunks[i >>> CHUNK_SHIFT]![i & ((1 << CHUNK_SHIFT) - 1)]!;
  }

  get bytes(): number {
    return this.chunks.length * (4 << CHUNK_SHIFT);
  }
}

const MAX_LOAD = 0.6;

/** Set of distinct states with stable indices. */
export class VisitedSet {
  readonly store: StateStore;
  private table: Uint32Array;
  private mask: number;
  private limit: number;

  constructor(words: number, initialCapacity = 1 << 12) {
    this.store = new StateStore(words);
    let cap = 1 << 4;
    while (cap < initialCapacity) cap <<= 1;
    this.table = new Uint32Array(cap);
    this.mask = cap - 1;
    this.limit = Math.floor(cap * MAX_LOAD);
  }

  get size(): number {
    return this.store.count;
  }

  /**
   * Insert `s` if absent. Returns its new index (>= 0) when it was added, or
   * `~index` (< 0) of the equal state already present.
   */
  insert(s: Uint32Array): number {
    const words = this.store.words;
    let slot = hashWords(s, 0, words) & this.mask;
    const table = this.table;
    for (;;) {
      const e = table[slot]!;
      if (e === 0) break;
      if (this.store.equals(e - 1, s)) return ~(e - 1);
      slot = (slot + 1) & this.mask;
    }
    const idx = this.store.push(s);
    table[slot] = idx + 1;
    if (idx + 1 > this.limit) this.grow();
    return idx;
  }

  /** Index of a state equal to `s`, or -1. */
  find(s: Uint32Array): number {
    let slot = hashWords(s, 0, this.store.words) & this.mask;
    for (;;) {
      const e = this.table[slot]!;
      if (e === 0) return -1;
      if (this.store.equals(e - 1, s)) return e - 1;
      slot = (slot + 1) & this.mask;
    }
  }

  private grow(): void {
    const cap = this.table.length * 2;
    const table = new Uint32Array(cap);
    const mask = cap - 1;
    const n = this.store.count;
    for (let i = 0; i < n; i++) {
      let slot = this.store.hash(i) & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = i + 1;
    }
    this.table = table;
    this.mask = mask;
    this.limit = Math.floor(cap * MAX_LOAD);
  }

  get bytes(): number {
    return this.store.bytes + this.table.length * 4;
  }
}
