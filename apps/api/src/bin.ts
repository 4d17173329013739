#!/usr/bin/env node
// `craft-api` / `npx @craft/api`: starts the service from the environment (see the README for every variable).
import { InvalidSettingsError } from '@craft/runtime';
import { startServer } from './server.js';

startServer().catch((error: unknown) => {
  if (error instanceof InvalidSettingsError) {
    // One line per problem, each naming its variable. 78 (EX_CONFIG) lets a supervisor tell "fix the
    // configuration" from a failure worth restarting (systemd: RestartPreventExitStatus=78).
    const lines = error.problems.map((p) => `  - ${p.origin}: ${p.message}`);
    process.stderr.write(`craft-api: invalid configuration (${error.code}):\n${lines.join('\n')}\n`);
    process.exit(78);
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
