/** `hvmc check` and `hvmc count`. */
import { writeFileSync } from 'node:fs';
import { check, checkParallel, type CheckReport } from '../explorer/check.ts';
import { type SearchLimits, limitsOf } from '../explorer/bfs.ts';
import { renderTrace, stepCount } from '../explorer/trace.ts';
import { UsageError } from '../model/core/errors.ts';
import { paramsObject } from '../model/core/params.ts';
import { type Io, paint } from './io.ts';
import { progressReporter } from './progress.ts';
import { type Session, openSession, selectInvariants, type SessionSpec, sessionSpecOf } from './session.ts';
import { traceFile } from './trace-file.ts';
import { workerFactory } from './worker-model.ts';

export interface CheckOptions extends SessionSpec, SearchLimits {
  readonly symmetry?: boolean;
  readonly invariants?: readonly string[];
  readonly json?: boolean;
  readonly traceOut?: string;
  readonly progress?: boolean;
  /** BFS worker threads (1: the sequential search). */
  readonly workers?: number;
}

export const EXIT_OK = 0;
export const EXIT_VIOLATION = 1;
export const EXIT_USAGE = 2;
export const EXIT_INCOMPLETE = 3;

const fmt = new Intl.NumberFormat('en-US');

export function exitCodeOf(report: CheckReport): number {
  if (report.invariants.some((i) => i.status === 'violated')) return EXIT_VIOLATION;
  return report.complete ? EXIT_OK : EXIT_INCOMPLETE;
}

export function reportJson(command: string, session: Session, report: CheckReport): Record<string, unknown> {
  return {
    command,
    ...(report.symmetry ? { symmetry: 'pcpus' } : {}),
    model: session.family.name,
    config: session.config.id,
    params: paramsObject(session.family.params, session.config.params),
    policy: session.policy.id,
    complete: report.complete,
    stopReason: report.stopReason,
    distinctStates: report.distinctStates,
    transitions: report.transitions,
    maxDepth: report.maxDepth,
    seconds: Number(report.seconds.toFixed(3)),
    bytesPerState: report.distinctStates > 0 ? Number((report.bytes / report.distinctStates).toFixed(1)) : 0,
    invariants: report.invariants.map((i) =>
      i.counterexample
        ? {
            name: i.name,
            status: i.status,
            counterexample: {
              length: i.counterexample.steps.length,
              steps: i.counterexample.steps,
              violation: i.counterexample.violation,
            },
          }
        : { name: i.name, status: i.status },
    ),
  };
}

const STOP_TEXT: Record<CheckReport['stopReason'], string> = {
  exhausted: 'complete',
  'all-violated': 'stopped: every invariant already violated',
  'max-states': 'INCOMPLETE: stopped at --max-states',
  'max-depth': 'INCOMPLETE: stopped at --max-depth',
  timeout: 'INCOMPLETE: stopped at --timeout',
};

export function renderReport(command: string, session: Session, report: CheckReport, io: Io): string {
  const p = paint(io);
  const lines: string[] = [];
  lines.push(
    `${p.bold(`hvmc ${command}`)}  model ${session.family.name} · config ${session.config.id} · policy ${session.policy.id}`,
  );
  lines.push(
    `  ${fmt.format(report.distinctStates)} distinct states · ${fmt.format(report.transitions)} transitions · ` +
      `max depth ${report.maxDepth} · ${report.seconds.toFixed(2)} s · ${STOP_TEXT[report.stopReason]}` +
      (report.symmetry ? ' · symmetry over pCPUs (counts are classes)' : ''),
  );
  const width = Math.max(0, ...report.invariants.map((i) => i.name.length));
  for (const i of report.invariants) {
    const status =
      i.status === 'violated'
        ? p.red(`violated  (shortest counterexample: ${stepCount(i.counterexample!.steps.length)})`)
        : i.status === 'holds'
          ? p.green('holds')
          : p.yellow('unknown (search incomplete)');
    lines.push(`  ${i.name.padEnd(width)}  ${status}`);
  }
  for (const i of report.invariants) {
    if (!i.counterexample) continue;
    lines.push('', p.bold(`${i.name}: shortest counterexample, ${stepCount(i.counterexample.steps.length)}`));
    lines.push(renderTrace(i.counterexample, { paint: p }));
  }
  return lines.join('\n') + '\n';
}

/** Symmetry reduction, if the model has one (else a clear error). */
export function symmetryFor(session: Session): true {
  if (!session.built.model.canonicalize) throw new UsageError(`--symmetry: model ${session.family.name} has no symmetry reduction`);
  return true;
}

export async function runCheck(command: 'check' | 'count', opts: CheckOptions, io: Io): Promise<number> {
  const session = await openSession(opts);
  const invariants = command === 'count' ? [] : selectInvariants(session.built, opts.invariants ?? []);
  if (command === 'count' && opts.traceOut) throw new UsageError('--trace-out is for check, not count');
  const progress = progressReporter(io, opts.progress ?? true);
  let report: CheckReport;
  try {
    const options = {
      ...limitsOf(opts),
      ...(opts.symmetry ? { symmetry: symmetryFor(session) } : {}),
      onProgress: progress.onProgress,
      progressIntervalMs: progress.intervalMs,
    };
    const workers = opts.workers ?? 1;
    if (workers > 1) {
      const factory = workerFactory({
        spec: sessionSpecOf(opts),
        baseDir: process.cwd(),
        invariants: command === 'count' ? 'none' : (opts.invariants ?? []).length > 0 ? opts.invariants! : 'all',
      });
      report = await checkParallel(factory, session.built.model, invariants, { ...options, workers });
    } else {
      report = check(session.built.model, invariants, options);
    }
  } finally {
    progress.done();
  }
  if (opts.traceOut) {
    const violated = report.invariants.filter((i) => i.counterexample);
    if (violated.length > 0) {
      const shortest = violated.reduce((a, b) => (b.counterexample!.steps.length < a.counterexample!.steps.length ? b : a));
      writeFileSync(opts.traceOut, JSON.stringify(traceFile(session, shortest.counterexample!), null, 2) + '\n');
      io.err(`hvmc: counterexample for ${shortest.name} written to ${opts.traceOut}\n`);
    } else {
      io.err(`hvmc: no violation, so no trace written to ${opts.traceOut}\n`);
    }
  }
  if (opts.json) io.out(JSON.stringify(reportJson(command, session, report), null, 2) + '\n');
  else io.out(renderReport(command, session, report, io));
  return exitCodeOf(report);
}
