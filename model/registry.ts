/** Every model family hvmc knows, by name. */
import type { AnyFamily } from './core/family.ts';
import { fpsimdFamily } from './fpsimd/index.ts';
import { mapcacheFamily } from './mapcache/index.ts';
import { setwayFamily } from './setway/index.ts';
import { stage2Family } from './stage2/index.ts';

export const FAMILIES: Readonly<Record<string, AnyFamily>> = {
  setway: setwayFamily,
  mapcache: mapcacheFamily,
  fpsimd: fpsimdFamily,
  stage2: stage2Family,
};
