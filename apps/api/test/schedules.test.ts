import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, makeApp, START, scheduleBody, type TestApp } from './helpers.js';

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

describe('POST /jobs/schedules', () => {
  it('creates a schedule with defaults, next_run_at computed in the scheduler zone, and a Location', async () => {
    const res = await post('/jobs/schedules', scheduleBody('nightly', { description: 'nightly cleanup' }));
    expect(res.statusCode).toBe(201);
    expect(res.headers.location).toBe('/jobs/schedules/nightly');
    const body = res.json();
    expect(body).toMatchObject({
      job_name: 'nightly',
      description: 'nightly cleanup',
      cron_expression: '0 3 * * *',
      is_enabled: true,
      job_type: 'noop',
      parameters: {},
      max_attempts: null,
      timeout_seconds: null,
      chain: [],
      timezone: null,
      missed_run_policy: 'once',
      catch_up_window_seconds: null,
      max_catch_up_runs: 10,
      last_run_at: null,
      last_run_status: null,
      // 2027-03-02 03:00 in Stockholm (UTC+1) is 02:00Z
      next_run_at: '2027-03-02T02:00:00.000Z',
      created_at: new Date(START).toISOString(),
    });
    expect((await t.store.getSchedule('nightly'))?.description).toBe('nightly cleanup');
  });

  it('uses the schedule timezone for next_run_at', async () => {
    const res = await post('/jobs/schedules', scheduleBody('ny', { timezone: 'America/New_York' }));
    expect(res.statusCode).toBe(201);
    // 03:00 in New York (UTC-5 in early March) on 2027-03-02 is 08:00Z
    expect(res.json().next_run_at).toBe('2027-03-02T08:00:00.000Z');
  });

  it('answers 409 for a duplicate job_name and keeps the first', async () => {
    expect((await post('/jobs/schedules', scheduleBody('dup'))).statusCode).toBe(201);
    const res = await post('/jobs/schedules', scheduleBody('dup', { cron_expression: '*/5 * * * *' }));
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      statusCode: 409,
      code: 'CRAFT_SCHEDULER_SCHEDULE_EXISTS',
      error: 'Conflict',
    });
    expect((await t.store.getSchedule('dup'))?.cronExpression).toBe('0 3 * * *');
  });

  it('accepts a document shaped like the seed (spec section 1)', async () => {
    const res = await post('/jobs/schedules', {
      job_name: 'nightly-cleanup',
      description: 'Delete expired tokens every night at 03:00',
      job_type: 'noop',
      cron_expression: '0 3 * * *',
      is_enabled: true,
      parameters: {},
      max_attempts: 2,
      timeout_seconds: 300,
      chain: [],
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ max_attempts: 2, timeout_seconds: 300 });
  });
});

describe('GET /jobs/schedules', () => {
  beforeEach(async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      const extra = name === 'b' || name === 'd' ? { is_enabled: false } : {};
      const type = name === 'e' ? { job_type: 'echo', parameters: { message: 'hi' } } : {};
      expect((await post('/jobs/schedules', scheduleBody(name, { ...extra, ...type }))).statusCode).toBe(201);
    }
  });

  it('lists every schedule sorted by name', async () => {
    const res = await get('/jobs/schedules');
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((s: { job_name: string }) => s.job_name)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(res.json().next_cursor).toBeNull();
  });

  it('filters by enabled and by job_type', async () => {
    const disabled = await get('/jobs/schedules?enabled=false');
    expect(disabled.json().items.map((s: { job_name: string }) => s.job_name)).toEqual(['b', 'd']);
    const echo = await get('/jobs/schedules?job_type=echo&enabled=true');
    expect(echo.json().items.map((s: { job_name: string }) => s.job_name)).toEqual(['e']);
  });

  it('pages with limit and next_cursor until the last page', async () => {
    const seen: string[] = [];
    let url = '/jobs/schedules?limit=2';
    for (let page = 0; page < 10; page++) {
      const res = await get(url);
      expect(res.statusCode).toBe(200);
      const { items, next_cursor } = res.json();
      seen.push(...items.map((s: { job_name: string }) => s.job_name));
      if (next_cursor === null) break;
      expect(items).toHaveLength(2);
      url = `/jobs/schedules?limit=2&cursor=${encodeURIComponent(next_cursor)}`;
    }
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('rejects a forged cursor and an out-of-range limit with 400', async () => {
    const bad = await get('/jobs/schedules?cursor=***');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'CRAFT_API_VALIDATION', field: 'cursor' });
    const limit = await get('/jobs/schedules?limit=0');
    expect(limit.statusCode).toBe(400);
    expect(limit.json()).toMatchObject({ code: 'CRAFT_API_VALIDATION', field: 'limit' });
  });
});

