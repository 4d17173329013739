#!/usr/bin/env node
// Runs every package's tests through turbo. (The MongoDB test server is started here once it exists.)
import { spawnSync } from 'node:child_process';

const extra = process.argv.slice(2);
const result = spawnSync('pnpm', ['exec', 'turbo', 'run', 'test', '--concurrency=2', ...extra], {
  stdio: 'inherit',
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
});
process.exit(result.status ?? 1);
