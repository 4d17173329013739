// Regression tests for what schemathesis found (tooling/fuzz/schemathesis.mjs): the OpenAPI document, and a JSON
// `null` body accepted as if there were no body.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, makeApp, type TestApp } from './helpers.js';

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: { default?: unknown; [k: string]: unknown };
}
interface Operation {
  parameters?: Parameter[];
  responses: Record<string, unknown>;
  security?: unknown[];
}

let t: TestApp;
let paths: Record<string, Record<string, Operation>>;
beforeAll(async () => {
  t = await makeApp({ swaggerUi: false });
  paths = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json().paths;
});
afterAll(async () => {
  await t.app.close();
});

describe('OpenAPI document: findings of the API fuzzer', () => {
  it('does not require query parameters that have a default (ST201 on GET /jobs/runs without order/limit/offset)', async () => {
    const withDefault = Object.values(paths)
      .flatMap((ops) => Object.values(ops))
      .flatMap((op) => op.parameters ?? [])
      .filter((p) => p.in === 'query' && p.schema?.default !== undefined);
    expect(withDefault.map((p) => p.name).sort()).toEqual([
      'count',
      'count',
      'limit',
      'limit',
      'offset',
      'order',
      'wait',
      'wait',
      'wait',
      'wait',
    ]);
    for (const p of withDefault) expect(p.required ?? false).toBe(false);
    // And the API indeed accepts the request without them.
    const res = await t.app.inject({
      method: 'GET',
      url: '/jobs/runs?parent_run_id=0',
      headers: bearer(),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ limit: 50, offset: 0 });
  });

  it('never refuses a job_name path value the schema allows: 200 characters of 4-byte UTF-8 pass the router', async () => {
    // 200 code points, each 4 UTF-8 bytes, percent-encoded: 2400 characters (the router's default limit was 100).
    const longest = '😀'.repeat(200);
    const res = await t.app.inject({
      method: 'GET',
      url: `/jobs/schedules/${encodeURIComponent(longest)}`,
      headers: bearer(),
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'CRAFT_SCHEDULER_SCHEDULE_NOT_FOUND' });
    // One more character is what the schema refuses: a 400 naming the parameter.
    const over = await t.app.inject({
      method: 'GET',
      url: `/jobs/schedules/${encodeURIComponent(`${longest}x`)}`,
      headers: bearer(),
    });
    expect(over.statusCode).toBe(400);
    expect(over.json()).toMatchObject({ code: 'CRAFT_API_VALIDATION', field: 'job_name' });
    const param = (paths['/jobs/schedules/{job_name}']?.['get']?.parameters ?? []).find(
      (p: { name: string }) => p.name === 'job_name',
    );
    expect(param?.schema).toMatchObject({ minLength: 1, maxLength: 200 });
    for (const [path, ops] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (op.security?.length === 0) continue; // /health and /ready take no parameters
        expect(Object.keys(op.responses), `${method.toUpperCase()} ${path}`).toContain('400');
      }
    }
  });
});

describe('names with percent signs (schemathesis decodes path values before encoding them; the API does not)', () => {
  it('a schedule named with a percent-escape is found under its name, percent-encoded', async () => {
    for (const name of ['%C2%80', '50% off', 'a/b?c#d']) {
      const created = await t.app.inject({
        method: 'POST',
        url: '/jobs/schedules',
        headers: bearer(),
        payload: { job_name: name, cron_expression: '0 3 * * *', job_type: 'noop' },
      });
      expect(created.statusCode, name).toBe(201);
      expect(created.headers['location']).toBe(`/jobs/schedules/${encodeURIComponent(name)}`);
      const got = await t.app.inject({
        method: 'GET',
        url: String(created.headers['location']),
        headers: bearer(),
      });
      expect(got.statusCode, name).toBe(200);
      expect(got.json().job_name).toBe(name);
    }
  });
});

describe('request bodies: findings of the API fuzzer', () => {
  it('a JSON null body is a 400, not "no body" (ST201 on POST /jobs/run/{job_type} with `null`)', async () => {
    const runsBefore = await t.store.listRuns({ limit: 1000 });
    for (const url of ['/jobs/run/calculate_next_schedules', '/jobs/check-schedules']) {
      const res = await t.app.inject({
        method: 'POST',
        url,
        headers: { ...bearer(), 'content-type': 'application/json' },
        payload: ' null ',
      });
      expect(res.statusCode, url).toBe(400);
      expect(res.json()).toMatchObject({
        code: 'CRAFT_API_VALIDATION',
        message: expect.stringMatching(/null/),
      });
    }
    expect(await t.store.listRuns({ limit: 1000 })).toHaveLength(runsBefore.length);
    // No body at all, or an empty one, is still fine where the body is optional.
    for (const payload of [undefined, '']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/jobs/run/calculate_next_schedules',
        headers: { ...bearer(), ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(payload === undefined ? {} : { payload }),
      });
      expect(res.statusCode).toBe(202);
    }
  });
});
