/**
 * Symmetry reduction over pCPUs for the set/way model. Nothing in the spec
 * tells one pCPU from another except where vCPUs run and what their caches
 * hold, so permuting pCPUs (their private caches, the vCPUs' `pcpu`, the
 * policy's per-pCPU bookkeeping) maps reachable states to reachable states
 * and keeps both invariants. The canonical state is the least of the images
 * under all P! permutations (compared word by word).
 *
 * vCPUs are not interchangeable (each owns its own addresses, and the
 * addresses decide the sets), nor are ways (the guest's DC loop names them),
 * so neither is permuted. A user policy that treats pCPUs differently (say,
 * `if (hyp.pcpu === 0)`) makes the reduction unsound: it is an option.
 */
import type { SetwayState } from './state.ts';

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  const out: number[][] = [];
  for (const rest of permutations(n - 1)) for (let k = 0; k <= rest.length; k++) out.push([...rest.slice(0, k), n - 1, ...rest.slice(k)]);
  return out;
}

export class PcpuSymmetry {
  private readonly perms: number[][];
  private readonly image: Uint32Array;
  private readonly best: Uint32Array;

  constructor(private readonly st: SetwayState) {
    this.perms = permutations(st.P).filter((p) => p.some((q, i) => q !== i));
    this.image = new Uint32Array(st.words);
    this.best = new Uint32Array(st.words);
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

  canonicalize(s: Uint32Array): void {
    const { image, best } = this;
    best.set(s);
    for (const pi of this.perms) {
      this.apply(s, pi, image);
      for (let k = 0; k < image.length; k++) {
        if (image[k] === best[k]) continue;
        if (image[k]! < best[k]!) best.set(image);
        break;
      }
    }
    s.set(best);
  }
}
