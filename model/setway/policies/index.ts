import type { SetwayPolicy } from '../policy.ts';
import native from './native.ts';
import nativeSwio from './native-swio.ts';
import trapVa from './trap-va.ts';
import xenRfc from './xen-rfc.ts';

/** The built-in policies of spec section 5, by name. */
export const SETWAY_POLICIES: Readonly<Record<string, SetwayPolicy>> = {
  native,
  'native-swio': nativeSwio,
  'xen-rfc': xenRfc,
  'trap-va': trapVa,
};
