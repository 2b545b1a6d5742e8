/**
 * `hvmc merge A.json B.json ...`: one verdict from the `check --json` results
 * of several runs of the same model, configuration and policy (the shards of
 * a random search, or a BFS result beside them): an invariant is violated if
 * any run violated it, with the shortest counterexample found; it holds only
 * if a complete BFS said so; otherwise it is unknown.
 */
import { UsageError } from '../model/core/errors.ts';
import { renderTrace, stepCount } from '../explorer/trace.ts';
import { EXIT_INCOMPLETE, EXIT_OK, EXIT_VIOLATION } from './check.ts';
import { type Io, paint } from './io.ts';
import { type CheckResultJson, readChecked, resultSchema } from './schemas.ts';

type CheckJson = CheckResultJson;

/**
 * The results must be of one run: the same model, parameters and policy;
 * random results the shards of one search (the same base seed, shard count,
 * depth and bias), each shard once, none missing. Returns a description of
 * the random runs for the report.
 */
function checkOneRun(results: readonly { file: string; j: CheckJson }[]): string {
  const first = results[0]!;
  for (const { file, j } of results) {
    if (j.model !== first.j.model || j.policy !== first.j.policy || JSON.stringify(j.params) !== JSON.stringify(first.j.params)) {
      throw new UsageError(`result file ${file} is for ${j.model} / ${j.policy} / ${JSON.stringify(j.params)}, not what ${first.file} checked`);
    }
  }
  const random = results.filter(({ j }) => j.strategy === 'random');
  if (random.length === 0) return '';
  for (const { file, j } of random) {
    if (j.seed === undefined || j.runs === undefined || j.runsDone === undefined || j.depth === undefined) {
      throw new UsageError(`result file ${file}: a random result needs seed, runs, runsDone and depth`);
    }
  }
  const key = (j: CheckJson) => {
    const [k, n] = j.shard ? j.shard.split('/').map(Number) : [1, 1];
    return { k: k!, n: n!, base: j.seed! - (k! - 1) };
  };
  const r0 = random[0]!;
  const k0 = key(r0.j);
  const seen = new Map<number, string>();
  for (const { file, j } of random) {
    const k = key(j);
    const what = (x: CheckJson, kk: ReturnType<typeof key>) => `seed ${kk.base}, ${kk.n} shard${kk.n === 1 ? '' : 's'}, depth ${x.depth}, bias ${x.bias ?? 'uniform'}`;
    if (k.n !== k0.n || k.base !== k0.base || j.depth !== r0.j.depth || (j.bias ?? 'uniform') !== (r0.j.bias ?? 'uniform')) {
      throw new UsageError(`result file ${file} is a shard of another random search (${what(j, k)}) than ${r0.file} (${what(r0.j, k0)})`);
    }
    const dup = seen.get(k.k);
    if (dup !== undefined) throw new UsageError(`result files ${dup} and ${file} are the same shard ${k.k}/${k.n}`);
    seen.set(k.k, file);
  }
  const missing = Array.from({ length: k0.n }, (_, i) => i + 1).filter((k) => !seen.has(k));
  if (missing.length > 0) {
    const shown = missing.length > 10 ? `${missing.slice(0, 10).join(', ')}, … (${missing.length} in all)` : missing.join(', ');
    throw new UsageError(`shard${missing.length === 1 ? '' : 's'} ${shown} of ${k0.n} missing: merge every shard of the search`);
  }
  const runsDone = random.reduce((n, { j }) => n + j.runsDone!, 0);
  const runs = random.reduce((n, { j }) => n + j.runs!, 0);
  return `${runsDone.toLocaleString('en-US')}${runsDone !== runs ? ` of ${runs.toLocaleString('en-US')}` : ''} random walks in ${k0.n} shard${k0.n === 1 ? '' : 's'} (seed ${k0.base})`;
}

export async function runMerge(files: readonly string[], opts: { json?: boolean }, io: Io): Promise<number> {
  if (files.length === 0) throw new UsageError('merge needs at least one result file');
  const dup = files.find((f, k) => files.indexOf(f) !== k);
  if (dup !== undefined) throw new UsageError(`result file ${dup} is given twice`);
  const results = files.map((f) => ({ file: f, j: readChecked(f, 'result file', resultSchema) }));
  const first = results[0]!.j;
  const walks = checkOneRun(results);
  const names = [...new Set(results.flatMap(({ j }) => j.invariants.map((i) => i.name)))];
  const merged = names.map((name) => {
    const entries = results.flatMap(({ file, j }) => j.invariants.filter((i) => i.name === name).map((i) => ({ file, j, i })));
    const violated = entries.filter((e) => e.i.status === 'violated' && e.i.counterexample);
    if (violated.length > 0) {
      const best = violated.reduce((a, b) => (b.i.counterexample!.length < a.i.counterexample!.length ? b : a));
      return { name, status: 'violated' as const, from: best.file, ...(best.j.replay ? { replay: best.j.replay } : {}), counterexample: best.i.counterexample! };
    }
    if (entries.some((e) => e.i.status === 'holds' && e.j.complete && e.j.strategy !== 'random')) return { name, status: 'holds' as const };
    return { name, status: 'unknown' as const };
  });
  const runsDone = results.reduce((n, { j }) => n + (j.runsDone ?? 0), 0);
  const bfs = results.filter(({ j }) => j.strategy !== 'random').length;
  const code = merged.some((m) => m.status === 'violated') ? EXIT_VIOLATION : merged.every((m) => m.status === 'holds') ? EXIT_OK : EXIT_INCOMPLETE;
  if (opts.json) {
    io.out(JSON.stringify({ command: 'merge', model: first.model, config: first.config, params: first.params, policy: first.policy, files, runsDone, invariants: merged }, null, 2) + '\n');
    return code;
  }
  const p = paint(io);
  const what = [walks, bfs > 0 ? `${bfs} BFS result${bfs === 1 ? '' : 's'}` : ''].filter(Boolean).join(' and ');
  const lines = [`${p.bold('hvmc merge')}  ${files.length} results · model ${first.model} · config ${first.config} · policy ${first.policy} · ${what}`];
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
