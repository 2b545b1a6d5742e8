/**
 * Seeded random exploration on fast-check, for configurations too big for
 * BFS. A walk is a list of choices: at each step, choice c picks the
 * (c mod n)-th of the n enabled actions (with the swarm bias, of the enabled
 * actions whose kind this walk allows). fast-check runs the walks from the
 * seed and shrinks a failing one; `minimizePath` then removes steps by delta
 * debugging (each candidate replayed, so every step must still be enabled)
 * and reorders adjacent steps to need fewer switches between actors. The same
 * seed gives the same walks, the same shrinking and the same trace.
 */
import fc from 'fast-check';
import { successorsOf } from './bfs.ts';
import type { Invariant, Model } from './model.ts';
import { type Trace, buildTrace } from './trace.ts';

export type Bias = 'uniform' | 'swarm';

export interface RandomOptions {
  readonly seed: number;
  readonly runs: number;
  readonly depth: number;
  readonly bias?: Bias;
  readonly timeoutSeconds?: number;
}

export interface RandomViolation {
  readonly invariant: string;
  /** Steps of the walk fast-check first found (before any shrinking). */
  readonly foundLength: number;
  /** Steps after fast-check's shrinking. */
  readonly shrunkLength: number;
  readonly trace: Trace;
  /** fast-check's replay path of the failing run. */
  readonly fcPath: string;
}

export interface RandomResult {
  readonly seed: number;
  readonly runs: number;
  readonly runsDone: number;
  readonly depth: number;
  readonly bias: Bias;
  readonly interrupted: boolean;
  readonly seconds: number;
  readonly violation?: RandomViolation;
}

interface Walk {
  readonly choices: readonly number[];
  /** Swarm: bit k set = actions of kind k allowed in this walk. */
  readonly mask: number;
}

/** The group an action belongs to for the swarm bias: its `kind` field, else its index. */
function kindsOf<A>(model: Model<A>): { kindIndex: Int32Array; kinds: number } {
  const names = new Map<string, number>();
  const kindIndex = new Int32Array(model.actionCount);
  for (let i = 0; i < model.actionCount; i++) {
    const a = model.action(i) as { kind?: unknown };
    const name = typeof a === 'object' && a !== null && typeof a.kind === 'string' ? a.kind : String(i);
    if (!names.has(name)) names.set(name, names.size);
    kindIndex[i] = names.get(name)! % 30;
  }
  return { kindIndex, kinds: Math.min(30, names.size) };
}

/**
 * Replay `path` (action indices); returns the length of the shortest prefix
 * ending in a state that violates `inv`, or -1 if a step is not enabled or no
 * prefix violates it.
 */
export function violatingPrefix<A>(model: Model<A>, path: readonly number[], inv: Invariant): number {
  let cur = new Uint32Array(model.words);
  let nxt = new Uint32Array(model.words);
  model.initial(cur);
  if (!inv.holds(cur)) return 0;
  for (let k = 0; k < path.length; k++) {
    if (!model.step(cur, path[k]!, nxt)) return -1;
    [cur, nxt] = [nxt, cur];
    if (!inv.holds(cur)) return k + 1;
  }
  return -1;
}

