// End to end: the built service as a real child process on a loopback port, against the MongoDB test server
// (MONGODB_URI from the root `pnpm test`, or this package's global setup). Real sockets, real signals.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomDbName, requireMongoUri } from '@craft/test-utils';
import { createSigner } from 'fast-jwt';
import { type Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, killAll, startApi } from './process.js';

const MONGODB_URI = requireMongoUri();
const SECRET = 'e2e-secret-0123456789abcdef0123456789abcdef';
const TOKEN = createSigner({ key: SECRET })({ sub: 'e2e', scope: 'jobs:read jobs:write jobs:run' });
const AUTH = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

let client: MongoClient;
let dbName: string;
let db: Db;
let hooks: Server;
let hookUrl: string;
/** Webhook calls received, by `schedule` in the request body. */
const hits = new Map<string, number>();
let releaseSlow: () => void = () => {};

beforeAll(async () => {
  client = await MongoClient.connect(MONGODB_URI);
  dbName = randomDbName('api-e2e');
  db = client.db(dbName);
  hooks = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      if (req.url === '/slow') {
        releaseSlow = () => res.end('slow done');
        return;
      }
      const name = body ? (JSON.parse(body) as { schedule?: string }).schedule : undefined;
      if (name) hits.set(name, (hits.get(name) ?? 0) + 1);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
});

afterAll(async () => {
  killAll();
  await db?.dropDatabase().catch(() => {});
  await client?.close();
  hooks?.closeAllConnections();
  await new Promise((r) => hooks?.close(r));
});

const env = (extra: Record<string, string> = {}) => ({
  MONGODB_URI,
  MONGODB_DB: dbName,
  JWT_SECRET: SECRET,
  LOG_LEVEL: 'info',
  POLL_INTERVAL_SECONDS: '1',
  SHUTDOWN_GRACE_SECONDS: '20',
  LOCK_TTL_SECONDS: '30',
  ...extra,
});

