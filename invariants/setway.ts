/**
 * Invariants of the set/way model (spec section 6). Each reports the values
 * that broke it.
 */
import type { Invariant } from '../explorer/model.ts';
import type { SetwayModel } from '../model/setway/model.ts';
import { SYS_DIRTY } from '../model/setway/state.ts';

/** coherent-read: no vCPU has read a value other than the latest write (its sticky `stale` flag). */
const COHERENT_READ = {
  name: 'coherent-read',
  description: 'no vCPU has read a value other than the most recent write to that address',
};

export function coherentRead(m: SetwayModel): Invariant {
  const st = m.st;
  return {
    ...COHERENT_READ,
    holds(s) {
      for (let v = 0; v < st.V; v++) if (st.stale(s, v)) return false;
      return true;
    },
    explain(s) {
      const bad = [...Array(st.V).keys()].filter((v) => st.stale(s, v));
      const values: Record<string, boolean> = {};
      for (const v of bad) values[`v${v}.stale`] = true;
      return {
        message: `${bad.map((v) => `v${v}`).join(', ')} read a stale value (${bad.map((v) => `v${v}.stale = true`).join(', ')})`,
        values,
      };
    },
  };
}

/** no-lost-write: for every address, the coherent value coh(a) equals latest[a]. */
const NO_LOST_WRITE = {
  name: 'no-lost-write',
  description: 'for every address, the value the coherent memory system holds is the most recent write',
};

export function noLostWrite(m: SetwayModel): Invariant {
  const { st, hw } = m;
  const source = (s: Uint32Array, a: number): string => {
    const d = st.dirtySlot(s, a);
    if (d >= 0) {
      const p = Math.floor(d / (st.S * st.W));
      return `dirty line in p${p}'s cache`;
    }
    if (st.sysKind(s, a) === SYS_DIRTY) return `sys[${st.addrName(a)}]`;
    return `ram[${st.addrName(a)}]`;
  };
  return {
    ...NO_LOST_WRITE,
    holds(s) {
      for (let a = 0; a < st.addrs; a++) if (hw.coherentValue(s, a) !== st.latest(s, a)) return false;
      return true;
    },
    explain(s) {
      const parts: string[] = [];
      const values: Record<string, number | string> = {};
      for (let a = 0; a < st.addrs; a++) {
        const c = hw.coherentValue(s, a);
        const l = st.latest(s, a);
        if (c === l) continue;
        const n = st.addrName(a);
        parts.push(`coh(${n}) = ${c} (from ${source(s, a)}) but latest[${n}] = ${l}`);
        values[`coh(${n})`] = c;
        values[`coh(${n}).source`] = source(s, a);
        values[`latest[${n}]`] = l;
      }
      return { message: parts.join('; '), values };
    },
  };
}

export interface InvariantDef<M> {
  readonly name: string;
  readonly description: string;
  make(m: M): Invariant;
}

/** The invariants of the family, in report order. */
export const SETWAY_INVARIANTS: readonly InvariantDef<SetwayModel>[] = [
  { ...COHERENT_READ, make: coherentRead },
  { ...NO_LOST_WRITE, make: noLostWrite },
];

export function setwayInvariants(m: SetwayModel): Invariant[] {
  return SETWAY_INVARIANTS.map((i) => i.make(m));
}
