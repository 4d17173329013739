// Idempotency-Key across replicas: two real craft-api processes on loopback ports, one MongoDB database (the test
// server). A retry of each triggering POST — sequentially, concurrently, on the other process, and after the first
// process was killed mid-request — makes exactly one schedule or run.
import { fileURLToPath } from 'node:url';
import { manualRunKey } from '@craft/scheduler';
import { randomDbName, requireMongoUri } from '@craft/test-utils';
import { createSigner } from 'fast-jwt';
import { type Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, killAll, startApi } from './process.js';

const MONGODB_URI = requireMongoUri();
const SECRET = 'replicas-secret-0123456789abcdef0123456789';
const SUB = 'replica-tester';
const TOKEN = createSigner({ key: SECRET })({ sub: SUB, scope: 'jobs:read jobs:write jobs:run' });
const JOBS = fileURLToPath(new URL('./fixtures/hold-jobs.mjs', import.meta.url));

let client: MongoClient;
let dbName: string;
let db: Db;

beforeAll(async () => {
  client = await MongoClient.connect(MONGODB_URI);
  dbName = randomDbName('api-idem');
  db = client.db(dbName);
});

afterAll(async () => {
  killAll();
  await db?.dropDatabase().catch(() => {});
  await client?.close();
});

const env = (extra: Record<string, string> = {}) => ({
  MONGODB_URI,
  MONGODB_DB: dbName,
  JWT_SECRET: SECRET,
  CRAFT_JOBS: JOBS,
  LOG_LEVEL: 'warn',
  SCHEDULER_TIMEZONE: 'UTC',
  CRAFT_TEST_IDEMPOTENCY_LEASE_MS: '1500',
  ...extra,
});

interface Answer {
  status: number;
  text: string;
  replayed: boolean;
  json: Record<string, unknown>;
}

