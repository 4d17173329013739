// The built-in http_request job against a local HTTP server bound to 127.0.0.1 only (no other host is called;
// the injected-fetch test uses a fake fetch).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FakeClock,
  HTTP_REQUEST_JOB,
  HttpJobError,
  httpRequestJob,
  type JobContext,
  JobScheduler,
  LeaseExpiredError,
  MemoryLock,
  MemoryStore,
  SchedulerError,
} from '../src/index.js';

interface Seen {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base: string;
const seen: Seen[] = [];
const flaky = new Set<string>();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      if (req.url === '/hang') return; // never answers
      if (req.url?.startsWith('/flaky')) {
        // Fails the first request to each /flaky… URL, answers 200 afterwards.
        const first = !flaky.has(req.url);
        flaky.add(req.url);
        res.writeHead(first ? 503 : 200, { 'content-type': 'text/plain' });
        res.end(first ? 'try again' : 'ok');
        return;
      }
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

function ctx(signal = new AbortController().signal, fields: Partial<JobContext> = {}): JobContext {
  const noop = () => {};
  return {
    signal,
    runId: 'r1',
    attempt: 1,
    scheduledAt: null,
    jobName: null,
    jobType: 'http_request',
    idempotencyKey: 'r1',
    leaseDeadline: new Date(Date.now() + 60_000),
    leaseTimeLeftMs: () => 60_000,
    logger: { debug: noop, info: noop, warn: noop, error: noop },
    scheduler: null,
    ...fields,
  };
}

const job = httpRequestJob();
const run = (params: Record<string, unknown>, signal?: AbortSignal) =>
  job.handler(params as never, ctx(signal)) as Promise<{
    status: number;
    body: unknown;
    duration_ms: number;
  }>;

describe('http_request job', () => {
  it('POSTs a JSON body with headers by default and returns status and parsed body', async () => {
    const result = await run({
      url: `${base}/json`,
      headers: { 'x-token': 'abc' },
      body: { hello: 'world' },
    });
    expect(result).toMatchObject({ status: 200, body: { ok: true, got: { hello: 'world' } } });
    expect(result.duration_ms).toBeGreaterThanOrEqual(0);
    const req = seen.at(-1) as Seen;
    expect(req.method).toBe('POST');
    expect(req.headers['x-token']).toBe('abc');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['user-agent']).toContain('craft-scheduler');
  });

  it('sends a string body as is and supports other methods', async () => {
    await run({
      url: `${base}/text`,
      method: 'PUT',
      body: 'raw text',
      headers: { 'content-type': 'text/plain' },
    });
    expect(seen.at(-1)).toMatchObject({ method: 'PUT', body: 'raw text' });
    const get = await run({ url: `${base}/text`, method: 'GET', body: 'ignored' });
    expect(get.body).toBe('status 200');
    expect(seen.at(-1)).toMatchObject({ method: 'GET', body: '' });
  });

  it('fails on an unexpected status with CRAFT_API_HTTP_UNEXPECTED_STATUS', async () => {
    const error = await run({ url: `${base}/text?status=503` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpJobError);
    expect(error).toBeInstanceOf(SchedulerError);
    expect(error).toMatchObject({ code: 'CRAFT_API_HTTP_UNEXPECTED_STATUS', status: 503 });
    expect((error as Error).message).toMatch(/answered 503, expected a 2xx status/);
  });

  it('expected_status decides what counts as success', async () => {
    expect((await run({ url: `${base}/text?status=404`, expected_status: [404, 410] })).status).toBe(404);
    await expect(run({ url: `${base}/text?status=200`, expected_status: 201 })).rejects.toMatchObject({
      code: 'CRAFT_API_HTTP_UNEXPECTED_STATUS',
    });
  });

  it('fails with CRAFT_API_HTTP_REQUEST_FAILED when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    await expect(run({ url: `http://127.0.0.1:${port}/` })).rejects.toMatchObject({
      code: 'CRAFT_API_HTTP_REQUEST_FAILED',
    });
  });

  it('fails with CRAFT_API_HTTP_REQUEST_FAILED after timeout_seconds without an answer', async () => {
    const error = await run({ url: `${base}/hang`, timeout_seconds: 1 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CRAFT_API_HTTP_REQUEST_FAILED' });
    expect((error as Error).message).toMatch(/no response within 1 s/);
  });

  it("honours the run's AbortSignal (timeout or shutdown) and rethrows its reason", async () => {
    const controller = new AbortController();
    const pending = run({ url: `${base}/hang`, timeout_seconds: 3600 }, controller.signal);
    const reason = new Error('run timed out');
    setImmediate(() => controller.abort(reason));
    await expect(pending).rejects.toBe(reason);
  });

  it('sends the run key as Idempotency-Key, and X-Craft-Schedule, -Slot, -Run-Id and -Attempt; keeps a given key', async () => {
    const slot = new Date('2030-06-01T03:00:00.000Z');
    const fields = {
      runId: 'run-7',
      attempt: 2,
      jobName: 'nightly',
      scheduledAt: slot,
      idempotencyKey: `nightly@${slot.toISOString()}`,
    };
    await job.handler({ url: `${base}/json` } as never, ctx(undefined, fields));
    const h = (seen.at(-1) as Seen).headers;
    expect([
      h['idempotency-key'],
      h['x-craft-schedule'],
      h['x-craft-slot'],
      h['x-craft-run-id'],
      h['x-craft-attempt'],
    ]).toEqual(['nightly@2030-06-01T03:00:00.000Z', 'nightly', '2030-06-01T03:00:00.000Z', 'run-7', '2']);
    await job.handler(
      { url: `${base}/json`, headers: { 'Idempotency-Key': 'mine' } } as never,
      ctx(undefined, fields),
    );
    expect((seen.at(-1) as Seen).headers['idempotency-key']).toBe('mine');
    // A manual run of a bare job type has no schedule and no slot: those headers are left out.
    await run({ url: `${base}/json` });
    const manual = (seen.at(-1) as Seen).headers;
    expect([manual['idempotency-key'], manual['x-craft-schedule'], manual['x-craft-slot']]).toEqual([
      'r1',
      undefined,
      undefined,
    ]);
  });

  it('does not send once the lease deadline passed (checked right before sending)', async () => {
    const before = seen.length;
    const error = await Promise.resolve(
      job.handler({ url: `${base}/json` } as never, ctx(undefined, { leaseTimeLeftMs: () => 0 })),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LeaseExpiredError);
    expect((error as LeaseExpiredError).code).toBe('CRAFT_SCHEDULER_LEASE_EXPIRED');
    expect(seen.length).toBe(before);
  });

  it('uses an injected fetch', async () => {
    const calls: string[] = [];
    const custom = httpRequestJob({
      fetch: async (url) => {
        calls.push(String(url));
        return new Response('{"x":1}', { status: 202, headers: { 'content-type': 'application/json' } });
      },
    });
    const result = await custom.handler({ url: 'https://hooks.example/x' } as never, ctx());
    expect(calls).toEqual(['https://hooks.example/x']);
    expect(result).toMatchObject({ status: 202, body: { x: 1 } });
  });
});

