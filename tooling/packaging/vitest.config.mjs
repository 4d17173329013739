import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.mjs'],
    // The MongoDB test server for standalone runs (`pnpm --filter @craft/packaging test`; under the root `pnpm test`
    // MONGODB_URI is already set), then one `pnpm pack` of every published package, shared by every test file.
    globalSetup: ['@craft/test-utils/global-setup', './test/setup/pack.mjs'],
    // npm installs from the tarballs and the registry, tsc runs, real processes: minutes, not seconds.
    testTimeout: 300_000,
    hookTimeout: 600_000,
  },
});
