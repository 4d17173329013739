// Per-schedule control through the REST API (spec section 10): DST choices and jitter as schedule fields and in
// previews, pause with a reason and who, server-managed fields refused, the audit trail, and the global pause.
import { jitterOffsetMs } from '@craft/scheduler';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, makeApp, scheduleBody, type TestApp, token } from './helpers.js';

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.app.close();
});

const send = (method: 'POST' | 'PUT' | 'PATCH', url: string, payload?: object, auth = bearer()) =>
  t.app.inject({ method, url, headers: auth, ...(payload === undefined ? {} : { payload }) });
const get = (url: string, auth = bearer()) => t.app.inject({ method: 'GET', url, headers: auth });
const as = (sub: string, scope = 'jobs:read jobs:write jobs:run') =>
  bearer(token(scope, { claims: { sub } }));

describe('DST choices and jitter as schedule fields', () => {
  it('creates a schedule with dst_gap, dst_overlap, jitter_seconds and pause_after_failures, and returns them', async () => {
    const res = await send(
      'POST',
      '/jobs/schedules',
      scheduleBody('night', {
        cron_expression: '30 2 * * *',
        dst_gap: 'shift',
        dst_overlap: 'both',
        jitter_seconds: 600,
        pause_after_failures: 3,
      }),
    );
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      dst_gap: 'shift',
      dst_overlap: 'both',
      jitter_seconds: 600,
      pause_after_failures: 3,
      consecutive_failures: 0,
      paused_reason: null,
      updated_by: 'tester',
      managed_by: null,
    });
    const slot = new Date(body.next_run_at as string);
    expect(Date.parse(body.next_due_at as string)).toBe(slot.getTime() + jitterOffsetMs('night', slot, 600));
  });

  it('defaults the new fields for a schedule that does not set them', async () => {
    const body = (await send('POST', '/jobs/schedules', scheduleBody('plain'))).json();
    expect(body).toMatchObject({
      dst_gap: 'skip',
      dst_overlap: 'first',
      jitter_seconds: 0,
      pause_after_failures: null,
    });
    expect(body.next_due_at).toBe(body.next_run_at);
  });

  it.each([
    ['dst_gap', 'later'],
    ['dst_overlap', 'twice'],
    ['jitter_seconds', 3601],
    ['jitter_seconds', -1],
    ['pause_after_failures', 0],
  ])('refuses %s = %j with a 400 naming the field, storing nothing', async (field, value) => {
    const res = await send('POST', '/jobs/schedules', scheduleBody('bad', { [field]: value }));
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe(field);
    expect((await get('/jobs/schedules/bad')).statusCode).toBe(404);
  });

  it('refuses jitter that is not shorter than the smallest gap between slots, naming the gap', async () => {
    const res = await send(
      'POST',
      '/jobs/schedules',
      scheduleBody('quarter', { cron_expression: '*/15 * * * *', jitter_seconds: 900 }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'CRAFT_SCHEDULER_INVALID_FIELD', field: 'jitter_seconds' });
    expect(res.json().message).toContain('900 s');
    // 59 1 and 03:00 are 1 minute apart in real time the night clocks jump 02:00 → 03:00 in Stockholm.
    const dst = await send(
      'POST',
      '/jobs/schedules',
      scheduleBody('around-gap', { cron_expression: '0,59 1,3 * * *', jitter_seconds: 120 }),
    );
    expect(dst.statusCode).toBe(400);
    expect(dst.json().message).toContain('60 s');
  });

  it('recomputes next_run_at when dst_gap changes, and keeps it when only jitter changes', async () => {
    await t.clock.set(Date.parse('2027-03-28T00:10:00.000Z'));
    const created = (
      await send('POST', '/jobs/schedules', scheduleBody('n', { cron_expression: '30 2 * * *' }))
    ).json();
    expect(created.next_run_at).toBe('2027-03-29T00:30:00.000Z');
    const shifted = (await send('PATCH', '/jobs/schedules/n', { dst_gap: 'shift' })).json();
    expect(shifted.next_run_at).toBe('2027-03-28T01:00:00.000Z');
    const jittered = (await send('PATCH', '/jobs/schedules/n', { jitter_seconds: 60 })).json();
    expect(jittered.next_run_at).toBe('2027-03-28T01:00:00.000Z');
    const slot = new Date('2027-03-28T01:00:00.000Z');
    expect(Date.parse(jittered.next_due_at)).toBe(slot.getTime() + jitterOffsetMs('n', slot, 60));
  });
});

describe('previews with DST choices and jitter', () => {
  it("marks shifted and doubled runs and the planned start in a stored schedule's next runs", async () => {
    await t.clock.set(Date.parse('2027-03-27T12:00:00.000Z'));
    await send(
      'POST',
      '/jobs/schedules',
      scheduleBody('s', { cron_expression: '30 2 * * *', dst_gap: 'shift', jitter_seconds: 300 }),
    );
    const res = await get('/jobs/schedules/s/next-runs?count=2');
    expect(res.statusCode).toBe(200);
    const p = res.json();
    expect(p).toMatchObject({ dst_gap: 'shift', dst_overlap: 'first', jitter_seconds: 300 });
    expect(p.runs[0]).toMatchObject({
      at: '2027-03-28T01:00:00.000Z',
      local: '2027-03-28T03:00',
      wall_time: '2027-03-28T02:30',
      dst: 'shifted',
    });
    const at = new Date(p.runs[0].at);
    expect(p.runs[0].jitter_ms).toBe(jitterOffsetMs('s', at, 300));
    expect(Date.parse(p.runs[0].due_at)).toBe(at.getTime() + p.runs[0].jitter_ms);
    expect(p.shifted).toEqual([
      expect.objectContaining({ local: '2027-03-28T02:30', at: '2027-03-28T01:00:00.000Z' }),
    ]);
    expect(p.skipped).toEqual([]);
  });

  it('previews a draft with dst_overlap both (doubled wall time) and asks for job_name with jitter', async () => {
    const q = 'cron_expression=30%202%20*%20*%20*&from=2027-10-30T12:00:00Z&count=3&dst_overlap=both';
    const p = (await get(`/jobs/cron/next-runs?${q}`)).json();
    expect(p.runs.map((r: { at: string; dst: string | null }) => `${r.at} ${r.dst}`)).toEqual([
      '2027-10-31T00:30:00.000Z first',
      '2027-10-31T01:30:00.000Z second',
      '2027-11-01T01:30:00.000Z null',
    ]);
    const noName = await get(`/jobs/cron/next-runs?${q}&jitter_seconds=60`);
    expect(noName.statusCode).toBe(400);
    expect(noName.json().field).toBe('job_name');
    const named = await get(`/jobs/cron/next-runs?${q}&jitter_seconds=60&job_name=x`);
    expect(named.statusCode).toBe(200);
    expect(named.json().runs[0].due_at).not.toBe(named.json().runs[0].at);
  });
});

