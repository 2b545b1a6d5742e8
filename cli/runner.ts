/**
 * The thread a CLI command runs on, started by cli/supervise.ts: it reports
 * the user code it enters in the supervisor's watch buffer, runs the
 * command, and sends its exit code.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startWatchedThread } from '../explorer/watch.ts';
import { processIo } from './io.ts';
import { main } from './main.ts';

interface RunnerData {
  readonly argv: readonly string[];
  readonly watch: SharedArrayBuffer;
  readonly color: boolean;
  readonly errIsTTY: boolean;
}

const data = workerData as RunnerData;
// As in bin/hvmc.mjs: Node's warning for ES syntax in a CommonJS .js policy file is said better by hvmc's own error line.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (!String(w.message).startsWith('To load an ES module')) process.stderr.write(`(node) ${w.name}: ${w.message}\n`);
});
startWatchedThread(data.watch, 0);
const code = await main(data.argv, processIo({ color: data.color, errIsTTY: data.errIsTTY }));
const flushed = (s: NodeJS.WriteStream) => new Promise<void>((r) => s.write('', () => r()));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
parentPort!.postMessage({ type: 'done', value: code });
