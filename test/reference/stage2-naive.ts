/**
 * A second, deliberately naive implementation of the stage2 model, written
 * from docs/semantics.md ("The stage2 model") with plain objects and
 * JSON-string states, sharing no code with model/stage2 or model/cache. The
 * tests compare its distinct-state counts with the packed model's.
 */
type Line = null | { f: number; d: boolean; v: string };
type Sys = null | { d: boolean; v: string };
interface S {
  ram: string[];
  sys: Sys[];
  cache: Line[][][];
  latest: string[];
  back: number[];
  s2: boolean[];
  pc: number;
  pcpu: number;
  on: boolean;
  cowDone: boolean;
  reallocDone: boolean;
  staleRead: null | [number, string];
  staleDma: null | [number, string];
  leak: null | [number, string];
}

export interface NaiveS2Params {
  pcpus: number;
  gfns: number;
  sets: number;
  ways: number;
  systemCache: boolean;
  load: boolean;
  cow: boolean;
  realloc: boolean;
  dma: boolean;
  program: 'boot' | 'reboot' | 'firmware';
}

/** A policy as what it does: DC, clean after a host write, clean on faults, clean CoW copies, the allocation order. */
export interface NaiveS2Policy {
  dc: boolean;
  hostWriteClean: boolean;
  fault: 'never' | 'cache-off' | 'always';
  cowClean: boolean;
  alloc: 'scrub' | 'clean-scrub' | 'scrub-clean';
}

export const NAIVE_S2_POLICIES: Record<string, NaiveS2Policy> = {
  'no-maintenance': { dc: false, hostWriteClean: false, fault: 'never', cowClean: false, alloc: 'scrub' },
  'fault-clean-cache-off': { dc: false, hostWriteClean: false, fault: 'cache-off', cowClean: false, alloc: 'scrub' },
  'fault-clean': { dc: false, hostWriteClean: false, fault: 'always', cowClean: false, alloc: 'scrub' },
  'cow-clean': { dc: false, hostWriteClean: false, fault: 'always', cowClean: true, alloc: 'scrub' },
  'hcr-dc': { dc: true, hostWriteClean: false, fault: 'never', cowClean: false, alloc: 'scrub' },
  'xen-flush-before-scrub': { dc: false, hostWriteClean: true, fault: 'never', cowClean: false, alloc: 'clean-scrub' },
  'xen-flush-after-scrub': { dc: false, hostWriteClean: true, fault: 'never', cowClean: false, alloc: 'scrub-clean' },
};

type Ins = ['LDR' | 'STR', number] | ['SCTLR', boolean];

