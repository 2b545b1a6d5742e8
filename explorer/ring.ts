/**
 * A single-producer single-consumer ring of fixed-size entries in shared
 * memory: how one worker of the parallel search hands a state to the worker
 * that owns it. The producer publishes its tail, and the consumer its head,
 * with Atomics.store, and each reads the other's with Atomics.load, so the
 * entries written before a published tail are visible to the consumer that
 * loads it (on any memory model). Both sides publish in batches, since
 * Atomics calls are not free here. Positions are 32-bit counters that wrap.
 */
const LINE = 16; // head and tail on cache lines of their own
const HEAD = 0;
const TAIL = LINE;
const BATCH = 64;

export class Ring {
  private readonly ctrl: Int32Array;
  /** The entries; `reserve` gives the offset of the one to write. */
  readonly data: Uint32Array;
  private readonly mask: number;
  /** Producer side: the next entry to write, the last tail published, the consumer's head as last seen. */
  private tail = 0;
  private publishedTail = 0;
  private seenHead = 0;
  /** Consumer side: the next entry to read, the last head published. */
  private head = 0;
  private publishedHead = 0;

  /** A ring of `entries` (a power of two) entries of `width` words. */
  static allocate(entries: number, width: number): SharedArrayBuffer {
    return new SharedArrayBuffer(2 * LINE * 4 + entries * width * 4);
  }

  constructor(
    buffer: SharedArrayBuffer,
    readonly width: number,
  ) {
    this.ctrl = new Int32Array(buffer, 0, 2 * LINE);
    this.data = new Uint32Array(buffer, 2 * LINE * 4);
    const entries = this.data.length / width;
    this.mask = entries - 1;
  }

  /**
   * The word offset where the producer may write one entry, or -1 when the
   * ring is full (the consumer has not caught up: publish, do something
   * else, try again). Call `commit` after writing it.
   */
  reserve(): number {
    if (((this.tail - this.seenHead) | 0) > this.mask) {
      this.publish();
      this.seenHead = Atomics.load(this.ctrl, HEAD);
      if (((this.tail - this.seenHead) | 0) > this.mask) return -1;
    }
    return (this.tail & this.mask) * this.width;
  }

  commit(): void {
    this.tail = (this.tail + 1) | 0;
    if (((this.tail - this.publishedTail) | 0) >= BATCH) this.publish();
  }

  /** Make every committed entry visible to the consumer. */
  publish(): void {
    if (this.publishedTail !== this.tail) {
      this.publishedTail = this.tail;
      Atomics.store(this.ctrl, TAIL, this.tail);
    }
  }

  /** Consumer: call `take(data, offset)` on every published entry, then free them. Returns how many. */
  drain(take: (data: Uint32Array, offset: number) => void): number {
    const tail = Atomics.load(this.ctrl, TAIL);
    let n = 0;
    while (this.head !== tail) {
      take(this.data, (this.head & this.mask) * this.width);
      this.head = (this.head + 1) | 0;
      n++;
      if (((this.head - this.publishedHead) | 0) >= BATCH) this.freeRead();
    }
    this.freeRead();
    return n;
  }

  private freeRead(): void {
    if (this.publishedHead !== this.head) {
      this.publishedHead = this.head;
      Atomics.store(this.ctrl, HEAD, this.head);
    }
  }
}
