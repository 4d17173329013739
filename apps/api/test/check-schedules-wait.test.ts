// `POST /jobs/check-schedules?wait=true`: the final records of the cycle's runs, of the runs they chained and of
// the runs of dead replicas it recovered, within a bounded wait (`timeout_seconds`, default 60 s).
import type { JobRun } from '@craft/scheduler';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, hangJob, hasSettled, makeApp, scheduleBody, type TestApp, testJobs } from './helpers.js';

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

// 10:05:10Z: the every-5-minutes schedules are due.
const DUE = Date.parse('2027-03-01T10:05:10.000Z');

/** Lets the request reach its wait: until the earliest fake timer is at `at` (the wait ends before any other). */
async function untilEarliestTimerAt(at: number): Promise<void> {
  for (let i = 0; i < 1000 && t.clock.nextTimerAt() !== at; i++) await t.clock.tick();
  expect(t.clock.nextTimerAt()).toBe(at);
}

type RunJson = { id: string; job_name: string | null; job_type: string; status: string; trigger: string };
const brief = (r: RunJson & { parent_run_id: string | null }) => [
  r.job_name ?? r.job_type,
  r.trigger,
  r.status,
];

describe('POST /jobs/check-schedules?wait=true', () => {
  it('answers the final records of the triggered runs and, in `chained`, of the runs they chained (transitively)', async () => {
    await post(
      '/jobs/schedules',
      scheduleBody('b', { job_type: 'echo', parameters: { message: 'b' }, chain: ['noop'] }),
    );
    await post('/jobs/schedules', scheduleBody('a', { cron_expression: '*/5 * * * *', chain: ['b'] }));
    await t.clock.set(DUE);
    const res = await post('/jobs/check-schedules?wait=true');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ deferred: [], initialized: [], recovered: [], complete: true });
    expect(body.runs.map(brief)).toEqual([['a', 'schedule', 'succeeded']]);
    expect(body.chained.map(brief)).toEqual([
      ['b', 'chain', 'succeeded'],
      ['noop', 'chain', 'succeeded'],
    ]);
    // b was chained by a's run, the noop job type by b's run
    expect(body.chained[0].parent_run_id).toBe(body.runs[0].id);
    expect(body.chained[1].parent_run_id).toBe(body.chained[0].id);
    expect(body.chained[1].job_name).toBeNull();
    expect(t.log).toEqual(['noop:a', 'b:b', 'noop:-']);
  });

  it('without wait the answer keeps its shape: runs (pending), deferred, initialized, paused, nothing else', async () => {
    await post('/jobs/schedules', scheduleBody('b', { job_type: 'echo', parameters: { message: 'b' } }));
    await post('/jobs/schedules', scheduleBody('a', { cron_expression: '*/5 * * * *', chain: ['b'] }));
    await t.clock.set(DUE);
    const body = (await post('/jobs/check-schedules')).json();
    expect(Object.keys(body).sort()).toEqual(['deferred', 'initialized', 'paused', 'runs']);
    expect(body.runs.map(brief)).toEqual([['a', 'schedule', 'pending']]);
    await t.app.scheduler.idle();
  });

  it('lists runs of a dead replica it took over in `recovered`, and their chained runs in `chained`', async () => {
    await post(
      '/jobs/schedules',
      scheduleBody('b', { job_type: 'echo', parameters: { message: 'b' }, chain: ['noop'] }),
    );
    // A run-now of b that a replica which then died had created: pending, its lease expired.
    const at = new Date(t.clock.now() - 60_000);
    const orphan: JobRun = {
      id: 'orphan-1',
      runKey: 'orphan-1',
      jobType: 'echo',
      jobName: 'b',
      slot: null,
      trigger: 'manual',
      parameters: { message: 'orphan' },
      status: 'pending',
      attempts: [],
      maxAttempts: 1,
      timeoutSeconds: 30,
      startedAt: null,
      finishedAt: null,
      result: null,
      error: null,
      parentRunId: null,
      replicaId: 'dead-replica',
      lockKey: 'job:b',
      leaseOwner: 'dead-replica',
      leaseExpiresAt: new Date(at.getTime() + 1000),
      fencingToken: null,
      cancelRequestedAt: null,
      cancelRequestedBy: null,
      createdAt: at,
      updatedAt: at,
    };
    expect(await t.store.insertRun(orphan)).toBe(true);
    const body = (await post('/jobs/check-schedules?wait=true')).json();
    expect(body).toMatchObject({ runs: [], complete: true });
    expect(body.recovered.map((r: RunJson) => [r.id, r.status])).toEqual([['orphan-1', 'succeeded']]);
    expect(body.recovered[0].replica_id).toBe('test-replica');
    expect(body.chained.map(brief)).toEqual([['noop', 'chain', 'succeeded']]);
    expect(body.chained[0].parent_run_id).toBe('orphan-1');
  });

  it('timeout_seconds bounds the wait: complete false with the records as they stand, chained ones so far', async () => {
    await post('/jobs/schedules', scheduleBody('slow', { job_type: 'hang', timeout_seconds: 10 }));
    await post('/jobs/schedules', scheduleBody('a', { cron_expression: '*/5 * * * *', chain: ['slow'] }));
    await t.clock.set(DUE);
    const waiting = post('/jobs/check-schedules?wait=true&timeout_seconds=5');
    await untilEarliestTimerAt(DUE + 5_000);
    await t.clock.advance(4_999);
    expect(await hasSettled(waiting)).toBe(false);
    await t.clock.advance(1);
    expect(await hasSettled(waiting)).toBe(true);
    const res = await waiting;
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ complete: false, recovered: [] });
    expect(body.runs.map(brief)).toEqual([['a', 'schedule', 'succeeded']]);
    expect(body.chained.map(brief)).toEqual([['slow', 'chain', 'running']]);
    // The run goes on after the answer: it times out on its own 10 s.
    await t.clock.advance(5_000);
    await t.app.scheduler.idle();
    expect((await get(`/jobs/runs/${body.chained[0].id}`)).json().status).toBe('timed_out');
  });

  it('waits at most 60 s by default', async () => {
    await post(
      '/jobs/schedules',
      scheduleBody('slow', { cron_expression: '*/5 * * * *', job_type: 'hang', timeout_seconds: 120 }),
    );
    await t.clock.set(DUE);
    const waiting = post('/jobs/check-schedules?wait=true');
    await untilEarliestTimerAt(DUE + 60_000);
    await t.clock.advance(59_999);
    expect(await hasSettled(waiting)).toBe(false);
    await t.clock.advance(1);
    expect(await hasSettled(waiting)).toBe(true);
    const body = (await waiting).json();
    expect(body).toMatchObject({ complete: false, chained: [] });
    expect(body.runs.map(brief)).toEqual([['slow', 'schedule', 'running']]);
    await t.clock.advance(60_000);
    await t.app.scheduler.idle();
  });

  it('400 naming timeout_seconds when it is given without wait=true, and runs no cycle', async () => {
    await post('/jobs/schedules', scheduleBody('a', { cron_expression: '*/5 * * * *' }));
    await t.clock.set(DUE);
    for (const url of [
      '/jobs/check-schedules?timeout_seconds=5',
      '/jobs/check-schedules?wait=false&timeout_seconds=5',
    ]) {
      const res = await post(url);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'CRAFT_API_VALIDATION', field: 'timeout_seconds' });
    }
    expect(await t.store.countRuns()).toBe(0);
  });

  it.each(['0', '3601', '1.5', 'soon'])('400 naming timeout_seconds for %s', async (value) => {
    const res = await post(`/jobs/check-schedules?wait=true&timeout_seconds=${value}`);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'CRAFT_API_VALIDATION', field: 'timeout_seconds' });
  });
});
