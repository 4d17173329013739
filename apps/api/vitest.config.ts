import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Standalone runs start the MongoDB test server for the end-to-end suite; under the root `pnpm test`
    // MONGODB_URI is already set and this does nothing.
    globalSetup: ['@craft/test-utils/global-setup'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    coverage: { include: ['src/**'], reporter: ['text-summary', 'text'] },
  },
});
