import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One browser and one craft-api process for all browser tests (test/browser/global-setup.ts); the files
    // run one after another so the 2-core machines stay responsive.
    globalSetup: ['test/browser/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    coverage: { include: ['src/**'], reporter: ['text-summary', 'text'] },
  },
});
