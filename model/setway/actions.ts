/**
 * Actions of the set/way model (spec section 3) as a discriminated union.
 * Every module that interprets actions matches them with ts-pattern's
 * `.exhaustive()`, so a new kind cannot compile until each one handles it.
 */
import type { HardwareAction } from '../cache/actions.ts';

export type SetwayAction =
  /** 3.1: vCPU `vcpu` executes its next instruction; `way` is the victim way when it allocates a line. */
  | { readonly kind: 'guest'; readonly vcpu: number; readonly way: number }
  /** 3.2: the neighbour writes its line `addr` (an address number >= lines) on `pcpu`. */
  | { readonly kind: 'nbStore'; readonly addr: number; readonly pcpu: number; readonly way: number }
  /** 3.3 hardware (model/cache/actions.ts) */
  | HardwareAction
  /** 3.4 scheduler */
  | { readonly kind: 'migrate'; readonly vcpu: number; readonly to: number };

export type SetwayActionKind = SetwayAction['kind'];

export { actionKey } from '../../explorer/action-key.ts';
