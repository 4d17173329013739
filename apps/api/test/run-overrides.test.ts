// Per-run overrides of a manual run: `max_attempts` and `timeout_seconds` in the body of
// `POST /jobs/run/{job_type}` and `POST /jobs/schedules/{job_name}/run`.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  advanceUntilSettled,
  bearer,
  hangJob,
  hasSettled,
  makeApp,
  scheduleBody,
  type TestApp,
  testJobs,
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

describe('POST /jobs/run/:job_type with max_attempts / timeout_seconds', () => {
  it('max_attempts overrides the job type default (1) for this run: the failing job is tried 3 times', async () => {
    const res = await advanceUntilSettled(t.clock, post('/jobs/run/fail?wait=true', { max_attempts: 3 }));
    expect(res.statusCode).toBe(200);
    const run = res.json();
    expect(run).toMatchObject({ status: 'failed', max_attempts: 3 });
    expect(run.attempts.map((a: { status: string }) => a.status)).toEqual(['failed', 'failed', 'failed']);
    // The job type is unchanged: the next run without the override gets its default again.
    const plain = (await post('/jobs/run/fail?wait=true', {})).json();
    expect(plain).toMatchObject({ status: 'failed', max_attempts: 1 });
    expect(plain.attempts).toHaveLength(1);
  });

  it('timeout_seconds overrides the job type default (300 s): the attempt times out after 2 s', async () => {
    const waiting = post('/jobs/run/hang?wait=true', { timeout_seconds: 2 });
    await t.clock.advance(1_999);
    expect(await hasSettled(waiting)).toBe(false);
    await t.clock.advance(1);
    expect(await hasSettled(waiting)).toBe(true);
    const res = await waiting;
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'timed_out',
      timeout_seconds: 2,
      error: { code: 'CRAFT_SCHEDULER_JOB_TIMEOUT' },
    });
  });

  it('stores both overrides on the started run (202) next to the parameters', async () => {
    const res = await post('/jobs/run/echo', {
      parameters: { message: 'x' },
      max_attempts: 4,
      timeout_seconds: 9,
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ parameters: { message: 'x' }, max_attempts: 4, timeout_seconds: 9 });
    await t.app.scheduler.idle();
    expect((await get(`/jobs/runs/${res.json().id}`)).json()).toMatchObject({
      status: 'succeeded',
      max_attempts: 4,
      timeout_seconds: 9,
    });
  });

  it.each([
    ['max_attempts', 0, 'CRAFT_API_VALIDATION'],
    ['max_attempts', 1.5, 'CRAFT_API_VALIDATION'],
    ['max_attempts', '3', 'CRAFT_API_VALIDATION'],
    ['max_attempts', null, 'CRAFT_API_VALIDATION'],
    ['timeout_seconds', -1, 'CRAFT_API_VALIDATION'],
    ['timeout_seconds', true, 'CRAFT_API_VALIDATION'],
    // An integer by JSON Schema, but above the schema's maximum (2^53 - 1, the largest exact integer).
    ['max_attempts', 1e300, 'CRAFT_API_VALIDATION'],
    ['timeout_seconds', 2 ** 60, 'CRAFT_API_VALIDATION'],
  ])('400 naming %s for %j (%s) and records nothing', async (field, value, code) => {
    const res = await post('/jobs/run/echo', { parameters: { message: 'x' }, [field]: value });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code, field });
    expect(await t.store.countRuns()).toBe(0);
  });
});

describe('POST /jobs/schedules/:job_name/run with max_attempts / timeout_seconds', () => {
  it("max_attempts overrides the schedule's own (2) for this run; the schedule is unchanged", async () => {
    await post('/jobs/schedules', scheduleBody('flaky', { job_type: 'fail', max_attempts: 2 }));
    const res = await advanceUntilSettled(
      t.clock,
      post('/jobs/schedules/flaky/run?wait=true', { max_attempts: 3 }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ job_name: 'flaky', status: 'failed', max_attempts: 3 });
    expect(res.json().attempts).toHaveLength(3);
    expect((await get('/jobs/schedules/flaky')).json().max_attempts).toBe(2);
    const plain = await advanceUntilSettled(t.clock, post('/jobs/schedules/flaky/run?wait=true'));
    expect(plain.json().attempts).toHaveLength(2);
  });

  it("timeout_seconds overrides the schedule's (60 s) for this run: the attempt times out after 5 s", async () => {
    await post('/jobs/schedules', scheduleBody('stuck', { job_type: 'hang', timeout_seconds: 60 }));
    const waiting = post('/jobs/schedules/stuck/run?wait=true', { timeout_seconds: 5 });
    await t.clock.advance(4_999);
    expect(await hasSettled(waiting)).toBe(false);
    await t.clock.advance(1);
    expect(await hasSettled(waiting)).toBe(true);
    expect((await waiting).json()).toMatchObject({ status: 'timed_out', timeout_seconds: 5 });
    expect((await get('/jobs/schedules/stuck')).json().timeout_seconds).toBe(60);
  });

  it('an empty JSON object, or no body at all, means no overrides', async () => {
    await post(
      '/jobs/schedules',
      scheduleBody('s', { job_type: 'noop', max_attempts: 2, timeout_seconds: 7 }),
    );
    for (const payload of [undefined, {}]) {
      const res = await post('/jobs/schedules/s/run', payload);
      expect(res.statusCode).toBe(202);
      expect(res.json()).toMatchObject({ max_attempts: 2, timeout_seconds: 7 });
    }
  });

  it.each([
    ['max_attempts', 0, 'CRAFT_API_VALIDATION'],
    ['timeout_seconds', 0.5, 'CRAFT_API_VALIDATION'],
    ['timeout_seconds', '10', 'CRAFT_API_VALIDATION'],
    ['max_attempts', 2 ** 60, 'CRAFT_API_VALIDATION'],
  ])('400 naming %s for %j (%s) and records nothing', async (field, value, code) => {
    await post('/jobs/schedules', scheduleBody('s'));
    const res = await post('/jobs/schedules/s/run', { [field]: value });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code, field });
    expect(await t.store.countRuns()).toBe(0);
  });

  it('400 for parameters (a run now uses the schedule parameters) or any other unknown field', async () => {
    await post('/jobs/schedules', scheduleBody('s'));
    const res = await post('/jobs/schedules/s/run', { parameters: {} });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'CRAFT_API_UNKNOWN_FIELD', field: 'parameters' });
  });
});
