/**
 * The states of a search (or of one parallel worker) in discovery order, with their parent
 * links. A state's identity is its index here; a BFS level is a range of
 * indices, so the frontier needs no queue of its own and is read in order.
 * Stored in chunks of 2^20 states, so growing never copies more than the
 * first chunk, which starts small and doubles.
 */
export const ROOT = -1;

const CHUNK_BITS = 20;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

/** The buffers of a store, for another thread to read it (`StoreReader`). */
export interface StoreBuffers {
  readonly states: readonly ArrayBufferLike[];
  readonly parents: readonly ArrayBufferLike[];
}

/** Reading states and parents out of the chunks. */
class Chunks {
  protected states: Uint32Array[] = [];
  protected parents: Int32Array[] = [];

  constructor(readonly words: number) {}

  /** Copy state `id` into out[0..W). */
  read(id: number, out: Uint32Array): void {
    const W = this.words;
    const chunk = this.states[id >>> CHUNK_BITS]!;
    const b = (id & MASK) * W;
    for (let k = 0; k < W; k++) out[k] = chunk[b + k]!;
  }

  /** The parent of state `id`, or -1 for the initial state. */
  parent(id: number): number {
    return this.parents[id >>> CHUNK_BITS]![id & MASK]!;
  }
}

export class StateStore extends Chunks {
  length = 0;

  /** With `shared`, the chunks are SharedArrayBuffers, so other threads can read them (`buffers`). */
  constructor(
    words: number,
    private readonly shared = false,
  ) {
    super(words);
  }

  private alloc(bytes: number): ArrayBuffer | SharedArrayBuffer {
    return this.shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  }

  /** Append the state a[off..off+W), found from state `parent` (ROOT for the initial state); its index. */
  push(a: Uint32Array, off: number, parent: number): number {
    const id = this.length;
    const c = id >>> CHUNK_BITS;
    const W = this.words;
    if (c === this.states.length) {
      const n = c === 0 ? 1024 : CHUNK;
      this.states.push(new Uint32Array(this.alloc(n * W * 4)));
      this.parents.push(new Int32Array(this.alloc(n * 4)));
    } else if (c === 0 && id === this.parents[0]!.length) {
      const n = id * 2;
      const states = new Uint32Array(this.alloc(n * W * 4));
      states.set(this.states[0]!);
      const parents = new Int32Array(this.alloc(n * 4));
      parents.set(this.parents[0]!);
      this.states[0] = states;
      this.parents[0] = parents;
    }
    const chunk = this.states[c]!;
    const b = (id & MASK) * W;
    for (let k = 0; k < W; k++) chunk[b + k] = a[off + k]!;
    this.parents[c]![id & MASK] = parent;
    this.length = id + 1;
    return id;
  }

  get bytes(): number {
    let n = 0;
    for (let c = 0; c < this.states.length; c++) n += this.states[c]!.byteLength + this.parents[c]!.byteLength;
    return n;
  }

  /** The chunks' buffers (shared when the store is). */
  buffers(): StoreBuffers {
    return { states: this.states.map((c) => c.buffer), parents: this.parents.map((c) => c.buffer) };
  }
}

/** Read access to a store kept by another thread, through its buffers. */
export class StoreReader extends Chunks {
  constructor(words: number, buffers: StoreBuffers) {
    super(words);
    this.states = buffers.states.map((b) => new Uint32Array(b));
    this.parents = buffers.parents.map((b) => new Int32Array(b));
  }
}

/**
 * States waiting to be stored, each with its parent: a growable buffer of
 * records of W words and a parent link, kept (capacity and all) from one
 * use to the next.
 */
export class Backlog {
  private data: Uint32Array;
  /** Records held. */
  length = 0;

  constructor(readonly words: number) {
    this.data = new Uint32Array(1024 * (words + 1));
  }

  push(a: Uint32Array, off: number, parent: number): void {
    const R = this.words + 1;
    let b = this.length * R;
    if (b + R > this.data.length) {
      const grown = new Uint32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    for (let k = 0; k < this.words; k++) this.data[b++] = a[off + k]!;
    this.data[b] = parent;
    this.length++;
  }

  /** Hand every record to `take` (the state at data[off..off+W)), in the order pushed, and empty the backlog. */
  flush(take: (data: Uint32Array, off: number, parent: number) => void): void {
    const R = this.words + 1;
    const d = this.data;
    for (let i = 0, b = 0; i < this.length; i++, b += R) take(d, b, d[b + this.words]! | 0);
    this.length = 0;
  }

  get bytes(): number {
    return this.data.byteLength;
  }
}
