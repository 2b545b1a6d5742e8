/**
 * One worker of the parallel BFS (explorer/parallel.ts). It builds its own
 * copy of the model through the factory and keeps the states it adds in a
 * store in discovery order (shared memory, so the coordinator can rebuild
 * paths and the others can expand them).
 *
 * In a level it expands its own states of that depth, claiming them a few
 * at a time from a shared cursor; once it has claimed all of them, it
 * expands the other workers' unclaimed ones the same way (`expandFrom`), so
 * that no worker idles while another still has a queue.
 *
 * - With the shared visited set (the default), it adds every successor to
 *   that set itself and stores those it added (`visitShared`).
 * - With `table: 'owned'`, it owns the states whose hash falls to it
 *   (`Partition.owner`), in a private set whose recent-states cache also
 *   holds the states it sent. A successor it owns it stores itself; any
 *   other it sends through a ring to its owner, after that cache has weeded
 *   out most duplicates. Between claims, and once it has expanded all it
 *   could claim, it takes in what the others sent it (into its table at
 *   once; the new ones into its store after its own finds, at the end of the
 *   level); the level ends when every worker has sent everything and every
 *   ring is empty.
 *
 * It never blocks: the coordinator drives it by messages.
 */
import { parentPort } from 'node:worker_threads';
import { successorsOf } from './bfs.ts';
import { type ModelFactory, buildFromFactory } from './factory.ts';
import type { Invariant, Model } from './model.ts';
import {
  CTRL_SIZE,
  CTRL_STOP,
  CTRL_VIOLATED,
  CLAIM,
  type FinishOrder,
  type LevelDone,
  type LevelOrder,
  SIZE_BATCH,
  type TableSnapshot,
  type WorkerInit,
  ctrlCursor,
  ctrlDone,
  ctrlEnd,
  ctrlTransitions,
  globalId,
  violationsStop,
  Partition,
} from './parallel-protocol.ts';
import { Ring } from './ring.ts';
import { setWatch } from './watch.ts';
import { ADDED, NO_PLACE, SharedTable } from './shared-table.ts';
import { Backlog, ROOT, StateStore, StoreReader } from './store.ts';
import { ROUTE_SLOW, ROUTE_STORED, StateTable } from './table.ts';

const port = parentPort!;

let model: Model<unknown>;
let invariants: readonly Invariant[] = [];
let ctrl: Int32Array;
let me = 0;
let N = 1;
let W = 0;
let canon: ((s: Uint32Array) => void) | undefined;
let successors: (src: Uint32Array, dst: Uint32Array, visit: (i: number) => void) => void;
let cur: Uint32Array;
let nxt: Uint32Array;
let tmp: Uint32Array;
/** This worker's own visited set, with `table: 'owned'` (never assigned with the shared set). */
let table: StateTable;
/** The visited set all workers share, when the coordinator gave one. */
let shared: SharedTable | null = null;
let store: StateStore;
/** The new states the others sent in this level, stored at its end (`own`). */
let backlog: Backlog;
/** out[o]: the ring to worker o (undefined for itself); inbox: the rings from the others. */
let out: (Ring | undefined)[] = [];
let inbox: Ring[] = [];
let partition: Partition;

// Per-level state read by the callbacks (no closures on the hot path).
let order: LevelOrder;
let expanding = true;
let current = 0;
let transitions = 0;
let added = 0;
let unsized = 0;
let pending = 0;
let violations: number[] = [];
let truncated = false;
let limited = false;
let stopped = false;
/** Whether `visit` may take the table's route (expanding, no state limit). */
let fast = false;

function flushSize(): void {
  if (unsized === 0) return;
  Atomics.add(ctrl, CTRL_SIZE, unsized);
  unsized = 0;
}

function stop(): void {
  Atomics.store(ctrl, CTRL_STOP, 1);
  stopped = true;
}

function stopIfDone(): void {
  if (violationsStop(Atomics.load(ctrl, CTRL_VIOLATED), invariants.length, order)) stop();
}

/**
 * A state this worker owns, found from `parent` (a global id): if new, add it
 * to the table and store it (or, probing, note that it is new). One that
 * another worker sent goes to the backlog, and to the store only at the end
 * of the level (`runLevel`): the states this worker found itself are then
 * stored in the order it found them, the siblings of a state side by side,
 * as in one thread's search. Interleaving the two streams as they came
 * spread the siblings out, so the next level's recent-states cache caught
 * fewer of the duplicates their successors have in common: to depth 14 of
 * `ref-e` `native`, two workers hit it on 48 % of their lookups and probed
 * their tables 58.6–64.6 M times; with the backlog, 53 % and 53.5 M times
 * (one thread: 56 %, 49.4 M).
 */