async function post(api: ApiProcess, path: string, key: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${TOKEN}`,
      'idempotency-key': key,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    text,
    replayed: res.headers.get('idempotent-replayed') === 'true',
    json: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

describe('two API processes on one database (scheduler loops off: every run comes from a request)', () => {
  let a: ApiProcess;
  let b: ApiProcess;
  beforeAll(async () => {
    [a, b] = await Promise.all([
      startApi(env({ SCHEDULER_ENABLED: 'false' })),
      startApi(env({ SCHEDULER_ENABLED: 'false' })),
    ]);
  }, 60_000);

  const count = (collection: string, filter: Record<string, unknown>) =>
    db.collection(collection).countDocuments(filter);

  const cases: {
    name: string;
    path: string;
    body?: (i: string) => unknown;
    setup?: (i: string) => Promise<void>;
    made: (i: string) => Promise<number>;
    status: number;
  }[] = [
    {
      name: 'POST /jobs/schedules',
      path: '/jobs/schedules',
      body: (i) => ({ job_name: `created-${i}`, cron_expression: '0 3 * * *', job_type: 'hold' }),
      made: (i) => count('job_schedules', { job_name: `created-${i}` }),
      status: 201,
    },
    {
      name: 'POST /jobs/schedules/{job_name}/run',
      path: '/jobs/schedules/held/run',
      setup: async () => {
        if ((await count('job_schedules', { job_name: 'held' })) === 0) {
          await post(a, '/jobs/schedules', 'setup-held', {
            job_name: 'held',
            cron_expression: '0 3 * * *',
            job_type: 'hold',
            parameters: { ms: 10 },
          });
        }
      },
      made: async (i) => count('job_runs', { run_key: manualRunKey(`token:${SUB}`, `run-now-${i}`) }),
      status: 202,
    },
    {
      name: 'POST /jobs/run/{job_type}',
      path: '/jobs/run/hold',
      body: (i) => ({ parameters: { ms: 10, tag: i } }),
      made: async (i) => count('job_runs', { 'parameters.tag': i }),
      status: 202,
    },
    {
      name: 'POST /jobs/check-schedules',
      path: '/jobs/check-schedules',
      setup: async (i) => {
        // A schedule due since a minute, written as another program would (next_run_at in the past).
        await db.collection('job_schedules').insertOne({
          job_name: `due-${i}`,
          cron_expression: '* * * * *',
          job_type: 'hold',
          parameters: { ms: 10 },
          is_enabled: true,
          // The current minute's slot: due now, and a slot of the expression.
          next_run_at: new Date(Math.floor(Date.now() / 60_000) * 60_000),
        });
      },
      made: (i) => count('job_runs', { job_name: `due-${i}`, status: { $ne: 'skipped' } }),
      status: 200,
    },
  ];

  for (const c of cases) {
    it(`${c.name}: retried on the same and the other process, one after another, makes one`, async () => {
      const i = `seq-${c.path.length}`;
      await c.setup?.(i);
      const key = c.path.includes('/run') && c.path.includes('schedules') ? `run-now-${i}` : `seq-${i}`;
      const first = await post(a, c.path, key, c.body?.(i));
      expect(first.status, first.text).toBe(c.status);
      expect(first.replayed).toBe(false);
      for (const api of [b, a, b]) {
        const retry = await post(api, c.path, key, c.body?.(i));
        expect(retry.status).toBe(c.status);
        expect(retry.replayed).toBe(true);
        expect(retry.text).toBe(first.text);
      }
      expect(await c.made(i)).toBe(1);
    });

    it(`${c.name}: sent concurrently to both processes, makes one`, async () => {
      const i = `par-${c.path.length}`;
      await c.setup?.(i);
      const key = c.path.includes('/run') && c.path.includes('schedules') ? `run-now-${i}` : `par-${i}`;
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, n) => post(n % 2 ? a : b, c.path, key, c.body?.(i))),
      );
      const fresh = answers.filter((r) => r.status === c.status && !r.replayed);
      expect(fresh, answers.map((r) => `${r.status} ${r.text.slice(0, 80)}`).join('\n')).toHaveLength(1);
      for (const r of answers) {
        if (r.status === 409) expect(r.json['code']).toBe('CRAFT_API_IDEMPOTENCY_IN_PROGRESS');
        else expect(r.text).toBe(fresh[0]?.text);
      }
      expect(await c.made(i)).toBe(1);
    });
  }
});

describe('the first process dies between triggering and answering', () => {
  it('a retry on another process takes the key over after its lease and answers the run the dead one started', async () => {
    // Process A runs the job (and will be killed); B runs the scheduler loop, which recovers A's run.
    const a = await startApi(env({ SCHEDULER_ENABLED: 'false', LOCK_TTL_SECONDS: '5' }));
    const b = await startApi(
      env({ SCHEDULER_ENABLED: 'true', LOCK_TTL_SECONDS: '5', POLL_INTERVAL_SECONDS: '1' }),
    );
    const key = 'crash-1';
    const runKey = manualRunKey(`token:${SUB}`, key);
    const body = { parameters: { ms: 60_000, tag: 'crash' } };
    // The first request waits for its run (wait=true): A triggers it and has not answered when it dies.
    const first = post(a, '/jobs/run/hold?wait=true', key, body).catch((error: unknown) => error);
    for (let i = 0; i < 100 && (await count(runKey)) === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await count(runKey)).toBe(1);
    await a.stop('SIGKILL');
    expect(await first).toBeInstanceOf(Error);

    // The retry: 409 while A's reservation still looks alive, then B takes the key over, finds the run by its run
    // key, waits for it (B's loop marks it abandoned once A's lease expired) and answers it.
    let retry: Answer | undefined;
    for (let attempt = 0; attempt < 10; attempt++) {
      retry = await post(b, '/jobs/run/hold?wait=true', key, body);
      if (retry.status !== 409) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(retry?.status, retry?.text).toBe(200);
    expect(retry?.replayed).toBe(true);
    const run = retry?.json as { run_key: string; status: string; attempts: unknown[] };
    expect(run.run_key).toBe(runKey);
    expect(run.status).toBe('abandoned');
    expect(await db.collection('job_runs').countDocuments({ 'parameters.tag': 'crash' })).toBe(1);
    // And from now on the stored answer is replayed as is.
    const again = await post(b, '/jobs/run/hold?wait=true', key, body);
    expect(again.replayed).toBe(true);
    expect(again.text).toBe(retry?.text);
    await b.stop('SIGTERM');

    async function count(k: string) {
      return db.collection('job_runs').countDocuments({ run_key: k });
    }
  }, 90_000);
});