describe('GET/PUT/PATCH/DELETE /jobs/schedules/:job_name', () => {
  beforeEach(async () => {
    expect(
      (await post('/jobs/schedules', scheduleBody('s1', { description: 'd', max_attempts: 4 }))).statusCode,
    ).toBe(201);
  });

  it('reads one schedule, and 404 for an unknown name', async () => {
    expect((await get('/jobs/schedules/s1')).json()).toMatchObject({ job_name: 's1', max_attempts: 4 });
    const missing = await get('/jobs/schedules/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'CRAFT_SCHEDULER_SCHEDULE_NOT_FOUND', error: 'Not Found' });
  });

  it('names with spaces and slashes work when URL-encoded', async () => {
    expect((await post('/jobs/schedules', scheduleBody('a b/c'))).headers.location).toBe(
      '/jobs/schedules/a%20b%2Fc',
    );
    expect((await get('/jobs/schedules/a%20b%2Fc')).json().job_name).toBe('a b/c');
  });

  it('PATCH changes only the given fields and recomputes next_run_at when the cron changes', async () => {
    const res = await t.app.inject({
      method: 'PATCH',
      url: '/jobs/schedules/s1',
      headers: bearer(),
      payload: { cron_expression: '30 12 * * *' },
    });
    expect(res.statusCode).toBe(200);
    // 12:30 Stockholm (UTC+1) on 2027-03-01 is 11:30Z, after START (10:00Z)
    expect(res.json()).toMatchObject({
      cron_expression: '30 12 * * *',
      description: 'd',
      max_attempts: 4,
      next_run_at: '2027-03-01T11:30:00.000Z',
    });
  });

  it('PATCH of the timezone recomputes next_run_at at once', async () => {
    const res = await t.app.inject({
      method: 'PATCH',
      url: '/jobs/schedules/s1',
      headers: bearer(),
      payload: { timezone: 'Asia/Tokyo' },
    });
    // 03:00 Tokyo (UTC+9) on 2027-03-02 is 2027-03-01T18:00Z
    expect(res.json().next_run_at).toBe('2027-03-01T18:00:00.000Z');
  });

  it('PUT replaces the user fields (omitted ones take their defaults)', async () => {
    const res = await t.app.inject({
      method: 'PUT',
      url: '/jobs/schedules/s1',
      headers: bearer(),
      payload: { cron_expression: '0 4 * * *', job_type: 'noop' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      description: null,
      max_attempts: null,
      next_run_at: '2027-03-02T03:00:00.000Z',
    });
  });

  it('PUT refuses to rename (job_name in the body differs from the path)', async () => {
    const res = await t.app.inject({
      method: 'PUT',
      url: '/jobs/schedules/s1',
      headers: bearer(),
      payload: scheduleBody('other'),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'CRAFT_API_VALIDATION', field: 'job_name' });
    expect(await t.store.getSchedule('other')).toBeNull();
  });

  it('PUT and PATCH of an unknown schedule answer 404', async () => {
    for (const method of ['PUT', 'PATCH'] as const) {
      const res = await t.app.inject({
        method,
        url: '/jobs/schedules/ghost',
        headers: bearer(),
        payload: method === 'PUT' ? { cron_expression: '0 1 * * *', job_type: 'noop' } : { description: 'x' },
      });
      expect(res.statusCode).toBe(404);
    }
  });

  it('DELETE answers the deleted schedule, then 404', async () => {
    const res = await t.app.inject({ method: 'DELETE', url: '/jobs/schedules/s1', headers: bearer() });
    expect(res.statusCode).toBe(200);
    expect(res.json().job_name).toBe('s1');
    expect(await t.store.getSchedule('s1')).toBeNull();
    expect(
      (await t.app.inject({ method: 'DELETE', url: '/jobs/schedules/s1', headers: bearer() })).statusCode,
    ).toBe(404);
  });
});

describe('enable and disable', () => {
  it('disable clears next_run_at; enable computes it from that moment (no missed slots)', async () => {
    await post('/jobs/schedules', scheduleBody('toggle', { cron_expression: '0 * * * *' }));
    const off = await post('/jobs/schedules/toggle/disable');
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({ is_enabled: false, next_run_at: null });
    await t.clock.advance(5 * 3_600_000 + 60_000); // 15:01Z
    const on = await post('/jobs/schedules/toggle/enable');
    expect(on.json()).toMatchObject({ is_enabled: true, next_run_at: '2027-03-01T16:00:00.000Z' });
    const check = await post('/jobs/check-schedules');
    expect(check.json().runs).toEqual([]);
  });

  it('404 for an unknown schedule', async () => {
    expect((await post('/jobs/schedules/ghost/enable')).statusCode).toBe(404);
    expect((await post('/jobs/schedules/ghost/disable')).statusCode).toBe(404);
  });
});

describe('GET /jobs/schedules/:job_name/next-runs', () => {
  it('lists runs in UTC and local time and marks the slot the spring-forward gap skips', async () => {
    await post('/jobs/schedules', scheduleBody('night', { cron_expression: '30 2 * * *' }));
    const res = await get('/jobs/schedules/night/next-runs?count=3&from=2027-03-27T00:00:00.000Z');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      job_name: 'night',
      cron_expression: '30 2 * * *',
      description: expect.any(String),
      timezone: 'Europe/Stockholm',
      is_enabled: true,
      dst_gap: 'skip',
      dst_overlap: 'first',
      jitter_seconds: 0,
      runs: [
        {
          at: '2027-03-27T01:30:00.000Z',
          local: '2027-03-27T02:30',
          offset: '+01:00',
          wall_time: '2027-03-27T02:30',
          dst: null,
          due_at: '2027-03-27T01:30:00.000Z',
          jitter_ms: 0,
        },
        {
          at: '2027-03-29T00:30:00.000Z',
          local: '2027-03-29T02:30',
          offset: '+02:00',
          wall_time: '2027-03-29T02:30',
          dst: null,
          due_at: '2027-03-29T00:30:00.000Z',
          jitter_ms: 0,
        },
        {
          at: '2027-03-30T00:30:00.000Z',
          local: '2027-03-30T02:30',
          offset: '+02:00',
          wall_time: '2027-03-30T02:30',
          dst: null,
          due_at: '2027-03-30T00:30:00.000Z',
          jitter_ms: 0,
        },
      ],
      shifted: [],
      skipped: [
        {
          local: '2027-03-28T02:30',
          reason: 'dst-gap',
          message: expect.stringContaining('skipped that day, not shifted'),
        },
      ],
    });
  });

  it('defaults to 10 runs from now, in the schedule zone', async () => {
    await post('/jobs/schedules', scheduleBody('hourly', { cron_expression: '0 * * * *', timezone: 'UTC' }));
    const res = await get('/jobs/schedules/hourly/next-runs');
    const runs = res.json().runs as { at: string }[];
    expect(runs).toHaveLength(10);
    expect(runs[0]?.at).toBe('2027-03-01T11:00:00.000Z');
    expect(res.json().timezone).toBe('UTC');
  });

  it('rejects count out of range and a bad from with 400, and an unknown schedule with 404', async () => {
    await post('/jobs/schedules', scheduleBody('x'));
    expect((await get('/jobs/schedules/x/next-runs?count=0')).json()).toMatchObject({ field: 'count' });
    expect((await get('/jobs/schedules/x/next-runs?count=1001')).statusCode).toBe(400);
    expect((await get('/jobs/schedules/x/next-runs?from=yesterday')).json()).toMatchObject({
      statusCode: 400,
      field: 'from',
    });
    expect((await get('/jobs/schedules/ghost/next-runs')).statusCode).toBe(404);
  });
});

