/**
 * Loading a user's file (a policy today): `.ts .mts .cts .js .mjs .cjs`, in
 * any folder, in a CommonJS or an ES module package or none. The one place
 * that does it, for the CLI, the worker threads, the vitest API, replay and
 * the gate alike.
 *
 * JavaScript files load with Node's own `import()`, by Node's rules (a `.js`
 * is CommonJS or ESM as its package.json says). TypeScript files go through
 * tsx's `tsImport`, loaded only then and scoped to that import: it loads
 * exactly the path given, compiles it with no tsconfig needed, accepts
 * `import`/`export` in a `.ts` of a CommonJS package (as `tsc` does), and
 * registers nothing for the rest of the process. Either way a path loads
 * exactly that file (a `.js` beside a same-named `.ts` is the `.js`). A
 * failure is a PolicyError (exit code 2) naming the file and the real cause,
 * with line and column for a syntax error.
 */
import { existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PHASE_LOADING, enterUserCode, leaveUserCode, setWatchedFile } from '../../explorer/watch.ts';
import { PolicyError, UsageError } from './errors.ts';

/** The file extensions a user's module may have. */
export const USER_MODULE_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'] as const;

/** A value names a file (rather than a built-in) when it has a path separator or a module extension. */
export function isModulePath(spec: string): boolean {
  return /[\\/]/.test(spec) || /\.(m|c)?(t|j)s$/.test(spec);
}

/** The absolute path of `spec` against `baseDir`, checked to be an existing file with a module extension. */
export function userModulePath(spec: string, baseDir: string, what: string): string {
  const path = isAbsolute(spec) ? spec : resolve(baseDir, spec);
  if (!existsSync(path) || !statSync(path).isFile()) throw new UsageError(`${what} not found: ${spec} (looked at ${path})`);
  if (!USER_MODULE_EXTENSIONS.some((e) => path.endsWith(e))) {
    throw new UsageError(`${what} ${spec} must end in ${USER_MODULE_EXTENSIONS.join(' ')}`);
  }
  return path;
}

/**
 * Import a user's module and return its exports as an ES module namespace
 * would show them. A CommonJS module's `module.exports` is its `default`
 * (Node's rule) unless it was compiled from ES syntax (`__esModule`), in
 * which case its own `default` and named exports are used.
 */
export async function importUserModule(path: string, shown: string, what: string): Promise<Record<string, unknown>> {
  let ns: Record<string, unknown>;
  const url = pathToFileURL(path).href;
  setWatchedFile(shown);
  try {
    if (/\.[mc]?js$/.test(path)) {
      enterUserCode(PHASE_LOADING, `${what} ${shown}`);
      ns = (await import(url)) as Record<string, unknown>;
    } else {
      // (Loading tsx itself is hvmc's time, not the file's.)
      const { tsImport } = await import('tsx/esm/api');
      enterUserCode(PHASE_LOADING, `${what} ${shown}`);
      ns = (await tsImport(url, import.meta.url)) as Record<string, unknown>;
    }
  } catch (e) {
    throw new PolicyError(`${what} ${shown} failed to load: ${loadErrorText(e, path, shown)}${esmHint(e, path)}`);
  } finally {
    leaveUserCode();
  }
  // Reading the exports runs the user's getters, if it has any: a throw there is the file's too.
  try {
    const cjs = ns.default as Record<string, unknown> | undefined;
    if (cjs !== null && typeof cjs === 'object' && (cjs as { __esModule?: unknown }).__esModule === true) {
      return Object.fromEntries(Object.keys(cjs).map((k) => [k, cjs[k]]));
    }
    return Object.fromEntries(Object.keys(ns).map((k) => [k, ns[k]]));
  } catch (e) {
    throw new PolicyError(`${what} ${shown}: reading its exports threw: ${oneLine(e instanceof Error ? e.message : String(e))}`);
  }
}

/** hvmc's own folder (the package, or this repository): frames there are not the user's. */
const HVMC_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** One line: the cause of a load failure, with the file, line and column where there are any. */
export function loadErrorText(e: unknown, path: string, shown: string = path): string {
  if (!(e instanceof Error)) return oneLine(String(e));
  const name = (p: string) => (p === path ? shown : p);
  // esbuild (TypeScript): "Transform failed with 1 error:\n/abs/file.ts:2:49: ERROR: Unexpected "}""
  const esb = /^(.*?):(\d+):(\d+): ERROR: (.*)$/m.exec(e.message);
  if (esb) return `syntax error at ${name(esb[1]!)}:${esb[2]}:${esb[3]}: ${oneLine(esb[4]!)}`;
  const stack = e.stack ?? '';
  if (e.name === 'SyntaxError') {
    // Node (CommonJS): the stack starts "/abs/file.js:2\n<code>\n   ^^^\n\nSyntaxError: ..."
    const m = /^(?:file:\/\/)?(.*?):(\d+)\n(.*)\n( *)\^/.exec(stack);
    if (m) return `syntax error at ${name(m[1]!)}:${m[2]}:${m[4]!.length + 1}: ${oneLine(e.message)}`;
    // Node (an ES module) says no more than the message: ask node --check where it is.
    const at = syntaxErrorAt(path);
    return at ? `syntax error at ${shown}:${at}: ${oneLine(e.message)}` : `syntax error: ${oneLine(e.message)}`;
  }
  // A throw at the module's top level: name the frame in the user's file, or the first outside hvmc.
  const frames = stack
    .split('\n')
    .filter((l) => /^\s+at /.test(l))
    .map((l) => /(?:\(|at )((?:file:\/\/)?\/[^():\s?]+)(?:\?[^:\s)]*)?:(\d+):(\d+)\)?$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ file: m[1]!.startsWith('file://') ? fileURLToPath(m[1]!) : m[1]!, line: m[2]!, col: m[3]! }));
  const frame = frames.find((f) => f.file === path) ?? frames.find((f) => !f.file.startsWith(HVMC_DIR) && !f.file.includes('/node_modules/'));
  const where = frame ? ` (at ${name(frame.file)}:${frame.line}:${frame.col})` : '';
  const kind = e.name && e.name !== 'Error' ? `${e.name}: ` : '';
  return `${kind}${oneLine(e.message)}${where}`;
}

/** Where `node --check` finds a syntax error in a JavaScript file: "line:column", if it says. */
function syntaxErrorAt(path: string): string | undefined {
  const r = spawnSync(process.execPath, ['--check', path], { encoding: 'utf8', timeout: 10_000 });
  const m = /^(?:file:\/\/)?.*?:(\d+)\n(.*)\n( *)\^/.exec(r.stderr ?? '');
  return m ? `${m[1]}:${m[3]!.length + 1}` : undefined;
}

/** Node's error for ES syntax in a CommonJS `.js`, with what to do about it. */
function esmHint(e: unknown, path: string): string {
  if (!path.endsWith('.js') || !(e instanceof SyntaxError)) return '';
  if (!/Cannot use import statement|Unexpected token 'export'/.test(e.message)) return '';
  return ' (this .js is CommonJS, as its package.json says: use require and module.exports, rename it .mjs, or set "type": "module")';
}

/** The first line of a message, at most `max` characters. */
export function oneLine(s: string, max = 300): string {
  const first = s.split('\n').find((l) => l.trim() !== '') ?? '';
  return first.length > max ? `${first.slice(0, max - 3)}...` : first;
}
