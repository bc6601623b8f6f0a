import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // tfjs backends are process-global; forks keep each file's backend choice to itself.
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
