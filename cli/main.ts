/**
 * The hvmc command line. Exit codes: 0 every checked invariant holds and the
 * search was complete; 1 a violation was found; 2 bad input; 3 the search
 * stopped at a limit with no violation; 4 an internal error (a bug in hvmc).
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { oneLine } from '../model/core/user-module.ts';
import { WorkerError } from '../explorer/parallel.ts';
import { HvmcError, UsageError } from '../model/core/errors.ts';
import { flagName } from '../model/core/params.ts';
import { FAMILIES } from '../model/registry.ts';
import { runBench } from './bench.ts';
import { runCheck } from './check.ts';
import { GATE_FILE, runGate } from './gate.ts';
import { type Io, processIo } from './io.ts';
import { runList } from './list.ts';
import { runReplay } from './replay.ts';
import { runRandom } from './random.ts';
import { runMerge } from './merge.ts';
import { runMinimize } from './minimize.ts';
import { familyByName } from './session.ts';

export const EXIT_INTERNAL = 4;

/** Every parameter of every model, once (models share names such as pcpus). */
function allParams() {
  const seen = new Map<string, (typeof FAMILIES)[string]['params'][number]>();
  for (const f of Object.values(FAMILIES)) for (const p of f.params) if (!seen.has(p.name)) seen.set(p.name, p);
  return [...seen.values()];
}

function addModelOptions(cmd: Command): Command {
  cmd
    .option('--model <name>', `model (${Object.keys(FAMILIES).join(', ')})`, 'setway')
    .option('--config <id|file.json>', 'a reference configuration id or a JSON file of parameters')
    .option('--policy <name|file>', 'a built-in policy name or a path to a policy file');
  for (const p of allParams()) {
    const flag = flagName(p.name);
    if (p.kind === 'bool') {
      cmd.addOption(new Option(`${flag} [bool]`, `${p.description} (true|false)`));
      cmd.addOption(new Option(`--no-${flag.slice(2)}`, `turn ${p.name} off`));
    } else {
      cmd.addOption(new Option(`${flag} <${p.kind === 'int' ? 'n' : 'name'}>`, p.description));
    }
  }
  return cmd.option('--no-progress', 'no progress line on stderr');
}

function addLimitOptions(cmd: Command): Command {
  return cmd
    .option('--max-states <n>', 'stop before storing more than n distinct states (exit 3 if no violation)')
    .option('--max-depth <n>', 'explore paths of at most n steps (exit 3 if that cut the search)')
    .option('--timeout <seconds>', 'stop after this many seconds (exit 3 if no violation)')
    .option('--json', 'print one JSON object instead of text')
    .option('--symmetry', 'BFS: store one state per class of pCPU permutations (the policy must treat pCPUs alike)')
    .option('--workers <n>', 'BFS: worker threads sharing one visited set (level-synchronous; same counts, shortest counterexamples)', '1');
}

function intOption(raw: unknown, flag: string, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const s = String(raw).trim();
  const n = /^\d+$/.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  return n;
}

function biasOption(raw: unknown): 'uniform' | 'swarm' {
  if (raw === 'uniform' || raw === 'swarm') return raw;
  throw new UsageError(`--bias must be uniform or swarm, got ${JSON.stringify(raw)}`);
}

const MAX_SHARDS = 10_000;

function shardOption(raw: unknown): { k: number; n: number } {
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(String(raw));
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || k < 1 || k > n || n > MAX_SHARDS) {
    throw new UsageError(`--shard must be K/N with 1 <= K <= N <= ${MAX_SHARDS.toLocaleString('en-US')}, got ${JSON.stringify(raw)}`);
  }
  return { k, n };
}

/** Seconds, written in decimal (`30`, `2.5`); at most a week. */
function secondsOption(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const s = String(raw).trim();
  const n = /^\d+(\.\d+)?$/.test(s) ? Number(s) : NaN;
  if (!Number.isFinite(n) || n <= 0 || n > 604_800) {
    throw new UsageError(`--timeout must be a positive number of seconds in decimal, at most 604800, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** A file the run will write, checked before the search starts: a name, in a folder that exists, and not a folder itself. */
function outputFile(raw: unknown, flag: string): string | undefined {
  if (raw === undefined) return undefined;
  const f = String(raw);
  if (f.trim() === '') throw new UsageError(`${flag} needs a file name, got ""`);
  const dir = dirname(resolve(f));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${flag} ${f}: the folder ${dir} does not exist`);
  if (existsSync(f) && statSync(f).isDirectory()) throw new UsageError(`${flag} ${f} is a folder, not a file`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UsageError(`${flag} ${f}: the folder ${dir} is not writable`);
  }
  return f;
}

/** Options a user may give more than once. */
const REPEATABLE = new Set(['invariant']);

/**
 * One meaning per command line: a flag given twice (`--policy a --policy b`,
 * `--system-cache --no-system-cache`) is an error, not "the last one wins";
 * so is a repeated `--invariant` value.
 */
function checkRepeats(argv: readonly string[]): void {
  const seen = new Map<string, string>();
  const invariants = new Set<string>();
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k]!;
    if (a === '--') break;
    if (!a.startsWith('--') || a.length === 2) continue;
    const [raw, inline] = a.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const key = raw.startsWith('no-') ? raw.slice(3) : raw;
    const next = argv[k + 1];
    const value = inline ?? (next !== undefined && !next.startsWith('--') ? next : raw.startsWith('no-') ? 'false' : 'true');
    if (key === 'invariant') {
      if (invariants.has(value)) throw new UsageError(`--invariant ${value} is given twice`);
      invariants.add(value);
    }
    if (REPEATABLE.has(key)) continue;
    const before = seen.get(key);
    if (before !== undefined) throw new UsageError(`--${key} is given twice (${before}, then ${value}): give each option once`);
    seen.set(key, value);
  }
}

