/**
 * One worker of the parallel BFS (explorer/parallel.ts). It builds its own
 * copy of the model through the factory, then expands the frontier states it
 * takes from the shared frontier, in chunks, inserting their successors into
 * the shared table, until the level is done, the table must grow, or the
 * search stops. It never blocks: the coordinator drives it by messages.
 */
import { parentPort } from 'node:worker_threads';
import { successorsOf } from './bfs.ts';
import { hashWords } from './hash.ts';
import type { Invariant, Model } from './model.ts';
import { type ModelFactory, buildFromFactory } from './factory.ts';
import {
  CTRL_POS,
  CTRL_RESIZE,
  CTRL_SIZE,
  CTRL_STOP,
  CTRL_VIOLATED,
  SIZE_BATCH,
  GEN,
  SharedTable,
  ctrlTransitions,
} from './shared-table.ts';
import { RecentStates } from './recent.ts';
import type { GrowOrder, LevelDone, LevelOrder, WorkerInit } from './parallel-protocol.ts';

const CHUNK = 2048;
const port = parentPort!;

let model: Model<unknown>;
let invariants: readonly Invariant[] = [];
let table: SharedTable;
let ctrl: Int32Array;
let id = 0;
let canon: ((s: Uint32Array) => void) | undefined;
let successors: (src: Uint32Array, dst: Uint32Array, visit: (i: number) => void) => void;
let cur: Uint32Array;
let nxt: Uint32Array;
let W = 0;

/** States known to be in the shared table, checked before probing it. */
let recent: RecentStates;

// Per-level state read by the visit callbacks (no closures on the hot path).
let curSlot = 0;
let next = new Uint32Array(1 << 12);
let nextLength = 0;
let transitions = 0;
let pending = 0;
let order: LevelOrder;
let violations: number[] = [];
let truncated = false;
let limited = false;

/** Append a new state to the next level: its slot, then its words (so that it is expanded without a table read). */
function push(slot: number, s: Uint32Array): void {
  if (nextLength + W + 1 > next.length) {
    const d = new Uint32Array(next.length * 2);
    d.set(next);
    next = d;
  }
  next[nextLength++] = slot;
  for (let k = 0; k < W; k++) next[nextLength++] = s[k]!;
}

function stopIfDone(): void {
  const violated = Atomics.load(ctrl, CTRL_VIOLATED);
  const all = (1 << invariants.length) - 1;
  if ((order.stopWhenAllViolated && (violated & all) === all) || (order.stopAtFirstViolation && violated !== 0)) {
    Atomics.store(ctrl, CTRL_STOP, 1);
  }
}

function expand(_i: number): void {
  transitions++;
  if (canon) canon(nxt);
  const h = hashWords(nxt, 0, W);
  const rb = recent.entry(h);
  if (recent.holds(rb, nxt)) return;
  if (limited && Atomics.load(ctrl, CTRL_SIZE) + SIZE_BATCH >= order.maxStates && table.find(nxt) < 0) {
    table.flushSize();
    if (Atomics.load(ctrl, CTRL_SIZE) >= order.maxStates) {
      Atomics.store(ctrl, CTRL_STOP, 1);
      return;
    }
  }
  const slot = table.add(nxt, h, curSlot + 1);
  recent.remember(rb, nxt);
  if (slot < 0) return;
  push(slot, nxt);
  if (pending !== 0) {
    for (let k = 0; k < invariants.length; k++) {
      if ((pending & (1 << k)) === 0 || invariants[k]!.holds(nxt)) continue;
      pending &= ~(1 << k);
      violations.push(k, slot);
      Atomics.or(ctrl, CTRL_VIOLATED, 1 << k);
      stopIfDone();
    }
  }
}

function probe(_i: number): void {
  if (truncated) return;
  if (canon) canon(nxt);
  if (table.find(nxt) < 0) truncated = true;
}

