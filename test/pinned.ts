/** The check every model's tests make on a configuration: pinned count, verdicts, shortest traces that replay. */
import { expect } from 'vitest';
import { bfs } from '../explorer/bfs.ts';
import { check } from '../explorer/check.ts';
import { replay } from '../explorer/replay.ts';
import { resolveConfig } from '../model/core/config.ts';
import type { AnyFamily, BuiltModel } from '../model/core/family.ts';

export type Verdicts = Record<string, number | 'holds'>;

export function expectPinned({ model, invariants }: BuiltModel, count: number, verdicts: Verdicts): void {
  expect(bfs(model).distinctStates).toBe(count);
  const rep = check(model, invariants, { stopWhenAllViolated: false });
  expect(Object.fromEntries(rep.invariants.map((i) => [i.name, i.counterexample?.steps.length ?? i.status]))).toEqual(verdicts);
  rep.invariants.forEach((i, k) => {
    if (!i.counterexample) return;
    expect(replay(model, i.counterexample.steps, invariants[k]!).reproduced).toBe(true);
    // shortest: nothing violates it within one step less
    const shorter = bfs(model, { invariants: [invariants[k]!], maxDepth: i.counterexample.steps.length - 1 });
    expect(shorter.invariants[0]!.status).not.toBe('violated');
  });
}

/** A family's model on one of its reference configurations, with a built-in policy. */
export function buildReference(family: AnyFamily, config: string, policy: string): BuiltModel {
  return family.build(resolveConfig(family, config).params, { id: policy, policy: family.policies[policy]!, fromFile: false });
}
