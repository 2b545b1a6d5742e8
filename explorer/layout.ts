/**
 * Bit-field layout of a packed state.
 *
 * A model declares its state variables as fields with a maximum value; the
 * layout assigns each field a word, a shift and a mask so that a whole state
 * is a handful of 32-bit words. No field straddles two words. Reading and
 * writing a field are two shifts and a mask on a Uint32Array: successors are
 * computed straight on the packed form, with no objects on the hot path.
 */
export interface FieldInfo {
  readonly name: string;
  readonly max: number;
  readonly bits: number;
  readonly word: number;
  readonly shift: number;
}

export function bitsFor(max: number): number {
  if (!Number.isInteger(max) || max < 0) throw new RangeError(`bad field maximum ${max}`);
  let bits = 0;
  while (max >>> bits !== 0 && bits < 32) bits++;
  return bits;
}

export class Layout {
  private readonly fields: FieldInfo[] = [];
  private readonly wordOf: number[] = [];
  private readonly shiftOf: number[] = [];
  private readonly maskOf: number[] = [];
  private used: number[] = [];
  private frozen = false;

  /** Declare a field holding 0..max; returns its id. A field with max 0 takes no bits. */
  field(name: string, max: number): number {
    if (this.frozen) throw new Error('layout is frozen');
    const bits = bitsFor(max);
    if (bits > 32) throw new RangeError(`field ${name} needs more than 32 bits`);
    // first fit: the first word with room, so small fields fill gaps.
    let word = this.used.findIndex((u) => u + bits <= 32);
    if (word < 0) {
      word = this.used.length;
      this.used.push(0);
    }
    const shift = this.used[word]!;
    this.used[word] = shift + bits;
    const id = this.fields.length;
    this.fields.push({ name, max, bits, word, shift });
    this.wordOf.push(word);
    this.shiftOf.push(shift);
    this.maskOf.push(bits === 32 ? 0xffffffff : (1 << bits) - 1);
    return id;
  }

  freeze(): this {
    this.frozen = true;
    return this;
  }

  /** Number of 32-bit words a state takes (at least one). */
  get words(): number {
    return Math.max(1, this.used.length);
  }

  get bits(): number {
    return this.used.reduce((a, b) => a + b, 0);
  }

  info(id: number): FieldInfo {
    return this.fields[id]!;
  }

  all(): readonly FieldInfo[] {
    return this.fields;
  }

  get(s: Uint32Array, id: number): number {
    return ((s[this.wordOf[id]!]! >>> this.shiftOf[id]!) & this.maskOf[id]!) >>> 0;
  }

  set(s: Uint32Array, id: number, value: number): void {
    const f = this.fields[id]!;
    if (value < 0 || value > f.max || !Number.isInteger(value)) {
      throw new RangeError(`value ${value} out of range 0..${f.max} for ${f.name}`);
    }
    const w = this.wordOf[id]!;
    const sh = this.shiftOf[id]!;
    const m = this.maskOf[id]!;
    s[w] = ((s[w]! & ~(m << sh)) | (value << sh)) >>> 0;
  }

  /**
   * Unchecked write for the hot path: the caller guarantees 0 <= value <= max.
   */
  put(s: Uint32Array, id: number, value: number): void {
    const w = this.wordOf[id]!;
    const sh = this.shiftOf[id]!;
    s[w] = ((s[w]! & ~(this.maskOf[id]! << sh)) | (value << sh)) >>> 0;
  }
}
