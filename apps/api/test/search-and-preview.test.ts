// What the dashboard asks of the API beyond the first wave: schedule search (q, last_status), runs by creation
// time, month-long previews (until, count up to 1000) and previews of an expression before it is saved.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, makeApp, START, scheduleBody, type TestApp, token } from './helpers.js';

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.app.close();
});

const post = (url: string, payload?: object) =>
  t.app.inject({ method: 'POST', url, headers: bearer(), ...(payload === undefined ? {} : { payload }) });
const get = (url: string, auth = bearer()) => t.app.inject({ method: 'GET', url, headers: auth });
const names = (res: { json(): { items: { job_name: string }[] } }) => res.json().items.map((s) => s.job_name);

describe('GET /jobs/schedules?q=&last_status=', () => {
  beforeEach(async () => {
    await post('/jobs/schedules', scheduleBody('nightly-cleanup', { description: 'Deletes expired TOKENS' }));
    await post('/jobs/schedules', scheduleBody('report.daily', { description: null }));
    await post('/jobs/schedules', scheduleBody('reportXdaily', { description: 'the weekly report' }));
    await post('/jobs/schedules', scheduleBody('failing', { job_type: 'fail' }));
  });

  it('finds schedules by a case-insensitive literal substring of name or description', async () => {
    expect(names(await get('/jobs/schedules?q=CLEANUP'))).toEqual(['nightly-cleanup']);
    expect(names(await get('/jobs/schedules?q=tokens'))).toEqual(['nightly-cleanup']);
    expect(names(await get('/jobs/schedules?q=report'))).toEqual(['report.daily', 'reportXdaily']);
    expect(names(await get('/jobs/schedules?q=t.d'))).toEqual(['report.daily']);
    expect(names(await get(`/jobs/schedules?q=${encodeURIComponent('(')}`))).toEqual([]);
  });

  it('pages a search with the cursor and combines it with the other filters', async () => {
    const first = await get('/jobs/schedules?q=report&limit=1');
    expect(names(first)).toEqual(['report.daily']);
    const cursor = first.json().next_cursor as string;
    const second = await get(`/jobs/schedules?q=report&limit=1&cursor=${cursor}`);
    expect(names(second)).toEqual(['reportXdaily']);
    expect(second.json().next_cursor).toBeNull();
    expect(names(await get('/jobs/schedules?q=ly&job_type=fail'))).toEqual([]);
    expect(names(await get('/jobs/schedules?q=ly&job_type=noop&enabled=true'))).toEqual([
      'nightly-cleanup',
      'report.daily',
      'reportXdaily',
    ]);
  });

  it('filters by last run status; none means never ran', async () => {
    await post('/jobs/schedules/failing/run?wait=true');
    await post('/jobs/schedules/report.daily/run?wait=true');
    expect(names(await get('/jobs/schedules?last_status=failed'))).toEqual(['failing']);
    expect(names(await get('/jobs/schedules?last_status=failed,succeeded'))).toEqual([
      'failing',
      'report.daily',
    ]);
    expect(names(await get('/jobs/schedules?last_status=none'))).toEqual(['nightly-cleanup', 'reportXdaily']);
  });

  it('rejects an unknown status and an empty or overlong search with 400 naming the field', async () => {
    for (const url of [
      '/jobs/schedules?last_status=broken',
      '/jobs/schedules?last_status=failed,',
      '/jobs/schedules?q=',
      `/jobs/schedules?q=${'x'.repeat(201)}`,
    ]) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().field, url).toBe(url.includes('last_status') ? 'last_status' : 'q');
    }
  });
});

describe('GET /jobs/runs?created_from=&created_to=', () => {
  it('filters every run by creation time, manual runs included, [from, to)', async () => {
    await post('/jobs/schedules', scheduleBody('job'));
    const first = (await post('/jobs/schedules/job/run?wait=true')).json();
    await t.clock.advance(60_000);
    const second = (await post('/jobs/schedules/job/run?wait=true')).json();
    const at = (ms: number) => new Date(START + ms).toISOString();
    const ids = (url: string) => get(url).then((r) => r.json().items.map((x: { id: string }) => x.id));
    expect(await ids(`/jobs/runs?created_from=${at(60_000)}`)).toEqual([second.id]);
    expect(await ids(`/jobs/runs?created_to=${at(60_000)}`)).toEqual([first.id]);
    expect(await ids(`/jobs/runs?created_from=${at(0)}&created_to=${at(60_001)}`)).toEqual([
      second.id,
      first.id,
    ]);
    const res = await get(`/jobs/runs?created_from=${at(120_000)}`);
    expect(res.json()).toMatchObject({ items: [], total: 0 });
    expect((await get('/jobs/runs?created_to=soon')).json()).toMatchObject({
      statusCode: 400,
      field: 'created_to',
    });
  });
});

