#!/usr/bin/env node
// hvmc's entry point. From the package: the compiled JavaScript in dist/. In
// hvmc's own repository (where cli/ sits beside this folder, with sources): the
// TypeScript sources through tsx, so that what runs is what was edited.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

// The visited set is a few hundred megabytes probed at random, so on Linux
// most probes also miss the TLB. glibc backs large allocations with
// transparent huge pages only when told so at process start
// (GLIBC_TUNABLES=glibc.malloc.hugetlb=1; about 12 % faster on ref-e, see
// docs/performance.md), so hvmc starts itself once more with the tunable set.
// HVMC_NO_HUGEPAGES=1 turns this off.
const tunables = process.env.GLIBC_TUNABLES ?? '';
if (process.platform === 'linux' && !process.env.HVMC_NO_HUGEPAGES && !tunables.includes('glibc.malloc.hugetlb')) {
  const env = { ...process.env, GLIBC_TUNABLES: [tunables, 'glibc.malloc.hugetlb=1'].filter(Boolean).join(':') };
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env });
  // The terminal sends Ctrl-C to both processes; the child decides what it means.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    }
    process.exit(code ?? 1);
  });
} else {
  // Node warns on stderr when a CommonJS .js policy file holds ES syntax;
  // hvmc's own one-line error says that, with what to do. Other warnings print.
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    if (!String(w.message).startsWith('To load an ES module')) process.stderr.write(`(node) ${w.name}: ${w.message}\n`);
  });
  // The command runs on a worker thread that this thread supervises (cli/supervise.ts):
  // a policy file's hook that never returns, runs out of memory or calls
  // process.exit ends the run with exit code 2 and one line, not a hang or a crash.
  const sources = new URL('../cli/supervise.ts', import.meta.url);
  let supervise;
  if (existsSync(sources)) {
    const { register } = await import('tsx/esm/api');
    register();
    ({ supervise } = await import(sources.href));
  } else {
    ({ supervise } = await import('../dist/cli/supervise.js'));
  }
  process.exitCode = await supervise(process.argv.slice(2));
}
