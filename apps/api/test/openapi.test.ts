import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../src/index.js';
import { makeApp, type TestApp } from './helpers.js';

interface Operation {
  security?: Record<string, string[]>[];
  requestBody?: { required: boolean; content: Record<string, { schema: { properties?: object } }> };
  responses: Record<string, unknown>;
  tags?: string[];
}

let t: TestApp;
let doc: { openapi: string; info: { version: string }; paths: Record<string, Record<string, Operation>> };
beforeAll(async () => {
  t = await makeApp({ swaggerUi: true });
  const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
  expect(res.statusCode).toBe(200);
  doc = res.json();
});
afterAll(async () => {
  await t.app.close();
});

describe('the OpenAPI document', () => {
  it('matches the committed snapshot (generated from the TypeBox schemas)', async () => {
    expect(doc.info.version).toBe(VERSION);
    // The version changes with every release; the snapshot guards the shape of the API.
    const stable = { ...doc, info: { ...doc.info, version: '<version>' } };
    await expect(`${JSON.stringify(stable, null, 2)}\n`).toMatchFileSnapshot(
      './__snapshots__/openapi.json.snap',
    );
  });

  it('is OpenAPI 3.1 and documents every operation with its scope and error responses', () => {
    expect(doc.openapi).toBe('3.1.0');
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ path, method, op })),
    );
    expect(ops).toHaveLength(25); // 23 authenticated operations, /health and /ready
    for (const { path, op } of ops) {
      expect(op.tags?.length).toBeGreaterThan(0);
      if (['/health', '/ready'].includes(path)) {
        expect(op.security).toEqual([]);
        continue;
      }
      const scope = op.security?.[0]?.['bearerAuth']?.[0];
      expect(['jobs:read', 'jobs:write', 'jobs:run']).toContain(scope);
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403']));
    }
    expect(doc.paths['/jobs/schedules']?.['post']?.security).toEqual([{ bearerAuth: ['jobs:write'] }]);
    expect(doc.paths['/jobs/check-schedules']?.['post']?.security).toEqual([{ bearerAuth: ['jobs:run'] }]);
    expect(doc.paths['/jobs/runs/{run_id}/cancel']?.['post']?.security).toEqual([
      { bearerAuth: ['jobs:run'] },
    ]);
    expect(doc.paths['/jobs/schedules/{job_name}/backfill']?.['post']?.security).toEqual([
      { bearerAuth: ['jobs:run'] },
    ]);
  });

  it('documents the optional body of the manual-run routes: not required, with the per-run overrides', () => {
    for (const path of ['/jobs/run/{job_type}', '/jobs/schedules/{job_name}/run']) {
      const body = doc.paths[path]?.['post']?.requestBody;
      expect(body?.required).toBe(false);
      expect(Object.keys(body?.content['application/json']?.schema.properties ?? {})).toEqual(
        expect.arrayContaining(['max_attempts', 'timeout_seconds']),
      );
    }
    // Bodies that are required stay so.
    expect(doc.paths['/jobs/schedules']?.['post']?.requestBody?.required).toBe(true);
  });

  it('Swagger UI is served at /docs without a token', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('swagger');
  });
});

