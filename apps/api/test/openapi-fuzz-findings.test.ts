// Regression tests for what schemathesis found (tooling/fuzz/schemathesis.mjs): the OpenAPI document, and a JSON
// `null` body accepted as if there were no body.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, makeApp, type TestApp } from './helpers.js';

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: { default?: unknown };
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

  it('documents the 400 that a too-long path parameter gets (ST103 on every /{job_name} and /{id} route)', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/jobs/schedules/${'0'.repeat(205)}`,
      headers: bearer(),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'CRAFT_API_BAD_REQUEST' });
    for (const [path, ops] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (op.security?.length === 0) continue; // /health and /ready take no parameters
        expect(Object.keys(op.responses), `${method.toUpperCase()} ${path}`).toContain('400');
      }
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
