/**
 * The progress line on stderr for searches that run longer than a couple of
 * seconds: rewritten in place on a terminal (log-update), a plain line every
 * ten seconds otherwise (CI logs).
 */
import { createLogUpdate } from 'log-update';
import type { Progress } from '../explorer/bfs.ts';
import type { Io } from './io.ts';

const fmt = new Intl.NumberFormat('en-US');

export function progressText(p: Progress): string {
  const rate = p.seconds > 0 ? p.distinctStates / p.seconds : 0;
  return (
    `hvmc: ${fmt.format(p.distinctStates)} states, ${fmt.format(p.transitions)} transitions, depth ${p.depth}, ` +
    `queue ${fmt.format(p.queued)}, ${p.seconds.toFixed(0)} s (${fmt.format(Math.round(rate))} states/s)`
  );
}

export interface ProgressReporter {
  readonly onProgress: (p: Progress) => void;
  readonly intervalMs: number;
  done(): void;
}

export function progressReporter(io: Io, enabled: boolean, afterSeconds = 2): ProgressReporter {
  if (!enabled) return { onProgress: () => {}, intervalMs: 60_000, done: () => {} };
  if (io.errIsTTY) {
    const log = createLogUpdate(process.stderr, { showCursor: true });
    let shown = false;
    return {
      intervalMs: 500,
      onProgress: (p) => {
        if (p.seconds < afterSeconds) return;
        shown = true;
        log(progressText(p));
      },
      done: () => {
        if (shown) log.clear();
      },
    };
  }
  let last = -Infinity;
  return {
    intervalMs: 1000,
    onProgress: (p) => {
      if (p.seconds < afterSeconds || p.seconds - last < 10) return;
      last = p.seconds;
      io.err(progressText(p) + '\n');
    },
    done: () => {},
  };
}
