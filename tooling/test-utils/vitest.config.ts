import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Starts the MongoDB test server when MONGODB_URI is not set (e.g. `pnpm --filter @craft/test-utils test`);
    // under the root `pnpm test` MONGODB_URI is already set and nothing is started.
    globalSetup: ['./src/global-setup.ts'],
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
