/**
 * Base class for models whose finite action universe is compiled, once, into
 * one step closure per action: it keeps the universe, the closures and the
 * lookup from structured actions (as found in JSON traces) to indices.
 */
import { actionKey } from './action-key.ts';
import type { ActionLabel, Model, StateView } from './model.ts';

export type StepFn = (src: Uint32Array, dst: Uint32Array) => boolean;

export abstract class ActionModel<A> implements Model<A> {
  abstract readonly name: string;
  abstract readonly words: number;
  private universe: readonly A[] = [];
  private steps: readonly StepFn[] = [];
  private index = new Map<string, number>();

  /** Call once from the subclass constructor, after its own fields are set. */
  protected defineActions(actions: readonly A[], compile: (a: A) => StepFn): void {
    this.universe = actions;
    this.steps = actions.map(compile);
    this.index = new Map(actions.map((a, i) => [actionKey(a), i]));
  }

  get actions(): readonly A[] {
    return this.universe;
  }

  get actionCount(): number {
    return this.universe.length;
  }

  step(src: Uint32Array, i: number, dst: Uint32Array): boolean {
    return this.steps[i]!(src, dst);
  }

  action(i: number): A {
    return this.universe[i]!;
  }

  actionIndex(a: unknown): number {
    return this.index.get(actionKey(a)) ?? -1;
  }

  abstract initial(out: Uint32Array): void;
  abstract label(src: Uint32Array, i: number): ActionLabel;
  abstract whyDisabled(src: Uint32Array, i: number): string;
  abstract view(s: Uint32Array): StateView;
}
