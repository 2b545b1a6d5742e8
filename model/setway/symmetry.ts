/**
 * Symmetry reduction over pCPUs for the set/way model. Nothing in the spec
 * tells one pCPU from another except where vCPUs run and what their caches
 * hold, so permuting pCPUs (their private caches, the vCPUs' `pcpu`, the
 * policy's per-pCPU bookkeeping) maps reachable states to reachable states
 * and keeps both invariants.
 *
 * The canonical state puts the pCPUs in the order of a key that permuting
 * pCPUs does not change: which vCPU runs there, then the contents of each of
 * its cache slots, then its policy bookkeeping. Two states of one class have
 * the same multiset of keys, hence the same sorted image; pCPUs with equal
 * keys are identical, so their order among themselves does not matter. One
 * sort and one image per state, instead of P! images.
 *
 * vCPUs are not interchangeable (each owns its own addresses, and the
 * addresses decide the sets), nor are ways (the guest's DC loop names them),
 * so neither is permuted. A user policy that treats pCPUs differently (say,
 * `if (hyp.pcpu === 0)`) makes the reduction unsound: it is an option.
 */
import { compileCanonicalizer } from './codegen.ts';
import type { SetwayState } from './state.ts';

export class PcpuSymmetry {
  private readonly image: Uint32Array;
  private readonly keys: number[][];
  private readonly order: number[];
  private readonly pi: number[];
  /** The same canonicalisation compiled for this configuration, where codegen.ts can. */
  private readonly compiled: ((s: Uint32Array) => void) | undefined;

  constructor(private readonly st: SetwayState) {
    this.compiled = compileCanonicalizer(st);
    this.image = new Uint32Array(st.words);
    this.keys = Array.from({ length: st.P }, () => []);
    this.order = [...Array(st.P).keys()];
    this.pi = [...Array(st.P).keys()];
  }

  /** Write into `out` the image of `s` when pCPU p becomes pi[p]. */
  private apply(s: Uint32Array, pi: readonly number[], out: Uint32Array): void {
    const st = this.st;
    const L = st.layout;
    out.set(s);
    const perP = st.S * st.W;
    for (let p = 0; p < st.P; p++) {
      const q = pi[p]!;
      if (q === p) continue;
      for (let k = 0; k < perP; k++) {
        const from = p * perP + k;
        const to = q * perP + k;
        L.put(out, st.tagF[to]!, L.get(s, st.tagF[from]!));
        L.put(out, st.dirtyF[to]!, L.get(s, st.dirtyF[from]!));
        L.put(out, st.valF[to]!, L.get(s, st.valF[from]!));
      }
      for (const name of st.pcpuVarNames) L.put(out, st.pcpuVarField(q, name), L.get(s, st.pcpuVarField(p, name)));
    }
    for (let v = 0; v < st.V; v++) L.put(out, st.pcpuF[v]!, pi[L.get(s, st.pcpuF[v]!)]!);
  }

  /** Lexicographic order of the pCPU keys (one function, made once). */
  private readonly compare = (a: number, b: number): number => {
    const x = this.keys[a]!;
    const y = this.keys[b]!;
    for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return x[k]! - y[k]!;
    return 0;
  };

  canonicalize(s: Uint32Array): void {
    if (this.compiled) {
      this.compiled(s);
      return;
    }
    this.interpreted(s);
  }

  /** The definition, interpreted (any number of pCPUs, any bookkeeping). */
  interpreted(s: Uint32Array): void {
    const st = this.st;
    const L = st.layout;
    const perP = st.S * st.W;
    for (let p = 0; p < st.P; p++) {
      const key = this.keys[p]!;
      key.length = 0;
      const v = st.vcpuOn(s, p);
      key.push(v < 0 ? st.V : v);
      for (let k = p * perP; k < (p + 1) * perP; k++) key.push(L.get(s, st.tagF[k]!), L.get(s, st.dirtyF[k]!), L.get(s, st.valF[k]!));
      for (const name of st.pcpuVarNames) key.push(L.get(s, st.pcpuVarField(p, name)));
    }
    const order = this.order;
    for (let p = 0; p < st.P; p++) order[p] = p;
    order.sort(this.compare);
    let identity = true;
    for (let j = 0; j < st.P; j++) {
      this.pi[order[j]!] = j;
      if (order[j] !== j) identity = false;
    }
    if (identity) return;
    this.apply(s, this.pi, this.image);
    s.set(this.image);
  }
}
