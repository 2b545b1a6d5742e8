/**
 * A model family: a parameterised model with its reference configurations,
 * built-in policies and invariants. The CLI, the gate and the tests work on
 * families through this interface only.
 */
import type { Invariant, Model } from '../../explorer/model.ts';
import type { ParamMap, ParamSpec, ParamValue } from './params.ts';

export interface BuiltModel {
  readonly model: Model<unknown>;
  readonly invariants: readonly Invariant[];
}

export interface PolicyChoice<P> {
  /** The built-in name, or the file path as the user gave it. */
  readonly id: string;
  readonly policy: P;
  /** Loaded from a user file: its hooks are run twice and compared. */
  readonly fromFile: boolean;
}

export interface ModelFamily<P = unknown> {
  readonly name: string;
  readonly description: string;
  readonly params: readonly ParamSpec[];
  readonly defaults: Readonly<Record<string, ParamValue>>;
  /** Reference configurations: id -> changes from the defaults. */
  readonly configs: Readonly<Record<string, Readonly<Record<string, ParamValue>>>>;
  /** The configurations `npm start` checks every built-in policy on. */
  readonly gateConfigs: readonly string[];
  readonly policies: Readonly<Record<string, P>>;
  readonly invariants: readonly { readonly name: string; readonly description: string }[];
  /** Cross-parameter checks on a merged configuration; throws UsageError. */
  validate(params: ParamMap): void;
  /** Check that a loaded module export is a policy of this family; throws PolicyError/UsageError. */
  validatePolicy(candidate: unknown, where: string): P;
  policyDescription(p: P): string;
  build(params: ParamMap, policy: PolicyChoice<P>): BuiltModel;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyFamily = ModelFamily<any>;
