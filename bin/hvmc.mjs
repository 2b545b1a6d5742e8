#!/usr/bin/env node
// hvmc's entry point: TypeScript sources run through tsx (also for user policy files).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