describe('the OpenAPI document tools can trust', () => {
  type Op = Operation & {
    operationId?: string;
    parameters?: { name: string; in: string; schema?: Record<string, unknown> }[];
  };
  const op = (path: string, method: string) => doc.paths[path]?.[method] as Op | undefined;
  const response = (path: string, method: string, status: string) =>
    op(path, method)?.responses[status] as
      | {
          links?: Record<string, { operationId: string; parameters: Record<string, string> }>;
          headers?: object;
        }
      | undefined;

  it('gives every operation an operationId, unique', () => {
    const ids = Object.values(doc.paths).flatMap((m) => Object.values(m).map((o) => (o as Op).operationId));
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('links a created schedule to every operation on it (with its ETag as If-Match for the edits), a run to its record', () => {
    const links = response('/jobs/schedules', 'post', '201')?.links ?? {};
    expect(Object.keys(links).sort()).toEqual(
      [
        'backfillSchedule',
        'deleteSchedule',
        'disableSchedule',
        'enableSchedule',
        'getNextRuns',
        'getSchedule',
        'patchSchedule',
        'replaceSchedule',
        'runSchedule',
      ].sort(),
    );
    const ids = new Set(
      Object.values(doc.paths).flatMap((m) => Object.values(m).map((o) => (o as Op).operationId)),
    );
    for (const link of Object.values(links)) {
      expect(ids.has(link.operationId)).toBe(true);
      expect(link.parameters['path.job_name']).toBe('$response.body#/job_name');
    }
    expect(links['patchSchedule']?.parameters['header.if-match']).toBe('$response.header.ETag');
    for (const [path, status] of [
      ['/jobs/run/{job_type}', '202'],
      ['/jobs/schedules/{job_name}/run', '202'],
    ] as const) {
      expect(response(path, 'post', status)?.links?.['getRun']?.parameters).toEqual({
        'path.id': '$response.body#/id',
      });
      expect(response(path, 'post', status)?.links?.['cancelRun']?.parameters).toEqual({
        'path.run_id': '$response.body#/id',
      });
    }
    expect(response('/jobs/schedules', 'get', '200')?.links?.['getSchedule']).toBeDefined();
  });

  it('lists the registered job types as the enum of job_type (body and path), user jobs included', () => {
    const types = ['calculate_next_schedules', 'cleanup_run_history', 'echo', 'fail', 'http_request', 'noop'];
    const path = op('/jobs/run/{job_type}', 'post')?.parameters?.find((p) => p.name === 'job_type');
    expect([...((path?.schema?.['enum'] as string[]) ?? [])].sort()).toEqual(types);
    const body = op('/jobs/schedules', 'post')?.requestBody?.content['application/json']?.schema as {
      properties: { job_type: { enum: string[] } };
      allOf: { if: { properties: { job_type: { const: string } } } }[];
    };
    expect([...body.properties.job_type.enum].sort()).toEqual(types);
    // Which parameters each job type takes: `echo` requires `message`, so its parameters are required.
    const echo = body.allOf.find((r) => r.if.properties.job_type.const === 'echo') as unknown as {
      then: { required: string[] };
    };
    expect(echo.then.required).toEqual(['parameters']);
  });

  it('declares the headers: Idempotency-Key and If-Match in, ETag, Location, RateLimit-* and Retry-After out', () => {
    const headerNames = (path: string, method: string) =>
      (op(path, method)?.parameters ?? []).filter((p) => p.in === 'header').map((p) => p.name);
    for (const [path, method] of [
      ['/jobs/schedules', 'post'],
      ['/jobs/schedules/{job_name}/run', 'post'],
      ['/jobs/run/{job_type}', 'post'],
      ['/jobs/check-schedules', 'post'],
    ] as const) {
      expect(headerNames(path, method), `${method} ${path}`).toContain('idempotency-key');
    }
    for (const [path, method] of [
      ['/jobs/schedules/{job_name}', 'put'],
      ['/jobs/schedules/{job_name}', 'patch'],
      ['/jobs/schedules/{job_name}', 'delete'],
      ['/jobs/schedules/{job_name}/enable', 'post'],
      ['/jobs/schedules/{job_name}/disable', 'post'],
    ] as const) {
      expect(headerNames(path, method), `${method} ${path}`).toContain('if-match');
      expect(Object.keys(op(path, method)?.responses ?? {})).toContain('412');
    }
    expect(Object.keys(response('/jobs/schedules/{job_name}', 'get', '200')?.headers ?? {})).toEqual(
      expect.arrayContaining(['ETag', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset']),
    );
    expect(Object.keys(response('/jobs/schedules', 'post', '201')?.headers ?? {})).toEqual(
      expect.arrayContaining(['ETag', 'Location', 'Idempotent-Replayed']),
    );
    expect(Object.keys(response('/jobs/types', 'get', '429')?.headers ?? {})).toContain('Retry-After');
  });

  it('declares the cron syntax and the job_name rules the server checks', () => {
    const body = op('/jobs/schedules', 'post')?.requestBody?.content['application/json']?.schema as {
      properties: Record<string, Record<string, unknown>>;
    };
    expect(body.properties['cron_expression']?.['pattern']).toEqual(expect.stringContaining('@'));
    expect(body.properties['job_name']).toMatchObject({
      minLength: 1,
      maxLength: 200,
      pattern: expect.any(String),
    });
    expect(body.properties['max_attempts']?.['maximum']).toBe(Number.MAX_SAFE_INTEGER);
  });
});
