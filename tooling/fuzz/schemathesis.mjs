#!/usr/bin/env node
// @ts-check
// API fuzzing with schemathesis (pnpm fuzz:api):
//   1. a Python virtualenv under .cache/ with a pinned schemathesis (created once, reused);
//   2. in a network namespace with only loopback when the machine allows it (`unshare -n`, root), else with the
//      loopback-only fetch guard alone: the built API on its embedded default (memory store) on a free loopback
//      port with a generated JWT_SECRET, a token with every scope minted by the CLI, and schemathesis against
//      /docs/json with that token: no 5xx, responses match their schemas (and the other checks listed below),
//      bounded by --max-examples per operation and --max-time.
// Every check (`--checks all`) in every phase, stateful included; the operations that refuse some schema-valid
// requests on purpose (rules no schema can express) are tuned in schemathesis.toml, each with its reason.
// Exit status: schemathesis's (0 = nothing found); 3 when the environment cannot run it (no python3 / venv).
//
//   node tooling/fuzz/schemathesis.mjs [--max-examples 25] [--max-time 100] [--seed N] [--checks a,b]
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
/** The pinned schemathesis version. */
export const SCHEMATHESIS_VERSION = '4.32.5';
const VENV = join(ROOT, '.cache', 'schemathesis-venv');
const ST = join(VENV, 'bin', 'st');
const API_BIN = join(ROOT, 'apps/api/dist/bin.js');
const CLI_BIN = join(ROOT, 'apps/cli/dist/index.js');
/** The checks run by default: all of them (tuning with reasons in schemathesis.toml). */
export const DEFAULT_CHECKS = ['all'];
const CONFIG = join(HERE, 'schemathesis.toml');
const HOOKS = join(HERE, 'schemathesis_hooks.py');

const { values } = parseArgs({
  options: {
    'max-examples': { type: 'string', default: '25' },
    'max-time': { type: 'string', default: '100' },
    seed: { type: 'string' },
    checks: { type: 'string', default: DEFAULT_CHECKS.join(',') },
    inner: { type: 'boolean', default: false },
    'no-netns': { type: 'boolean', default: false },
    'report-dir': { type: 'string', default: join(ROOT, '.cache', 'schemathesis-report') },
  },
  args: process.argv.slice(2).filter((a) => a !== '--'),
});
const log = (/** @type {string} */ line) => process.stderr.write(`fuzz:api: ${line}\n`);

