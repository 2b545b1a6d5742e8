/**
 * `defineModel`: a small model written over plain records of named integer
 * fields, packed for the explorer by a Layout. Good for tiny reference models
 * whose state spaces can be counted by hand, and for trying an idea before
 * writing a packed model. (Each step decodes and encodes a record, so it is
 * not the hot-path representation of the big models.)
 */
import { OrderedMap } from 'immutable';
import { Layout } from './layout.ts';
import type { ActionLabel, Invariant, Model, StateView, Violation } from './model.ts';

export type Fields = Readonly<Record<string, number>>;

export interface ActionDef<F extends Fields> {
  readonly actor: string;
  readonly text: string;
  enabled(s: Readonly<Record<keyof F, number>>): boolean;
  next(s: Readonly<Record<keyof F, number>>): Record<keyof F, number>;
}

export interface ModelDef<F extends Fields> {
  readonly name: string;
  /** Field name -> largest value. */
  readonly fields: F;
  readonly initial: Readonly<Record<keyof F, number>>;
  readonly actions: readonly ActionDef<F>[];
}

export interface DefinedModel<F extends Fields> extends Model<{ actor: string; text: string }> {
  decode(s: Uint32Array): Record<keyof F, number>;
  invariant(name: string, holds: (s: Readonly<Record<keyof F, number>>) => boolean): Invariant;
}

export function defineModel<F extends Fields>(def: ModelDef<F>): DefinedModel<F> {
  const layout = new Layout();
  const names = Object.keys(def.fields) as (keyof F & string)[];
  const ids = names.map((n) => layout.field(n, def.fields[n]!));
  layout.freeze();
  const decode = (s: Uint32Array) => {
    const o = {} as Record<keyof F, number>;
    names.forEach((n, k) => (o[n] = layout.get(s, ids[k]!)));
    return o;
  };
  const encode = (o: Readonly<Record<keyof F, number>>, out: Uint32Array) => {
    out.fill(0);
    names.forEach((n, k) => layout.set(out, ids[k]!, o[n]));
  };
  const view = (s: Uint32Array): StateView => OrderedMap(Object.entries(decode(s)));
  return {
    name: def.name,
    words: layout.words,
    actionCount: def.actions.length,
    initial: (out) => encode(def.initial, out),
    step(src, i, dst) {
      const a = def.actions[i]!;
      const s = decode(src);
      if (!a.enabled(s)) return false;
      encode(a.next(s), dst);
      return true;
    },
    action: (i) => ({ actor: def.actions[i]!.actor, text: def.actions[i]!.text }),
    actionIndex: (a) =>
      def.actions.findIndex(
        (d) => typeof a === 'object' && a !== null && (a as ActionLabel).actor === d.actor && (a as ActionLabel).text === d.text,
      ),
    label: (_src, i) => ({ actor: def.actions[i]!.actor, text: def.actions[i]!.text }),
    whyDisabled: (_src, i) => `${def.actions[i]!.actor}: ${def.actions[i]!.text} is not enabled`,
    view,
    decode,
    invariant: (name, holds) => ({
      name,
      description: name,
      holds: (s) => holds(decode(s)),
      explain: (s): Violation => ({ message: `${name} is false`, values: decode(s) }),
    }),
  };
}