function runLevel(o: LevelOrder): LevelDone {
  order = o;
  if (o.table !== undefined) table.attach(o.table);
  table.gen = (o.depth & 1) === 1 ? GEN : 0;
  const frontier = new Uint32Array(o.frontier);
  const length = o.length;
  nextLength = 0;
  transitions = 0;
  violations = [];
  truncated = false;
  pending = o.pending;
  limited = o.maxStates < Number.MAX_SAFE_INTEGER;
  const leftovers: number[] = [];
  const visit = o.mode === 'expand' ? expand : probe;
  let sinceClock = 0;
  outer: for (;;) {
    if (Atomics.load(ctrl, CTRL_RESIZE) !== 0 || Atomics.load(ctrl, CTRL_STOP) !== 0) break;
    const start = Atomics.add(ctrl, CTRL_POS, CHUNK);
    if (start >= length) break;
    const end = Math.min(length, start + CHUNK);
    for (let q = start; q < end; q++) {
      // The flags are read every 16 states (Atomics.load is a call); the load limit leaves room for that.
      if (q > start && (q & 15) === 0 && (Atomics.load(ctrl, CTRL_RESIZE) !== 0 || Atomics.load(ctrl, CTRL_STOP) !== 0)) {
        leftovers.push(q, end);
        break outer;
      }
      const e = q * (W + 1);
      curSlot = frontier[e]!;
      for (let k = 0; k < W; k++) cur[k] = frontier[e + 1 + k]!;
      successors(cur, nxt, visit);
      if (o.mode === 'probe' && truncated) {
        Atomics.store(ctrl, CTRL_STOP, 1);
        break outer;
      }
    }
    Atomics.store(ctrl, ctrlTransitions(id), Math.floor(transitions / 1024));
    if ((sinceClock += end - start) >= 4096) {
      sinceClock = 0;
      if (Date.now() > o.deadline) {
        Atomics.store(ctrl, CTRL_STOP, 1);
        break;
      }
    }
  }
  table.flushSize();
  const out = next.slice(0, nextLength);
  return { type: 'done', next: out.buffer as ArrayBuffer, transitions, violations, leftovers, truncated };
}

async function init(msg: WorkerInit): Promise<void> {
  const built = await buildFromFactory(msg.factory as ModelFactory);
  model = built.model;
  invariants = built.invariants;
  W = model.words;
  if (W !== msg.words) throw new Error(`the worker's model has ${W} words per state, the coordinator's ${msg.words}`);
  ctrl = new Int32Array(msg.ctrl);
  table = new SharedTable(W, msg.table, ctrl);
  id = msg.id;
  canon = msg.symmetry && model.canonicalize ? model.canonicalize.bind(model) : undefined;
  successors = successorsOf(model);
  cur = new Uint32Array(W);
  nxt = new Uint32Array(W);
  recent = new RecentStates(W);
}

function fail(e: unknown): void {
  const err = e as { message?: string; exitCode?: unknown };
  port.postMessage({ type: 'error', message: err?.message ?? String(e), exitCode: typeof err?.exitCode === 'number' ? err.exitCode : undefined });
}

/** Take ranges of slots through CTRL_POS and rehash or relink them. */
function runGrow(o: GrowOrder): void {
  const RANGE = 1 << 14;
  for (;;) {
    const from = Atomics.add(ctrl, CTRL_POS, RANGE);
    if (from >= o.slots) return;
    const to = Math.min(o.slots, from + RANGE);
    if (o.type === 'rehash') SharedTable.rehashRange(W, o.old, o.table, o.map, from, to);
    else SharedTable.relinkRange(W, o.table, o.map, from, to);
  }
}

port.on('message', (msg: WorkerInit | LevelOrder | GrowOrder) => {
  if (msg.type === 'init') {
    init(msg).then(() => port.postMessage({ type: 'ready' }), fail);
    return;
  }
  if (msg.type === 'rehash' || msg.type === 'relink') {
    try {
      runGrow(msg);
      port.postMessage({ type: 'grown' });
    } catch (e) {
      fail(e);
    }
    return;
  }
  try {
    const done = runLevel(msg as LevelOrder);
    port.postMessage(done, [done.next]);
  } catch (e) {
    fail(e);
  }
});

