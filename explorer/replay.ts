/**
 * Replay of a recorded trace against a model: step by step, each action must
 * exist, be enabled, carry the same label and change exactly the recorded
 * variables; at the end the invariant must be violated. Otherwise the outcome
 * says exactly where and why the trace no longer reproduces.
 */
import type { Invariant, Model, Violation } from './model.ts';
import { type Change, diffViews, formatChange } from './trace.ts';

export interface RecordedStep {
  readonly actor: string;
  readonly action: string;
  readonly key: unknown;
  readonly changes?: readonly Change[];
}

export type ReplayOutcome =
  | { readonly reproduced: true; readonly invariant: string; readonly length: number; readonly violation: Violation }
  | { readonly reproduced: false; readonly invariant: string; readonly step: number | null; readonly reason: string };

const sameChanges = (a: readonly Change[], b: readonly Change[]): boolean =>
  a.length === b.length && a.every((c, i) => c.name === b[i]!.name && c.from === b[i]!.from && c.to === b[i]!.to);

export function replay<A>(model: Model<A>, steps: readonly RecordedStep[], invariant: Invariant): ReplayOutcome {
  let cur = new Uint32Array(model.words);
  let nxt = new Uint32Array(model.words);
  model.initial(cur);
  let view = model.view(cur);
  const fail = (step: number | null, reason: string): ReplayOutcome => ({ reproduced: false, invariant: invariant.name, step, reason });
  for (let k = 0; k < steps.length; k++) {
    const rec = steps[k]!;
    const n = k + 1;
    const recorded = `${rec.actor}: ${rec.action}`;
    const i = model.actionIndex(rec.key);
    if (i < 0) return fail(n, `step ${n} (${recorded}): action ${JSON.stringify(rec.key)} does not exist in this configuration`);
    const label = model.label(cur, i);
    if (!model.step(cur, i, nxt)) {
      return fail(n, `step ${n} (${recorded}) is not enabled: ${model.whyDisabled(cur, i)}`);
    }
    const now = `${label.actor}: ${label.text}`;
    if (now !== recorded) return fail(n, `step ${n}: the trace recorded "${recorded}", the model now does "${now}"`);
    const after = model.view(nxt);
    const changes = diffViews(view, after);
    if (rec.changes && !sameChanges(changes, rec.changes)) {
      const want = rec.changes.map(formatChange).join(', ') || '(no change)';
      const got = changes.map(formatChange).join(', ') || '(no change)';
      return fail(n, `step ${n} (${recorded}) changed ${got}; the trace recorded ${want}`);
    }
    view = after;
    [cur, nxt] = [nxt, cur];
  }
  if (invariant.holds(cur)) {
    return fail(null, `all ${steps.length} steps replay, but ${invariant.name} holds in the final state`);
  }
  return { reproduced: true, invariant: invariant.name, length: steps.length, violation: invariant.explain(cur) };
}
