#!/usr/bin/env node
// @craft/api against a bare Fastify route, on this machine, in one run: req/s and p99 latency of
// GET /jobs/schedules/:job_name and POST /jobs/schedules (the real `craft-api` process on its in-memory default,
// JWT auth, TypeBox validation and serialisation) next to bare Fastify routes doing the same shape of work
// (answer a schedule-sized JSON; parse a JSON body and answer 201). Loopback only, bounded duration.
//
//   pnpm bench api                 full run (4 scenarios x 3 rounds x 5 s, about 1.5 minutes)
//   pnpm bench api --quick         smoke run (1 round x 2 s)
//   node bench/api.bench.mjs [--quick] [--markdown] [--connections N] [--duration S] [--rounds R]
//   node bench/api.bench.mjs --cpu-rate 2000   instead of req/s at saturation: each server's CPU time per request
//                                              (/proc, Linux) at that fixed rate, which the load generator's own
//                                              share of the two cores does not blur
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { median } from './lib/harness.mjs';
import { formatRate, formatRatio, formatTable } from './lib/table.mjs';

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : fallback;
};
const QUICK = flag('--quick') || process.env.BENCH_QUICK === '1';
const DURATION = option('--duration', QUICK ? 2 : 5);
const ROUNDS = option('--rounds', QUICK ? 1 : 3);
const CONNECTIONS = option('--connections', 10);
const WARMUP_S = QUICK ? 1 : 2;
const CPU_RATE = option('--cpu-rate', 0);

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const API_BIN = join(dirname(require.resolve('@craft/api/package.json')), 'dist', 'bin.js');
const BARE = join(here, 'lib', 'api', 'bare-server.mjs');
const SECRET = 'bench-secret-0123456789abcdef0123456789abcdef';

function hs256(payload) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
  return `${head}.${createHmac('sha256', SECRET).update(head).digest('base64url')}`;
}
const TOKEN = hs256({
  sub: 'bench',
  scope: 'jobs:read jobs:write',
  exp: Math.floor(Date.now() / 1000) + 3600,
});

async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

async function startServer(name, script, env) {
  const port = await freePort();
  const child = spawn(process.execPath, [script], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c) => {
    out += c;
  });
  child.stderr.on('data', (c) => {
    out += c;
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited:\n${out}`);
    try {
      const probe = name === 'api' ? '/health' : '/bare/schedule';
      if ((await fetch(url + probe)).ok) return { url, child };
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${name} did not start:\n${out}`);
}

let counter = 0;
const scheduleBody = () =>
  JSON.stringify({
    job_name: `bench-${process.pid}-${counter++}`,
    cron_expression: '0 3 1 1 *',
    job_type: 'calculate_next_schedules',
    description: 'created by the benchmark',
  });

/**
 * One autocannon run. Latencies are taken from each response's own timer (float milliseconds): autocannon's
 * histogram rounds to whole milliseconds, too coarse for sub-millisecond loopback latencies.
 */
function run(opts, seconds) {
  return new Promise((resolve, reject) => {
    const samples = [];
    const instance = autocannon(
      { connections: CONNECTIONS, pipelining: 1, duration: seconds, ...opts },
      (error, result) => (error ? reject(error) : resolve({ result, samples })),
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) samples.push(ms);
    });
  });
}

/** CPU time (user + system) a process has used, in µs, from /proc (clock ticks of 10 ms). */
function cpuMicros(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

function percentile(samples, p) {
  if (samples.length === 0) return Number.NaN;
  const sorted = Float64Array.from(samples).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))];
}

