import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Standalone runs (`pnpm --filter @craft/cli test`) start the MongoDB test server for the database suites;
    // under the root `pnpm test` MONGODB_URI is already set and this does nothing.
    globalSetup: ['@craft/test-utils/global-setup'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    coverage: { include: ['src/**'], reporter: ['text-summary', 'text'] },
  },
});