describe('http_request as a built-in of the engine', () => {
  function engine(builtins?: boolean) {
    const clock = new FakeClock(Date.parse('2030-06-01T10:00:30.000Z'));
    const store = new MemoryStore({ clock });
    const lock = new MemoryLock({ clock });
    return new JobScheduler({
      store,
      lock,
      clock,
      timezone: 'UTC',
      ...(builtins === false ? { builtins } : {}),
    });
  }

  it('is registered by default (and not with builtins: false), with its parameter schema', async () => {
    const scheduler = engine();
    expect(scheduler.jobs.get(HTTP_REQUEST_JOB)?.parameters).toMatchObject({ required: ['url'] });
    expect(engine(false).jobs.get(HTTP_REQUEST_JOB)).toBeUndefined();
    await expect(
      scheduler.schedules.create({
        jobName: 'bad-hook',
        cronExpression: '0 3 * * *',
        jobType: HTTP_REQUEST_JOB,
        parameters: { url: 'ftp://x' },
      }),
    ).rejects.toMatchObject({ code: 'CRAFT_SCHEDULER_INVALID_PARAMETERS' });
  });

  it('a schedule calling the webhook records the response; a failing one records the error code', async () => {
    const scheduler = engine();
    await scheduler.schedules.create({
      jobName: 'hook',
      cronExpression: '0 3 * * *',
      jobType: HTTP_REQUEST_JOB,
      parameters: { url: `${base}/json`, body: { n: 1 } },
    });
    const ok = await (await scheduler.runNow('hook')).done;
    expect(ok).toMatchObject({ status: 'succeeded', result: { status: 200, body: { got: { n: 1 } } } });
    const failed = await (
      await scheduler.runJob(HTTP_REQUEST_JOB, { url: `${base}/text?status=500` }, { maxAttempts: 1 })
    ).done;
    expect(failed).toMatchObject({
      status: 'failed',
      error: { name: 'HttpJobError', code: 'CRAFT_API_HTTP_UNEXPECTED_STATUS' },
    });
  });

  it('sends the same Idempotency-Key on every attempt of a run, with its attempt number', async () => {
    const clock = new FakeClock(Date.parse('2030-06-01T10:00:30.000Z'));
    const scheduler = new JobScheduler({
      store: new MemoryStore({ clock }),
      lock: new MemoryLock({ clock }),
      clock,
      timezone: 'UTC',
      random: () => 0,
    });
    const url = `${base}/flaky-${Math.random().toString(36).slice(2)}`;
    await scheduler.schedules.create({
      jobName: 'flaky-hook',
      cronExpression: '0 3 * * *',
      jobType: HTTP_REQUEST_JOB,
      parameters: { url },
    });
    const { run, done } = await scheduler.runNow('flaky-hook');
    let finished = false;
    void done.then(() => {
      finished = true;
    });
    // Real HTTP, fake backoff: move the clock until the retry has happened.
    for (let i = 0; i < 200 && !finished; i++) {
      await clock.advance(500);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect((await done).status).toBe('succeeded');
    const sent = seen.filter((r) => url.endsWith(r.url ?? '?'));
    expect(
      sent.map((r) => [
        r.headers['idempotency-key'],
        r.headers['x-craft-attempt'],
        r.headers['x-craft-run-id'],
      ]),
    ).toEqual([
      [run.runKey, '1', run.id],
      [run.runKey, '2', run.id],
    ]);
    expect(sent.every((r) => r.headers['x-craft-schedule'] === 'flaky-hook')).toBe(true);
  });
});
