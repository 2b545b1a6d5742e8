/**
 * `npm run bench` / `hvmc bench`: an exhaustive count of a configuration
 * (default ref-e with trap-va), printed as JSON: distinct states, seconds,
 * states per second, bytes per stored state, peak RSS.
 */
import { check } from '../explorer/check.ts';
import type { Io } from './io.ts';
import { progressReporter } from './progress.ts';
import { openSession, type SessionSpec } from './session.ts';

export async function runBench(spec: SessionSpec & { progress?: boolean }, io: Io): Promise<number> {
  const session = await openSession({ model: spec.model, config: spec.config ?? 'ref-e', policy: spec.policy ?? 'trap-va', overrides: spec.overrides ?? {} });
  const progress = progressReporter(io, spec.progress ?? true);
  const report = check(session.built.model, [], { onProgress: progress.onProgress, progressIntervalMs: progress.intervalMs });
  progress.done();
  const rssBytes = process.resourceUsage().maxRSS * 1024;
  io.out(
    JSON.stringify(
      {
        bench: 'bfs-count',
        model: session.family.name,
        config: session.config.id,
        policy: session.policy.id,
        complete: report.complete,
        distinctStates: report.distinctStates,
        transitions: report.transitions,
        maxDepth: report.maxDepth,
        seconds: Number(report.seconds.toFixed(2)),
        statesPerSecond: Math.round(report.distinctStates / report.seconds),
        transitionsPerSecond: Math.round(report.transitions / report.seconds),
        stateWords: session.built.model.words,
        bytesPerState: Number((report.bytes / report.distinctStates).toFixed(1)),
        peakRssMB: Math.round(rssBytes / 2 ** 20),
        node: process.version,
      },
      null,
      2,
    ) + '\n',
  );
  return report.complete ? 0 : 3;
}
