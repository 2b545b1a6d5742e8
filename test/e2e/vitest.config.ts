import { defineConfig } from 'vitest/config';

// The end-to-end test of the packed package in scratch user projects
// (npm run test:e2e; .ci/run runs it). Not part of npm test: it packs and
// installs, which takes a minute.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    maxConcurrency: 4,
  },
});