/** Delta debugging (ddmin) over the steps, then single-step removal until 1-minimal. */
export function ddmin<A>(model: Model<A>, path: readonly number[], inv: Invariant): number[] {
  const cut = (p: readonly number[]): number[] | undefined => {
    const n = violatingPrefix(model, p, inv);
    return n < 0 ? undefined : p.slice(0, n);
  };
  let best = cut(path);
  if (!best) throw new Error('internal: the path to minimise does not violate the invariant');
  let n = 2;
  while (best.length >= 2) {
    const size = Math.ceil(best.length / n);
    let reduced = false;
    for (let start = 0; start < best.length; start += size) {
      const candidate = cut([...best.slice(0, start), ...best.slice(start + size)]);
      if (candidate && candidate.length < best.length) {
        best = candidate;
        n = Math.max(n - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (n >= best.length) break;
      n = Math.min(best.length, n * 2);
    }
  }
  for (let k = 0; k < best.length; ) {
    const candidate = cut([...best.slice(0, k), ...best.slice(k + 1)]);
    if (candidate && candidate.length < best.length) best = candidate;
    else k++;
  }
  return best;
}

/** Actor of each step along a path. */
function actors<A>(model: Model<A>, path: readonly number[]): string[] {
  const out: string[] = [];
  let cur = new Uint32Array(model.words);
  let nxt = new Uint32Array(model.words);
  model.initial(cur);
  for (const i of path) {
    out.push(model.label(cur, i).actor);
    if (!model.step(cur, i, nxt)) break;
    [cur, nxt] = [nxt, cur];
  }
  return out;
}

const switches = (a: readonly string[]) => a.reduce((n, x, k) => n + (k > 0 && x !== a[k - 1] ? 1 : 0), 0);

/**
 * Among traces of the same length, prefer fewer switches between actors
 * (scheduler interleavings): swap adjacent steps of different actors while
 * the trace stays valid, no longer, and needs fewer switches.
 */
export function fewerSwitches<A>(model: Model<A>, path: readonly number[], inv: Invariant): number[] {
  let best = [...path];
  let score = switches(actors(model, best));
  for (let improved = true, rounds = 0; improved && rounds < 50; rounds++) {
    improved = false;
    for (let k = 0; k + 1 < best.length; k++) {
      const cand = [...best];
      [cand[k], cand[k + 1]] = [cand[k + 1]!, cand[k]!];
      const n = violatingPrefix(model, cand, inv);
      if (n < 0 || n > best.length) continue;
      const c = cand.slice(0, n);
      const s = switches(actors(model, c));
      if (c.length < best.length || s < score) {
        best = c;
        score = s;
        improved = true;
      }
    }
  }
  return best;
}

/** Follow a walk; returns the action path up to the first violation of one of `invariants`, with its index. */
function runWalk<A>(
  model: Model<A>,
  invariants: readonly Invariant[],
  walk: Walk,
  kinds: { kindIndex: Int32Array } | undefined,
): { path: number[]; violated: number } {
  const succ = successorsOf(model as Model<unknown>);
  let cur: Uint32Array = new Uint32Array(model.words);
  const dst = new Uint32Array(model.words);
  model.initial(cur);
  const path: number[] = [];
  for (let k = 0; k < invariants.length; k++) if (!invariants[k]!.holds(cur)) return { path, violated: k };
  const enabled: number[] = [];
  const allowed: number[] = [];
  const states: Uint32Array[] = [];
  for (const c of walk.choices) {
    enabled.length = 0;
    allowed.length = 0;
    states.length = 0;
    succ(cur, dst, (i) => {
      enabled.push(i);
      states.push(dst.slice());
      if (kinds && walk.mask & (1 << kinds.kindIndex[i]!)) allowed.push(enabled.length - 1);
    });
    if (enabled.length === 0) break;
    const pick = kinds && allowed.length > 0 ? allowed[c % allowed.length]! : c % enabled.length;
    path.push(enabled[pick]!);
    cur = states[pick]!;
    for (let k = 0; k < invariants.length; k++) if (!invariants[k]!.holds(cur)) return { path, violated: k };
  }
  return { path, violated: -1 };
}

export function randomSearch<A>(model: Model<A>, invariants: readonly Invariant[], options: RandomOptions): RandomResult {
  const t0 = performance.now();
  const bias = options.bias ?? 'uniform';
  const kinds = bias === 'swarm' ? kindsOf(model) : undefined;
  const walkArb = fc.record({
    choices: fc.array(fc.nat({ max: 0x7fffffff }), { minLength: 0, maxLength: options.depth, size: 'max' }),
    mask: kinds ? fc.nat({ max: 2 ** kinds.kinds - 1 }) : fc.constant(0),
  });
  let found: { length: number } | undefined;
  const property = fc.property(walkArb, (walk) => {
    const r = runWalk(model, invariants, walk, kinds);
    if (r.violated >= 0 && !found) found = { length: r.path.length };
    return r.violated < 0;
  });
  const details = fc.check(property, {
    seed: options.seed,
    numRuns: options.runs,
    plugins: [fc.unbiased()],
    ...(options.timeoutSeconds !== undefined ? { interruptAfterTimeLimit: options.timeoutSeconds * 1000 } : {}),
  });
  const base = {
    seed: options.seed,
    runs: options.runs,
    runsDone: details.numRuns,
    depth: options.depth,
    bias,
    interrupted: details.interrupted,
  };
  if (!details.failed || !details.counterexample) return { ...base, seconds: (performance.now() - t0) / 1000 };
  const walk = (details.counterexample as unknown as [Walk])[0];
  const shrunk = runWalk(model, invariants, walk, kinds);
  const inv = invariants[shrunk.violated]!;
  const minimal = fewerSwitches(model, ddmin(model, shrunk.path, inv), inv);
  return {
    ...base,
    seconds: (performance.now() - t0) / 1000,
    violation: {
      invariant: inv.name,
      foundLength: found?.length ?? shrunk.path.length,
      shrunkLength: shrunk.path.length,
      trace: buildTrace(model, minimal, inv),
      fcPath: details.counterexamplePath ?? '',
    },
  };
}
