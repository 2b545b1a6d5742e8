/**
 * `hvmc merge A.json B.json ...`: one verdict from the `check --json` results
 * of several runs of the same model, configuration and policy (the shards of
 * a random search, or a BFS result beside them): an invariant is violated if
 * any run violated it, with the shortest counterexample found; it holds only
 * if a complete BFS said so; otherwise it is unknown.
 */
import { UsageError } from '../model/core/errors.ts';
import { readJsonFile } from '../model/core/config.ts';
import { renderTrace, stepCount } from '../explorer/trace.ts';
import { EXIT_INCOMPLETE, EXIT_OK, EXIT_VIOLATION } from './check.ts';
import { type Io, paint } from './io.ts';

interface CheckJson {
  command: string;
  strategy?: string;
  model: string;
  config: string;
  params: Record<string, unknown>;
  policy: string;
  complete: boolean;
  runsDone?: number;
  replay?: string;
  invariants: { name: string; status: 'holds' | 'violated' | 'unknown'; counterexample?: { length: number; steps: never[]; violation: { message: string; values: Record<string, string> } } }[];
}

export async function runMerge(files: readonly string[], opts: { json?: boolean }, io: Io): Promise<number> {
  if (files.length === 0) throw new UsageError('merge needs at least one result file');
  const results = files.map((f) => {
    const j = readJsonFile(f, 'result file') as CheckJson;
    if (!j || j.command !== 'check' || !Array.isArray(j.invariants)) throw new UsageError(`result file ${f} is not the output of hvmc check --json`);
    return { file: f, j };
  });
  const first = results[0]!.j;
  const same = (j: CheckJson) => j.model === first.model && j.policy === first.policy && JSON.stringify(j.params) === JSON.stringify(first.params);
  for (const { file, j } of results) {
    if (!same(j)) throw new UsageError(`result file ${file} is for ${j.model} / ${j.policy} / ${JSON.stringify(j.params)}, not what ${results[0]!.file} checked`);
  }
  const names = [...new Set(results.flatMap(({ j }) => j.invariants.map((i) => i.name)))];
  const merged = names.map((name) => {
    const entries = results.flatMap(({ file, j }) => j.invariants.filter((i) => i.name === name).map((i) => ({ file, j, i })));
    const violated = entries.filter((e) => e.i.status === 'violated' && e.i.counterexample);
    if (violated.length > 0) {
      const best = violated.reduce((a, b) => (b.i.counterexample!.length < a.i.counterexample!.length ? b : a));
      return { name, status: 'violated' as const, from: best.file, ...(best.j.replay ? { replay: best.j.replay } : {}), counterexample: best.i.counterexample! };
    }
    if (entries.some((e) => e.i.status === 'holds' && e.j.complete !== false)) return { name, status: 'holds' as const };
    return { name, status: 'unknown' as const };
  });
  const runsDone = results.reduce((n, { j }) => n + (j.runsDone ?? 0), 0);
  const code = merged.some((m) => m.status === 'violated') ? EXIT_VIOLATION : merged.every((m) => m.status === 'holds') ? EXIT_OK : EXIT_INCOMPLETE;
  if (opts.json) {
    io.out(JSON.stringify({ command: 'merge', model: first.model, config: first.config, params: first.params, policy: first.policy, files, runsDone, invariants: merged }, null, 2) + '\n');
    return code;
  }
  const p = paint(io);
  const lines = [`${p.bold('hvmc merge')}  ${files.length} results · model ${first.model} · config ${first.config} · policy ${first.policy} · ${runsDone} random walks`];
  for (const m of merged) {
    lines.push(
      `  ${m.name}  ` +
        (m.status === 'violated' ? p.red(`violated  (shortest: ${stepCount(m.counterexample.length)}, from ${m.from})`) : m.status === 'holds' ? p.green('holds') : p.yellow('unknown')),
    );
  }
  for (const m of merged) {
    if (m.status !== 'violated') continue;
    lines.push('', p.bold(`${m.name}: ${stepCount(m.counterexample.length)}`));
    lines.push(renderTrace({ invariant: m.name, steps: m.counterexample.steps, violation: m.counterexample.violation }, { paint: p }));
    if (m.replay) lines.push(`replay: ${m.replay}`);
  }
  io.out(lines.join('\n') + '\n');
  return code;
}