export function naiveStage2Count(P: NaiveS2Params, pol: NaiveS2Policy): number {
  const G = P.gfns;
  const gs = [...Array(G).keys()];
  const prog: Ins[] =
    P.program === 'boot'
      ? gs.map((g) => ['LDR', g] as Ins)
      : P.program === 'reboot'
        ? [...gs.map((g) => ['LDR', g] as Ins), ['SCTLR', false], ...gs.map((g) => ['LDR', g] as Ins)]
        : [...gs.map((g) => ['STR', g] as Ins), ...gs.map((g) => ['LDR', g] as Ins)];
  const offWrites = new Set<string>();
  let on0 = P.program === 'reboot';
  prog.forEach((ins, i) => {
    if (ins[0] === 'SCTLR') on0 = ins[1];
    if (ins[0] === 'STR' && !on0) offWrites.add(`str${i}`);
  });
  const C = P.cow ? G : -1;
  const R = P.realloc ? G + (P.cow ? 1 : 0) : -1;
  const M = G + (P.cow ? 1 : 0) + (P.realloc ? 1 : 0);
  // Lines, sys entries and ghost pairs are replaced, never changed in place, so copying the arrays is enough.
  const clone = (s: S): S => ({
    ...s,
    ram: s.ram.slice(),
    sys: s.sys.slice(),
    cache: s.cache.map((p) => p.map((set) => set.slice())),
    latest: s.latest.slice(),
    back: s.back.slice(),
    s2: s.s2.slice(),
  });
  const ways = [...Array(P.ways).keys()];

  const holds = (s: S, p: number, f: number) => s.cache[p]![f % P.sets]!.findIndex((l) => l !== null && l.f === f);
  const dirtyCopy = (s: S, f: number): string | undefined => {
    for (let p = 0; p < P.pcpus; p++) {
      const w = holds(s, p, f);
      if (w >= 0 && s.cache[p]![f % P.sets]![w]!.d) return s.cache[p]![f % P.sets]![w]!.v;
    }
    return undefined;
  };
  const writeBack = (s: S, f: number, v: string) => {
    if (P.systemCache) s.sys[f] = { d: true, v };
    else s.ram[f] = v;
  };
  const evictSlot = (s: S, p: number, set: number, w: number) => {
    const l = s.cache[p]![set]![w]!;
    if (l === null) return;
    if (l.d) writeBack(s, l.f, l.v);
    s.cache[p]![set]![w] = null;
  };
  const place = (s: S, p: number, f: number, w: number, d: boolean, v: string) => {
    evictSlot(s, p, f % P.sets, w);
    s.cache[p]![f % P.sets]![w] = { f, d, v };
  };
  const fillValue = (s: S, f: number) => (s.sys[f] ? s.sys[f]!.v : s.ram[f]!);
  const missValue = (s: S, f: number) => dirtyCopy(s, f) ?? fillValue(s, f);
  const store = (s: S, p: number, f: number, v: string, w: number) => {
    for (let q = 0; q < P.pcpus; q++) {
      const k = holds(s, q, f);
      if (q !== p && k >= 0) s.cache[q]![f % P.sets]![k] = null;
    }
    const k = holds(s, p, f);
    if (k >= 0) s.cache[p]![f % P.sets]![k] = { f, d: true, v };
    else place(s, p, f, w, true, v);
  };
  const civac = (s: S, f: number) => {
    const d = dirtyCopy(s, f);
    if (d !== undefined) s.ram[f] = d;
    else if (s.sys[f]?.d) s.ram[f] = s.sys[f]!.v;
    for (let q = 0; q < P.pcpus; q++) {
      const k = holds(s, q, f);
      if (k >= 0) s.cache[q]![f % P.sets]![k] = null;
    }
    s.sys[f] = null;
  };

  const init: S = {
    ram: [...Array(M).keys()].map((f) => (f < G ? 'zero' : 'foreign')),
    sys: Array(M).fill(null),
    cache: [...Array(P.pcpus)].map(() => [...Array(P.sets)].map(() => Array(P.ways).fill(null))),
    latest: Array(G).fill('zero'),
    back: gs.slice(),
    s2: Array(G).fill(false),
    pc: 0,
    pcpu: 0,
    on: P.program === 'reboot',
    cowDone: false,
    reallocDone: false,
    staleRead: null,
    staleDma: null,
    leak: null,
  };

  const successors = (s: S): S[] => {
    const out: S[] = [];
    const ins = prog[s.pc];
    // guest
    if (ins !== undefined) {
      if (ins[0] !== 'SCTLR' && !s.s2[ins[1]]) {
        const g = ins[1];
        const t = clone(s);
        if (pol.fault === 'always' || (pol.fault === 'cache-off' && !s.on)) civac(t, t.back[g]!);
        t.s2[g] = true;
        out.push(t);
      } else {
        const cacheable = pol.dc || s.on;
        for (const w of ways) {
          const t = clone(s);
          if (ins[0] === 'SCTLR') t.on = ins[1];
          else {
            const g = ins[1];
            const f = t.back[g]!;
            if (ins[0] === 'STR') {
              const v = `str${s.pc}`;
              t.latest[g] = v;
              if (cacheable) store(t, t.pcpu, f, v, w);
              else t.ram[f] = v;
            } else {
              let r: string;
              if (!cacheable) r = t.ram[f]!;
              else {
                const k = holds(t, t.pcpu, f);
                if (k >= 0) r = t.cache[t.pcpu]![f % P.sets]![k]!.v;
                else {
                  r = missValue(t, f);
                  place(t, t.pcpu, f, w, false, r);
                }
              }
              if (r !== t.latest[g] && !t.staleRead) t.staleRead = [g, r];
              if (r === 'foreign' && !t.leak) t.leak = [g, 'v0'];
            }
          }
          t.pc++;
          out.push(t);
        }
      }
      for (let q = 0; q < P.pcpus; q++) {
        if (q === s.pcpu) continue;
        const t = clone(s);
        t.pcpu = q;
        out.push(t);
      }
    }
    const started = s.pc > 0 || s.s2.some((x) => x);
    for (const g of gs)
      for (let p = 0; p < P.pcpus; p++)
        for (const w of ways) {
          if (P.load && !started && s.latest[g] !== `img${g}`) {
            const t = clone(s);
            t.latest[g] = `img${g}`;
            store(t, p, t.back[g]!, `img${g}`, w);
            if (pol.hostWriteClean) civac(t, t.back[g]!);
            out.push(t);
          }
          if (P.cow && !s.cowDone && s.s2[g] && !s.latest[g]!.startsWith('str')) {
            const t = clone(s);
            const old = t.back[g]!;
            const k = holds(t, p, old);
            const v = k >= 0 ? t.cache[p]![old % P.sets]![k]!.v : missValue(t, old);
            store(t, p, C, v, w);
            t.cowDone = true;
            if (pol.cowClean) civac(t, C);
            t.back[g] = C;
            out.push(t);
          }
          if (P.realloc && !s.reallocDone) {
            const t = clone(s);
            t.s2[g] = false;
            t.reallocDone = true;
            if (pol.alloc === 'clean-scrub') civac(t, R);
            store(t, p, R, 'zero', w);
            if (pol.alloc === 'scrub-clean') civac(t, R);
            t.back[g] = R;
            t.latest[g] = 'zero';
            out.push(t);
          }
        }
    if (P.dma)
      for (const g of gs) {
        if (!s.s2[g]) continue;
        const t = clone(s);
        const r = t.ram[t.back[g]!]!;
        if (offWrites.has(t.latest[g]!) && r !== t.latest[g] && !t.staleDma) t.staleDma = [g, r];
        if (r === 'foreign' && !t.leak) t.leak = [g, 'dma'];
        out.push(t);
      }
    // hardware
    for (let p = 0; p < P.pcpus; p++)
      for (let set = 0; set < P.sets; set++)
        for (const w of ways) {
          if (s.cache[p]![set]![w] === null) continue;
          const t = clone(s);
          evictSlot(t, p, set, w);
          out.push(t);
        }
    for (let f = 0; f < M; f++) {
      if (P.systemCache && s.sys[f] !== null) {
        const t = clone(s);
        if (t.sys[f]!.d) t.ram[f] = t.sys[f]!.v;
        t.sys[f] = null;
        out.push(t);
      }
      if (P.systemCache && s.sys[f] === null) {
        const t = clone(s);
        t.sys[f] = { d: false, v: t.ram[f]! };
        out.push(t);
      }
      for (let p = 0; p < P.pcpus; p++) {
        if (holds(s, p, f) < 0 && dirtyCopy(s, f) === undefined)
          for (const w of ways) {
            const t = clone(s);
            place(t, p, f, w, false, fillValue(t, f));
            out.push(t);
          }
        const k = holds(s, p, f);
        if (k >= 0 && s.cache[p]![f % P.sets]![k]!.d)
          for (let q = 0; q < P.pcpus; q++) {
            if (q === p || holds(s, q, f) >= 0) continue;
            for (const w of ways) {
              const t = clone(s);
              const v = t.cache[p]![f % P.sets]![k]!.v;
              t.cache[p]![f % P.sets]![k] = null;
              place(t, q, f, w, true, v);
              out.push(t);
            }
          }
      }
    }
    return out;
  };

  const seen = new Set<string>([JSON.stringify(init)]);
  let frontier = [init];
  while (frontier.length > 0) {
    const next: S[] = [];
    for (const s of frontier)
      for (const t of successors(s)) {
        const k = JSON.stringify(t);
        if (!seen.has(k)) {
          seen.add(k);
          next.push(t);
        }
      }
    frontier = next;
  }
  return seen.size;
}