function own(a: Uint32Array, off: number, h: number, parent: number, received: boolean): void {
  if (stopped) return;
  if (!expanding) {
    if (!truncated && !table.has(a, off)) {
      truncated = true;
      stop();
    }
    return;
  }
  if (limited) {
    // Under a state limit, a new state first takes one of the places left (the count is then exact:
    // the workers together store at most maxStates states). Only a state known to be new may take
    // one: a duplicate holding a place for a moment could make another worker stop the search.
    if (table.has(a, off)) return;
    if (Atomics.add(ctrl, CTRL_SIZE, 1) >= order.maxStates) {
      Atomics.sub(ctrl, CTRL_SIZE, 1);
      stop();
      return;
    }
    added++;
    table.addDirect(a, off, h);
  } else if (table.addDirect(a, off, h)) counted();
  else return;
  if (received) backlog.push(a, off, parent);
  else stored(a, off, parent);
}

/** A state added to the table without a state limit: count it (in batches; the progress line reads the sum). */
function counted(): void {
  added++;
  if (++unsized >= SIZE_BATCH) flushSize();
}

/** Store a state this worker has added to its table and counted, and check it. */
function stored(a: Uint32Array, off: number, parent: number): void {
  const index = store.push(a, off, parent);
  const g = globalId(index, me, N);
  if (g > 0x7fffffff) throw new Error('the parallel search stores at most 2^31 states');
  if (pending !== 0) {
    for (let k = 0; k < W; k++) tmp[k] = a[off + k]!;
    for (let k = 0; k < invariants.length; k++) {
      if ((pending & (1 << k)) === 0 || invariants[k]!.holds(tmp)) continue;
      pending &= ~(1 << k);
      violations.push(k, g);
      Atomics.or(ctrl, CTRL_VIOLATED, 1 << k);
      stopIfDone();
    }
  }
}

function fromRing(d: Uint32Array, off: number): void {
  own(d, off, d[off + W]!, d[off + W + 1]! | 0, true);
}

/** Store everything the other workers have sent so far. */
function drain(): void {
  for (let i = 0; i < inbox.length; i++) inbox[i]!.drain(fromRing);
}

function send(o: number, h: number): void {
  const ring = out[o]!;
  let at = ring.reserve();
  while (at < 0) {
    // Its owner has not caught up: store what others sent meanwhile (it may be waiting for us).
    drain();
    if (Atomics.load(ctrl, CTRL_STOP) !== 0) {
      stopped = true;
      return;
    }
    at = ring.reserve();
  }
  const d = ring.data;
  for (let k = 0; k < W; k++) d[at + k] = nxt[k]!;
  d[at + W] = h;
  d[at + W + 1] = current;
  ring.commit();
}

/** `visit` with the shared visited set: every worker adds any state, and stores those it added. */
function visitShared(t: SharedTable): void {
  if (!expanding) {
    if (!truncated && !t.has(nxt)) {
      truncated = true;
      stop();
    }
    return;
  }
  const r = t.add(nxt, 0);
  if (r === ADDED) {
    // Under a state limit the table took the place (its quota is the shared count).
    if (limited) added++;
    else counted();
    stored(nxt, 0, current);
  } else if (r === NO_PLACE) stop();
}

function visit(_i: number): void {
  if (stopped) return;
  if (expanding) transitions++;
  if (canon) canon(nxt);
  if (shared !== null) {
    visitShared(shared);
    return;
  }
  if (fast) {
    // Expanding with no state limit: the table's one-call route (the all-zero state goes the long way).
    const r = table.route(nxt, 0, me, N);
    if (r >= 0) send(r, table.lastHash[0]!);
    else if (r === ROUTE_STORED) {
      counted();
      stored(nxt, 0, current);
    }
    if (r !== ROUTE_SLOW) return;
  }
  const h = table.hash(nxt);
  if (table.seenRecently(nxt, 0, h)) return;
  const o = partition.owner(nxt);
  if (o === me) own(nxt, 0, h, current, false);
  else send(o, h);
}

/** States expanded since the deadline was last read. */
let sinceClock = 0;

/**
 * Expand worker w's states of this level (read from its store, `from`) that
 * no one has claimed yet, CLAIM at a time; how many this worker expanded.
 * Between claims it takes in what the others sent.
 */
function expandFrom(w: number, from: StateStore | StoreReader): number {
  const cursor = ctrlCursor(w);
  const end = Atomics.load(ctrl, ctrlEnd(w));
  let n = 0;
  while (!stopped) {
    const q0 = Atomics.add(ctrl, cursor, CLAIM);
    if (q0 >= end) break;
    drain();
    if (Atomics.load(ctrl, CTRL_STOP) !== 0) {
      stopped = true;
      break;
    }
    Atomics.store(ctrl, ctrlTransitions(me), Math.floor(transitions / 1024));
    if ((sinceClock += CLAIM) >= 4096) {
      sinceClock = 0;
      if (Date.now() > order.deadline) stop();
    }
    const q1 = Math.min(q0 + CLAIM, end);
    for (let q = q0; q < q1 && !stopped; q++) {
      current = globalId(q, w, N);
      from.read(q, cur);
      successors(cur, nxt, visit);
      n++;
    }
  }
  return n;
}

