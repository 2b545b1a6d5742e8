/**
 * Where a thread says which user code it is running: loading a user's file,
 * or inside one of its hooks. The CLI runs its commands in a worker thread
 * and watches these slots from the main thread (cli/supervise.ts), so that
 * user code that never returns, or never finishes loading, ends the run with
 * one clear line instead of hanging it.
 *
 * One slot per thread (the command's thread is slot 0, search worker k is
 * slot k + 1): a phase word, a sequence number bumped at every entry, and the
 * text that names the code. Outside the CLI (tests, the vitest API) there is
 * no buffer and every call here returns at once.
 */
export const WATCH_SLOTS = 66;
const SLOT_BYTES = 1024;
/** phase, seq, text length, state words, file length, process.exit code + 1; the state (at most STATE_WORDS words); the file; the text. */
const HEADER_WORDS = 6;
const STATE_WORDS = 32;
const FILE_OFFSET = (HEADER_WORDS + STATE_WORDS) * 4;
const FILE_BYTES = 300;
const TEXT_OFFSET = FILE_OFFSET + FILE_BYTES;
const TEXT_BYTES = SLOT_BYTES - TEXT_OFFSET;

export const PHASE_IDLE = 0;
export const PHASE_LOADING = 1;
export const PHASE_HOOK = 2;

let buffer: SharedArrayBuffer | undefined;
let words: Int32Array | undefined;
let bytes: Uint8Array | undefined;
let slot = 0;
const encoder = new TextEncoder();

export function newWatchBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(WATCH_SLOTS * SLOT_BYTES);
}

/** This thread's slot in a watch buffer (none: nothing is watched). */
export function setWatch(b: SharedArrayBuffer | undefined, s: number): void {
  buffer = b;
  slot = Math.min(s, WATCH_SLOTS - 1);
  words = b ? new Int32Array(b) : undefined;
  bytes = b ? new Uint8Array(b) : undefined;
}

/** The buffer this thread reports to, for the threads it starts. */
export function watchBuffer(): SharedArrayBuffer | undefined {
  return buffer;
}

/** The user's file whose code runs next on this thread (named in the supervisor's message). */
export function setWatchedFile(f: string): void {
  if (!words) return;
  const r = encoder.encodeInto(f, bytes!.subarray(slot * SLOT_BYTES + FILE_OFFSET, slot * SLOT_BYTES + FILE_OFFSET + FILE_BYTES));
  words[(slot * SLOT_BYTES) / 4 + 4] = r.written;
}

/**
 * Entering user code: `what` says which (the hook call, or the file being
 * loaded), `state` the state a hook was called on. Cheap: a short string
 * encoded and a few words copied, no allocation.
 */
export function enterUserCode(phase: typeof PHASE_LOADING | typeof PHASE_HOOK, what: string, state?: Uint32Array): void {
  if (!words) return;
  const base = (slot * SLOT_BYTES) / 4;
  const r = encoder.encodeInto(what, bytes!.subarray(slot * SLOT_BYTES + TEXT_OFFSET, (slot + 1) * SLOT_BYTES));
  words[base + 2] = r.written;
  const n = state ? Math.min(state.length, STATE_WORDS) : 0;
  words[base + 3] = state ? state.length : 0;
  for (let k = 0; k < n; k++) words[base + HEADER_WORDS + k] = state![k]!;
  Atomics.add(words, base + 1, 1);
  Atomics.store(words, base, phase);
}

export function leaveUserCode(): void {
  if (!words) return;
  Atomics.store(words, (slot * SLOT_BYTES) / 4, PHASE_IDLE);
}

/** Called instead of process.exit on a watched thread: says that something called it, and with what code. */
function noteProcessExit(code: number): void {
  if (words) Atomics.store(words, (slot * SLOT_BYTES) / 4 + 5, code + 1);
}

/**
 * A supervised thread's start: report in slot `s` of `b`, and say so before
 * process.exit (which on a worker thread ends only that thread) ends it.
 */
export function startWatchedThread(b: SharedArrayBuffer, s: number): void {
  setWatch(b, s);
  const exit = process.exit.bind(process);
  process.exit = ((c?: number | string | null) => {
    noteProcessExit(Number(c ?? process.exitCode ?? 0) || 0);
    return exit(c as number);
  }) as typeof process.exit;
}

export interface WatchSlot {
  readonly phase: number;
  readonly seq: number;
  readonly text: string;
  /** The state a hook was called on, as hex words ('' when none). */
  readonly state: string;
  /** The user's file the thread last loaded. */
  readonly file: string;
  /** The code process.exit was called with on this thread, if it was. */
  readonly exitCalled?: number;
}

/** The supervisor's reading of every slot. */
export function readWatch(b: SharedArrayBuffer): WatchSlot[] {
  const w = new Int32Array(b);
  const u = new Uint8Array(b);
  const out: WatchSlot[] = [];
  const decoder = new TextDecoder();
  for (let k = 0; k < WATCH_SLOTS; k++) {
    const base = (k * SLOT_BYTES) / 4;
    const phase = Atomics.load(w, base);
    const len = Math.min(w[base + 2]!, TEXT_BYTES);
    const start = k * SLOT_BYTES + TEXT_OFFSET;
    const n = w[base + 3]!;
    const state = [...new Uint32Array(b, (base + HEADER_WORDS) * 4, Math.min(n, STATE_WORDS))].map((x) => `0x${x.toString(16)}`).join(' ');
    out.push({
      phase,
      seq: Atomics.load(w, base + 1),
      text: phase === PHASE_IDLE ? '' : decoder.decode(u.slice(start, start + len)),
      state: n > STATE_WORDS ? `${state} ...` : state,
      ...(w[base + 5]! > 0 ? { exitCalled: w[base + 5]! - 1 } : {}),
      file: decoder.decode(u.slice(k * SLOT_BYTES + FILE_OFFSET, k * SLOT_BYTES + FILE_OFFSET + Math.min(w[base + 4]!, FILE_BYTES))),
    });
  }
  return out;
}
