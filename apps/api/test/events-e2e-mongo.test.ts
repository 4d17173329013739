// The event stream across replicas, end to end: two built services as real child processes on one MongoDB
// database, one of them with its clock 4 s behind; SSE over real sockets (spec section 12).
import { randomDbName, requireMongoUri } from '@craft/test-utils';
import { createSigner } from 'fast-jwt';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, killAll, startApi } from './process.js';
import { openSse, payload, type SseMessage } from './sse.js';

const MONGODB_URI = requireMongoUri();
const SECRET = 'events-e2e-secret-0123456789abcdef0123456789';
const TOKEN = createSigner({ key: SECRET })({ sub: 'e2e', scope: 'jobs:read jobs:write jobs:run' });
const AUTH = { authorization: `Bearer ${TOKEN}` };

let dbName: string;
let a: ApiProcess;
let b: ApiProcess;

const env = (extra: Record<string, string> = {}) => ({
  MONGODB_URI,
  MONGODB_DB: dbName,
  JWT_SECRET: SECRET,
  LOG_LEVEL: 'warn',
  POLL_INTERVAL_SECONDS: '60',
  ...extra,
});

async function post(api: ApiProcess, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: { ...AUTH, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(res.status).toBeLessThan(300);
  return (await res.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  dbName = randomDbName('api-events');
  // B's scheduler clock runs 4 s behind A's: the log is stamped by the database server, so it does not matter.
  [a, b] = await Promise.all([startApi(env()), startApi(env({ CRAFT_TEST_CLOCK_OFFSET_MS: '-4000' }))]);
}, 60_000);

afterAll(async () => {
  killAll();
  const client = await MongoClient.connect(MONGODB_URI);
  await client
    .db(dbName)
    .dropDatabase()
    .catch(() => {});
  await client.close();
});

describe('two replicas on one database', () => {
  it('an event produced by replica B reaches a client of replica A within 2 s, in order', async () => {
    const s = await openSse(`${a.url}/jobs/events`, AUTH);
    expect(s.status).toBe(200);
    // From the moment replica B produced the event (its `at`; both replicas run on this machine's clock) to its
    // arrival at A's client: the promise itself, without the request or the run that produced it.
    const latencies: number[] = [];
    const latencyOf = (index: number) =>
      (s.arrivals[index] as number) - Date.parse(payload(s.messages[index] as SseMessage).at);
    for (let i = 0; i < 5; i++) {
      const name = `from-b-${i}`;
      const before = s.messages.length;
      await post(b, '/jobs/schedules', {
        job_name: name,
        cron_expression: '0 3 * * *',
        job_type: 'calculate_next_schedules',
      });
      await s.waitFor((m) => m.slice(before).some((x) => payload(x).job_name === name), 5000);
      latencies.push(latencyOf(s.messages.findIndex((x) => payload(x).job_name === name)));
      const run = await post(b, `/jobs/schedules/${name}/run?wait=true`);
      expect(run['status']).toBe('succeeded');
      await s.waitFor(
        (m) => m.some((x) => x.event === 'run:succeeded' && payload(x).job_name === name),
        5000,
      );
      latencies.push(
        latencyOf(s.messages.findIndex((x) => x.event === 'run:succeeded' && payload(x).job_name === name)),
      );
    }
    // Produced before it arrived (a negative latency would mean the wrong clock or the wrong message).
    expect(Math.min(...latencies)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...latencies)).toBeLessThan(2000);
    const ofFirst = s.messages.filter((m) => payload(m).job_name === 'from-b-0').map((m) => m.event);
    expect(ofFirst).toEqual(['schedule:created', 'run:created', 'run:started', 'run:succeeded']);
    expect(new Set(s.messages.map((m) => m.id)).size).toBe(s.messages.length);
    console.log(`events B → client of A: latencies ${latencies.join(', ')} ms`);
    s.close();
  }, 60_000);

  it('a client that loses replica A resumes on replica B with Last-Event-ID: exactly what it missed', async () => {
    const first = await openSse(`${a.url}/jobs/events?job_name=resume-me`, AUTH);
    await post(a, '/jobs/schedules', {
      job_name: 'resume-me',
      cron_expression: '0 3 * * *',
      job_type: 'calculate_next_schedules',
    });
    await first.waitFor((m) => m.length === 1, 5000);
    const last = first.lastEventId() as string;
    first.close();
    await post(b, '/jobs/schedules/resume-me/disable');
    await post(a, '/jobs/schedules/resume-me/enable');
    await post(b, '/jobs/schedules/resume-me/run?wait=true');
    const resumed = await openSse(`${b.url}/jobs/events?job_name=resume-me`, {
      ...AUTH,
      'last-event-id': last,
    });
    await resumed.waitFor((m) => m.some((x) => x.event === 'run:succeeded'), 5000);
    await new Promise((r) => setTimeout(r, 1500)); // a duplicate or a late event would show now
    // Exactly the missed events, each once. Events of different replicas are ordered by when they reached the log
    // (write-behind: up to a flush interval after they happened); one run's events come from one replica, in order.
    const got = resumed.messages.map((m) => m.event);
    expect([...got].sort()).toEqual(
      ['schedule:disabled', 'schedule:enabled', 'run:created', 'run:started', 'run:succeeded'].sort(),
    );
    expect(got.filter((t) => t.startsWith('run:'))).toEqual(['run:created', 'run:started', 'run:succeeded']);
    resumed.close();
  }, 60_000);

  it('SIGTERM ends the open streams and the process exits 0 without waiting on them', async () => {
    const s = await openSse(`${a.url}/jobs/events`, AUTH);
    const t0 = Date.now();
    const code = await Promise.race([
      a.stop('SIGTERM'),
      new Promise((r) => setTimeout(() => r('timeout'), 8000)),
    ]);
    if (code === 'timeout') console.log('A OUTPUT', a.output().slice(-3000));
    await s.ended;
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(s.comments).toContain('the service is shutting down');
  }, 30_000);
});
