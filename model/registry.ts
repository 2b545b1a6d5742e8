/** Every model family hvmc knows, by name. */
import type { AnyFamily } from './core/family.ts';
import { fpsimdFamily } from './fpsimd/index.ts';
import { mapcacheFamily } from './mapcache/index.ts';
import { setwayFamily } from './setway/index.ts';

export const FAMILIES: Readonly<Record<string, AnyFamily>> = {
  setway: setwayFamily,
  mapcache: mapcacheFamily,
  fpsimd: fpsimdFamily,
};
