// Per-schedule control through the API (spec section 10): `overlap_policy`, `POST /jobs/runs/{run_id}/cancel` (also
// through another replica's API), `POST /jobs/schedules/{job_name}/backfill`, and the new status and trigger in the
// filters and metrics.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';
import {
  advanceUntilSettled,
  bearer,
  hangJob,
  makeApp,
  SECRET,
  scheduleBody,
  type TestApp,
  testJobs,
  token,
} from './helpers.js';

let t: TestApp;
beforeEach(async () => {
  const log: string[] = [];
  t = await makeApp({ jobs: [...testJobs(log), hangJob()] });
  t.log = log;
});
afterEach(async () => {
  await t.app.close();
});

const post = (url: string, payload?: object) =>
  t.app.inject({ method: 'POST', url, headers: bearer(), ...(payload === undefined ? {} : { payload }) });
const get = (url: string) => t.app.inject({ method: 'GET', url, headers: bearer() });
const patch = (url: string, payload: object) =>
  t.app.inject({ method: 'PATCH', url, headers: bearer(), payload });

describe('overlap_policy', () => {
  it('defaults to defer, is stored as given, patched alone, and an unknown value is a 400 naming it', async () => {
    expect((await post('/jobs/schedules', scheduleBody('d'))).json().overlap_policy).toBe('defer');
    const a = await post('/jobs/schedules', scheduleBody('a', { overlap_policy: 'allow' }));
    expect(a.statusCode).toBe(201);
    expect((await get('/jobs/schedules/a')).json().overlap_policy).toBe('allow');
    expect((await patch('/jobs/schedules/a', { overlap_policy: 'cancel_running' })).json()).toMatchObject({
      overlap_policy: 'cancel_running',
      cron_expression: '0 3 * * *',
    });
    const bad = await post('/jobs/schedules', scheduleBody('b', { overlap_policy: 'replace' }));
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'CRAFT_API_VALIDATION', field: 'overlap_policy' });
    expect((await get('/jobs/schedules/b')).statusCode).toBe(404);
  });

  it('run-now of an allow schedule is never refused while its runs run; under defer it is a 409', async () => {
    await post('/jobs/schedules', scheduleBody('h', { job_type: 'hang', overlap_policy: 'allow' }));
    const first = await post('/jobs/schedules/h/run');
    const second = await post('/jobs/schedules/h/run');
    expect([first.statusCode, second.statusCode]).toEqual([202, 202]);
    expect(second.json().lock_key).toBe(`run:${second.json().id}`);
    await t.clock.advance(1000);
    const running = (await get('/jobs/runs?job_name=h&status=running')).json();
    expect(running.total).toBe(2);
    await patch('/jobs/schedules/h', { overlap_policy: 'defer' });
    await post('/jobs/schedules', scheduleBody('g', { job_type: 'hang' }));
    expect((await post('/jobs/schedules/g/run')).statusCode).toBe(202);
    expect((await post('/jobs/schedules/g/run')).statusCode).toBe(409);
    for (const r of (await get('/jobs/runs?status=pending,running')).json().items) {
      await post(`/jobs/runs/${r.id}/cancel`);
    }
    await advanceUntilSettled(t.clock, t.app.scheduler.idle());
  });
});

