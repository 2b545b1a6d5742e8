/**
 * Actions of the set/way model (spec section 3) as a discriminated union.
 * Every module that interprets actions matches them with ts-pattern's
 * `.exhaustive()`, so a new kind cannot compile until each one handles it.
 */
export type SetwayAction =
  /** 3.1: vCPU `vcpu` executes its next instruction; `way` is the victim way when it allocates a line. */
  | { readonly kind: 'guest'; readonly vcpu: number; readonly way: number }
  /** 3.2: the neighbour writes its line `addr` (an address number >= lines) on `pcpu`. */
  | { readonly kind: 'nbStore'; readonly addr: number; readonly pcpu: number; readonly way: number }
  /** 3.3 hardware */
  | { readonly kind: 'evict'; readonly pcpu: number; readonly set: number; readonly way: number }
  | { readonly kind: 'sysEvict'; readonly addr: number }
  | { readonly kind: 'specFill'; readonly pcpu: number; readonly addr: number; readonly way: number }
  | { readonly kind: 'sysFill'; readonly addr: number }
  | { readonly kind: 'lineMove'; readonly from: number; readonly to: number; readonly addr: number; readonly way: number }
  /** 3.4 scheduler */
  | { readonly kind: 'migrate'; readonly vcpu: number; readonly to: number };

export type SetwayActionKind = SetwayAction['kind'];

export { actionKey } from '../../explorer/action-key.ts';
