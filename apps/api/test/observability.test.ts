// Spec section 12 through the service: the store gauges scraped over real HTTP while the scheduler is stalled, the
// runs' log lines in pino's stream, and request + engine spans with the OpenTelemetry SDK's in-memory exporter.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { defineJob, type JobDefinition } from '@craft/scheduler';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tracingEnabled } from '../src/telemetry.js';
import { bearer, makeApp, testJobs } from './helpers.js';

/** The sum of the samples of `name` whose labels include `labels`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) {
      sum = (sum ?? 0) + Number(line.split(' ').at(-1));
    }
  }
  return sum;
}

let hooks: Server;
let hookUrl: string;
const hookHeaders: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  hooks = createServer((req, res) => {
    hookHeaders.push(req.headers);
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  });
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => hooks.close(resolve));
});

describe('GET /metrics over HTTP with a stalled scheduler', () => {
  it('craft_oldest_overdue_seconds rises while no pass runs and drops to 0 after one', async () => {
    const t = await makeApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/metrics`;
    const scrape = async () => {
      const res = await fetch(url, { headers: bearer() });
      expect(res.status).toBe(200);
      return res.text();
    };
    // The loop is never started (a stalled scheduler); only the fake clock moves.
    await t.app.schedules.create({ jobName: 'every-minute', cronExpression: '* * * * *', jobType: 'noop' });
    expect(sample(await scrape(), 'craft_oldest_overdue_seconds')).toBe(0);
    await t.clock.advance(90_000); // 10:01 is due since 30 s
    const first = sample(await scrape(), 'craft_oldest_overdue_seconds') as number;
    expect(first).toBe(30);
    await t.clock.advance(300_000);
    const later = sample(await scrape(), 'craft_oldest_overdue_seconds') as number;
    expect(later).toBe(330);
    expect(sample(await scrape(), 'craft_due_backlog')).toBe(1);
    // One pass (what a running loop does) claims it: nothing is overdue any more.
    const pass = await fetch(url.replace('/metrics', '/jobs/check-schedules?wait=true'), {
      method: 'POST',
      headers: bearer(),
    });
    expect(pass.status).toBe(200);
    expect(sample(await scrape(), 'craft_oldest_overdue_seconds')).toBe(0);
    await t.app.close();
  });

  it('a schedule held by a long run (defer) is not overdue; paused schedules are counted by who paused them', async () => {
    const t = await makeApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const scrape = async () => (await fetch(`${base}/metrics`, { headers: bearer() })).text();
    await t.app.schedules.create({ jobName: 'held', cronExpression: '* * * * *', jobType: 'noop' });
    // Another replica holds the schedule's lock (its run still runs) for an hour.
    expect(await t.lock.acquire('job:held', 'another-replica', 3_600_000)).not.toBeNull();
    await t.clock.advance(600_000);
    let text = await scrape();
    expect(sample(text, 'craft_due_backlog')).toBe(1);
    expect(sample(text, 'craft_oldest_overdue_seconds')).toBe(0);

    // Paused by a token (its sub is not a label: it counts as api), by the CLI, and by itself.
    const post = (path: string, body?: object) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { ...bearer(), ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    await t.app.schedules.create({ jobName: 'by-token', cronExpression: '0 3 * * *', jobType: 'noop' });
    expect((await post('/jobs/schedules/by-token/disable')).status).toBe(200);
    await t.app.schedules.create({ jobName: 'by-cli', cronExpression: '0 3 * * *', jobType: 'noop' });
    await t.app.schedules.disable('by-cli', { by: 'cli' });
    await t.app.schedules.create({
      jobName: 'flaky',
      cronExpression: '0 3 * * *',
      jobType: 'fail',
      pauseAfterFailures: 1,
    });
    expect((await post('/jobs/schedules/flaky/run?wait=true')).status).toBe(200);
    text = await scrape();
    expect(sample(text, 'craft_schedules_paused', { paused_by: 'api' })).toBe(1);
    expect(sample(text, 'craft_schedules_paused', { paused_by: 'cli' })).toBe(1);
    expect(sample(text, 'craft_schedules_paused', { paused_by: 'auto' })).toBe(1);
    expect(sample(text, 'craft_schedules_paused', { paused_by: 'sync' })).toBe(0);
    expect(text).not.toContain('tester'); // the token's sub never becomes a label value
    await t.app.close();
  });
});

describe('run log lines', () => {
  it("carry run id, schedule, slot and attempt, and the handler's logger writes into the same pino stream", async () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
        done();
      },
    });
    const talker = defineJob({
      type: 'talker',
      maxAttempts: 1,
      handler: async (_p, ctx) => {
        ctx.logger.info('hello from the handler', { rows: 3 });
        return null;
      },
    }) as unknown as JobDefinition;
    const t = await makeApp({ logger: { level: 'info', stream }, jobs: [...testJobs(), talker] });
    await t.app.schedules.create({ jobName: 'talks', cronExpression: '1 11 * * *', jobType: 'talker' });
    await t.clock.set(Date.parse('2027-03-01T10:01:05.000Z')); // 11:01 Europe/Stockholm
    const res = await t.app.inject({
      method: 'POST',
      url: '/jobs/check-schedules?wait=true',
      headers: bearer(),
    });
    expect(res.statusCode).toBe(200);
    const run = res.json().runs[0] as { id: string };
    const line = lines.find((l) => l['msg'] === 'hello from the handler');
    expect(line).toMatchObject({
      level: 30,
      component: 'scheduler',
      runId: run.id,
      schedule: 'talks',
      slot: '2027-03-01T10:01:00.000Z',
      attempt: 1,
      jobType: 'talker',
      rows: 3,
    });
    // The same stream as the service's own lines (pino's base fields).
    expect(line).toHaveProperty('pid');
    expect(line).toHaveProperty('hostname');
    await t.app.close();
  });
});

describe('OpenTelemetry', () => {
  it('is on only when the OTEL_* variables ask for traces', () => {
    expect(tracingEnabled({})).toBe(false);
    expect(tracingEnabled({ OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
    expect(tracingEnabled({ OTEL_TRACES_EXPORTER: 'otlp' })).toBe(true);
    expect(tracingEnabled({ OTEL_TRACES_EXPORTER: 'none,console' })).toBe(true);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingEnabled({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(
      true,
    );
    expect(tracingEnabled({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'true' })).toBe(false);
  });

  it('traces requests with @fastify/otel; a run started by a request nests under it and http_request propagates it', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(provider);
    try {
      const t = await makeApp({ tracing: true });
      const res = await t.app.inject({
        method: 'POST',
        url: '/jobs/run/http_request?wait=true',
        headers: bearer(),
        payload: { parameters: { url: `${hookUrl}/hook`, method: 'POST' } },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().status).toBe('succeeded');
      await t.app.close();
      const spans = exporter.getFinishedSpans();
      const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
      const attempt = spans.find((s) => s.name === 'craft.run.attempt') as ReadableSpan;
      expect(attempt.attributes).toMatchObject({
        'craft.trigger': 'manual',
        'craft.attempt': 1,
        'craft.outcome': 'succeeded',
      });
      // Walk up from the attempt: it ends at the request's root span of @fastify/otel.
      const chain: ReadableSpan[] = [];
      for (let s: ReadableSpan | undefined = attempt; s; s = byId.get(s.parentSpanContext?.spanId ?? ''))
        chain.push(s);
      const root = chain.at(-1) as ReadableSpan;
      expect(chain.length).toBeGreaterThan(1);
      expect(root.instrumentationScope.name).toBe('@fastify/otel');
      expect(JSON.stringify(root.attributes)).toContain('/jobs/run/');
      // The webhook received the attempt's trace context.
      expect(hookHeaders.at(-1)?.traceparent).toBe(
        `00-${attempt.spanContext().traceId}-${attempt.spanContext().spanId}-01`,
      );
    } finally {
      await provider.shutdown();
      trace.disable();
      context.disable();
    }
  });
});
