#!/usr/bin/env node
// hvmc's entry point: TypeScript sources run through tsx (also for user policy files).
import { spawn } from 'node:child_process';

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
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../cli/main.ts');
  process.exitCode = await main(process.argv.slice(2));
}
