/**
 * The hardware's own actions (set/way spec section 3.3), shared by the cache
 * models: their universe for a geometry, their step functions, labels and
 * reasons for being disabled. A model puts them in its action union and
 * delegates every hardware kind here.
 */
import { match } from 'ts-pattern';
import type { StepFn } from '../../explorer/action-model.ts';
import type { ActionLabel } from '../../explorer/model.ts';
import type { Hardware } from './hardware.ts';
import type { CacheHierarchy } from './hierarchy.ts';

export type HardwareAction =
  | { readonly kind: 'evict'; readonly pcpu: number; readonly set: number; readonly way: number }
  | { readonly kind: 'sysEvict'; readonly addr: number }
  | { readonly kind: 'specFill'; readonly pcpu: number; readonly addr: number; readonly way: number }
  | { readonly kind: 'sysFill'; readonly addr: number }
  | { readonly kind: 'lineMove'; readonly from: number; readonly to: number; readonly addr: number; readonly way: number };

/**
 * The hardware's action kinds. A model matches "any hardware action" with
 * `{ kind: P.union(...HARDWARE_KINDS) }` in its own module (the pattern's type
 * is ts-pattern's internal one, so it is not exported from here).
 */
export const HARDWARE_KINDS = ['evict', 'sysEvict', 'specFill', 'sysFill', 'lineMove'] as const;

/** Every hardware action over `addrs` addresses, in a fixed order. */
export function hardwareUniverse(st: CacheHierarchy, addrs: number): HardwareAction[] {
  const out: HardwareAction[] = [];
  for (let pcpu = 0; pcpu < st.P; pcpu++)
    for (let set = 0; set < st.S; set++) for (let way = 0; way < st.W; way++) out.push({ kind: 'evict', pcpu, set, way });
  if (st.sysCache) for (let addr = 0; addr < addrs; addr++) out.push({ kind: 'sysEvict', addr });
  for (let pcpu = 0; pcpu < st.P; pcpu++)
    for (let addr = 0; addr < addrs; addr++) for (let way = 0; way < st.W; way++) out.push({ kind: 'specFill', pcpu, addr, way });
  if (st.sysCache) for (let addr = 0; addr < addrs; addr++) out.push({ kind: 'sysFill', addr });
  for (let from = 0; from < st.P; from++)
    for (let to = 0; to < st.P; to++) {
      if (to === from) continue;
      for (let addr = 0; addr < addrs; addr++) for (let way = 0; way < st.W; way++) out.push({ kind: 'lineMove', from, to, addr, way });
    }
  return out;
}

export function compileHardware(st: CacheHierarchy, hw: Hardware, a: HardwareAction): StepFn {
  return match(a)
    .with({ kind: 'evict' }, ({ pcpu, set, way }) => {
      const slot = st.slot(pcpu, set, way);
      return (src: Uint32Array, dst: Uint32Array) => {
        if (st.tag(src, slot) === 0) return false;
        dst.set(src);
        hw.evictSlot(dst, slot);
        return true;
      };
    })
    .with({ kind: 'sysEvict' }, ({ addr }) => (src: Uint32Array, dst: Uint32Array) => {
      if (!hw.sysEvictEnabled(src, addr)) return false;
      dst.set(src);
      hw.sysEvict(dst, addr);
      return true;
    })
    .with({ kind: 'specFill' }, ({ pcpu, addr, way }) => (src: Uint32Array, dst: Uint32Array) => {
      if (!hw.specFillEnabled(src, pcpu, addr)) return false;
      dst.set(src);
      hw.specFill(dst, pcpu, addr, way);
      return true;
    })
    .with({ kind: 'sysFill' }, ({ addr }) => (src: Uint32Array, dst: Uint32Array) => {
      if (!hw.sysFillEnabled(src, addr)) return false;
      dst.set(src);
      hw.sysFill(dst, addr);
      return true;
    })
    .with({ kind: 'lineMove' }, ({ from, to, addr, way }) => (src: Uint32Array, dst: Uint32Array) => {
      if (!hw.lineMoveEnabled(src, from, to, addr)) return false;
      dst.set(src);
      hw.lineMove(dst, from, to, addr, way);
      return true;
    })
    .exhaustive();
}

export function hardwareLabel(st: CacheHierarchy, a: HardwareAction): ActionLabel {
  const name = (x: number) => st.addrName(x);
  return match(a)
    .with({ kind: 'evict' }, ({ pcpu, set, way }) => ({ actor: `p${pcpu}`, text: `evict set=${set} way=${way}` }))
    .with({ kind: 'sysEvict' }, ({ addr }) => ({ actor: 'sys', text: `evict ${name(addr)}` }))
    .with({ kind: 'specFill' }, ({ pcpu, addr, way }) => ({ actor: `p${pcpu}`, text: `specFill ${name(addr)} way=${way}` }))
    .with({ kind: 'sysFill' }, ({ addr }) => ({ actor: 'sys', text: `fill ${name(addr)}` }))
    .with({ kind: 'lineMove' }, ({ from, to, addr, way }) => ({ actor: `p${from}`, text: `lineMove ${name(addr)} -> p${to} way=${way}` }))
    .exhaustive();
}

/** Why hardware action `a` is disabled in `src`; `cannot` explains a pCPU that may not speculate. */
export function hardwareWhyDisabled(st: CacheHierarchy, src: Uint32Array, a: HardwareAction, cannot: string): string {
  const name = (x: number) => st.addrName(x);
  return match(a)
    .with({ kind: 'evict' }, ({ pcpu, set, way }) => `slot p${pcpu} set=${set} way=${way} is empty`)
    .with({ kind: 'sysEvict' }, ({ addr }) => `sys[${name(addr)}] is empty`)
    .with({ kind: 'specFill' }, ({ pcpu, addr }) =>
      !st.canSpeculate(src, pcpu, addr)
        ? `p${pcpu} cannot speculate ${name(addr)} (${cannot})`
        : st.find(src, pcpu, addr) >= 0
          ? `p${pcpu}'s cache already holds ${name(addr)}`
          : `some cache holds ${name(addr)} dirty`,
    )
    .with({ kind: 'sysFill' }, ({ addr }) =>
      st.sysKind(src, addr) !== 0 ? `sys[${name(addr)}] is not empty` : `no pCPU can speculate ${name(addr)}`,
    )
    .with({ kind: 'lineMove' }, ({ from, to, addr }) => {
      const k = st.find(src, from, addr);
      if (k < 0 || !st.dirty(src, k)) return `p${from}'s cache does not hold ${name(addr)} dirty`;
      if (!st.canSpeculate(src, to, addr)) return `p${to} cannot speculate ${name(addr)}`;
      return `p${to}'s cache already holds ${name(addr)}`;
    })
    .exhaustive();
}

/** The memory system's part of a state view: ram and sys per address, then every cache slot. */
export function memoryView(st: CacheHierarchy, s: Uint32Array, addrs: number, value: (v: number) => string | number = (v) => v): [string, string | number][] {
  const out: [string, string | number][] = [];
  const text = (v: number) => String(value(v));
  for (let a = 0; a < addrs; a++) {
    const n = st.addrName(a);
    out.push([`ram[${n}]`, value(st.ram(s, a))]);
    if (st.sysCache) out.push([`sys[${n}]`, st.sysText(s, a, text)]);
  }
  for (let p = 0; p < st.P; p++)
    for (let set = 0; set < st.S; set++)
      for (let w = 0; w < st.W; w++) out.push([`cache[p${p}][${set}][${w}]`, st.slotText(s, p, set, w, text)]);
  return out;
}
