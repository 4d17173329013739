// Optimistic concurrency on schedules: every schedule answer carries ETag "<version>"; PUT, PATCH, DELETE, enable
// and disable take If-Match and answer 412 (changing nothing) when the schedule changed since it was read.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, makeApp, START, scheduleBody, type TestApp } from './helpers.js';

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.app.close();
});

const send = (
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  ifMatch?: string,
  payload?: object,
) =>
  t.app.inject({
    method,
    url,
    headers: { ...bearer(), ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }) },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });

describe('ETag and If-Match on schedules', () => {
  it('a lost update is refused: two clients read "1", the first PUT wins, the second PUT gets 412 and changes nothing', async () => {
    const created = await send('POST', '/jobs/schedules', undefined, scheduleBody('report'));
    expect(created.headers['etag']).toBe('"1"');
    expect(created.json().version).toBe(1);
    const alice = await send('GET', '/jobs/schedules/report');
    const bob = await send('GET', '/jobs/schedules/report');
    expect([alice.headers['etag'], bob.headers['etag']]).toEqual(['"1"', '"1"']);

    const first = await send('PUT', '/jobs/schedules/report', String(alice.headers['etag']), {
      cron_expression: '0 9 * * *',
      job_type: 'noop',
      description: 'alice',
    });
    expect(first.statusCode).toBe(200);
    expect(first.headers['etag']).toBe('"2"');

    const second = await send('PUT', '/jobs/schedules/report', String(bob.headers['etag']), {
      cron_expression: '0 17 * * *',
      job_type: 'noop',
      description: 'bob',
    });
    expect(second.statusCode).toBe(412);
    expect(second.json()).toMatchObject({
      code: 'CRAFT_API_PRECONDITION_FAILED',
      field: 'if-match',
      details: { current_etag: '"2"' },
    });
    const now = (await send('GET', '/jobs/schedules/report')).json();
    expect(now).toMatchObject({ description: 'alice', cron_expression: '0 9 * * *', version: 2 });
  });

  it('PATCH, enable, disable and DELETE honour If-Match; each answer carries the new ETag', async () => {
    await send('POST', '/jobs/schedules', undefined, scheduleBody('s'));
    expect((await send('PATCH', '/jobs/schedules/s', '"7"', { description: 'x' })).statusCode).toBe(412);
    expect((await send('POST', '/jobs/schedules/s/disable', '"7"')).statusCode).toBe(412);
    expect((await send('DELETE', '/jobs/schedules/s', '"7"')).statusCode).toBe(412);
    const s = (await send('GET', '/jobs/schedules/s')).json();
    expect([s.description, s.is_enabled, s.version]).toEqual([null, true, 1]);

    const patched = await send('PATCH', '/jobs/schedules/s', '"1"', { description: 'x' });
    expect(patched.headers['etag']).toBe('"2"');
    const disabled = await send('POST', '/jobs/schedules/s/disable', '"2"');
    expect(disabled.headers['etag']).toBe('"3"');
    const enabled = await send('POST', '/jobs/schedules/s/enable', '"3"');
    expect(enabled.headers['etag']).toBe('"4"');
    expect((await send('DELETE', '/jobs/schedules/s', '"4"')).statusCode).toBe(200);
    expect((await send('GET', '/jobs/schedules/s')).statusCode).toBe(404);
  });

  it('If-Match: * and no If-Match keep the unconditional behaviour; a list matches any of its tags', async () => {
    await send('POST', '/jobs/schedules', undefined, scheduleBody('s'));
    expect((await send('PATCH', '/jobs/schedules/s', '*', { description: 'a' })).headers['etag']).toBe('"2"');
    expect((await send('PATCH', '/jobs/schedules/s', undefined, { description: 'b' })).headers['etag']).toBe(
      '"3"',
    );
    expect((await send('PATCH', '/jobs/schedules/s', '"1", "3"', { description: 'c' })).headers['etag']).toBe(
      '"4"',
    );
  });

  it('compares strongly (a weak tag never matches); a value that is not a tag matches nothing (412, never a blind write)', async () => {
    await send('POST', '/jobs/schedules', undefined, scheduleBody('s'));
    expect((await send('PATCH', '/jobs/schedules/s', 'W/"1"', { description: 'a' })).statusCode).toBe(412);
    const unquoted = await send('PATCH', '/jobs/schedules/s', '1', { description: 'a' });
    expect(unquoted.statusCode).toBe(412);
    expect(unquoted.json().message).toMatch(/not an entity tag.*If-Match: "1"/);
    expect((await send('DELETE', '/jobs/schedules/s', 'garbage')).statusCode).toBe(412);
    expect((await send('GET', '/jobs/schedules/s')).json().version).toBe(1);
  });

  it('a run of the schedule in between does not change its ETag (the scheduler writes no user field)', async () => {
    await send('POST', '/jobs/schedules', undefined, scheduleBody('s', { cron_expression: '* * * * *' }));
    await t.clock.set(START + 61_000);
    const cycle = await send('POST', '/jobs/check-schedules?wait=true');
    expect(cycle.json().runs.length).toBeGreaterThan(0);
    const after = await send('GET', '/jobs/schedules/s');
    expect(after.json().last_run_status).toBe('succeeded');
    expect(after.headers['etag']).toBe('"1"');
    expect((await send('PATCH', '/jobs/schedules/s', '"1"', { description: 'ok' })).statusCode).toBe(200);
  });

  it('a missing schedule is 404 whatever If-Match says', async () => {
    expect((await send('PATCH', '/jobs/schedules/nope', '"1"', { description: 'a' })).statusCode).toBe(404);
    expect((await send('DELETE', '/jobs/schedules/nope', 'W/"1"')).statusCode).toBe(404);
  });
});

describe('what comes before the precondition', () => {
  beforeEach(async () => {
    await send('POST', '/jobs/schedules', undefined, scheduleBody('s'));
  });
  it('invalid input is 400 whatever If-Match says (a precondition only decides between success and 412)', async () => {
    for (const ifMatch of ['"9"', 'W/"1"', 'garbage']) {
      const r = await send('PATCH', '/jobs/schedules/s', ifMatch, { cron_expression: '61 * * * *' });
      expect(r.statusCode, ifMatch).toBe(400);
      expect(r.json().code).toBe('CRAFT_SCHEDULER_INVALID_CRON');
    }
  });
});
