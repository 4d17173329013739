#!/usr/bin/env node
import { runCli } from './cli.js';

// Writing to a closed pipe (`craft-jobs cron next ... | head -1`) is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const status = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: () => process.cwd(),
  now: () => new Date(),
  signals: process,
  exit: (code) => process.exit(code),
});
process.exitCode = status;
// A user's jobs module may hold timers or connection pools open after the command is done. The timer does not keep
// the process alive by itself: it fires only if something else does, and then ends the process.
setTimeout(() => process.exit(status), 250).unref();