if (!values.inner) {
  // Outer: the virtualenv (needs the package registry), then the run itself, isolated when possible.
  ensureVenv();
  for (const f of [API_BIN, CLI_BIN]) {
    if (!existsSync(f)) {
      log(`${f} is missing: build first (pnpm build)`);
      process.exit(3);
    }
  }
  const args = [
    fileURLToPath(import.meta.url),
    '--inner',
    ...process.argv.slice(2).filter((a) => a !== '--'),
  ];
  const netns =
    !values['no-netns'] && spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore' }).status === 0 && hasIp();
  if (netns) log('running in a new network namespace (loopback only)');
  else log('no network namespace here (unshare -n needs root); relying on the loopback-only fetch guard');
  const child = netns
    ? spawn('unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', process.execPath, ...args], {
        stdio: 'inherit',
      })
    : spawn(process.execPath, args, { stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  process.exitCode = await inner();
}

function hasIp() {
  return spawnSync('ip', ['-V'], { stdio: 'ignore' }).status === 0;
}

function ensureVenv() {
  const version = existsSync(ST) ? spawnSync(ST, ['--version'], { encoding: 'utf8' }).stdout : '';
  if (version.includes(SCHEMATHESIS_VERSION)) return;
  if (spawnSync('python3', ['--version'], { stdio: 'ignore' }).status !== 0) {
    log('python3 is not installed; schemathesis needs it (apt-get install python3 python3-venv)');
    process.exit(3);
  }
  mkdirSync(dirname(VENV), { recursive: true });
  log(`creating ${VENV} with schemathesis ${SCHEMATHESIS_VERSION}`);
  const t0 = Date.now();
  const venv = spawnSync('python3', ['-m', 'venv', '--clear', VENV], { stdio: 'inherit' });
  if (venv.status !== 0) {
    log('python3 -m venv failed (on Debian: apt-get install python3-venv)');
    process.exit(3);
  }
  const pip = spawnSync(
    join(VENV, 'bin', 'pip'),
    ['install', '-q', `schemathesis==${SCHEMATHESIS_VERSION}`],
    {
      stdio: 'inherit',
    },
  );
  if (pip.status !== 0) {
    log('pip install schemathesis failed');
    process.exit(3);
  }
  log(`virtualenv ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

async function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolvePort(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/**
 * Prints how often each check ran and with what result, from the newest NDJSON report (schemathesis prints only
 * failures): `fuzz:api: check <name>: <n> passed, <n> failed, <n> skipped`.
 */
function printCheckCounts(/** @type {string} */ dir) {
  const reports = readdirSync(dir)
    .filter((f) => f.startsWith('ndjson-') && f.endsWith('.ndjson'))
    .sort();
  const newest = reports[reports.length - 1];
  if (!newest) return;
  /** @type {Map<string, Record<string, number>>} */
  const counts = new Map();
  for (const line of readFileSync(join(dir, newest), 'utf8').split('\n')) {
    if (!line.includes('"ScenarioFinished"')) continue;
    const checks = JSON.parse(line).ScenarioFinished?.recorder?.checks ?? {};
    for (const results of Object.values(checks)) {
      for (const { name, status } of /** @type {{ name: string, status: string }[]} */ (results)) {
        const c = counts.get(name) ?? {};
        c[status] = (c[status] ?? 0) + 1;
        counts.set(name, c);
      }
    }
  }
  for (const [name, c] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    log(`check ${name}: ${c.success ?? 0} passed, ${c.failure ?? 0} failed, ${c.skip ?? 0} skipped`);
  }
}

async function inner() {
  const port = await freePort();
  const secret = randomBytes(32).toString('base64url');
  const base = `http://127.0.0.1:${port}`;
  mkdirSync(values['report-dir'], { recursive: true });
  const apiLog = join(values['report-dir'], 'api.log');
  const out = openSync(apiLog, 'w');
  /** @type {Record<string, string>} */
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    NODE_ENV: 'development',
    PORT: String(port),
    HOST: '127.0.0.1',
    JWT_SECRET: secret,
    LOG_LEVEL: 'warn',
    SCHEDULER_TIMEZONE: 'UTC',
    // The rate limit stays on (its headers are checked), high enough not to throttle the fuzzer.
    RATE_LIMIT_MAX: '1000000',
  };
  const api = spawn(process.execPath, ['--import', join(HERE, 'loopback-only.mjs'), API_BIN], {
    env,
    stdio: ['ignore', out, out],
  });
  const stop = () => api.kill('SIGKILL');
  process.once('exit', stop);
  try {
    let ready = false;
    for (let i = 0; i < 300 && !ready && api.exitCode === null; i++) {
      ready = await fetch(`${base}/health`)
        .then((r) => r.ok)
        .catch(() => false);
      if (!ready) await delay(100);
    }
    if (!ready) {
      log(`the API did not start; its log:\n${readFileSync(apiLog, 'utf8')}`);
      return 3;
    }
    const token = spawnSync(
      process.execPath,
      [CLI_BIN, 'token', '--scope', 'jobs:read', '--scope', 'jobs:write', '--scope', 'jobs:run'],
      { env: { ...env, JWT_SECRET: secret }, encoding: 'utf8' },
    );
    if (token.status !== 0) {
      log(`craft-jobs token failed: ${token.stderr}`);
      return 3;
    }
    const args = [
      '--config-file',
      CONFIG,
      'run',
      `${base}/docs/json`,
      '--url',
      base,
      '--header',
      `Authorization: Bearer ${token.stdout.trim()}`,
      '--checks',
      values.checks,
      // GET /jobs/events is a Server-Sent Events stream that never ends by itself: every request would run into
      // --request-timeout and count as an error. It is tested over real sockets instead (apps/api/test/events*.ts).
      '--exclude-path',
      '/jobs/events',
      '--max-examples',
      values['max-examples'],
      '--max-time',
      values['max-time'],
      '--workers',
      '2',
      '--request-timeout',
      '20',
      '--generation-database',
      'none',
      '--report',
      'junit,ndjson',
      '--report-dir',
      values['report-dir'],
      '--no-color',
      ...(values.seed ? ['--seed', values.seed] : []),
    ];
    log(`schemathesis ${SCHEMATHESIS_VERSION} against ${base}/docs/json (checks: ${values.checks})`);
    // cwd: schemathesis keeps a `.schemathesis/` cache in its working directory; keep it under .cache/.
    const st = spawn(ST, args, {
      stdio: 'inherit',
      cwd: dirname(VENV),
      env: { ...process.env, SCHEMATHESIS_TELEMETRY: 'false', SCHEMATHESIS_HOOKS: HOOKS },
    });
    const code = await new Promise((r) => st.on('exit', (c) => r(c ?? 1)));
    printCheckCounts(values['report-dir']);
    log(`schemathesis exited with ${code}; API log and reports in ${values['report-dir']}`);
    return /** @type {number} */ (code);
  } finally {
    stop();
    process.off('exit', stop);
  }
}
