/**
 * `hvmc check --strategy random`: seeded random walks (fast-check), shrinking
 * and minimisation; `--shard K/N` runs this machine's share of the walks.
 * Everything printed on stdout depends only on the arguments, so the same
 * seed gives byte-identical output; timings go to stderr.
 */
import { writeFileSync } from 'node:fs';
import { type Bias, randomSearch } from '../explorer/random.ts';
import { renderTrace, stepCount } from '../explorer/trace.ts';
import { UsageError } from '../model/core/errors.ts';
import { flagName, paramsObject } from '../model/core/params.ts';
import { EXIT_INCOMPLETE, EXIT_VIOLATION } from './check.ts';
import { type Io, paint } from './io.ts';
import { type Session, type SessionSpec, openSession, selectInvariants } from './session.ts';
import { traceFile } from './trace-file.ts';

export interface RandomCliOptions extends SessionSpec {
  readonly invariants?: readonly string[];
  readonly seed: number;
  readonly runs: number;
  readonly depth: number;
  readonly bias: Bias;
  readonly shard?: { readonly k: number; readonly n: number };
  readonly timeoutSeconds?: number;
  readonly json?: boolean;
  readonly traceOut?: string;
}

/** Shard K of N: its own seed and its share of the runs. */
export function shardOf(seed: number, runs: number, shard?: { k: number; n: number }): { seed: number; runs: number } {
  if (!shard) return { seed, runs };
  const share = Math.floor(runs / shard.n) + (shard.k - 1 < runs % shard.n ? 1 : 0);
  return { seed: seed + shard.k - 1, runs: share };
}

/** `hvmc check` with the model, configuration and policy of `session`, then `extra`. */
export function checkCommand(session: Session, extra: readonly string[], invariants: readonly string[] = []): string {
  const parts = ['hvmc', 'check', '--model', session.family.name];
  const ref = session.family.configs[session.config.id];
  if (ref) parts.push('--config', session.config.id);
  else {
    const params = paramsObject(session.family.params, session.config.params);
    for (const [k, v] of Object.entries(params)) {
      if (v === session.family.defaults[k]) continue;
      parts.push(flagName(k), String(v));
    }
  }
  parts.push('--policy', session.policy.id, ...extra);
  for (const i of invariants) parts.push('--invariant', i);
  return parts.join(' ');
}

/** The command that reproduces exactly this random search (seed and runs of this shard). */
export function replayCommand(session: Session, o: { seed: number; runs: number; depth: number; bias: Bias; invariants?: readonly string[] }): string {
  const extra = ['--strategy', 'random', '--seed', String(o.seed), '--runs', String(o.runs), '--depth', String(o.depth)];
  if (o.bias !== 'uniform') extra.push('--bias', o.bias);
  return checkCommand(session, extra, o.invariants ?? []);
}

export async function runRandom(opts: RandomCliOptions, io: Io): Promise<number> {
  if (opts.shard && (opts.shard.k < 1 || opts.shard.k > opts.shard.n)) throw new UsageError('--shard K/N needs 1 <= K <= N');
  const session = await openSession(opts);
  const invariants = selectInvariants(session.built, opts.invariants ?? []);
  const mine = shardOf(opts.seed, opts.runs, opts.shard);
  const r = randomSearch(session.built.model, invariants, {
    seed: mine.seed,
    runs: mine.runs,
    depth: opts.depth,
    bias: opts.bias,
    ...(opts.timeoutSeconds !== undefined ? { timeoutSeconds: opts.timeoutSeconds } : {}),
  });
  io.err(`hvmc: ${r.runsDone} random walks in ${r.seconds.toFixed(2)} s\n`);
  const replay = replayCommand(session, { seed: mine.seed, runs: mine.runs, depth: opts.depth, bias: opts.bias, invariants: opts.invariants ?? [] });
  const v = r.violation;
  if (opts.traceOut) {
    if (v) writeFileSync(opts.traceOut, JSON.stringify(traceFile(session, v.trace), null, 2) + '\n');
    io.err(v ? `hvmc: counterexample for ${v.invariant} written to ${opts.traceOut}\n` : `hvmc: no violation, so no trace written to ${opts.traceOut}\n`);
  }
  const invReports = invariants.map((inv) =>
    v && v.invariant === inv.name
      ? {
          name: inv.name,
          status: 'violated' as const,
          counterexample: {
            length: v.trace.steps.length,
            foundLength: v.foundLength,
            shrunkLength: v.shrunkLength,
            steps: v.trace.steps,
            violation: v.trace.violation,
          },
        }
      : { name: inv.name, status: 'unknown' as const },
  );
  if (opts.json) {
    io.out(
      JSON.stringify(
        {
          command: 'check',
          strategy: 'random',
          model: session.family.name,
          config: session.config.id,
          params: paramsObject(session.family.params, session.config.params),
          policy: session.policy.id,
          seed: mine.seed,
          runs: mine.runs,
          runsDone: r.runsDone,
          depth: opts.depth,
          bias: opts.bias,
          ...(opts.shard ? { shard: `${opts.shard.k}/${opts.shard.n}` } : {}),
          complete: false,
          interrupted: r.interrupted,
          invariants: invReports,
          replay,
        },
        null,
        2,
      ) + '\n',
    );
  } else {
    const p = paint(io);
    const lines = [
      `${p.bold('hvmc check')}  model ${session.family.name} · config ${session.config.id} · policy ${session.policy.id} · ` +
        `random (seed ${mine.seed}, ${r.runsDone}/${mine.runs} walks of up to ${opts.depth} steps, ${opts.bias} bias${opts.shard ? `, shard ${opts.shard.k}/${opts.shard.n}` : ''})`,
    ];
    const width = Math.max(...invariants.map((i) => i.name.length));
    for (const i of invReports) {
      lines.push(
        `  ${i.name.padEnd(width)}  ` +
          (i.counterexample
            ? p.red(`violated  (found at ${stepCount(i.counterexample.foundLength)}, shrunk to ${i.counterexample.shrunkLength}, minimised to ${i.counterexample.length})`)
            : p.yellow('unknown (no violation found; random search proves nothing)')),
      );
    }
    if (v) lines.push('', p.bold(`${v.invariant}: minimised counterexample, ${stepCount(v.trace.steps.length)}`), renderTrace(v.trace, { paint: p }));
    lines.push('', `replay: ${replay}`);
    io.out(lines.join('\n') + '\n');
  }
  return v ? EXIT_VIOLATION : EXIT_INCOMPLETE;
}
