import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Starts the MongoDB-compatible test server when MONGODB_URI is not set (`pnpm --filter @craft/runtime test`);
    // under the root `pnpm test` MONGODB_URI is already set. A server that cannot start fails the run.
    globalSetup: ['@craft/test-utils/global-setup'],
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    coverage: { include: ['src/**'], reporter: ['text-summary', 'text'] },
  },
});
