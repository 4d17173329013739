import { defineConfig } from 'vitest/config';

// Property and fuzz tests do real work; on a loaded 2-core CI machine the default 5 s per test is too tight.
// Speed is measured in bench/, never here.
export default defineConfig({
  test: { testTimeout: 60_000 },
});
