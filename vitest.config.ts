import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // hvmc's own tests import the package by name, as a user does, but test
    // the sources: the compiled dist/ is checked by test/e2e.
    alias: [
      { find: /^hvmc\/vitest$/, replacement: fileURLToPath(new URL('./cli/vitest.ts', import.meta.url)) },
      { find: /^hvmc$/, replacement: fileURLToPath(new URL('./index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Every core: vitest 4 otherwise ran the files one at a time here (111 s instead of 90 s on 2 cores).
    maxWorkers: '100%',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
