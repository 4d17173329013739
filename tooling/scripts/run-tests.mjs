#!/usr/bin/env node
// The root `pnpm test`: brings up MongoDB for the suites, runs every package's tests through turbo, tears down.
//
//   MONGODB_URI set  -> used as is (a real MongoDB, a replica set, Atlas); nothing is started.
//   otherwise        -> tooling/mongo-test-server builds (cached) and starts the MongoDB-compatible test server
//                       on a free loopback port; MONGODB_URI is exported to turbo and stopped at the end.
// If the server cannot start: with CI=true the run fails here, saying why; elsewhere a loud warning is printed,
// the tests run anyway and every MongoDB suite fails on its own (requireMongoUri from @craft/test-utils throws
// with CRAFT_MONGODB_UNAVAILABLE in its message). Extra arguments go to `turbo run test`.
import { spawn } from 'node:child_process';
import { startMongoTestServer } from '../mongo-test-server/launch.mjs';

const extra = process.argv.slice(2);
const inCi = process.env.CI === 'true' || process.env.CI === '1';
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };

process.stderr.write(`run-tests: Node.js ${process.version} (${process.execPath})\n`);

/** @type {import('../mongo-test-server/launch.mjs').MongoTestServer | undefined} */
let server;
try {
  server = await startMongoTestServer();
  if (server.external) {
    process.stderr.write('run-tests: MONGODB_URI is set; the MongoDB suites run against it\n');
  } else {
    const { buildMs, startMs } = server.timings;
    process.stderr.write(
      `run-tests: MongoDB test server (mongo-java-server, in memory) at ${server.uri} ` +
        `(jar ${buildMs > 1000 ? `built in ${(buildMs / 1000).toFixed(1)} s` : 'cached'}, ` +
        `started in ${(startMs / 1000).toFixed(1)} s)\n`,
    );
  }
  env.MONGODB_URI = server.uri;
  env.CRAFT_MONGODB_SERVER = server.external ? 'external' : 'mongo-java-server';
} catch (error) {
  const reason = error instanceof Error ? error.message : String(error);
  if (inCi) {
    process.stderr.write(
      `\nrun-tests: FAILED: CI=true and the MongoDB test server could not start, so the MongoDB suites cannot run.\n` +
        `${reason}\nFix the cause above, or set MONGODB_URI to a running MongoDB.\n`,
    );
    process.exit(1);
  }
  const bar = '!'.repeat(100);
  process.stderr.write(
    `\n${bar}\nrun-tests: WARNING: the MongoDB test server could not start; the tests run anyway and every MongoDB ` +
      `suite will FAIL.\n${reason}\nFix the cause above, or set MONGODB_URI to a running MongoDB.\n${bar}\n\n`,
  );
  env.CRAFT_MONGODB_UNAVAILABLE = reason.split('\n')[0] ?? 'the test server could not start';
}

// Two phases when the whole suite runs: every package but the two machine-saturating ones, two at a time, then those
// one after the other — the chaos run (two API processes, a MongoDB test server of its own, SIGSTOPs) and the API
// fuzzing (schemathesis against a live API): beside them, the other suites' real-time bounds — the packaging's
// conformance run at the peer floors, the MongoDB gates — would measure the machine's load.
// With a --filter of the caller's, one phase with their arguments.
const filtered = extra.some((a) => a === '--filter' || a.startsWith('--filter='));
const phases = filtered
  ? [['--concurrency=2', ...extra]]
  : [
      ['--concurrency=2', '--filter=!@craft/chaos', '--filter=!@craft/fuzz', ...extra],
      ['--concurrency=1', '--filter=@craft/chaos', '--filter=@craft/fuzz', ...extra],
    ];

// Tee turbo's output and add up vitest's per-package "Tests  N passed | M failed" lines, so the run ends with
// one plain total across all packages.
const totals = { passed: 0, failed: 0, skipped: 0, packages: 0 };
const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** @param {string} line */
function countTests(line) {
  const m = /^\S+:test:\s+Tests\s+(.*)\(\d+\)\s*$/.exec(line);
  if (!m?.[1]) return;
  totals.packages++;
  for (const [, n, what] of m[1].matchAll(/(\d+) (passed|failed|skipped|todo)/g)) {
    if (what === 'passed') totals.passed += Number(n);
    else if (what === 'failed') totals.failed += Number(n);
    else totals.skipped += Number(n);
  }
}

/** @type {import('node:child_process').ChildProcess | null} */
let turbo = null;
let forwardedSignal;
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
  process.on(signal, () => {
    forwardedSignal = signal;
    turbo?.kill(signal);
  });
}

server?.exited.then(({ code, signal }) => {
  if (turbo !== null && turbo.exitCode === null) {
    process.stderr.write(
      `\nrun-tests: the MongoDB test server exited during the tests (${signal ?? `code ${code}`}); ` +
        'the MongoDB suites will fail from here on\n',
    );
  }
});

/** One `turbo run test` with `args`; resolves with its exit status. @param {string[]} args */
function runTurbo(args) {
  const child = spawn('pnpm', ['exec', 'turbo', 'run', 'test', '--continue', ...args], {
    stdio: ['inherit', 'pipe', 'pipe'],
    env,
  });
  turbo = child;
  for (const [stream, sink] of /** @type {const} */ ([
    [child.stdout, process.stdout],
    [child.stderr, process.stderr],
  ])) {
    let pending = '';
    stream.on('data', (chunk) => {
      sink.write(chunk);
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) countTests(line.replace(ansi, ''));
    });
  }
  return new Promise((resolve) => {
    child.on('error', (error) => {
      process.stderr.write(`run-tests: cannot run turbo through pnpm: ${error.message}\n`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + signalNumber(signal) : 1)));
  });
}

let status = 0;
for (const args of phases) {
  if (forwardedSignal) break;
  const code = await runTurbo(args);
  if (code !== 0 && status === 0) status = code;
}

await server?.stop();
process.stdout.write(
  `\nrun-tests: ${totals.packages} package(s) with tests\n${totals.passed} passed, ${totals.failed} failed` +
    `${totals.skipped ? `, ${totals.skipped} skipped` : ''}\n`,
);
if (forwardedSignal && status === 0) process.exit(130);
process.exit(status);

/** @param {NodeJS.Signals} signal */
function signalNumber(signal) {
  return { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }[signal] ?? 1;
}
