/**
 * `hvmc minimize`: from a configuration that violates an invariant, look for
 * a smaller one that still violates it — greedily, one parameter step at a
 * time: an integer parameter one lower, a feature the defaults do not have
 * (a system cache, a toolstack, ...) switched off — and report
 * the smallest found with its shortest counterexample. Each candidate is
 * checked by BFS (bounded by --max-states); where BFS cannot finish, by a
 * seeded random search, which can show a violation but never its absence.
 */
import { Map as IMap } from 'immutable';
import { check } from '../explorer/check.ts';
import { randomSearch } from '../explorer/random.ts';
import { type Trace, renderTrace, stepCount } from '../explorer/trace.ts';
import { HvmcError, UsageError } from '../model/core/errors.ts';
import type { ParamMap, ParamValue } from '../model/core/params.ts';
import { flagName, paramsObject } from '../model/core/params.ts';
import { EXIT_INCOMPLETE, EXIT_VIOLATION } from './check.ts';
import { type Io, paint } from './io.ts';
import { checkCommand } from './random.ts';
import { type Session, type SessionSpec, openSession, selectInvariants, sessionFor } from './session.ts';

export interface MinimizeOptions extends SessionSpec {
  readonly invariant: string;
  readonly maxStates: number;
  readonly json?: boolean;
}

type Outcome = { readonly verdict: 'violated'; readonly trace: Trace; readonly by: 'bfs' | 'random' } | { readonly verdict: 'holds' | 'unknown' };

function decide(session: Session, invariant: string, maxStates: number): Outcome {
  const [inv] = selectInvariants(session.built, [invariant]);
  const r = check(session.built.model, [inv!], { maxStates });
  const o = r.invariants[0]!;
  if (o.counterexample) return { verdict: 'violated', trace: o.counterexample, by: 'bfs' };
  if (r.complete) return { verdict: 'holds' };
  const rnd = randomSearch(session.built.model, [inv!], { seed: 1, runs: 2000, depth: 100, bias: 'swarm' });
  return rnd.violation ? { verdict: 'violated', trace: rnd.violation.trace, by: 'random' } : { verdict: 'unknown' };
}

export async function runMinimize(opts: MinimizeOptions, io: Io): Promise<number> {
  const start = await openSession(opts);
  const family = start.family;
  const log: { change: string; verdict: string }[] = [];
  let best = start;
  let outcome = decide(start, opts.invariant, opts.maxStates);
  if (outcome.verdict !== 'violated') {
    throw new UsageError(`${opts.invariant} is not shown violated on the starting configuration (${outcome.verdict}): nothing to minimise`);
  }
  for (let improved = true; improved; ) {
    improved = false;
    for (const spec of family.params) {
      const cur = best.config.params.get(spec.name) ?? family.defaults[spec.name];
      let next: unknown;
      if (spec.kind === 'int' && typeof cur === 'number' && cur > spec.min) next = cur - 1;
      else if (spec.kind === 'bool' && cur === true && family.defaults[spec.name] === false) next = false; // a feature the defaults lack
      else continue;
      const params: ParamMap = best.config.params.merge(IMap<string, ParamValue>([[spec.name, next as ParamValue]]));
      let candidate: Session;
      try {
        candidate = await sessionFor(family, 'minimized', params, best.policy.id);
      } catch (e) {
        if (e instanceof HvmcError) continue; // a contradictory combination (vcpus > pcpus, ...)
        throw e;
      }
      const o = decide(candidate, opts.invariant, opts.maxStates);
      const change = `${spec.name} ${String(cur)} -> ${String(next)}`;
      log.push({ change, verdict: o.verdict === 'violated' ? `violated (${stepCount(o.trace.steps.length)}, ${o.by})` : o.verdict });
      if (o.verdict === 'violated') {
        best = candidate;
        outcome = o;
        improved = true;
      }
    }
  }
  const trace = (outcome as { trace: Trace }).trace;
  const params = paramsObject(family.params, best.config.params);
  const command = checkCommand({ ...best, config: { ...best.config, id: 'minimized' } }, [], [opts.invariant]);
  if (opts.json) {
    io.out(JSON.stringify({ command: 'minimize', model: family.name, policy: best.policy.id, invariant: opts.invariant, from: start.config.id, params, attempts: log, counterexample: { length: trace.steps.length, steps: trace.steps, violation: trace.violation }, check: command }, null, 2) + '\n');
  } else {
    const p = paint(io);
    const lines = [`${p.bold('hvmc minimize')}  model ${family.name} · from ${start.config.id} · policy ${best.policy.id} · ${opts.invariant}`];
    for (const a of log) lines.push(`  ${a.change.padEnd(28)} ${a.verdict}`);
    lines.push('', p.bold('smallest configuration found:'), '  ' + Object.entries(params).map(([k, v]) => `${flagName(k)} ${String(v)}`).join(' '));
    lines.push('', p.bold(`${opts.invariant}: ${stepCount(trace.steps.length)}`), renderTrace(trace, { paint: p }), '', `check: ${command}`);
    io.out(lines.join('\n') + '\n');
  }
  return outcome.verdict === 'violated' ? EXIT_VIOLATION : EXIT_INCOMPLETE;
}
