/**
 * `hvmc replay FILE`: exit 1 when the recorded violation reproduces (as for
 * `check`, a violation was found), 0 when it no longer does (with where and
 * why), 2 when the file is bad.
 */
import { replay } from '../explorer/replay.ts';
import { stepCount } from '../explorer/trace.ts';
import { UsageError } from '../model/core/errors.ts';
import { type Io, paint } from './io.ts';
import { EXIT_OK, EXIT_VIOLATION } from './check.ts';
import { loadTraceFile } from './trace-file.ts';

export async function runReplay(path: string, opts: { json?: boolean }, io: Io): Promise<number> {
  const { file, session } = await loadTraceFile(path);
  const inv = session.built.invariants.find((i) => i.name === file.invariant);
  if (!inv) throw new UsageError(`trace file ${path}: model ${file.model} has no invariant ${JSON.stringify(file.invariant)}`);
  const outcome = replay(session.built.model, file.steps, inv);
  if (opts.json) {
    io.out(JSON.stringify({ command: 'replay', file: path, model: file.model, config: file.config, policy: file.policy, ...outcome }, null, 2) + '\n');
  } else {
    const p = paint(io);
    const head = `hvmc replay  ${path}: model ${file.model} · config ${file.config} · policy ${file.policy} · ${stepCount(file.steps.length)}`;
    io.out(
      outcome.reproduced
        ? `${head}\n  ${p.red(`reproduced: ${outcome.invariant} violated after ${stepCount(outcome.length)}: ${outcome.violation.message}`)}\n`
        : `${head}\n  ${p.green(`does not reproduce: ${outcome.reason}`)}\n`,
    );
  }
  return outcome.reproduced ? EXIT_VIOLATION : EXIT_OK;
}
