import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.mjs'],
    // Standalone runs start the MongoDB test server; under the root `pnpm test` MONGODB_URI is already set.
    globalSetup: ['@craft/test-utils/global-setup'],
    testTimeout: 60_000,
  },
});
