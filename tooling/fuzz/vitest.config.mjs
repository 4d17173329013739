import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.mjs'],
    // The cron fuzz takes seconds; the API fuzz up to about 2.5 minutes with the virtualenv created.
    testTimeout: 300_000,
  },
});
