/**
 * `hvmc gate [FILE]`: the checks a repository gates its CI on, listed in a
 * gate file (default `hvmc.gate.json`; format in docs/gate.md), each with the
 * verdicts it expects. Prints a verdict table (policy x configuration ->
 * holds, or the violated invariant and its shortest counterexample length)
 * with a legend and one full counterexample, and exits 1 when any verdict
 * differs from its expectation, naming each difference. `--update` writes
 * the verdicts found into the file as the new expectations. This
 * repository's own `npm start` is one such file.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { check, type CheckReport } from '../explorer/check.ts';
import { renderTrace, stepCount } from '../explorer/trace.ts';
import { UsageError } from '../model/core/errors.ts';
import { type Io, paint } from './io.ts';
import { openSession, selectInvariants, specFromCwd } from './session.ts';
import { zodLine } from './schemas.ts';
import { traceFile, traceFileName } from './trace-file.ts';

export const GATE_FILE = 'hvmc.gate.json';

/** invariant -> "holds" | counterexample length | "unknown" */
export type Verdict = Record<string, 'holds' | 'unknown' | number>;

const verdictSchema = z.union([
  z.literal('holds'),
  z.record(z.string(), z.union([z.literal('holds'), z.literal('unknown'), z.number().int().min(0)])),
]);

const checkSchema = z.strictObject({
  model: z.string().min(1).default('setway'),
  policy: z.string().min(1),
  configs: z.array(z.string().min(1)).min(1),
  invariants: z.array(z.string().min(1)).optional(),
  expect: z.record(z.string(), verdictSchema).optional(),
});

const gateSchema = z.strictObject({
  $schema: z.string().optional(),
  description: z.string().optional(),
  checks: z.array(checkSchema).min(1),
});

export type GateCheck = z.infer<typeof checkSchema>;
export type GateFile = z.infer<typeof gateSchema>;

