import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, makeApp, scheduleBody, type TestApp } from './helpers.js';

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.app.close();
});

const post = (url: string, payload?: object) =>
  t.app.inject({ method: 'POST', url, headers: bearer(), ...(payload === undefined ? {} : { payload }) });
const get = (url: string) => t.app.inject({ method: 'GET', url, headers: bearer() });

describe('POST /jobs/run/:job_type', () => {
  it('answers 202 with the started (pending) run, which then runs with the given parameters', async () => {
    const res = await post('/jobs/run/echo', { parameters: { message: 'now' } });
    expect(res.statusCode).toBe(202);
    const run = res.json();
    expect(run).toMatchObject({
      job_type: 'echo',
      job_name: null,
      slot: null,
      trigger: 'manual',
      status: 'pending',
      parameters: { message: 'now' },
      lock_key: 'job:echo',
    });
    await t.app.scheduler.idle();
    expect(t.log).toEqual(['echo:now']);
    expect((await get(`/jobs/runs/${run.id}`)).json().status).toBe('succeeded');
  });

  it('?wait=true answers 200 with the finished run and its result', async () => {
    const res = await post('/jobs/run/echo?wait=true', { parameters: { message: 'sync' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'succeeded', result: { echoed: 'sync' } });
    expect(res.json().attempts).toHaveLength(1);
  });

  it('runs the built-in calculate_next_schedules without a body', async () => {
    await post('/jobs/schedules', scheduleBody('s'));
    const res = await t.app.inject({
      method: 'POST',
      url: '/jobs/run/calculate_next_schedules?wait=true',
      headers: bearer(),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'succeeded',
      result: { checked: 1, repaired: [], invalid: [] },
    });
  });

  it('400 for an unknown job type (field job_type) and records nothing', async () => {
    const res = await post('/jobs/run/nope', {});
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'CRAFT_SCHEDULER_UNKNOWN_JOB_TYPE',
      field: 'job_type',
      details: { job_type: 'nope' },
    });
    expect(await t.store.countRuns()).toBe(0);
  });

  it("400 with every issue when the parameters fail the job's schema, and records nothing", async () => {
    const res = await post('/jobs/run/echo', { parameters: { message: '', extra: true } });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body).toMatchObject({
      code: 'CRAFT_SCHEDULER_INVALID_PARAMETERS',
      field: 'parameters',
      details: { job_type: 'echo' },
    });
    expect(body.details.issues.length).toBeGreaterThanOrEqual(1);
    expect(await t.store.countRuns()).toBe(0);
  });

  it('409 when another execution of the job type holds its lock', async () => {
    const lease = await t.lock.acquire('job:echo', 'someone-else', 60_000);
    expect(lease).not.toBeNull();
    const res = await post('/jobs/run/echo', { parameters: { message: 'x' } });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      code: 'CRAFT_SCHEDULER_JOB_LOCKED',
      details: { lock_key: 'job:echo' },
    });
  });

  it('400 for a body field other than parameters', async () => {
    const res = await post('/jobs/run/echo', { params: { message: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'CRAFT_API_UNKNOWN_FIELD', field: 'params' });
  });
});

describe('POST /jobs/check-schedules', () => {
  it('runs one cycle and answers the runs it triggered for due slots', async () => {
    await post(
      '/jobs/schedules',
      scheduleBody('every-5', { cron_expression: '*/5 * * * *', job_type: 'noop' }),
    );
    expect((await post('/jobs/check-schedules')).json()).toEqual({
      runs: [],
      deferred: [],
      initialized: [],
      paused: false,
    });
    await t.clock.set(Date.parse('2027-03-01T10:05:10.000Z'));
    const res = await post('/jobs/check-schedules?wait=true');
    expect(res.statusCode).toBe(200);
    const { runs } = res.json();
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      job_name: 'every-5',
      slot: '2027-03-01T10:05:00.000Z',
      trigger: 'schedule',
      status: 'succeeded',
      run_key: 'every-5@2027-03-01T10:05:00.000Z',
    });
    expect(t.log).toEqual(['noop:every-5']);
    // the slot is claimed: a second cycle triggers nothing
    expect((await post('/jobs/check-schedules')).json().runs).toEqual([]);
    expect((await get('/jobs/schedules/every-5')).json()).toMatchObject({
      next_run_at: '2027-03-01T10:10:00.000Z',
      last_run_status: 'succeeded',
    });
  });

  it('applies the missed-run policy: once runs the latest missed slot and records the others skipped', async () => {
    await post('/jobs/schedules', scheduleBody('hourly', { cron_expression: '0 * * * *' }));
    await t.clock.set(Date.parse('2027-03-01T14:30:00.000Z')); // 11:00, 12:00, 13:00, 14:00 passed
    const { runs } = (await post('/jobs/check-schedules?wait=true')).json();
    const byStatus = runs.map((r: { slot: string; status: string; trigger: string }) => [
      r.slot,
      r.status,
      r.trigger,
    ]);
    expect(byStatus).toEqual(
      expect.arrayContaining([
        ['2027-03-01T11:00:00.000Z', 'skipped', expect.any(String)],
        ['2027-03-01T12:00:00.000Z', 'skipped', expect.any(String)],
        ['2027-03-01T13:00:00.000Z', 'skipped', expect.any(String)],
        ['2027-03-01T14:00:00.000Z', 'succeeded', 'catch_up'],
      ]),
    );
    expect(runs).toHaveLength(4);
  });
});

