/**
 * A second, deliberately naive implementation of the set/way spec, written
 * straight from its text with plain objects and JSON-string states, sharing
 * no code with model/setway. The tests compare its distinct-state counts with
 * the packed model's on every small reference configuration and policy: two
 * independent readings of the spec must agree state for state.
 */
type Slot = null | { a: number; dirty: boolean; v: number };
type Sys = null | { dirty: boolean; v: number };
interface Vcpu {
  pc: number;
  pcpu: number;
  cacheOn: boolean;
  tvm: boolean;
  stale: boolean;
}
interface S {
  ram: number[];
  sys: Sys[];
  cache: Slot[][][];
  latest: number[];
  vcpus: Vcpu[];
}

export interface NaiveParams {
  pcpus: number;
  vcpus: number;
  lines: number;
  neighborLines: number;
  sets: number;
  ways: number;
  systemCache: boolean;
  hypSpeculation: boolean;
  program: 'shutdown' | 'boot';
}

type Ins = ['STR' | 'LDR', number] | ['DC', 'ISW' | 'CSW' | 'CISW', number, number] | ['SCTLR', boolean];

export function naiveCount(P: NaiveParams, policy: 'native' | 'native-swio' | 'xen-rfc' | 'trap-va'): number {
  const A = P.lines;
  const N = P.neighborLines;
  const ADDR = A + N;
  const progs: Ins[][] = [];
  for (let i = 0; i < P.vcpus; i++) {
    const owned = [];
    for (let a = 0; a < A; a++) if (a % P.vcpus === i) owned.push(a);
    const prog: Ins[] = owned.map((a) => ['STR', a] as Ins);
    for (let s = 0; s < P.sets; s++) for (let w = 0; w < P.ways; w++) prog.push(['DC', P.program === 'shutdown' ? 'CISW' : 'ISW', s, w]);
    prog.push(['SCTLR', P.program === 'boot']);
    for (const a of owned) prog.push(['LDR', a]);
    progs.push(prog);
  }
  const clone = (s: S): S => JSON.parse(JSON.stringify(s));
  const holds = (s: S, p: number, a: number): number => s.cache[p]![a % P.sets]!.findIndex((l) => l !== null && l.a === a);
  const dirtyCopy = (s: S): ((a: number) => number | undefined) => (a) => {
    for (let p = 0; p < P.pcpus; p++) {
      const w = holds(s, p, a);
      if (w >= 0 && s.cache[p]![a % P.sets]![w]!.dirty) return s.cache[p]![a % P.sets]![w]!.v;
    }
    return undefined;
  };
  const canSpec = (s: S, p: number, a: number) => a >= A || P.hypSpeculation || s.vcpus.some((v) => v.pcpu === p && v.cacheOn);
  const writeBack = (s: S, a: number, v: number) => {
    if (P.systemCache) s.sys[a] = { dirty: true, v };
    else s.ram[a] = v;
  };
  const evictSlot = (s: S, p: number, set: number, w: number) => {
    const l = s.cache[p]![set]![w];
    if (l && l.dirty) writeBack(s, l.a, l.v);
    s.cache[p]![set]![w] = null;
  };
  const place = (s: S, p: number, a: number, w: number, line: Slot) => {
    evictSlot(s, p, a % P.sets, w);
    s.cache[p]![a % P.sets]![w] = line;
  };
  const flushVM = (s: S) => {
    for (let a = 0; a < A; a++) {
      const d = dirtyCopy(s)(a);
      if (d !== undefined) s.ram[a] = d;
      else if (s.sys[a] && s.sys[a]!.dirty) s.ram[a] = s.sys[a]!.v;
      for (let p = 0; p < P.pcpus; p++) {
        const w = holds(s, p, a);
        if (w >= 0) s.cache[p]![a % P.sets]![w] = null;
      }
      s.sys[a] = null;
    }
  };
  const cacheableStr = (s: S, p: number, a: number, x: number): S[] => {
    for (let q = 0; q < P.pcpus; q++) {
      if (q === p) continue;
      const w = holds(s, q, a);
      if (w >= 0) s.cache[q]![a % P.sets]![w] = null;
    }
    const h = holds(s, p, a);
    if (h >= 0) {
      s.cache[p]![a % P.sets]![h] = { a, dirty: true, v: x };
      return [s];
    }
    const out: S[] = [];
    for (let w = 0; w < P.ways; w++) {
      const t = clone(s);
      place(t, p, a, w, { a, dirty: true, v: x });
      out.push(t);
    }
    return out;
  };
  const succ = (s0: S): S[] => {
    const out: S[] = [];
    // 3.1 guest
    s0.vcpus.forEach((v0, vi) => {
      if (v0.pc >= progs[vi]!.length) return;
      const s = clone(s0);
      const v = s.vcpus[vi]!;
      const p = v.pcpu;
      const ins = progs[vi]![v.pc]!;
      v.pc++;
      if (ins[0] === 'STR') {
        const a = ins[1];
        s.latest[a]!++;
        const x = s.latest[a]!;
        if (v.cacheOn) out.push(...cacheableStr(s, p, a, x));
        else {
          s.ram[a] = x;
          out.push(s);
        }
      } else if (ins[0] === 'LDR') {
        const a = ins[1];
        if (v.cacheOn) {
          const h = holds(s, p, a);
          if (h >= 0) {
            if (s.cache[p]![a % P.sets]![h]!.v !== s.latest[a]) v.stale = true;
            out.push(s);
          } else {
            const d = dirtyCopy(s)(a);
            const r = d !== undefined ? d : s.sys[a] ? s.sys[a]!.v : s.ram[a]!;
            if (r !== s.latest[a]) v.stale = true;
            for (let w = 0; w < P.ways; w++) {
              const t = clone(s);
              place(t, p, a, w, { a, dirty: false, v: r });
              out.push(t);
            }
          }
        } else {
          if (s.ram[a] !== s.latest[a]) v.stale = true;
          out.push(s);
        }
      } else if (ins[0] === 'DC') {
        let op = ins[1];
        const [, , set, w] = ins;
        if (policy === 'native' || policy === 'native-swio') {
          if (policy === 'native-swio' && op === 'ISW') op = 'CISW';
          const l = s.cache[p]![set]![w];
          if (op === 'CSW') {
            if (l && l.dirty) {
              writeBack(s, l.a, l.v);
              l.dirty = false;
            }
          } else if (op === 'ISW') s.cache[p]![set]![w] = null;
          else evictSlot(s, p, set, w);
        } else if (policy === 'trap-va') {
          if (!v.tvm) {
            flushVM(s);
            v.tvm = true;
          }
        }
        out.push(s);
      } else {
        const x = ins[1] as boolean;
        if (policy === 'trap-va' && v.tvm) {
          const was = v.cacheOn;
          v.cacheOn = x;
          if (was !== x) flushVM(s);
          if (x) v.tvm = false;
        } else v.cacheOn = x;
        out.push(s);
      }
    });
    // 3.2 neighbour
    for (let n = A; n < ADDR; n++)
      for (let p = 0; p < P.pcpus; p++) {
        if (s0.latest[n] !== 0) continue;
        const s = clone(s0);
        s.latest[n] = 1;
        out.push(...cacheableStr(s, p, n, 1));
      }
    // 3.3 hardware
    for (let p = 0; p < P.pcpus; p++)
      for (let set = 0; set < P.sets; set++)
        for (let w = 0; w < P.ways; w++)
          if (s0.cache[p]![set]![w]) {
            const s = clone(s0);
            evictSlot(s, p, set, w);
            out.push(s);
          }
    if (P.systemCache)
      for (let a = 0; a < ADDR; a++) {
        if (s0.sys[a]) {
          const s = clone(s0);
          if (s.sys[a]!.dirty) s.ram[a] = s.sys[a]!.v;
          s.sys[a] = null;
          out.push(s);
        } else if ([...Array(P.pcpus).keys()].some((p) => canSpec(s0, p, a))) {
          const s = clone(s0);
          s.sys[a] = { dirty: false, v: s.ram[a]! };
          out.push(s);
        }
      }
    for (let p = 0; p < P.pcpus; p++)
      for (let a = 0; a < ADDR; a++) {
        if (!canSpec(s0, p, a) || holds(s0, p, a) >= 0 || dirtyCopy(s0)(a) !== undefined) continue;
        for (let w = 0; w < P.ways; w++) {
          const s = clone(s0);
          place(s, p, a, w, { a, dirty: false, v: s.sys[a] ? s.sys[a]!.v : s.ram[a]! });
          out.push(s);
        }
      }
    for (let p = 0; p < P.pcpus; p++)
      for (let q = 0; q < P.pcpus; q++)
        for (let a = 0; a < ADDR; a++) {
          if (q === p) continue;
          const h = holds(s0, p, a);
          if (h < 0 || !s0.cache[p]![a % P.sets]![h]!.dirty || !canSpec(s0, q, a) || holds(s0, q, a) >= 0) continue;
          for (let w = 0; w < P.ways; w++) {
            const s = clone(s0);
            const line = s.cache[p]![a % P.sets]![h]!;
            s.cache[p]![a % P.sets]![h] = null;
            place(s, q, a, w, { a, dirty: true, v: line.v });
            out.push(s);
          }
        }
    // 3.4 scheduler
    s0.vcpus.forEach((v, vi) => {
      if (v.pc >= progs[vi]!.length) return;
      for (let q = 0; q < P.pcpus; q++) {
        if (q === v.pcpu || s0.vcpus.some((u) => u.pcpu === q)) continue;
        const s = clone(s0);
        s.vcpus[vi]!.pcpu = q;
        out.push(s);
      }
    });
    return out;
  };
  const init: S = {
    ram: Array(ADDR).fill(0),
    sys: Array(ADDR).fill(null),
    cache: [...Array(P.pcpus)].map(() => [...Array(P.sets)].map(() => Array(P.ways).fill(null))),
    latest: Array(ADDR).fill(0),
    vcpus: [...Array(P.vcpus)].map((_, i) => ({ pc: 0, pcpu: i, cacheOn: P.program === 'shutdown', tvm: false, stale: false })),
  };
  const seen = new Set<string>([JSON.stringify(init)]);
  const queue = [init];
  while (queue.length) {
    const s = queue.pop()!;
    for (const t of succ(s)) {
      const k = JSON.stringify(t);
      if (!seen.has(k)) {
        seen.add(k);
        queue.push(t);
      }
    }
  }
  return seen.size;
}
