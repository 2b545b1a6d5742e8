/**
 * The supervised thread of hvmc/vitest's checkModel for a policy file
 * (cli/vitest.ts, cli/supervise.ts): it runs the check and sends back the
 * result with its trace files.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startWatchedThread } from '../explorer/watch.ts';
import { type CheckModelSpec, checkModelHere } from './check-model.ts';

const data = workerData as { spec: CheckModelSpec; watch: SharedArrayBuffer; cwd: string };
startWatchedThread(data.watch, 0);
if (process.cwd() !== data.cwd) throw new Error(`the check's thread runs in ${process.cwd()}, not ${data.cwd}`);
try {
  parentPort!.postMessage({ type: 'done', value: await checkModelHere(data.spec) });
} catch (e) {
  // An HvmcError (a bad policy file, an unknown name) is the test's failure, with its own message.
  parentPort!.postMessage({ type: 'done', value: { error: e instanceof Error ? e.message : String(e) } });
}