describe('GET /jobs/runs and /jobs/runs/:id', () => {
  beforeEach(async () => {
    await post('/jobs/schedules', scheduleBody('a', { job_type: 'echo', parameters: { message: 'a' } }));
    await post('/jobs/schedules', scheduleBody('b', { job_type: 'fail' }));
    for (let i = 0; i < 3; i++) {
      await t.clock.advance(1000);
      expect((await post('/jobs/schedules/a/run?wait=true')).statusCode).toBe(200);
    }
    await t.clock.advance(1000);
    expect((await post('/jobs/schedules/b/run?wait=true')).json().status).toBe('failed');
    await t.clock.advance(1000);
    await post('/jobs/run/noop?wait=true', {});
  });

  it('lists runs newest first with a total', async () => {
    const res = await get('/jobs/runs');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.total).toBe(5);
    expect(body.items.map((r: { job_type: string }) => r.job_type)).toEqual([
      'noop',
      'fail',
      'echo',
      'echo',
      'echo',
    ]);
    expect(body.next_offset).toBeNull();
  });

  it('filters by job_name, job_type, status, trigger and order', async () => {
    expect((await get('/jobs/runs?job_name=a')).json().total).toBe(3);
    expect((await get('/jobs/runs?job_type=fail')).json().total).toBe(1);
    expect((await get('/jobs/runs?status=failed')).json().items[0].job_name).toBe('b');
    expect((await get('/jobs/runs?status=failed,succeeded')).json().total).toBe(5);
    expect((await get('/jobs/runs?trigger=manual')).json().total).toBe(5);
    expect((await get('/jobs/runs?trigger=schedule')).json().total).toBe(0);
    const asc = (await get('/jobs/runs?order=asc&limit=1')).json();
    expect(asc.items[0].job_name).toBe('a');
  });

  it('filters by slot time range', async () => {
    await t.clock.set(Date.parse('2027-03-02T02:00:30.000Z'));
    await post('/jobs/check-schedules?wait=true');
    const inRange = await get(
      '/jobs/runs?slot_from=2027-03-02T00:00:00.000Z&slot_to=2027-03-03T00:00:00.000Z',
    );
    expect(
      inRange
        .json()
        .items.map((r: { job_name: string }) => r.job_name)
        .sort(),
    ).toEqual(['a', 'b']);
    expect((await get('/jobs/runs?slot_to=2027-03-02T00:00:00.000Z')).json().total).toBe(0);
  });

  it('a slot range never matches manual runs (they have no slot; there is no created-at filter)', async () => {
    const manual = (await get('/jobs/runs?trigger=manual')).json();
    expect(manual.total).toBe(5);
    expect(manual.items.every((r: { slot: string | null }) => r.slot === null)).toBe(true);
    // Their creation times lie inside this range, their (absent) slot does not.
    const range = 'slot_from=2027-03-01T00:00:00.000Z&slot_to=2027-03-02T00:00:00.000Z';
    expect(manual.items.every((r: { created_at: string }) => r.created_at.startsWith('2027-03-01'))).toBe(
      true,
    );
    expect((await get(`/jobs/runs?trigger=manual&${range}`)).json().total).toBe(0);
  });

  it('pages with limit, offset and next_offset', async () => {
    const first = (await get('/jobs/runs?limit=2')).json();
    expect(first).toMatchObject({ total: 5, limit: 2, offset: 0, next_offset: 2 });
    const last = (await get('/jobs/runs?limit=2&offset=4')).json();
    expect(last.items).toHaveLength(1);
    expect(last.next_offset).toBeNull();
  });

  it('rejects an unknown status or trigger with 400', async () => {
    expect((await get('/jobs/runs?status=done')).json()).toMatchObject({ statusCode: 400, field: 'status' });
    expect((await get('/jobs/runs?trigger=cron')).json()).toMatchObject({
      statusCode: 400,
      field: 'trigger',
    });
    expect((await get('/jobs/runs?limit=501')).statusCode).toBe(400);
  });

  it('reads one run, and 404 for an unknown id', async () => {
    const id = (await get('/jobs/runs?limit=1')).json().items[0].id;
    expect((await get(`/jobs/runs/${id}`)).json()).toMatchObject({ id, job_type: 'noop' });
    const missing = await get('/jobs/runs/does-not-exist');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('CRAFT_SCHEDULER_RUN_NOT_FOUND');
  });
});

describe('GET /jobs/types', () => {
  it('lists user and built-in job types with defaults and parameter schemas', async () => {
    const res = await get('/jobs/types');
    expect(res.statusCode).toBe(200);
    const types = res.json().items as { job_type: string; parameters: unknown; max_attempts: number }[];
    expect(types.map((x) => x.job_type)).toEqual([
      'calculate_next_schedules',
      'cleanup_run_history',
      'echo',
      'fail',
      'http_request',
      'noop',
    ]);
    const echo = types.find((x) => x.job_type === 'echo');
    expect(echo).toMatchObject({ max_attempts: 1, parameters: { type: 'object', required: ['message'] } });
    expect(types.find((x) => x.job_type === 'noop')?.parameters).toBeNull();
    const http = types.find((x) => x.job_type === 'http_request');
    expect(http?.parameters).toMatchObject({ properties: { url: { type: 'string' } } });
  });
});