function runLevel(o: LevelOrder): LevelDone {
  order = o;
  expanding = o.mode === 'expand';
  transitions = 0;
  added = 0;
  violations = [];
  truncated = false;
  stopped = Atomics.load(ctrl, CTRL_STOP) !== 0;
  pending = o.pending;
  limited = o.maxStates < Number.MAX_SAFE_INTEGER;
  fast = expanding && !limited;
  if (shared !== null) {
    // Every worker saw every other's end of the last level (ctrlDone): the regions it gave up may be reused.
    shared.recycle();
    shared.quota = limited ? ctrl : null;
    shared.quotaIndex = CTRL_SIZE;
    shared.quotaMax = o.maxStates;
  }
  sinceClock = 0;
  const expanded = expandFrom(me, store);
  // Then the states of the others that they have not claimed yet: the level ends when the last is done.
  let stolen = 0;
  if (o.stores) {
    for (let k = 1; k < N && !stopped; k++) {
      const w = (me + k) % N;
      stolen += expandFrom(w, new StoreReader(W, o.stores[w]!));
    }
  }
  for (const r of out) r?.publish();
  Atomics.store(ctrl, ctrlDone(me), o.depth + 1);
  // Store what the others send until all of them have sent everything.
  for (let spins = 0; ; spins++) {
    drain();
    if (Atomics.load(ctrl, CTRL_STOP) !== 0) break;
    let all = true;
    for (let w = 0; w < N && all; w++) if (Atomics.load(ctrl, ctrlDone(w)) < o.depth + 1) all = false;
    if (all) {
      drain();
      break;
    }
    // After a while, sleep 50 µs at a time (its own done word stays as it is): with more workers than
    // cores, a spinning worker would keep one that still expands off its core.
    if (spins >= 1000) Atomics.wait(ctrl, ctrlDone(me), o.depth + 1, 0.05);
  }
  // The states the others sent, after this worker's own (even when stopping: a violation may be among them).
  backlog.flush(stored);
  flushSize();
  // (The shared table's arena the coordinator counts, once.)
  let bytes = (shared !== null ? shared.recent.byteLength : table.bytes) + store.bytes + backlog.bytes;
  for (const r of out) if (r) bytes += r.data.byteLength;
  return { type: 'done', added, transitions, violations, truncated, expanded: expanded + stolen, stolen, store: store.buffers(), length: store.length, bytes };
}

async function init(msg: WorkerInit): Promise<void> {
  setWatch(msg.watch, msg.id + 1);
  const built = await buildFromFactory(msg.factory as ModelFactory);
  model = built.model;
  invariants = built.invariants;
  W = model.words;
  if (W !== msg.words) throw new Error(`the worker's model has ${W} words per state, the coordinator's ${msg.words}`);
  ctrl = new Int32Array(msg.ctrl);
  me = msg.id;
  N = msg.workers;
  canon = msg.symmetry && model.canonicalize ? model.canonicalize.bind(model) : undefined;
  successors = successorsOf(model);
  cur = new Uint32Array(W);
  nxt = new Uint32Array(W);
  tmp = new Uint32Array(W);
  store = new StateStore(W, true);
  const init = Uint32Array.from(msg.initial);
  if (msg.shared) {
    // The coordinator has put the initial state in the shared set; worker 0 stores it.
    shared = new SharedTable(msg.shared, model.partitionMask);
    if (me === 0) store.push(init, 0, ROOT);
  } else table = new StateTable(W, model.partitionMask, { ownerMask: model.ownerMask });
  backlog = new Backlog(W);
  // With the shared set no state is sent: there are no rings.
  out = [...Array(N).keys()].map((o) => (o === me || msg.shared ? undefined : new Ring(msg.rings[me * N + o]!, W + 2)));
  inbox = msg.shared ? [] : [...Array(N).keys()].filter((f) => f !== me).map((f) => new Ring(msg.rings[f * N + me]!, W + 2));
  partition = new Partition(W, N, model.partitionMask, model.ownerMask);
  if (!msg.shared && partition.owner(init) === me) {
    table.addDirect(init, 0, table.hash(init));
    store.push(init, 0, ROOT);
  }
}

function fail(e: unknown): void {
  const err = e as { message?: string; exitCode?: unknown };
  port.postMessage({ type: 'error', message: err?.message ?? String(e), exitCode: typeof err?.exitCode === 'number' ? err.exitCode : undefined });
}

port.on('message', (msg: WorkerInit | LevelOrder | FinishOrder) => {
  if (msg.type === 'init') {
    init(msg).then(() => port.postMessage({ type: 'ready' }), fail);
    return;
  }
  try {
    if (msg.type === 'finish') {
      const { transfer, ...snap } = table.snapshot();
      port.postMessage({ type: 'table', ...snap } satisfies TableSnapshot, transfer);
      return;
    }
    port.postMessage(runLevel(msg));
  } catch (e) {
    fail(e);
  }
});