async function main() {
  const api = await startServer('api', API_BIN, {
    JWT_SECRET: SECRET,
    SCHEDULER_ENABLED: 'false',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'development',
    // The rate limit stays on (its bookkeeping is part of every request) but high enough that the benchmark's one
    // client is never limited: with the default (600 per window) nearly every request would be a 429.
    RATE_LIMIT_MAX: '1000000000',
  });
  const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  let bare = null;
  try {
    const created = await fetch(`${api.url}/jobs/schedules`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        job_name: 'bench-target',
        cron_expression: '0 3 1 1 *',
        job_type: 'calculate_next_schedules',
      }),
    });
    if (created.status !== 201) throw new Error(`could not create the target schedule: ${created.status}`);
    // The bare server answers exactly the JSON the API answers for the target (same fields, same bytes).
    bare = await startServer('bare', BARE, { BARE_SCHEDULE_JSON: await created.text() });

    const scenarios = [
      {
        id: 'api-get',
        label: 'craft-api GET /jobs/schedules/:job_name',
        url: `${api.url}/jobs/schedules/bench-target`,
        method: 'GET',
        headers: auth,
        expect: 200,
      },
      {
        id: 'bare-get',
        label: 'bare Fastify GET (same JSON)',
        url: `${bare.url}/bare/schedule`,
        method: 'GET',
        headers: {},
        expect: 200,
      },
      {
        id: 'api-post',
        label: 'craft-api POST /jobs/schedules',
        url: `${api.url}/jobs/schedules`,
        method: 'POST',
        headers: auth,
        post: true,
        expect: 201,
      },
      {
        id: 'bare-post',
        label: 'bare Fastify POST (parse + 201)',
        url: `${bare.url}/bare/schedule`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        post: true,
        expect: 201,
      },
    ];
    const opts = (s) => ({
      url: s.url,
      method: s.method,
      headers: s.headers,
      ...(s.post ? { requests: [{ setupRequest: (req) => ({ ...req, body: scheduleBody() }) }] } : {}),
    });
    if (CPU_RATE > 0) return await cpuPerRequest(scenarios, opts, { api, bare });
    // warm-up (JIT, caches), not recorded
    for (const s of scenarios) await run(opts(s), WARMUP_S);
    const results = Object.fromEntries(scenarios.map((s) => [s.id, { rps: [], p99: [], bad: 0 }]));
    for (let round = 0; round < ROUNDS; round++) {
      // alternate the order per round so drift on a shared machine hits both sides alike
      const order = round % 2 === 0 ? scenarios : [...scenarios].reverse();
      for (const s of order) {
        const { result: r, samples } = await run(opts(s), DURATION);
        results[s.id].rps.push(r.requests.average);
        results[s.id].p99.push(percentile(samples, 0.99));
        results[s.id].bad += r.non2xx + r.errors + r.timeouts;
      }
    }
    const row = (s, base) => {
      const rps = median(results[s.id].rps);
      const p99 = median(results[s.id].p99);
      const baseRps = base ? median(results[base].rps) : rps;
      const baseP99 = base ? median(results[base].p99) : p99;
      return [
        s.label,
        formatRate(rps),
        `${p99.toFixed(2)} ms`,
        base ? formatRatio(baseRps / rps) : '1×',
        base ? formatRatio(p99 / baseP99) : '1×',
        String(results[s.id].bad),
      ];
    };
    const byId = Object.fromEntries(scenarios.map((s) => [s.id, s]));
    const rows = [
      row(byId['bare-get']),
      row(byId['api-get'], 'bare-get'),
      [''],
      row(byId['bare-post']),
      row(byId['api-post'], 'bare-post'),
    ];
    console.log(
      `\n@craft/api vs bare Fastify — ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ` +
        `${CONNECTIONS} connections, ${ROUNDS} round(s) × ${DURATION} s each, medians; in-memory store, LOG_LEVEL=warn\n`,
    );
    console.log(
      formatTable(['scenario', 'req/s', 'p99', 'bare/api req/s', 'api/bare p99', 'non-2xx/errors'], rows, {
        markdown: flag('--markdown'),
      }),
    );
    const bad = Object.values(results).reduce((n, r) => n + r.bad, 0);
    if (bad > 0) {
      console.error(`\n${bad} responses were not the expected 2xx: the figures above are not valid.`);
      process.exitCode = 1;
    }
  } finally {
    api.child.kill('SIGTERM');
    bare?.child.kill('SIGTERM');
  }
}

/** `--cpu-rate R`: each scenario at R requests per second; its server's CPU µs per request, median of the rounds. */
async function cpuPerRequest(scenarios, opts, servers) {
  const pidOf = (s) => (s.id.startsWith('api') ? servers.api : servers.bare).child.pid;
  for (const s of scenarios) await run({ ...opts(s), overallRate: CPU_RATE }, WARMUP_S);
  const micros = Object.fromEntries(scenarios.map((s) => [s.id, []]));
  let bad = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? scenarios : [...scenarios].reverse();
    for (const s of order) {
      const before = cpuMicros(pidOf(s));
      const { result: r } = await run({ ...opts(s), overallRate: CPU_RATE }, DURATION);
      micros[s.id].push((cpuMicros(pidOf(s)) - before) / r.requests.total);
      bad += r.non2xx + r.errors + r.timeouts;
    }
  }
  const m = (id) => median(micros[id]);
  const row = (id, label, base) => [
    label,
    `${m(id).toFixed(1)} µs`,
    micros[id].map((x) => x.toFixed(0)).join(' / '),
    base ? formatRatio(m(id) / m(base)) : '1×',
    base ? `${Math.round((100 * m(base)) / m(id))} %` : '',
  ];
  const label = (id) => scenarios.find((s) => s.id === id).label;
  console.log(
    `\n@craft/api vs bare Fastify: server CPU per request at ${CPU_RATE} req/s — ${os.cpus().length} × ` +
      `${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${ROUNDS} round(s) × ${DURATION} s, medians\n`,
  );
  console.log(
    formatTable(
      ['scenario', 'CPU per request', 'rounds', 'api/bare', 'bare ÷ api'],
      [
        row('bare-get', label('bare-get')),
        row('api-get', label('api-get'), 'bare-get'),
        [''],
        row('bare-post', label('bare-post')),
        row('api-post', label('api-post'), 'bare-post'),
      ],
      { markdown: flag('--markdown') },
    ),
  );
  if (bad > 0) {
    console.error(`\n${bad} responses were not the expected 2xx: the figures above are not valid.`);
    process.exitCode = 1;
  }
}

await main();