export function readGateFile(path: string): GateFile {
  if (!existsSync(path)) {
    throw new UsageError(`no gate file ${path}: write one listing your checks (see docs/gate.md in the hvmc package), or name it: hvmc gate FILE`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`gate file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  const r = gateSchema.safeParse(raw);
  if (!r.success) throw new UsageError(`gate file ${path}: ${zodLine(r.error)}`);
  return r.data;
}

/** A folder the run will write into: made if missing, and refused before the search if it cannot be. */
function checkWritableDir(dir: string, flag: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UsageError(`${flag} ${dir}: cannot make the folder (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (!statSync(dir).isDirectory()) throw new UsageError(`${flag} ${dir} is not a folder`);
}

export function verdictOf(report: CheckReport): Verdict {
  const v: Verdict = {};
  for (const i of report.invariants) v[i.name] = i.status === 'violated' ? i.counterexample!.steps.length : i.status;
  return v;
}

/** The expectation as written in a gate file: "holds" when every invariant holds, else the whole verdict. */
function written(v: Verdict): Verdict | 'holds' {
  return Object.values(v).every((x) => x === 'holds') ? 'holds' : v;
}

function sameVerdict(found: Verdict, expected: Verdict | 'holds' | undefined): boolean {
  if (expected === undefined) return false;
  if (expected === 'holds') return Object.values(found).every((x) => x === 'holds');
  const keys = new Set([...Object.keys(found), ...Object.keys(expected)]);
  return [...keys].every((k) => found[k] === expected[k]);
}

export function cellText(v: Verdict | 'holds' | undefined): string {
  if (v === undefined) return '(missing)';
  if (v === 'holds') return 'holds';
  const bad = Object.entries(v).filter(([, x]) => typeof x === 'number');
  const unknown = Object.entries(v).filter(([, x]) => x === 'unknown');
  if (bad.length === 0 && unknown.length === 0) return 'holds';
  return [...bad.map(([k, x]) => `${k} ${x}`), ...unknown.map(([k]) => `${k} ?`)].join(', ');
}

export const LEGEND = 'legend: holds = every checked invariant holds (complete search) · NAME N = NAME violated, shortest counterexample N steps · NAME ? = not decided';

export interface GateResult {
  readonly rows: { readonly model: string; readonly policy: string; readonly config: string; readonly verdict: Verdict }[];
  readonly differences: string[];
}

export async function runGate(opts: { file?: string; update?: boolean; json?: boolean; traceDir?: string }, io: Io): Promise<number> {
  const p = paint(io);
  const path = resolve(opts.file ?? GATE_FILE);
  const gate = readGateFile(path);
  if (opts.traceDir !== undefined) checkWritableDir(opts.traceDir, '--trace-dir');
  const traces: string[] = [];
  const baseDir = dirname(path);
  const rows: GateResult['rows'][number][] = [];
  const differences: string[] = [];
  let showcase: { title: string; text: string } | undefined;
  const t0 = performance.now();
  for (const [k, c] of gate.checks.entries()) {
    for (const cfg of c.configs) {
      const session = await openSession({ model: c.model, ...specFromCwd({ config: cfg, policy: c.policy }, baseDir) });
      const invariants = selectInvariants(session.built, c.invariants ?? []);
      const report = check(session.built.model, invariants);
      const verdict = verdictOf(report);
      rows.push({ model: session.family.name, policy: c.policy, config: cfg, verdict });
      const expected = c.expect?.[cfg];
      if (!sameVerdict(verdict, expected)) {
        differences.push(`checks[${k}] ${session.family.name} ${c.policy} ${cfg}: expected ${expected === undefined ? '(no expectation)' : cellText(expected)}, got ${cellText(verdict)}`);
      }
      if (opts.traceDir !== undefined) {
        for (const i of report.invariants) {
          if (!i.counterexample) continue;
          const file = join(opts.traceDir, traceFileName(session.family.name, c.policy, cfg, i.name));
          writeFileSync(file, JSON.stringify(traceFile(session, i.counterexample), null, 2) + '\n');
          traces.push(file);
        }
      }
      const cex = report.invariants.find((i) => i.counterexample)?.counterexample;
      if (!showcase && cex) {
        showcase = {
          title: `${session.family.name} · policy ${c.policy} · config ${cfg}: ${cex.invariant}, shortest counterexample (${stepCount(cex.steps.length)})`,
          text: renderTrace(cex, { paint: p }),
        };
      }
    }
    for (const cfg of Object.keys(c.expect ?? {})) {
      if (!c.configs.includes(cfg)) differences.push(`checks[${k}] ${c.model} ${c.policy} ${cfg}: has an expectation but is not in configs`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;

  if (opts.update) {
    const checks = gate.checks.map((c) => ({
      ...c,
      expect: Object.fromEntries(c.configs.map((cfg) => [cfg, written(rows.find((r) => r.policy === c.policy && r.config === cfg && r.model === (c.model ?? 'setway'))!.verdict)])),
    }));
    writeFileSync(path, JSON.stringify({ ...gate, checks }, null, 2) + '\n');
    io.out(`hvmc gate: expectations written to ${path} (${rows.length} verdicts)\n`);
    return 0;
  }
  if (opts.json) {
    io.out(JSON.stringify({ command: 'gate', file: path, seconds: Number(seconds.toFixed(2)), ok: differences.length === 0, verdicts: rows, differences, traces }, null, 2) + '\n');
    return differences.length === 0 ? 0 : 1;
  }
  const out: string[] = [];
  for (const model of [...new Set(rows.map((r) => r.model))]) {
    const mine = rows.filter((r) => r.model === model);
    const cfgs = [...new Set(mine.map((r) => r.config))];
    const policies = [...new Set(mine.map((r) => r.policy))];
    const cells = policies.map((pol) => [pol, ...cfgs.map((c) => {
      const r = mine.find((x) => x.policy === pol && x.config === c);
      return r ? cellText(r.verdict) : '-';
    })]);
    const header = [model, ...cfgs];
    const widths = header.map((h, k) => Math.max(h.length, ...cells.map((row) => row[k]!.length)));
    out.push(p.bold(header.map((h, k) => h.padEnd(widths[k]!)).join('  ')));
    for (const row of cells) {
      out.push(row.map((c, k) => (k === 0 || c === '-' ? c.padEnd(widths[k]!) : c === 'holds' ? p.green(c.padEnd(widths[k]!)) : p.red(c.padEnd(widths[k]!)))).join('  '));
    }
    out.push('');
  }
  out.push(p.dim(LEGEND), '');
  if (showcase) out.push(p.bold(showcase.title), showcase.text, '');
  if (traces.length > 0) out.push(`${traces.length} counterexample trace${traces.length === 1 ? '' : 's'} written to ${opts.traceDir} (hvmc replay FILE)`);
  if (differences.length === 0) {
    out.push(p.green(`gate: all ${rows.length} verdicts match ${path} (${seconds.toFixed(1)} s)`));
  } else {
    out.push(p.red(`gate: ${differences.length} of ${rows.length} verdicts differ from ${path}:`), ...differences.map((d) => `  ${d}`));
    out.push(`(if the new verdicts are right: hvmc gate ${opts.file ?? ''} --update)`.replace('  ', ' '));
  }
  io.out(out.join('\n') + '\n');
  return differences.length === 0 ? 0 : 1;
}