/** Options the user gave on the command line (not defaults). */
function given(cmd: Command, names: readonly string[]): string[] {
  return names.filter((n) => cmd.getOptionValueSource(n) === 'cli');
}

function flagOf(name: string): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The parameter overrides given as flags, checked against the chosen model. */
function overridesFrom(opts: Record<string, unknown>): Record<string, unknown> {
  const family = familyByName(opts.model as string | undefined);
  const out: Record<string, unknown> = {};
  for (const p of allParams()) {
    const v = opts[p.name];
    if (v === undefined) continue;
    if (!family.params.some((q) => q.name === p.name)) {
      throw new UsageError(`${flagName(p.name)} is not a parameter of model ${family.name}`);
    }
    out[p.name] = v;
  }
  return out;
}

function sessionSpec(opts: Record<string, unknown>) {
  return {
    model: opts.model as string | undefined,
    config: opts.config as string | undefined,
    policy: opts.policy as string | undefined,
    overrides: overridesFrom(opts),
  };
}

function limits(opts: Record<string, unknown>) {
  return {
    symmetry: opts.symmetry === true,
    maxStates: intOption(opts.maxStates, '--max-states', 1),
    maxDepth: intOption(opts.maxDepth, '--max-depth', 0),
    timeoutSeconds: secondsOption(opts.timeout),
    workers: workersOption(opts.workers),
  };
}

function workersOption(raw: unknown): number {
  const n = intOption(raw ?? '1', '--workers', 1)!;
  const cores = availableParallelism();
  // More threads than cores only waits on itself (64 workers on 2 cores: 42 s for a 0.03 s search).
  if (n > Math.max(cores, 2)) throw new UsageError(`--workers ${n} is more than this machine's ${cores} cores: give at most ${Math.max(cores, 2)}`);
  return n;
}