describe('POST /jobs/runs/{run_id}/cancel', () => {
  it('202 for a running run: recorded by its holder as cancelled (by the token sub), not retried; then 409', async () => {
    await post('/jobs/schedules', scheduleBody('h', { job_type: 'hang', max_attempts: 3 }));
    const run = (await post('/jobs/schedules/h/run')).json();
    await t.clock.advance(1000);
    const res = await post(`/jobs/runs/${run.id}/cancel`);
    expect(res.statusCode).toBe(202);
    expect(res.headers.location).toBe(`/jobs/runs/${run.id}`);
    expect(res.json()).toMatchObject({ status: 'running', cancel_requested_by: 'tester' });
    expect(res.json().cancel_requested_at).toBe(new Date(t.clock.now()).toISOString());
    await advanceUntilSettled(t.clock, t.app.scheduler.idle());
    const final = (await get(`/jobs/runs/${run.id}`)).json();
    expect(final).toMatchObject({ status: 'cancelled', error: { code: 'CRAFT_SCHEDULER_RUN_CANCELLED' } });
    expect(final.attempts.map((a: { status: string }) => a.status)).toEqual(['cancelled']);
    expect((await get('/jobs/schedules/h')).json().last_run_status).toBe('cancelled');
    expect((await get('/jobs/schedules?last_status=cancelled')).json().items).toHaveLength(1);
    expect((await get('/jobs/runs?status=cancelled')).json().total).toBe(1);
    // Cancelling it again answers it as it is; a finished run of another status is a 409 that changes nothing.
    expect((await post(`/jobs/runs/${run.id}/cancel`)).statusCode).toBe(200);
    const done = (await post('/jobs/run/noop?wait=true')).json();
    const refused = await post(`/jobs/runs/${done.id}/cancel`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      code: 'CRAFT_SCHEDULER_RUN_FINISHED',
      details: { run_id: done.id, status: 'succeeded' },
    });
    expect((await get(`/jobs/runs/${done.id}`)).json().status).toBe('succeeded');
    expect((await post('/jobs/runs/nope/cancel')).json()).toMatchObject({
      statusCode: 404,
      code: 'CRAFT_SCHEDULER_RUN_NOT_FOUND',
    });
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics', headers: bearer() });
    expect(metrics.body).toMatch(/craft_runs_total\{job_type="hang",status="cancelled",trigger="manual"\} 1/);
  });

  it('200 for a pending run no replica holds: cancelled at once, it never starts', async () => {
    await post('/jobs/schedules', scheduleBody('p', { is_enabled: false }));
    // Recorded by the library without executing them (what `craft-jobs schedules backfill` does without --wait).
    await t.clock.set(Date.parse('2027-03-05T00:00:00.000Z'));
    const recorded = await t.app.scheduler.backfill('p', {
      from: new Date('2027-03-01T00:00:00.000Z'),
      to: new Date('2027-03-02T00:00:00.000Z'),
      execute: false,
    });
    const id = recorded.created[0]?.id as string;
    const res = await post(`/jobs/runs/${id}/cancel`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'cancelled', attempts: [], cancel_requested_by: 'tester' });
    await t.app.scheduler.handleMissedRuns();
    await t.app.scheduler.idle();
    expect(t.log).toEqual([]);
  });

  it('reaches the replica that runs it: a cancel through replica B stops replica A within one renewal (TTL/3)', async () => {
    const b = await buildApp({
      store: t.store,
      lock: t.lock,
      clock: t.clock,
      jobs: [...testJobs(), hangJob()],
      logger: false,
      processMetrics: false,
      swaggerUi: false,
      replicaId: 'replica-b',
      config: { jwt: { kind: 'secret', secret: SECRET, generated: false }, timezone: 'Europe/Stockholm' },
    });
    try {
      await post('/jobs/schedules', scheduleBody('h', { job_type: 'hang' }));
      const run = (await post('/jobs/schedules/h/run')).json();
      await t.clock.advance(5000);
      const asked = await b.inject({
        method: 'POST',
        url: `/jobs/runs/${run.id}/cancel`,
        headers: bearer(token('jobs:run', { claims: { sub: 'ops@example.com' } })),
      });
      expect(asked.statusCode).toBe(202);
      const askedAt = t.clock.now();
      // The API's lease is LOCK_TTL_SECONDS = 300 s: A renews every 100 s and learns of the request then.
      const ttl = t.app.apiConfig.lockTtlSeconds * 1000;
      await t.clock.advance(ttl / 3 - 5000 - 1000);
      expect((await get(`/jobs/runs/${run.id}`)).json().status).toBe('running');
      await t.clock.advance(2000);
      await t.app.scheduler.idle();
      const final = (await get(`/jobs/runs/${run.id}`)).json();
      expect(final).toMatchObject({ status: 'cancelled', replica_id: 'test-replica' });
      expect(final.cancel_requested_by).toBe('ops@example.com');
      expect(Date.parse(final.finished_at) - askedAt).toBeLessThanOrEqual(ttl / 3);
    } finally {
      await b.close();
    }
  });
});

