/**
 * `npm start` / `hvmc gate`: every built-in policy of every model on its gate
 * configurations; a verdict table (policy x config -> holds, or the violated
 * invariant and its shortest counterexample length); one full counterexample;
 * exit 1 when any verdict differs from the committed expectations file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { check, type CheckReport } from '../explorer/check.ts';
import { renderTrace, stepCount } from '../explorer/trace.ts';
import { UsageError } from '../model/core/errors.ts';
import { resolveConfig } from '../model/core/config.ts';
import { FAMILIES } from '../model/registry.ts';
import { type Io, paint } from './io.ts';
import { sessionFor } from './session.ts';

export const EXPECTATIONS = fileURLToPath(new URL('../test/gate.expected.json', import.meta.url));

/** invariant -> "holds" | counterexample length | "unknown" */
export type Verdict = Record<string, 'holds' | 'unknown' | number>;
/** model -> policy -> config -> verdict */
export type GateTable = Record<string, Record<string, Record<string, Verdict>>>;

export function verdictOf(report: CheckReport): Verdict {
  const v: Verdict = {};
  for (const i of report.invariants) v[i.name] = i.status === 'violated' ? i.counterexample!.steps.length : i.status;
  return v;
}

export function cellText(v: Verdict | undefined): string {
  if (!v) return '(missing)';
  const bad = Object.entries(v).filter(([, x]) => typeof x === 'number');
  const unknown = Object.entries(v).filter(([, x]) => x === 'unknown');
  if (bad.length === 0 && unknown.length === 0) return 'holds';
  return [...bad.map(([k, x]) => `${k} ${x}`), ...unknown.map(([k]) => `${k} ?`)].join(', ');
}

export async function runGate(opts: { update?: boolean; json?: boolean; expectations?: string }, io: Io): Promise<number> {
  const p = paint(io);
  const path = opts.expectations ?? EXPECTATIONS;
  const table: GateTable = {};
  let showcase: { title: string; text: string } | undefined;
  const t0 = performance.now();
  for (const family of Object.values(FAMILIES)) {
    table[family.name] = {};
    for (const policy of Object.keys(family.policies)) {
      table[family.name]![policy] = {};
      for (const cfg of family.gateConfigs) {
        const session = await sessionFor(family, cfg, resolveConfig(family, cfg).params, policy);
        const report = check(session.built.model, session.built.invariants);
        table[family.name]![policy]![cfg] = verdictOf(report);
        const cex = report.invariants.find((i) => i.counterexample)?.counterexample;
        if (!showcase && cex) {
          showcase = {
            title: `${family.name} · policy ${policy} · config ${cfg}: ${cex.invariant}, shortest counterexample (${stepCount(cex.steps.length)})`,
            text: renderTrace(cex, { paint: p }),
          };
        }
      }
    }
  }
  const seconds = (performance.now() - t0) / 1000;

  if (opts.update) {
    writeFileSync(path, JSON.stringify(table, null, 2) + '\n');
    io.out(`hvmc gate: expectations written to ${path}\n`);
    return 0;
  }
  let expected: GateTable;
  try {
    expected = JSON.parse(readFileSync(path, 'utf8')) as GateTable;
  } catch (e) {
    throw new UsageError(`cannot read the gate expectations ${path}: ${(e as Error).message}`);
  }
  const diffs: string[] = [];
  const same = (a: Verdict | undefined, b: Verdict | undefined) => JSON.stringify(a) === JSON.stringify(b);
  for (const [model, rows] of Object.entries(table))
    for (const [policy, cells] of Object.entries(rows))
      for (const [cfg, v] of Object.entries(cells)) {
        const e = expected[model]?.[policy]?.[cfg];
        if (!same(v, e)) diffs.push(`${model} ${policy} ${cfg}: expected ${e ? cellText(e) : '(no expectation)'}, got ${cellText(v)}`);
      }
  for (const [model, rows] of Object.entries(expected))
    for (const [policy, cells] of Object.entries(rows))
      for (const cfg of Object.keys(cells))
        if (!table[model]?.[policy]?.[cfg]) diffs.push(`${model} ${policy} ${cfg}: expected ${cellText(cells[cfg])}, but it was not checked`);

  if (opts.json) {
    io.out(JSON.stringify({ command: 'gate', seconds: Number(seconds.toFixed(2)), ok: diffs.length === 0, verdicts: table, differences: diffs }, null, 2) + '\n');
    return diffs.length === 0 ? 0 : 1;
  }
  const out: string[] = [];
  for (const [model, rows] of Object.entries(table)) {
    const cfgs = FAMILIES[model]!.gateConfigs;
    const cells = Object.entries(rows).map(([policy, r]) => [policy, ...cfgs.map((c) => cellText(r[c]))]);
    const header = [model, ...cfgs];
    const widths = header.map((h, k) => Math.max(h.length, ...cells.map((row) => row[k]!.length)));
    out.push(p.bold(header.map((h, k) => h.padEnd(widths[k]!)).join('  ')));
    for (const row of cells) {
      out.push(
        row
          .map((c, k) => {
            const text = c.padEnd(widths[k]!);
            if (k === 0) return text;
            return c === 'holds' ? p.green(text) : p.red(text);
          })
          .join('  '),
      );
    }
    out.push('');
  }
  if (showcase) out.push(p.bold(showcase.title), showcase.text, '');
  if (diffs.length === 0) {
    out.push(p.green(`gate: every verdict matches ${path} (${seconds.toFixed(1)} s)`));
  } else {
    out.push(p.red(`gate: ${diffs.length} verdict(s) differ from ${path}:`), ...diffs.map((d) => `  ${d}`));
  }
  io.out(out.join('\n') + '\n');
  return diffs.length === 0 ? 0 : 1;
}