describe('POST /jobs/schedules/:job_name/run (run now)', () => {
  it('answers 202 with the started run and runs it with the schedule parameters', async () => {
    await post(
      '/jobs/schedules',
      scheduleBody('greet', { job_type: 'echo', parameters: { message: 'hej' } }),
    );
    const res = await post('/jobs/schedules/greet/run');
    expect(res.statusCode).toBe(202);
    const run = res.json();
    expect(run).toMatchObject({ job_name: 'greet', job_type: 'echo', trigger: 'manual', status: 'pending' });
    expect(res.headers.location).toBe(`/jobs/runs/${run.id}`);
    await t.app.scheduler.idle();
    expect(t.log).toEqual(['greet:hej']);
    expect((await get(`/jobs/runs/${run.id}`)).json()).toMatchObject({
      status: 'succeeded',
      result: { echoed: 'hej' },
    });
    // next_run_at is unchanged by a manual run
    expect((await get('/jobs/schedules/greet')).json().next_run_at).toBe('2027-03-02T02:00:00.000Z');
  });

  it('?wait=true answers 200 with the finished run', async () => {
    await post('/jobs/schedules', scheduleBody('failing', { job_type: 'fail' }));
    const res = await post('/jobs/schedules/failing/run?wait=true');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'failed', error: { message: 'boom' } });
    expect(res.json().error.stack).toBeUndefined();
  });

  it('404 for an unknown schedule', async () => {
    expect((await post('/jobs/schedules/ghost/run')).statusCode).toBe(404);
  });
});