describe('GET /jobs/schedules/:job_name/next-runs?until=', () => {
  it('lists the runs of a month (up to 1000) with the DST gap of that month', async () => {
    await post('/jobs/schedules', scheduleBody('hourly', { cron_expression: '30 * * * *' }));
    const res = await get(
      '/jobs/schedules/hourly/next-runs?from=2027-03-01T00:00:00%2B01:00&until=2027-04-01T00:00:00%2B02:00&count=1000',
    );
    expect(res.statusCode).toBe(200);
    const body = res.json();
    // 31 days of 24 hours, less the hour the spring-forward gap removes.
    expect(body.runs).toHaveLength(31 * 24 - 1);
    expect(body.runs[0]).toMatchObject({
      at: '2027-02-28T23:30:00.000Z',
      local: '2027-03-01T00:30',
      offset: '+01:00',
      due_at: '2027-02-28T23:30:00.000Z',
      dst: null,
    });
    expect(body.runs.at(-1)).toMatchObject({
      at: '2027-03-31T21:30:00.000Z',
      local: '2027-03-31T23:30',
      offset: '+02:00',
    });
    expect(body.skipped).toEqual([expect.objectContaining({ local: '2027-03-28T02:30', reason: 'dst-gap' })]);
  });

  it('stops at count when the window holds more, and refuses until not after from', async () => {
    await post('/jobs/schedules', scheduleBody('minutely', { cron_expression: '* * * * *' }));
    const month = await get(
      '/jobs/schedules/minutely/next-runs?from=2027-03-01T00:00:00Z&until=2027-04-01T00:00:00Z&count=1000',
    );
    expect(month.json().runs).toHaveLength(1000);
    const backwards = await get(
      '/jobs/schedules/minutely/next-runs?from=2027-03-01T00:00:00Z&until=2027-03-01T00:00:00Z',
    );
    expect(backwards.json()).toMatchObject({ statusCode: 400, code: 'CRAFT_API_VALIDATION', field: 'until' });
  });
});

describe('GET /jobs/cron/next-runs (preview before saving)', () => {
  it('describes a draft and marks the Stockholm spring-forward skip among the first 5 runs', async () => {
    const res = await get(
      `/jobs/cron/next-runs?cron_expression=${encodeURIComponent('30 2 * 3 6')}&timezone=Europe/Stockholm&count=5`,
    );
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ cron_expression: '30 2 * 3 6', timezone: 'Europe/Stockholm' });
    expect(body.description).toMatch(/02:30/);
    expect(body.runs).toHaveLength(5);
    // Sundays of March at 02:30: the last one falls in the gap (2027-03-28).
    expect(body.skipped).toEqual([expect.objectContaining({ local: '2027-03-28T02:30', reason: 'dst-gap' })]);
  });

  it("uses the scheduler's zone when no timezone is given, like a schedule without one", async () => {
    const res = await get(
      `/jobs/cron/next-runs?cron_expression=${encodeURIComponent('0 9 * * 0-4')}&count=1`,
    );
    expect(res.json()).toMatchObject({
      timezone: 'Europe/Stockholm',
      runs: [{ at: '2027-03-02T08:00:00.000Z', local: '2027-03-02T09:00', offset: '+01:00' }],
    });
  });

  it('answers the same 400 a create would, at the same field', async () => {
    const bad = await get(`/jobs/cron/next-runs?cron_expression=${encodeURIComponent('61 * * * *')}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      code: 'CRAFT_SCHEDULER_INVALID_CRON',
      field: 'cron_expression',
      details: { cron_field: 'minute', text: '61' },
    });
    const create = await post('/jobs/schedules', scheduleBody('bad', { cron_expression: '61 * * * *' }));
    expect(create.json()).toMatchObject({
      code: bad.json().code,
      field: bad.json().field,
      message: bad.json().message,
    });
    const zone = await get(
      `/jobs/cron/next-runs?cron_expression=${encodeURIComponent('0 3 * * *')}&timezone=Mars/Olympus`,
    );
    expect(zone.json()).toMatchObject({
      statusCode: 400,
      code: 'CRAFT_SCHEDULER_INVALID_TIMEZONE',
      field: 'timezone',
    });
    expect((await get('/jobs/cron/next-runs')).json()).toMatchObject({
      statusCode: 400,
      field: 'cron_expression',
    });
  });

  it('needs jobs:read', async () => {
    const url = `/jobs/cron/next-runs?cron_expression=${encodeURIComponent('0 3 * * *')}`;
    expect((await get(url, {} as ReturnType<typeof bearer>)).statusCode).toBe(401);
    expect((await get(url, bearer(token('jobs:run')))).statusCode).toBe(403);
    expect((await get(url, bearer(token('jobs:read')))).statusCode).toBe(200);
  });
});
