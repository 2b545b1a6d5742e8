/** Invariants of the mapcache model. */
import type { Invariant } from '../explorer/model.ts';
import { GUEST, ORIG, FRESH, type MapcacheModel } from '../model/mapcache/model.ts';
import type { InvariantDef } from './setway.ts';

const NO_STALE_RETURN = {
  name: 'no-stale-return',
  description:
    'a vCPU never runs guest code while a server still maps a frame that its own completed hypercall (or a foreign edit made while it was paused) removed',
};
const DM_ACCESS_CURRENT = {
  name: 'dm-access-current',
  description: 'a server never maps a gfn to an old frame while the P2M maps that gfn to a different frame',
};

/** (vCPU, gfn, server) triples that break no-stale-return. */
function staleReturns(m: MapcacheModel, s: Uint32Array): [number, number, number][] {
  const out: [number, number, number][] = [];
  if (m.g(s, m.paused) === 1) return out;
  for (let v = 0; v < m.V; v++) {
    if (m.g(s, m.mode[v]!) !== GUEST) continue;
    const owes = m.g(s, m.owes[v]!);
    for (let g = 0; g < m.G; g++) {
      if (!(owes & (1 << g))) continue;
      for (let k = 0; k < m.S; k++) if (m.g(s, m.mc[k * m.G + g]!) === ORIG) out.push([v, g, k]);
    }
  }
  return out;
}

export function noStaleReturn(m: MapcacheModel): Invariant {
  return {
    ...NO_STALE_RETURN,
    holds: (s) => staleReturns(m, s).length === 0,
    explain(s) {
      const bad = staleReturns(m, s);
      const values: Record<string, string> = {};
      for (const [v, g, k] of bad) {
        values[`v${v}.mode`] = 'guest';
        values[`srv${k}.mapcache[g${g}]`] = `mfn${g}`;
        values[`p2m[g${g}]`] = m.frame(m.g(s, m.p2m[g]!), g);
      }
      const [v, g, k] = bad[0]!;
      const by = m.g(s, m.removedBy[g]!);
      const who = by === m.V + 1 ? 'which the toolstack removed from the guest' : `which v${by - 1}'s hypercall gave back`;
      return { message: `v${v} runs guest code while srv${k} still maps g${g} -> mfn${g}, ${who}`, values };
    },
  };
}

export function dmAccessCurrent(m: MapcacheModel): Invariant {
  const bad = (s: Uint32Array): [number, number][] => {
    const out: [number, number][] = [];
    for (let k = 0; k < m.S; k++)
      for (let g = 0; g < m.G; g++) if (m.g(s, m.mc[k * m.G + g]!) === ORIG && m.g(s, m.p2m[g]!) === FRESH) out.push([k, g]);
    return out;
  };
  return {
    ...DM_ACCESS_CURRENT,
    holds: (s) => bad(s).length === 0,
    explain(s) {
      const list = bad(s);
      const values: Record<string, string> = {};
      for (const [k, g] of list) {
        values[`srv${k}.mapcache[g${g}]`] = `mfn${g}`;
        values[`p2m[g${g}]`] = `mfn${g}'`;
      }
      const [k, g] = list[0]!;
      return { message: `srv${k} maps g${g} -> mfn${g} while the P2M maps g${g} -> mfn${g}': its next access puts guest I/O into a page the guest no longer sees there`, values };
    },
  };
}

export const MAPCACHE_INVARIANTS: readonly InvariantDef<MapcacheModel>[] = [
  { ...NO_STALE_RETURN, make: noStaleReturn },
  { ...DM_ACCESS_CURRENT, make: dmAccessCurrent },
];
