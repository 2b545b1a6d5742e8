/** Where the CLI writes, so that tests can run it in-process and capture everything. */
import pc from 'picocolors';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** stderr is an interactive terminal (progress line rewritten in place). */
  readonly errIsTTY: boolean;
  readonly color: boolean;
}

/** The process's own streams; a command thread (cli/runner.ts) is told what the main thread's terminal can do. */
export function processIo(tty?: { color: boolean; errIsTTY: boolean }): Io {
  return {
    out: (t) => void process.stdout.write(t),
    err: (t) => void process.stderr.write(t),
    errIsTTY: tty ? tty.errIsTTY : !!process.stderr.isTTY,
    color: tty ? tty.color : pc.isColorSupported && !!process.stdout.isTTY,
  };
}

export type Paint = ReturnType<typeof pc.createColors>;

export function paint(io: Io): Paint {
  return pc.createColors(io.color);
}
