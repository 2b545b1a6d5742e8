/**
 * Invariants of the stage2 model. Each is a sticky ghost set by the read that
 * broke it, which records the gfn and the value read; the explanation names
 * them, the frame and the value that should have been read.
 */
import type { Invariant, Violation } from '../explorer/model.ts';
import type { Stage2Model } from '../model/stage2/model.ts';
import type { InvariantDef } from './setway.ts';

const GUEST_READ_FRESH = {
  name: 'guest-read-fresh',
  description: 'a guest read returns the latest value anyone wrote to that guest frame',
};
const DMA_READ_FRESH = {
  name: 'dma-read-fresh',
  description: 'the DMA master reads the latest value the guest wrote with its MMU off',
};
const NO_CROSS_DOMAIN_READ = {
  name: 'no-cross-domain-read',
  description: 'the guest (its vCPU or its DMA master) never reads a value another domain wrote',
};

function staleRead(m: Stage2Model, field: number, who: string, what: string): (s: Uint32Array) => Violation {
  const st = m.st;
  return (s) => {
    const x = st.get(s, field) - 1;
    const g = Math.floor(x / st.NV);
    const r = st.valueName(x % st.NV);
    const latest = st.valueName(st.latest(s, g));
    const f = st.back(s, g);
    return {
      message: `${who} read g${g} (m${f}) and got ${r}, but the latest value ${what} g${g} is ${latest}`,
      values: { gfn: `g${g}`, frame: `m${f}`, read: r, [`latest[g${g}]`]: latest, [`ram[m${f}]`]: st.valueName(st.ram(s, f)) },
    };
  };
}

export function guestReadFresh(m: Stage2Model): Invariant {
  const f = m.st.staleReadF;
  return { ...GUEST_READ_FRESH, holds: (s) => m.st.get(s, f) === 0, explain: staleRead(m, f, 'v0', 'written to') };
}

export function dmaReadFresh(m: Stage2Model): Invariant {
  const f = m.st.staleDmaF;
  return { ...DMA_READ_FRESH, holds: (s) => m.st.get(s, f) === 0, explain: staleRead(m, f, 'the DMA master', 'the guest wrote with its MMU off to') };
}

export function noCrossDomainRead(m: Stage2Model): Invariant {
  const st = m.st;
  return {
    ...NO_CROSS_DOMAIN_READ,
    holds: (s) => st.get(s, st.leakF) === 0,
    explain(s) {
      const x = st.get(s, st.leakF) - 1;
      const g = Math.floor(x / 2);
      const who = x % 2 === 0 ? 'v0' : 'the DMA master';
      const f = st.back(s, g);
      return {
        message: `${who} read g${g} (m${f}) and got data another domain wrote there (foreign) before the frame was given to the guest`,
        values: { gfn: `g${g}`, frame: `m${f}`, reader: x % 2 === 0 ? 'v0' : 'dma', read: 'foreign', [`ram[m${f}]`]: st.valueName(st.ram(s, f)) },
      };
    },
  };
}

export const STAGE2_INVARIANTS: readonly InvariantDef<Stage2Model>[] = [
  { ...GUEST_READ_FRESH, make: guestReadFresh },
  { ...DMA_READ_FRESH, make: dmaReadFresh },
  { ...NO_CROSS_DOMAIN_READ, make: noCrossDomainRead },
];
