/**
 * The schemas of the JSON files hvmc reads back (besides gate files, in
 * gate.ts, and configuration files, in model/core/config.ts): `check --json`
 * results for `merge`, and trace files for `replay`.
 * A file that does not fit is exit code 2 with one line naming the field.
 */
import { z } from 'zod';
import { UsageError } from '../model/core/errors.ts';
import { readJsonFile } from '../model/core/config.ts';

const value = z.union([z.string(), z.number(), z.boolean()]);

export const changeSchema = z.strictObject({ name: z.string().min(1), from: value, to: value });

export const stepSchema = z.strictObject({
  step: z.number().int().min(1),
  actor: z.string().min(1),
  action: z.string().min(1),
  key: z.unknown().refine((k) => k !== undefined, 'the step needs its "key" (the structured action)'),
  changes: z.array(changeSchema),
});

export const violationSchema = z.strictObject({ message: z.string().min(1), values: z.record(z.string(), value) });

const steps = z.array(stepSchema).superRefine((s, ctx) => {
  s.forEach((st, k) => {
    if (st.step !== k + 1) ctx.addIssue({ code: 'custom', path: [k, 'step'], message: `step ${k + 1} is numbered ${st.step}` });
  });
});

const counterexampleSchema = z
  .strictObject({
    length: z.number().int().min(0),
    // A random search's: the walk's length as found and after fast-check's shrinking.
    foundLength: z.number().int().min(0).optional(),
    shrunkLength: z.number().int().min(0).optional(),
    steps,
    violation: violationSchema,
  })
  .refine((c) => c.length === c.steps.length, { message: 'length differs from the number of steps', path: ['length'] });

const invariantSchema = z
  .strictObject({ name: z.string().min(1), status: z.enum(['holds', 'violated', 'unknown']), counterexample: counterexampleSchema.optional() })
  .refine((i) => (i.status === 'violated') === (i.counterexample !== undefined), { message: 'a violated invariant, and only one, has a counterexample' });

const shard = z.string().regex(/^\d{1,6}\/\d{1,6}$/, 'shard must be K/N');

/** What `hvmc check --json` prints (BFS or random), as `merge` reads it. */
export const resultSchema = z.looseObject({
  command: z.literal('check'),
  strategy: z.enum(['bfs', 'random']).optional(),
  model: z.string().min(1),
  config: z.string().min(1),
  params: z.record(z.string(), value),
  policy: z.string().min(1),
  complete: z.boolean(),
  seed: z.number().int().min(0).optional(),
  runs: z.number().int().min(1).optional(),
  runsDone: z.number().int().min(0).optional(),
  depth: z.number().int().min(1).optional(),
  bias: z.enum(['uniform', 'swarm']).optional(),
  shard: shard.optional(),
  replay: z.string().optional(),
  invariants: z.array(invariantSchema).min(1),
});
export type CheckResultJson = z.infer<typeof resultSchema>;

/** A trace file (`check --trace-out`), as `replay` reads it. */
export const traceSchema = z
  .strictObject({
    format: z.literal('hvmc-trace'),
    version: z.literal(1),
    model: z.string().min(1),
    config: z.string().min(1),
    params: z.record(z.string(), value),
    policy: z.string().min(1),
    invariant: z.string().min(1),
    length: z.number().int().min(0),
    steps,
    violation: violationSchema,
  })
  .refine((t) => t.length === t.steps.length, { message: 'length differs from the number of steps', path: ['length'] });

/** One line for the first problem: where in the file, and what was wrong. */
export function zodLine(e: z.ZodError): string {
  const i = e.issues[0]!;
  const at = i.path.length > 0 ? i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : '(top level)';
  const more = e.issues.length > 1 ? ` (and ${e.issues.length - 1} more)` : '';
  return `${at}: ${i.message}${more}`;
}

/** Read a JSON file and check it against a schema; exit code 2 naming the file and the field otherwise. */
export function readChecked<T>(path: string, what: string, schema: z.ZodType<T>): T {
  const raw = readJsonFile(path, what);
  const r = schema.safeParse(raw);
  if (!r.success) throw new UsageError(`${what} ${path}: ${zodLine(r.error)}`);
  return r.data;
}