async function call(api: ApiProcess, method: string, path: string, body?: unknown) {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: AUTH,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

describe('one real server on MongoDB', () => {
  it('serves the API over HTTP, persists in job_schedules/job_runs, drains on SIGTERM and exits 0', async () => {
    const api = await startApi(env());
    let stopped = false;
    try {
      const ready = (await (await fetch(`${api.url}/ready`)).json()) as { storage: string };
      expect(ready.storage).toBe('mongodb');
      expect((await fetch(`${api.url}/jobs/schedules`)).status).toBe(401);

      const created = await call(api, 'POST', '/jobs/schedules', {
        job_name: 'nightly-cleanup',
        description: 'Delete expired tokens every night at 03:00',
        cron_expression: '0 3 * * *',
        job_type: 'cleanup_run_history',
        parameters: { older_than_days: 30 },
        max_attempts: 2,
        timeout_seconds: 300,
      });
      expect(created.status).toBe(201);
      expect((await call(api, 'POST', '/jobs/schedules', created.body)).status).toBe(400); // managed fields
      expect(
        (
          await call(api, 'POST', '/jobs/schedules', {
            job_name: 'nightly-cleanup',
            cron_expression: '0 3 * * *',
            job_type: 'cleanup_run_history',
          })
        ).status,
      ).toBe(409);

      // The document is what another program reading the collection expects: snake_case, BSON dates.
      const doc = await db.collection('job_schedules').findOne({ job_name: 'nightly-cleanup' });
      expect(doc).toMatchObject({
        job_name: 'nightly-cleanup',
        cron_expression: '0 3 * * *',
        is_enabled: true,
        job_type: 'cleanup_run_history',
        max_attempts: 2,
        timeout_seconds: 300,
        chain: [],
      });
      expect(doc?.['next_run_at']).toBeInstanceOf(Date);
      expect(doc?.['next_run_at'].toISOString()).toBe(created.body.next_run_at);

      const preview = await call(api, 'GET', '/jobs/schedules/nightly-cleanup/next-runs?count=2');
      expect(preview.body.runs).toHaveLength(2);
      const ran = await call(api, 'POST', '/jobs/schedules/nightly-cleanup/run?wait=true');
      expect(ran.body).toMatchObject({ status: 'succeeded', trigger: 'manual', result: { deleted: 0 } });
      const runDoc = await db.collection('job_runs').findOne({ job_name: 'nightly-cleanup' });
      expect(runDoc).toMatchObject({
        status: 'succeeded',
        trigger: 'manual',
        job_type: 'cleanup_run_history',
      });
      expect((await call(api, 'GET', '/jobs/runs?job_name=nightly-cleanup')).body.total).toBe(1);
      const metrics = await fetch(`${api.url}/metrics`, { headers: AUTH });
      expect(await metrics.text()).toMatch(
        /craft_runs_total\{job_type="cleanup_run_history",status="succeeded",trigger="manual"\} 1/,
      );

      // A run still executing when SIGTERM arrives finishes before the process exits 0.
      const slow = await call(api, 'POST', '/jobs/run/http_request', {
        parameters: { url: `${hookUrl}/slow`, method: 'GET', timeout_seconds: 60 },
      });
      expect(slow.status).toBe(202);
      for (
        let i = 0;
        i < 100 && !(await db.collection('job_runs').findOne({ id: slow.body.id, status: 'running' }));
        i++
      ) {
        await new Promise((r) => setTimeout(r, 50));
      }
      api.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      expect(api.child.exitCode).toBeNull(); // still draining
      releaseSlow();
      expect(await api.exited).toBe(0);
      stopped = true;
      expect(api.output()).toContain('shut down cleanly');
      expect(await db.collection('job_runs').findOne({ id: slow.body.id })).toMatchObject({
        status: 'succeeded',
        result: { status: 200, body: 'slow done' },
      });
    } finally {
      if (!stopped) await api.stop('SIGKILL');
    }

    // A new process on the same database sees everything.
    const again = await startApi(env());
    try {
      expect((await call(again, 'GET', '/jobs/schedules/nightly-cleanup')).body.description).toBe(
        'Delete expired tokens every night at 03:00',
      );
    } finally {
      expect(await again.stop()).toBe(0);
    }
  });
});

describe('two API processes on one database', () => {
  it('trigger each due slot exactly once (clocks ±3 s apart, both loops running, concurrent check-schedules)', async () => {
    const minute = 60_000;
    // More schedules than one replica runs at once (maxConcurrentRuns 32): a pass claims 16 per batch and stops when
    // its replica is full, so whichever replica passes first cannot take them all and the race is real.
    const names = Array.from({ length: 40 }, (_, i) => `e2e-${String(i).padStart(2, '0')}`);
    const [a, b] = await Promise.all([
      startApi(env({ CRAFT_TEST_CLOCK_OFFSET_MS: '3000' })),
      startApi(env({ CRAFT_TEST_CLOCK_OFFSET_MS: '-3000' })),
    ]);
    let firstMissed = 0;
    try {
      firstMissed = Math.floor(Date.now() / minute) * minute - 4 * minute;
      // Written straight into the collection while both replicas run, as another program would (spec
      // section 1): four missed slots and the current one are due at once, on both replicas.
      await db.collection('job_schedules').insertMany(
        names.map((name) => ({
          job_name: name,
          description: null,
          cron_expression: '* * * * *',
          is_enabled: true,
          job_type: 'http_request',
          parameters: { url: `${hookUrl}/hook`, method: 'POST', body: { schedule: name } },
          max_attempts: 1,
          timeout_seconds: 30,
          chain: [],
          missed_run_policy: 'all',
          max_catch_up_runs: 10,
          next_run_at: new Date(firstMissed),
          last_run_at: null,
          last_run_status: null,
        })),
      );
      // Both replicas also get explicit cycles at the same moments, racing their own loops.
      for (let i = 0; i < 5; i++) {
        const results = await Promise.all([
          call(a, 'POST', '/jobs/check-schedules'),
          call(b, 'POST', '/jobs/check-schedules'),
        ]);
        for (const r of results) expect(r.status).toBe(200);
      }
      // Wait until every run is final.
      const runs = db.collection('job_runs');
      for (let i = 0; i < 300; i++) {
        const live = await runs.countDocuments({
          job_name: { $in: names },
          status: { $in: ['pending', 'running'] },
        });
        const total = await runs.countDocuments({ job_name: { $in: names } });
        if (live === 0 && total >= names.length * 4) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      const codes = await Promise.all([a.stop(), b.stop()]);
      expect(codes).toEqual([0, 0]);
    }

    const all = await db
      .collection('job_runs')
      .find({ job_name: { $in: names } })
      .toArray();
    for (const name of names) {
      const mine = all.filter((r) => r['job_name'] === name);
      const slots = mine.map((r) => (r['slot'] as Date).toISOString());
      // exactly one run per slot…
      expect(new Set(slots).size).toBe(slots.length);
      // …the four missed slots ran (policy all), each once…
      for (let k = 0; k < 4; k++) {
        const slot = new Date(firstMissed + k * minute).toISOString();
        expect(mine.filter((r) => (r['slot'] as Date).toISOString() === slot)).toHaveLength(1);
      }
      // …every run succeeded, and the webhook was called once per run, never twice.
      expect(mine.every((r) => r['status'] === 'succeeded')).toBe(true);
      expect(hits.get(name)).toBe(mine.length);
    }
    // Both replicas won some claims (40 schedules raced by two loops and concurrent cycles).
    expect(new Set(all.map((r) => r['replica_id'])).size).toBe(2);
  });
});
