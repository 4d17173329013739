import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, makeApp, scheduleBody, type TestApp } from './helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp({ config: { bodyLimit: 4096 } });
  await t.app.schedules.create({ jobName: 'base', cronExpression: '0 3 * * *', jobType: 'noop' });
});
afterAll(async () => {
  await t.app.close();
});

const create = (payload: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url: '/jobs/schedules',
    headers: { ...bearer(), ...headers },
    payload: payload as string,
  });

/** Every error body has exactly this shape. */
function expectErrorBody(body: Record<string, unknown>, status: number, code: string) {
  expect(body).toMatchObject({
    statusCode: status,
    code,
    error: expect.any(String),
    message: expect.any(String),
  });
  for (const key of Object.keys(body)) {
    expect(['statusCode', 'code', 'error', 'message', 'field', 'details']).toContain(key);
  }
}

describe('bad schedule bodies get 400 with a stable code and the field, and store nothing', () => {
  const cases: [string, Record<string, unknown>, string, string][] = [
    ['an unknown field', scheduleBody('u1', { colour: 'red' }), 'CRAFT_API_UNKNOWN_FIELD', 'colour'],
    [
      'a missing required field',
      { job_name: 'u2', job_type: 'noop' },
      'CRAFT_API_VALIDATION',
      'cron_expression',
    ],
    [
      'a wrong type (no coercion of bodies)',
      scheduleBody('u3', { max_attempts: '3' }),
      'CRAFT_API_VALIDATION',
      'max_attempts',
    ],
    [
      'an out-of-range value',
      scheduleBody('u4', { max_attempts: 0 }),
      'CRAFT_API_VALIDATION',
      'max_attempts',
    ],
    [
      'an unknown policy',
      scheduleBody('u5', { missed_run_policy: 'sometimes' }),
      'CRAFT_API_VALIDATION',
      'missed_run_policy',
    ],
    [
      'an invalid timezone',
      scheduleBody('u6', { timezone: 'Mars/Olympus' }),
      'CRAFT_SCHEDULER_INVALID_TIMEZONE',
      'timezone',
    ],
    [
      'an unknown job type',
      scheduleBody('u7', { job_type: 'mystery' }),
      'CRAFT_SCHEDULER_UNKNOWN_JOB_TYPE',
      'job_type',
    ],
    [
      "parameters failing the job's schema",
      scheduleBody('u8', { job_type: 'echo', parameters: { message: 42 } }),
      'CRAFT_SCHEDULER_INVALID_PARAMETERS',
      'parameters',
    ],
    [
      'a chain naming nothing known',
      scheduleBody('u9', { chain: ['ghost'] }),
      'CRAFT_SCHEDULER_CHAIN_UNKNOWN',
      'chain',
    ],
    [
      'a chain naming itself',
      scheduleBody('u10', { chain: ['u10'] }),
      'CRAFT_SCHEDULER_CHAIN_CYCLE',
      'chain',
    ],
    [
      'a job_name with surrounding spaces (the schema pattern says so)',
      scheduleBody(' u11 '),
      'CRAFT_API_VALIDATION',
      'job_name',
    ],
    [
      'a cron step larger than its field',
      scheduleBody('u12', { cron_expression: '*/70 * * * *' }),
      'CRAFT_SCHEDULER_INVALID_CRON',
      'cron_expression',
    ],
  ];
  for (const [name, body, code, field] of cases) {
    it(name, async () => {
      const res = await create(body);
      expect(res.statusCode).toBe(400);
      expectErrorBody(res.json(), 400, code);
      expect(res.json().field).toBe(field);
      expect(await t.store.getSchedule(String(body['job_name']))).toBeNull();
    });
  }

  it('a cron error names the cron field, the offending text and its position', async () => {
    const res = await create(scheduleBody('c1', { cron_expression: '0 25 * * *' }));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'CRAFT_SCHEDULER_INVALID_CRON',
      field: 'cron_expression',
      details: {
        expression: '0 25 * * *',
        cron_code: 'CRAFT_CRON_INVALID_FIELD',
        cron_field: 'hour',
        text: '25',
        position: 3,
      },
    });
  });

  it('a cycle through another schedule lists the cycle', async () => {
    await t.app.schedules.create({ jobName: 'cy-a', cronExpression: '0 1 * * *', jobType: 'noop' });
    await t.app.schedules.create({
      jobName: 'cy-b',
      cronExpression: '0 1 * * *',
      jobType: 'noop',
      chain: ['cy-a'],
    });
    const res = await t.app.inject({
      method: 'PATCH',
      url: '/jobs/schedules/cy-a',
      headers: bearer(),
      payload: { chain: ['cy-b'] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'CRAFT_SCHEDULER_CHAIN_CYCLE',
      details: { cycle: ['cy-a', 'cy-b', 'cy-a'] },
    });
    expect((await t.store.getSchedule('cy-a'))?.chain).toEqual([]);
  });

  it('parameter issues list the JSON pointer of each problem', async () => {
    const res = await create(
      scheduleBody('p1', { job_type: 'echo', parameters: { message: 'x', times: 0 } }),
    );
    expect(res.json().details.issues).toEqual([expect.objectContaining({ path: '/times' })]);
  });
});

