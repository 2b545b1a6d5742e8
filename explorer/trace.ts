/**
 * Counterexample traces: a path of action indices turned into numbered steps,
 * each with its actor, its label and only the variables that changed, and a
 * last line naming the broken invariant with the values that broke it.
 */
import type { ActionLabel, Invariant, Model, StateView, Value, Violation } from './model.ts';

export interface Change {
  readonly name: string;
  readonly from: Value;
  readonly to: Value;
}

export interface TraceStep {
  /** 1-based step number. */
  readonly step: number;
  readonly actor: string;
  /** The action's label text, as the model's spec names it. */
  readonly action: string;
  /** The structured action (replay key). */
  readonly key: unknown;
  readonly changes: readonly Change[];
}

export interface Trace {
  readonly invariant: string;
  readonly steps: readonly TraceStep[];
  readonly violation: Violation;
}

/** What changed between two views, in the model's variable order. */
export function diffViews(before: StateView, after: StateView): Change[] {
  const out: Change[] = [];
  after.forEach((to, name) => {
    const from = before.get(name);
    if (from !== to) out.push({ name, from: from ?? '(none)', to });
  });
  return out;
}

/** Replay `path` from the initial state and record each step. Throws if a step is not enabled. */
export function buildTrace<A>(model: Model<A>, path: readonly number[], invariant: Invariant): Trace {
  const steps: TraceStep[] = [];
  let cur = new Uint32Array(model.words);
  let nxt = new Uint32Array(model.words);
  model.initial(cur);
  let view = model.view(cur);
  path.forEach((i, k) => {
    const label: ActionLabel = model.label(cur, i);
    if (!model.step(cur, i, nxt)) throw new Error(`internal: step ${k + 1} (${label.actor}: ${label.text}) is not enabled`);
    const after = model.view(nxt);
    steps.push({ step: k + 1, actor: label.actor, action: label.text, key: model.action(i), changes: diffViews(view, after) });
    view = after;
    [cur, nxt] = [nxt, cur];
  });
  if (invariant.holds(cur)) throw new Error(`internal: the path does not end in a state violating ${invariant.name}`);
  return { invariant: invariant.name, steps, violation: invariant.explain(cur) };
}

export interface RenderOptions {
  /** Colour functions (identity by default). */
  readonly paint?: { bold(s: string): string; dim(s: string): string; red(s: string): string };
}

/** `1 step`, `7 steps`. */
export function stepCount(n: number): string {
  return `${n} step${n === 1 ? '' : 's'}`;
}

export function formatValue(v: Value): string {
  return typeof v === 'string' ? v : String(v);
}

export function formatChange(c: Change): string {
  return `${c.name}: ${formatValue(c.from)} → ${formatValue(c.to)}`;
}

/** Render a trace for a terminal or a code review. */
export function renderTrace(trace: Trace, options: RenderOptions = {}): string {
  const id = (s: string) => s;
  const paint = options.paint ?? { bold: id, dim: id, red: id };
  const num = String(trace.steps.length).length;
  const labels = trace.steps.map((s) => `${s.actor}: ${s.action}`);
  const width = Math.min(48, Math.max(0, ...labels.map((l) => l.length)));
  const lines = trace.steps.map((s, k) => {
    const label = labels[k]!.padEnd(width);
    const changes = s.changes.map(formatChange).join(', ');
    return `  ${String(s.step).padStart(num)}. ${paint.bold(label)}  ${paint.dim(changes || '(no change)')}`;
  });
  lines.push(`  ${paint.red(`✗ ${trace.invariant} violated after ${stepCount(trace.steps.length)}: ${trace.violation.message}`)}`);
  return lines.join('\n');
}
