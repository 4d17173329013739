import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.mjs'],
    // The short chaos run takes about 1.5 minutes of real time (more on a loaded machine).
    testTimeout: 400_000,
    hookTimeout: 60_000,
  },
});
