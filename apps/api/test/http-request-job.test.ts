// The http_request job reaches the API from @craft/scheduler's built-ins (its own tests live there). These check
// it through the routes, against a local HTTP server bound to 127.0.0.1 only.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as scheduler from '@craft/scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import { bearer, makeApp } from './helpers.js';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const status = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('status') ?? 200);
      if (req.url?.startsWith('/json')) {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, got: body ? JSON.parse(body) : null }));
      } else {
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(`status ${status}`);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('http_request through the API', () => {
  it('a schedule calling a webhook records the response; a failing webhook records the error code', async () => {
    const t = await makeApp();
    const ok = await t.app.inject({
      method: 'POST',
      url: '/jobs/run/http_request?wait=true',
      headers: bearer(),
      payload: { parameters: { url: `${base}/json`, method: 'POST', body: { n: 1 } } },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      status: 'succeeded',
      result: { status: 200, body: { got: { n: 1 } } },
    });

    await t.app.schedules.create({
      jobName: 'hook',
      cronExpression: '0 3 * * *',
      jobType: 'http_request',
      parameters: { url: `${base}/text?status=500` },
      maxAttempts: 1,
    });
    const failed = await t.app.inject({
      method: 'POST',
      url: '/jobs/schedules/hook/run?wait=true',
      headers: bearer(),
    });
    expect(failed.json()).toMatchObject({
      status: 'failed',
      error: { name: 'HttpJobError', code: 'CRAFT_API_HTTP_UNEXPECTED_STATUS' },
    });
    await t.app.close();
  });

  it('rejects invalid parameters when the schedule is saved', async () => {
    const t = await makeApp();
    const res = await t.app.inject({
      method: 'POST',
      url: '/jobs/schedules',
      headers: bearer(),
      payload: {
        job_name: 'h',
        cron_expression: '0 3 * * *',
        job_type: 'http_request',
        parameters: { url: 'ftp://x' },
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'CRAFT_SCHEDULER_INVALID_PARAMETERS',
      details: { job_type: 'http_request' },
    });
    await t.app.close();
  });
});

describe('http_request comes from @craft/scheduler', () => {
  it("re-exports the scheduler's job and error (one class, so instanceof works across both imports)", () => {
    expect(api.HttpJobError).toBe(scheduler.HttpJobError);
    expect(api.httpRequestJob).toBe(scheduler.httpRequestJob);
    expect(api.HTTP_REQUEST_JOB).toBe('http_request');
    expect(api.API_ERROR_CODES).toEqual(
      expect.arrayContaining(['CRAFT_API_HTTP_UNEXPECTED_STATUS', 'CRAFT_API_HTTP_REQUEST_FAILED']),
    );
  });

  it('still refuses a user job named http_request at startup instead of letting it shadow the built-in', async () => {
    const mine = scheduler.defineJob({ type: 'http_request', handler: () => null });
    await expect(makeApp({ jobs: [mine as never] })).rejects.toMatchObject({
      code: 'CRAFT_SCHEDULER_INVALID_JOB_DEFINITION',
      message: expect.stringContaining('"http_request" is registered twice'),
    });
  });
});
