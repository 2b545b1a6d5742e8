/** Parameters and reference configurations of the mapcache model. */
import { UsageError } from '../core/errors.ts';
import { type ParamMap, type ParamSpec, withDefaults } from '../core/params.ts';

export interface MapcacheParams {
  readonly vcpus: number;
  readonly gfns: number;
  readonly servers: number;
  readonly toolstack: boolean;
  readonly pauseForForeign: boolean;
}

export const MAPCACHE_PARAMS: readonly ParamSpec[] = [
  { kind: 'int', name: 'vcpus', min: 1, max: 3, description: "the guest's vCPUs" },
  { kind: 'int', name: 'gfns', min: 1, max: 3, description: 'guest frames, each removed at most once and repopulated at most once' },
  { kind: 'int', name: 'servers', min: 0, max: 3, description: 'IOREQ servers (device models) with a mapcache' },
  { kind: 'bool', name: 'toolstack', description: "a dom0 agent that edits the guest's P2M as a foreign domain" },
  { kind: 'bool', name: 'pauseForForeign', description: 'the toolstack edits only while the guest is paused' },
];

export const MAPCACHE_DEFAULTS: MapcacheParams = { vcpus: 2, gfns: 2, servers: 1, toolstack: false, pauseForForeign: true };

export const MAPCACHE_CONFIGS: Readonly<Record<string, Partial<MapcacheParams>>> = {
  'mc-a': {},
  'mc-b': { vcpus: 1, toolstack: true },
  'mc-c': { toolstack: true },
  'mc-d': { toolstack: true, pauseForForeign: false },
  'mc-e': { gfns: 1, servers: 2 },
};

export function mapcacheParams(m: ParamMap): MapcacheParams {
  const p = withDefaults(MAPCACHE_DEFAULTS, m);
  if (!p.toolstack && m.get('pauseForForeign') === false) {
    throw new UsageError('pauseForForeign=false needs toolstack=true (without a toolstack there are no foreign edits)');
  }
  return p;
}
