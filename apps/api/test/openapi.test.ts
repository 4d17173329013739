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
    expect(ops).toHaveLength(19); // 17 authenticated operations, /health and /ready
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
