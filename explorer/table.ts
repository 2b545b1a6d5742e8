/**
 * The visited set with parent links, as one open-addressing hash table whose
 * slots hold the full packed state inline: slot k is words
 * [k*(W+1), (k+1)*(W+1)) = [link, s0, s1, ..., s(W-1)], where link is
 * 0 for an empty slot, ROOT for the initial state, and parentSlot + 1
 * otherwise.
 *
 * - A lookup touches one place in memory (the probe sequence is contiguous),
 *   and compares full states: two different states are never merged
 *   (collision probability zero, by construction).
 * - A state's identity is its slot. When the table grows, every slot moves;
 *   `grow` returns the old -> new slot map so the caller can remap the slots
 *   it holds (queues, violation sites), and parent links are remapped here.
 */
import { hashWords } from './hash.ts';
import { RecentStates } from './recent.ts';

export const ROOT = 0xffffffff;
const MAX_LOAD = 0.75;

export class StateTable {
  readonly words: number;
  private readonly stride: number;
  data: Uint32Array;
  capacity: number;
  private mask: number;
  size = 0;
  private limit: number;

  constructor(words: number, initialCapacity = 1 << 14) {
    this.words = words;
    this.stride = words + 1;
    this.recent = new RecentStates(words);
    let cap = 1 << 4;
    while (cap < initialCapacity) cap <<= 1;
    this.capacity = cap;
    this.mask = cap - 1;
    this.limit = Math.floor(cap * MAX_LOAD);
    this.data = new Uint32Array(cap * this.stride);
  }

  /** Whether inserting one more state would make the table grow first. */
  get full(): boolean {
    return this.size >= this.limit;
  }

  /** States known to be in the table, checked before probing it (explorer/recent.ts). */
  private readonly recent: RecentStates;

  /** The slot holding a state equal to `s` (whose hash is `h`), or else the empty slot where it would go. */
  private locate(s: Uint32Array, h: number): number {
    const W = this.words;
    const stride = this.stride;
    const data = this.data;
    let slot = h & this.mask;
    for (;;) {
      const base = slot * stride;
      if (data[base] === 0) return slot;
      let k = 0;
      while (k < W && data[base + 1 + k] === s[k]) k++;
      if (k === W) return slot;
      slot = (slot + 1) & this.mask;
    }
  }

  /** The slot holding a state equal to `s`, or -1. */
  find(s: Uint32Array): number {
    const slot = this.locate(s, hashWords(s, 0, this.words));
    return this.data[slot * this.stride] === 0 ? -1 : slot;
  }

  /**
   * Add `s` with parent link `link` if absent: its new slot, or -1 when the
   * table already holds it (found in the recent-states cache or the table).
   * The caller must call `grow` first when `full`.
   */
  add(s: Uint32Array, link: number): number {
    const W = this.words;
    const h = hashWords(s, 0, W);
    const recent = this.recent;
    const rb = recent.entry(h);
    if (recent.holds(rb, s)) return -1;
    const slot = this.locate(s, h);
    const base = slot * this.stride;
    recent.remember(rb, s);
    if (this.data[base] !== 0) return -1;
    this.data[base] = link;
    for (let k = 0; k < W; k++) this.data[base + 1 + k] = s[k]!;
    this.size++;
    return slot;
  }

  /** Copy the state in `slot` into out[0..W). */
  read(slot: number, out: Uint32Array): void {
    const base = slot * this.stride + 1;
    for (let k = 0; k < this.words; k++) out[k] = this.data[base + k]!;
  }

  /** The parent slot of `slot`, or -1 for the initial state. */
  parent(slot: number): number {
    const link = this.data[slot * this.stride]!;
    return link === ROOT ? -1 : link - 1;
  }

  /** Double the capacity; returns the map old slot -> new slot (ROOT for empty slots). */
  grow(): Uint32Array {
    const W = this.words;
    const stride = this.stride;
    const old = this.data;
    const oldCap = this.capacity;
    const cap = oldCap * 2;
    const mask = cap - 1;
    const data = new Uint32Array(cap * stride);
    const map = new Uint32Array(oldCap).fill(ROOT);
    for (let o = 0; o < oldCap; o++) {
      const ob = o * stride;
      if (old[ob] === 0) continue;
      let slot = hashWords(old, ob + 1, W) & mask;
      while (data[slot * stride] !== 0) slot = (slot + 1) & mask;
      const nb = slot * stride;
      for (let k = 0; k <= W; k++) data[nb + k] = old[ob + k]!;
      map[o] = slot;
    }
    for (let n = 0; n < cap; n++) {
      const link = data[n * stride]!;
      if (link !== 0 && link !== ROOT) data[n * stride] = map[link - 1]! + 1;
    }
    this.data = data;
    this.capacity = cap;
    this.mask = mask;
    this.limit = Math.floor(cap * MAX_LOAD);
    return map;
  }

  get bytes(): number {
    return this.data.byteLength + this.recent.bytes;
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
