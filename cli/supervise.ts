/**
 * The CLI's main thread: it runs the command on a worker thread
 * (cli/runner.ts) and watches it, so that user code (policy files) cannot
 * take the checker down. From the watch buffer (explorer/watch.ts) it knows
 * when a thread is loading a user's file or is inside one of its hooks, and
 * since when; the run ends with exit code 2 and one line naming the file,
 * the hook call and the state it was called on when:
 * - a hook does not return within its budget (5 s, or half of `--timeout`),
 * - a file does not finish loading within its budget (30 s, or most of
 *   `--timeout`), or its top-level code awaits something that never settles,
 * - user code runs the command thread out of JavaScript heap,
 * - user code calls `process.exit` (which ends only that thread here).
 * With `--timeout`, the whole run also ends within a bounded time after it.
 */
import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { PHASE_HOOK, PHASE_IDLE, PHASE_LOADING, type WatchSlot, newWatchBuffer, readWatch } from '../explorer/watch.ts';
import pc from 'picocolors';

const HOOK_BUDGET_S = 5;
const LOAD_BUDGET_S = 30;
const POLL_MS = 50;

/** `--timeout` as the command line gives it, if it is a number (the command itself rejects a bad one). */
function timeoutOf(argv: readonly string[]): number | undefined {
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!;
    const v = a === '--timeout' ? argv[k + 1] : a.startsWith('--timeout=') ? a.slice('--timeout='.length) : undefined;
    if (v !== undefined && /^\d+(\.\d+)?$/.test(v) && Number(v) > 0) return Number(v);
  }
  return undefined;
}

function seconds(s: number): string {
  return `${Number(s.toFixed(2))} s`;
}

function whereText(slot: WatchSlot): string {
  const file = slot.file ? `policy file ${slot.file}` : 'a policy file';
  return slot.phase === PHASE_HOOK ? `${file}: ${slot.text}` : file;
}

function stateText(slot: WatchSlot): string {
  return slot.phase === PHASE_HOOK && slot.state ? ` (on the state [${slot.state}])` : '';
}

/** How a supervised run ended: its thread's value, or the exit code and the one line that say why it was stopped. */
export type Supervised<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: number; readonly line: string };

/**
 * Run `runner` (a module URL; from the sources, through tsx) on a worker
 * thread with `data` as its workerData plus the watch buffer, and watch it.
 * The runner posts `{ type: 'done', value }` when it has finished.
 */
export function runSupervised<T>(runner: URL, data: Record<string, unknown>, timeout?: number): Promise<Supervised<T>> {
  const fromSources = runner.pathname.endsWith('.ts');
  const entry = fromSources ? new URL('../explorer/worker-entry.mjs', import.meta.url) : runner;
  const watch = newWatchBuffer();
  const hookBudget = timeout !== undefined ? Math.min(HOOK_BUDGET_S, timeout / 2) : HOOK_BUDGET_S;
  const loadBudget = timeout !== undefined ? Math.min(LOAD_BUDGET_S, Math.max(timeout * 0.8, 0.5)) : LOAD_BUDGET_S;
  const heapMb = Math.ceil(getHeapStatistics().heap_size_limit / 2 ** 20);
  const worker = new Worker(entry, {
    workerData: { ...(fromSources ? { entry: runner.href } : {}), ...data, watch },
    resourceLimits: { maxOldGenerationSizeMb: heapMb },
  });

  return new Promise<Supervised<T>>((resolve) => {
    let result: { value: T } | undefined;
    let settled = false;
    let last: WatchSlot[] = readWatch(watch);
    const since = last.map(() => performance.now());
    const started = performance.now();
    const finish = (r: Supervised<T>) => {
      if (settled) return;
      settled = true;
      clearInterval(timer);
      void worker.terminate().finally(() => resolve(r));
    };
    const fail = (code: number, line: string) => finish({ ok: false, code, line });
    const timer = setInterval(() => {
      const now = performance.now();
      const cur = readWatch(watch);
      for (let k = 0; k < cur.length; k++) {
        const c = cur[k]!;
        if (c.phase !== last[k]!.phase || c.seq !== last[k]!.seq) since[k] = now;
        const s = (now - since[k]!) / 1000;
        if (c.phase === PHASE_HOOK && s > hookBudget) {
          return fail(2, `hvmc: error: ${whereText(c)} did not return within ${seconds(hookBudget)}${stateText(c)}: a hook must return promptly`);
        }
        if (c.phase === PHASE_LOADING && s > loadBudget) {
          return fail(2, `hvmc: error: ${whereText(c)} did not finish loading within ${seconds(loadBudget)}`);
        }
      }
      last = cur;
      if (timeout !== undefined && (now - started) / 1000 > timeout * 1.5 + 10) {
        fail(3, `hvmc: error: the run did not stop within its --timeout of ${seconds(timeout)}`);
      }
    }, POLL_MS);
    const inUserCode = () => readWatch(watch).find((s) => s.phase !== PHASE_IDLE);
    worker.on('message', (m: { type: string; value: T }) => {
      if (m.type === 'done') result = { value: m.value };
    });
    worker.on('error', (e: Error & { code?: string }) => {
      const user = inUserCode();
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        if (user) return fail(2, `hvmc: error: ${whereText(user)} ran out of memory (JavaScript heap limit ${heapMb} MB)${stateText(user)}`);
        return fail(3, `hvmc: error: the search ran out of JavaScript heap (limit ${heapMb} MB): give --max-states or --max-depth, or a smaller configuration`);
      }
      if (user) return fail(2, `hvmc: error: ${whereText(user)} failed: ${String(e.message).split('\n')[0]}`);
      fail(4, `hvmc: internal error (a bug in hvmc, please report it): ${e.stack ?? e.message}`);
    });
    worker.on('exit', (code) => {
      if (settled) return;
      if (result !== undefined) return finish({ ok: true, value: result.value });
      const user = inUserCode();
      const exited = readWatch(watch).find((s) => s.exitCalled !== undefined);
      if (exited) {
        const at = user ? `${whereText(user)} called process.exit(${exited.exitCalled})${user.phase === PHASE_LOADING ? ' while loading' : ''}` : `user code called process.exit(${exited.exitCalled})`;
        return fail(2, `hvmc: error: ${at}: a policy must not end the process`);
      }
      if (user?.phase === PHASE_LOADING) {
        return fail(2, `hvmc: error: ${whereText(user)} never finished loading (its top-level code awaits something that never settles)`);
      }
      fail(4, `hvmc: internal error (a bug in hvmc, please report it): the command's thread ended with code ${code} before it finished`);
    });
  });
}

/** The CLI's main thread: the command on a supervised thread; its exit code, or the supervisor's line and code. */
export async function supervise(argv: readonly string[]): Promise<number> {
  const runner = new URL(import.meta.url.endsWith('.ts') ? './runner.ts' : './runner.js', import.meta.url);
  const r = await runSupervised<number>(
    runner,
    { argv: [...argv], color: pc.isColorSupported && !!process.stdout.isTTY, errIsTTY: !!process.stderr.isTTY },
    timeoutOf(argv),
  );
  if (r.ok) return r.value;
  process.stderr.write(`${r.line}\n`);
  return r.code;
}
