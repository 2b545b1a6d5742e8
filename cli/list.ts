/** `hvmc list`: models, their parameters, reference configurations, policies and invariants. */
import { describeRange, flagName } from '../model/core/params.ts';
import { FAMILIES } from '../model/registry.ts';
import type { Io } from './io.ts';

export function listing(): Record<string, unknown> {
  return {
    models: Object.values(FAMILIES).map((f) => ({
      name: f.name,
      description: f.description,
      params: f.params.map((p) => ({ name: p.name, flag: flagName(p.name), range: describeRange(p), default: f.defaults[p.name], description: p.description })),
      configs: f.configs,
      gateConfigs: f.gateConfigs,
      policies: Object.entries(f.policies).map(([name, pol]) => ({ name, description: f.policyDescription(pol) })),
      invariants: f.invariants,
    })),
  };
}

export function runList(opts: { json?: boolean }, io: Io): number {
  if (opts.json) {
    io.out(JSON.stringify(listing(), null, 2) + '\n');
    return 0;
  }
  const lines: string[] = [];
  const width = (xs: readonly string[]) => Math.max(0, ...xs.map((x) => x.length));
  for (const f of Object.values(FAMILIES)) {
    lines.push(`model ${f.name}: ${f.description}`, '  parameters:');
    const ranges = width(f.params.map(describeRange));
    for (const p of f.params) {
      lines.push(`    ${flagName(p.name).padEnd(18)} ${describeRange(p).padEnd(ranges)} default ${String(f.defaults[p.name]).padEnd(9)} ${p.description}`);
    }
    lines.push('  reference configurations (changes from the defaults):');
    for (const [id, c] of Object.entries(f.configs)) {
      const changes = Object.entries(c).map(([k, v]) => `${k}=${String(v)}`).join(' ');
      lines.push(`    ${id.padEnd(8)} ${changes || '—'}`);
    }
    lines.push('  policies:');
    const names = width(Object.keys(f.policies));
    for (const [name, pol] of Object.entries(f.policies)) lines.push(`    ${name.padEnd(names)}  ${f.policyDescription(pol)}`);
    lines.push('  invariants:');
    const invs = width(f.invariants.map((i) => i.name));
    for (const i of f.invariants) lines.push(`    ${i.name.padEnd(invs)}  ${i.description}`);
  }
  io.out(lines.join('\n') + '\n');
  return 0;
}
