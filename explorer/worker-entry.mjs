// Entry of a parallel-search worker thread: TypeScript through tsx, then the worker module.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
