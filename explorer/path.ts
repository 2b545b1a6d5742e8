/** Rebuilding a shortest path of concrete actions from stored parent links (any visited-set layout). */
import type { Model } from './model.ts';

export interface ParentLinks {
  read(slot: number, out: Uint32Array): void;
  /** The parent slot, or -1 for the initial state. */
  parent(slot: number): number;
}

/**
 * The actions from the initial state to the state in `slot`. Under symmetry
 * the stored states are canonical: each step is found by trying every action
 * on the concrete state so far and canonicalising its successor, so the path
 * replays on concrete states.
 */
export function pathThrough(model: Model<unknown>, table: ParentLinks, canon: ((s: Uint32Array) => void) | undefined, slot: number): number[] {
  const W = model.words;
  const chain: number[] = [];
  for (let s = slot; s !== -1; s = table.parent(s)) chain.push(s);
  chain.reverse();
  const path: number[] = [];
  let a = new Uint32Array(W);
  let t = new Uint32Array(W);
  const b = new Uint32Array(W);
  const c = new Uint32Array(W);
  model.initial(a);
  for (let k = 1; k < chain.length; k++) {
    table.read(chain[k]!, b);
    let found = -1;
    for (let i = 0; i < model.actionCount && found < 0; i++) {
      if (!model.step(a, i, t)) continue;
      c.set(t);
      if (canon) canon(c);
      if (c.every((w, j) => w === b[j])) found = i;
    }
    if (found < 0) throw new Error(`internal: no action leads from slot ${chain[k - 1]} to ${chain[k]}`);
    path.push(found);
    model.step(a, found, t);
    [a, t] = [t, a];
  }
  return path;
}