describe('POST /jobs/schedules/{job_name}/backfill', () => {
  const range = { from: '2027-02-28T00:00:00Z', to: '2027-03-01T00:00:00Z' };

  beforeEach(async () => {
    await post(
      '/jobs/schedules',
      scheduleBody('hourly', { cron_expression: '0 * * * *', is_enabled: false }),
    );
  });

  it('202 with the created runs (trigger backfill) and the already recorded slots; every slot runs once', async () => {
    const first = await post('/jobs/schedules/hourly/backfill', { ...range, to: '2027-02-28T02:00:00Z' });
    expect(first.statusCode).toBe(202);
    const res = await post('/jobs/schedules/hourly/backfill', range);
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body).toMatchObject({
      job_name: 'hourly',
      from: '2027-02-28T00:00:00.000Z',
      to: '2027-03-01T00:00:00.000Z',
      slot_count: 24,
    });
    expect(body.already_recorded.map((r: { slot: string }) => r.slot)).toEqual([
      '2027-02-28T00:00:00.000Z',
      '2027-02-28T01:00:00.000Z',
    ]);
    expect(body.created).toHaveLength(22);
    expect(body.created.every((r: { trigger: string; status: string }) => r.trigger === 'backfill')).toBe(
      true,
    );
    await advanceUntilSettled(t.clock, t.app.scheduler.idle());
    expect(t.log).toHaveLength(24);
    expect((await get('/jobs/runs?trigger=backfill&status=succeeded&limit=100')).json().total).toBe(24);
  });

  it('?wait=true: 200 with the final records and complete: true', async () => {
    const res = await post('/jobs/schedules/hourly/backfill?wait=true', {
      ...range,
      to: '2027-02-28T03:00:00Z',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().complete).toBe(true);
    expect(res.json().created.map((r: { status: string }) => r.status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
  });

  it('400 and nothing recorded: over the cap (with the slot count), to after now, concurrency, timeout without wait', async () => {
    const tooMany = await post('/jobs/schedules/hourly/backfill', { ...range, from: '2026-12-01T00:00:00Z' });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json()).toMatchObject({
      code: 'CRAFT_SCHEDULER_BACKFILL_TOO_LARGE',
      details: { slot_count: 2160, max_slots: 1000, count_is_exact: true },
    });
    expect(tooMany.json().message).toContain('2160 slots');
    const future = await post('/jobs/schedules/hourly/backfill', { ...range, to: '2027-03-02T00:00:00Z' });
    expect(future.json()).toMatchObject({
      statusCode: 400,
      code: 'CRAFT_SCHEDULER_INVALID_FIELD',
      field: 'to',
    });
    const parallel = await post('/jobs/schedules/hourly/backfill', { ...range, concurrency: 3 });
    expect(parallel.json()).toMatchObject({ statusCode: 400, field: 'concurrency' });
    const bound = await post('/jobs/schedules/hourly/backfill?timeout_seconds=5', range);
    expect(bound.json()).toMatchObject({ statusCode: 400, field: 'timeout_seconds' });
    const cap = await post('/jobs/schedules/hourly/backfill', { ...range, max_slots: 10_001 });
    expect(cap.json()).toMatchObject({ statusCode: 400, code: 'CRAFT_API_VALIDATION', field: 'max_slots' });
    expect((await post('/jobs/schedules/nope/backfill', range)).statusCode).toBe(404);
    expect((await get('/jobs/runs')).json().total).toBe(0);
  });
});
