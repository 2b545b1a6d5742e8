/**
 * Base class for models whose finite action universe is compiled, once, into
 * one step closure per action: it keeps the universe, the closures and the
 * lookup from structured actions (as found in JSON traces) to indices.
 */
import { actionKey } from './action-key.ts';
import { Layout } from './layout.ts';
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

/** An ActionModel whose state is the fields of one Layout, with short accessors. */
export abstract class LayoutModel<A> extends ActionModel<A> {
  readonly layout = new Layout();

  get words(): number {
    return this.layout.words;
  }

  /** Read field `f` of state `s`. */
  g(s: Uint32Array, f: number): number {
    return this.layout.get(s, f);
  }

  /** Write field `f` of state `s` (the value must be in the field's range). */
  protected p(s: Uint32Array, f: number, v: number): void {
    this.layout.put(s, f, v);
  }
}