export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let code = 0;
  const program = new Command('hvmc')
    .description('explicit-state model checker for hypervisor cache maintenance and P2M concurrency on Arm')
    .exitOverride()
    // commander's errors as one line: "hvmc: error: unknown option '--polcy' (Did you mean --policy?) (hvmc --help for usage)"
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      outputError: (s, write) => write(`hvmc: ${s.trim().replace(/\s*\n\s*/g, ' ')} (hvmc --help for usage)\n`),
    });

  addLimitOptions(addModelOptions(program.command('check')))
    .description('explore every interleaving; report each invariant with its shortest counterexample')
    .option('--invariant <name>', 'check only this invariant (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--trace-out <file>', 'write the (shortest) counterexample as a versioned JSON trace')
    .option('--strategy <name>', 'bfs (exhaustive, shortest counterexamples) or random (seeded walks, minimised)', 'bfs')
    .option('--seed <n>', 'random: the seed (default: from the clock, and printed)')
    .option('--runs <n>', 'random: number of walks', '1000')
    .option('--depth <n>', 'random: steps per walk at most', '100')
    .option('--bias <name>', 'random: uniform, or swarm (each walk allows a random subset of action kinds)', 'uniform')
    .option('--shard <K/N>', 'random: run shard K of N (its own seed and share of the walks); combine with hvmc merge')
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const strategy = String(opts.strategy);
      const traceOut = outputFile(opts.traceOut, '--trace-out');
      if (strategy === 'random') {
        const bfsOnly = given(cmd, ['symmetry', 'workers', 'maxStates', 'maxDepth']);
        if (bfsOnly.length > 0) throw new UsageError(`${bfsOnly.map(flagOf).join(', ')} ${bfsOnly.length === 1 ? 'is' : 'are'} for --strategy bfs`);
        code = await runRandom(
          {
            ...sessionSpec(opts),
            invariants: opts.invariant as string[],
            seed: opts.seed === undefined ? Date.now() % 1_000_000_007 : intOption(opts.seed, '--seed', 0)!,
            runs: intOption(opts.runs, '--runs', 1)!,
            depth: intOption(opts.depth, '--depth', 1)!,
            bias: biasOption(opts.bias),
            ...(opts.shard !== undefined ? { shard: shardOption(opts.shard) } : {}),
            ...(opts.timeout !== undefined ? { timeoutSeconds: secondsOption(opts.timeout)! } : {}),
            json: !!opts.json,
            traceOut,
          },
          io,
        );
        return;
      }
      if (strategy !== 'bfs') throw new UsageError(`--strategy must be bfs or random, got ${JSON.stringify(strategy)}`);
      const randomOnly = given(cmd, ['seed', 'runs', 'depth', 'bias', 'shard']);
      if (randomOnly.length > 0) throw new UsageError(`${randomOnly.map(flagOf).join(', ')} ${randomOnly.length === 1 ? 'is' : 'are'} for --strategy random`);
      code = await runCheck(
        'check',
        {
          ...sessionSpec(opts),
          ...limits(opts),
          invariants: opts.invariant as string[],
          json: !!opts.json,
          traceOut,
          progress: opts.progress !== false,
        },
        io,
      );
    });

  addLimitOptions(addModelOptions(program.command('count')))
    .description('explore with invariants off and print the figures (distinct states, transitions, depth, time)')
    .action(async (opts: Record<string, unknown>) => {
      code = await runCheck('count', { ...sessionSpec(opts), ...limits(opts), json: !!opts.json, progress: opts.progress !== false }, io);
    });

  program
    .command('replay <file>')
    .description('re-run a JSON trace step by step: exit 1 if the violation reproduces, 0 if it no longer does')
    .option('--json', 'print one JSON object')
    .option('--timeout <seconds>', "bound the run (a policy file's hook gets half of it at most)")
    .option('--no-progress', 'accepted for uniformity (replay prints no progress line)')
    .action(async (file: string, opts: Record<string, unknown>) => {
      secondsOption(opts.timeout);
      code = await runReplay(file, { json: !!opts.json }, io);
    });

  program
    .command('merge <files...>')
    .description('combine the --json results of several check runs (shards) into one verdict with the shortest counterexample')
    .option('--json', 'print one JSON object')
    .option('--no-progress', 'accepted for uniformity (merge prints no progress line)')
    .action(async (files: string[], opts: Record<string, unknown>) => {
      code = await runMerge(files, { json: !!opts.json }, io);
    });

  addModelOptions(program.command('minimize'))
    .description('search smaller configurations that still violate an invariant; report the smallest with its shortest trace')
    .requiredOption('--invariant <name>', 'the invariant to keep violated')
    .option('--max-states <n>', 'BFS bound per candidate (beyond it: a seeded random search)', '2000000')
    .option('--json', 'print one JSON object')
    .action(async (opts: Record<string, unknown>) => {
      code = await runMinimize(
        { ...sessionSpec(opts), invariant: String(opts.invariant), maxStates: intOption(opts.maxStates, '--max-states', 1)!, json: !!opts.json },
        io,
      );
    });

  program
    .command('list')
    .description('models, parameters, reference configurations, policies and invariants')
    .option('--json', 'print one JSON object')
    .option('--no-progress', 'accepted for uniformity (list prints no progress line)')
    .action((opts: Record<string, unknown>) => {
      code = runList({ json: !!opts.json }, io);
    });

  program
    .command('gate [file]')
    .description(`run the checks of a gate file (default ${GATE_FILE}; docs/gate.md) and compare each verdict with its expectation`)
    .option('--update', 'write the verdicts found into the gate file as its expectations')
    .option('--trace-dir <dir>', 'write every counterexample found as a trace file there (for CI artifacts; hvmc replay FILE)')
    .option('--json', 'print one JSON object')
    .action(async (file: string | undefined, opts: Record<string, unknown>) => {
      code = await runGate(
        {
          ...(file !== undefined ? { file } : {}),
          ...(opts.traceDir !== undefined ? { traceDir: String(opts.traceDir) } : {}),
          update: !!opts.update,
          json: !!opts.json,
        },
        io,
      );
    });

  addModelOptions(program.command('bench'))
    .description('exhaustive count of a configuration (default: ref-e, trap-va) with speed and memory figures as JSON')
    .option('--no-random', 'skip the time-to-first-violation comparison of BFS and random search')
    .option('--symmetry', 'also count with symmetry reduction over pCPUs')
    .option('--workers <n>', 'also count with n worker threads and report the speedup over one thread')
    .option('--pairs <n>', 'with --workers: time n pairs (one thread, then the workers) and report each speedup and their median', '1')
    .action(async (opts: Record<string, unknown>) => {
      const workers = workersOption(opts.workers);
      const pairs = intOption(opts.pairs, '--pairs', 1)!;
      if (pairs > 100) throw new UsageError(`--pairs must be at most 100, got ${pairs}`);
      if (pairs > 1 && workers < 2) throw new UsageError('--pairs needs --workers 2 or more');
      code = await runBench(
        {
          ...sessionSpec(opts),
          progress: opts.progress !== false,
          skipRandom: opts.random === false,
          symmetry: opts.symmetry === true,
          workers,
          pairs,
        },
        io,
      );
    });

  try {
    checkRepeats(argv);
    await program.parseAsync(argv as string[], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (e instanceof WorkerError && e.exitCode !== undefined) {
      io.err(`hvmc: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof HvmcError) {
      io.err(`hvmc: error: ${oneLine(e.message, 600)}\n`);
      return e.exitCode;
    }
    io.err(`hvmc: internal error (a bug in hvmc, please report it): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT_INTERNAL;
  }
}
