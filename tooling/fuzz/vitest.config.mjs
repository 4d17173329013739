import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.mjs'],
    // The cron fuzz takes seconds; the API fuzz about 3 minutes (--max-time 150) with the virtualenv created.
    testTimeout: 420_000,
  },
});
