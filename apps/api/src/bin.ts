#!/usr/bin/env node
// `craft-api` / `npx @craft/api`: starts the service from the environment (see the README for every variable).
import { ConfigError } from './errors.js';
import { startServer } from './server.js';

startServer().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  const e = error as { code?: unknown; message?: unknown; stack?: unknown };
  process.stderr.write(
    `craft-api: failed to start${typeof e.code === 'string' ? ` (${e.code})` : ''}: ${String(e.message ?? error)}\n`,
  );
  if (process.env['NODE_ENV'] !== 'production' && typeof e.stack === 'string') {
    process.stderr.write(`${e.stack}\n`);
  }
  process.exit(1);
});