describe('pause with a reason, and the audit trail', () => {
  it("records the reason and the token's sub on disable, and clears them on enable", async () => {
    await send('POST', '/jobs/schedules', scheduleBody('p'), as('alice'));
    const off = await send('POST', '/jobs/schedules/p/disable', { reason: 'incident 42' }, as('bob'));
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({
      is_enabled: false,
      paused_reason: 'incident 42',
      paused_by: 'bob',
      updated_by: 'bob',
      next_run_at: null,
      next_due_at: null,
    });
    expect(off.json().paused_at).toBe(new Date(t.clock.now()).toISOString());
    const on = await send('POST', '/jobs/schedules/p/enable', undefined, as('carol'));
    expect(on.json()).toMatchObject({
      is_enabled: true,
      paused_reason: null,
      paused_by: null,
      paused_at: null,
    });
    expect(on.json().updated_by).toBe('carol');
  });

  it('disables without a body, and refuses a reason that is too long', async () => {
    await send('POST', '/jobs/schedules', scheduleBody('p'));
    expect((await send('POST', '/jobs/schedules/p/disable')).json()).toMatchObject({ paused_reason: null });
    const long = await send('POST', '/jobs/schedules/p/disable', { reason: 'x'.repeat(501) });
    expect(long.statusCode).toBe(400);
    expect(long.json().field).toBe('reason');
  });

  it.each(['paused_reason', 'paused_at', 'paused_by', 'consecutive_failures'])(
    'refuses the server-managed field %s in PUT and PATCH with a 400 naming it',
    async (field) => {
      await send('POST', '/jobs/schedules', scheduleBody('m'));
      for (const method of ['PUT', 'PATCH'] as const) {
        const body =
          method === 'PUT' ? { ...scheduleBody('m'), [field]: null } : { description: 'x', [field]: null };
        const res = await send(method, '/jobs/schedules/m', body);
        expect(res.statusCode).toBe(400);
        expect(res.json().field).toBe(field);
        expect(res.json().message).toContain('managed by the server');
      }
    },
  );
});

describe('the global pause', () => {
  it('pauses and resumes triggering, stays ready, and records paused slots as skipped', async () => {
    await t.clock.set(Date.parse('2027-03-01T10:00:30.000Z'));
    await send('POST', '/jobs/schedules', scheduleBody('m', { cron_expression: '*/10 * * * *' }));
    expect((await get('/jobs/pause')).json()).toMatchObject({ paused: false, reason: null, windows: [] });
    const paused = await send('POST', '/jobs/pause', { reason: 'incident 7' }, as('alice'));
    expect(paused.json()).toMatchObject({ paused: true, reason: 'incident 7', paused_by: 'alice' });
    expect((await get('/jobs/pause', bearer(token('jobs:read')))).json().paused).toBe(true);
    expect((await t.app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    await t.clock.set(Date.parse('2027-03-01T10:25:00.000Z'));
    const cycle = (await send('POST', '/jobs/check-schedules?wait=true')).json();
    expect(cycle).toMatchObject({ paused: true, runs: [] });
    const resumed = await send('POST', '/jobs/resume', undefined, as('bob'));
    expect(resumed.json()).toMatchObject({ paused: false, resumed_by: 'bob' });
    expect(resumed.json().windows).toEqual([
      { from: '2027-03-01T10:00:30.000Z', to: '2027-03-01T10:25:00.000Z', catch_up: false },
    ]);
    const after = (await send('POST', '/jobs/check-schedules?wait=true')).json();
    expect(
      after.runs.map((r: { slot: string; status: string; result: { reason?: string } }) => [
        r.slot,
        r.status,
        r.result?.reason,
      ]),
    ).toEqual([
      ['2027-03-01T10:10:00.000Z', 'skipped', 'paused'],
      ['2027-03-01T10:20:00.000Z', 'skipped', 'paused'],
    ]);
  });

  it('needs jobs:write to pause or resume, and jobs:read to read', async () => {
    expect((await send('POST', '/jobs/pause', {}, bearer(token('jobs:read')))).statusCode).toBe(403);
    expect((await send('POST', '/jobs/resume', {}, bearer(token('jobs:read jobs:run')))).statusCode).toBe(
      403,
    );
    expect((await get('/jobs/pause', bearer(token('jobs:run')))).statusCode).toBe(403);
    expect((await send('POST', '/jobs/pause', { reason: 1 })).statusCode).toBe(400);
    expect((await send('POST', '/jobs/resume', { catch_up: 'yes' })).statusCode).toBe(400);
  });
});