describe('HTTP-level bad input', () => {
  it('invalid JSON → 400 CRAFT_API_INVALID_JSON', async () => {
    const res = await create('{"job_name": ', { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(400);
    expectErrorBody(res.json(), 400, 'CRAFT_API_INVALID_JSON');
  });

  it('an empty JSON body counts as no body: 400 where a body is required, fine where none is', async () => {
    const res = await create('', { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('CRAFT_API_VALIDATION');
    const bodiless = await t.app.inject({
      method: 'POST',
      url: '/jobs/schedules/base/disable',
      headers: { ...bearer(), 'content-type': 'application/json' },
      payload: '',
    });
    expect(bodiless.statusCode).toBe(200);
  });

  it('a body that is not an object → 400', async () => {
    const res = await create('[1,2]', { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('CRAFT_API_VALIDATION');
  });

  it('a body over BODY_LIMIT → 413 CRAFT_API_BODY_TOO_LARGE', async () => {
    const res = await create(scheduleBody('big', { description: 'x'.repeat(5000) }));
    expect(res.statusCode).toBe(413);
    expectErrorBody(res.json(), 413, 'CRAFT_API_BODY_TOO_LARGE');
    expect(await t.store.getSchedule('big')).toBeNull();
  });

  it('a body that is not JSON → 415 CRAFT_API_UNSUPPORTED_MEDIA_TYPE', async () => {
    const res = await create('job_name=x', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.statusCode).toBe(415);
    expectErrorBody(res.json(), 415, 'CRAFT_API_UNSUPPORTED_MEDIA_TYPE');
  });

  it('prototype pollution keys are refused', async () => {
    const res = await create(
      '{"job_name":"pp","cron_expression":"0 3 * * *","job_type":"noop","__proto__":{"x":1}}',
      {
        'content-type': 'application/json',
      },
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('CRAFT_API_INVALID_JSON');
    expect(await t.store.getSchedule('pp')).toBeNull();
  });

  it('a malformed URL → 400 CRAFT_API_BAD_REQUEST with the same body shape', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/jobs/runs/%E0%A4%A', headers: bearer() });
    expect(res.statusCode).toBe(400);
    expectErrorBody(res.json(), 400, 'CRAFT_API_BAD_REQUEST');
  });

  it('an unknown query parameter → 400 CRAFT_API_UNKNOWN_FIELD', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/jobs/schedules?colour=red', headers: bearer() });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'CRAFT_API_UNKNOWN_FIELD',
      field: 'colour',
      details: { location: 'query' },
    });
  });
});

describe('no 5xx for anything a client sends', () => {
  const json = fc.jsonValue({ maxDepth: 3 });
  const fieldValue = fc.oneof(
    json,
    fc.constantFrom(
      '0 3 * * *',
      '*/0 * * * *',
      '60 * * * *',
      '@daily',
      'Europe/Stockholm',
      'Nowhere/Zone',
      '',
    ),
  );
  const body = fc.dictionary(
    fc.constantFrom(
      'job_name',
      'cron_expression',
      'job_type',
      'parameters',
      'timezone',
      'chain',
      'max_attempts',
      'missed_run_policy',
      'catch_up_window_seconds',
      'max_catch_up_runs',
      'is_enabled',
      'description',
      'unknown',
    ),
    fieldValue,
  );

  it('random schedule bodies on POST, PUT and PATCH', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('POST', 'PUT', 'PATCH'), body, async (method, payload) => {
        const res = await t.app.inject({
          method,
          url: method === 'POST' ? '/jobs/schedules' : '/jobs/schedules/base',
          headers: bearer(),
          payload,
        });
        expect(res.statusCode).toBeLessThan(500);
        if (res.statusCode >= 400) expect(res.json().code).toMatch(/^CRAFT_/);
      }),
      { numRuns: 150 },
    );
  });

  it('random query strings and path segments on GET routes', async () => {
    const segment = fc.string({ maxLength: 30 }).map((s) => encodeURIComponent(s));
    const query = fc.dictionary(
      fc.constantFrom(
        'limit',
        'cursor',
        'enabled',
        'job_type',
        'status',
        'offset',
        'count',
        'from',
        'slot_from',
        'order',
      ),
      fc.string({ maxLength: 20 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/jobs/schedules', '/jobs/runs', '/jobs/schedules/base/next-runs', '/jobs/runs/'),
        segment,
        query,
        async (path, seg, q) => {
          const url = `${path.endsWith('/') ? path + (seg || 'x') : path}?${new URLSearchParams(q)}`;
          const res = await t.app.inject({ method: 'GET', url, headers: bearer() });
          expect(res.statusCode).toBeLessThan(500);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('random run parameters for every job type', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          'echo',
          'noop',
          'http_request',
          'calculate_next_schedules',
          'cleanup_run_history',
          'zzz',
        ),
        json,
        async (type, parameters) => {
          // http_request with valid parameters would make a network call: only invalid ones reach it here.
          if (type === 'http_request' && typeof parameters === 'object' && parameters && 'url' in parameters)
            return;
          const res = await t.app.inject({
            method: 'POST',
            url: `/jobs/run/${type}`,
            headers: bearer(),
            payload: { parameters },
          });
          expect(res.statusCode).toBeLessThan(500);
          await t.app.scheduler.idle();
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('a job_name with a lone surrogate (found by reading the fuzzer: it had crashed the Location header)', () => {
  it('is a 400 naming job_name, and nothing is stored', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/jobs/schedules',
      headers: { ...bearer(), 'content-type': 'application/json' },
      payload: '{"job_name":"a\\ud800b","cron_expression":"0 3 * * *","job_type":"noop"}',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ field: 'job_name' });
    expect((await t.store.listSchedules()).filter((s) => s.jobName.startsWith('a'))).toHaveLength(0);
  });
});
