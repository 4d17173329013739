// OpenTelemetry spans of the engine, recorded with the SDK's in-memory exporter (the SDK is a dev dependency only:
// @opentelemetry/api is an optional peer of the package). The http_request job is checked against a local HTTP
// server bound to 127.0.0.1.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  defineJob,
  FakeClock,
  HTTP_REQUEST_JOB,
  JobRegistry,
  JobScheduler,
  MemoryLock,
  MemoryStore,
} from '../src/index.js';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
let server: Server;
let base: string;
const headersSeen: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  server = createServer((req, res) => {
    headersSeen.push(req.headers);
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await provider.shutdown();
  trace.disable();
  context.disable();
});

beforeEach(() => exporter.reset());

function world() {
  const clock = new FakeClock(Date.parse('2030-06-01T09:59:00.000Z'));
  const store = new MemoryStore({ clock });
  const tracer = trace.getTracer('user-code');
  let calls = 0;
  const registry = new JobRegistry([
    defineJob({
      type: 'traced',
      maxAttempts: 2,
      backoff: { baseMs: 1000, maxMs: 1000, jitter: 0 },
      handler: async () => {
        calls++;
        // The handler's own span nests under the attempt's span.
        await tracer.startActiveSpan('user.work', async (span) => {
          span.end();
        });
        if (calls === 1) throw new Error('first attempt fails');
        return { ok: true };
      },
    }),
  ]);
  const scheduler = new JobScheduler({
    store,
    lock: new MemoryLock({ clock }),
    clock,
    registry,
    timezone: 'UTC',
    random: () => 0,
  });
  return { clock, store, scheduler };
}

const named = (name: string) => exporter.getFinishedSpans().filter((s) => s.name === name);
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

describe('OpenTelemetry spans', () => {
  it('a pass, its claim and each run attempt have spans with schedule, slot, trigger, attempt, lag and outcome', async () => {
    const w = world();
    await w.scheduler.schedules.create({
      jobName: 'nightly',
      cronExpression: '0 10 * * *',
      jobType: 'traced',
    });
    await w.clock.set(Date.parse('2030-06-01T10:00:02.000Z'));
    const cycle = await w.scheduler.checkAndRunDueJobs();
    const runs = cycle.done;
    // The retry waits out its backoff on the fake clock.
    await w.clock.advance(1000);
    const [run] = await runs;
    expect(run?.status).toBe('succeeded');

    const [pass] = named('craft.pass');
    const [claim] = named('craft.claim');
    const attempts = named('craft.run.attempt');
    expect(pass?.attributes).toMatchObject({
      'craft.startup': false,
      'craft.triggered': 1,
      'craft.outcome': 'completed',
    });
    expect(claim?.attributes).toMatchObject({
      'craft.schedule': 'nightly',
      'craft.outcome': 'claimed',
      'craft.runs': 1,
      'craft.slot': '2030-06-01T10:00:00.000Z',
      'craft.trigger': 'schedule',
    });
    expect(parentOf(claim as ReadableSpan)).toBe(pass?.spanContext().spanId);
    expect(attempts).toHaveLength(2);
    const [first, second] = attempts as [ReadableSpan, ReadableSpan];
    expect(first.attributes).toMatchObject({
      'craft.schedule': 'nightly',
      'craft.slot': '2030-06-01T10:00:00.000Z',
      'craft.trigger': 'schedule',
      'craft.attempt': 1,
      'craft.lag_ms': 2000,
      'craft.outcome': 'failed',
      'craft.run_id': run?.id,
    });
    expect(first.status.code).toBe(SpanStatusCode.ERROR);
    expect(first.events.map((e) => e.name)).toContain('exception');
    expect(second.attributes).toMatchObject({ 'craft.attempt': 2, 'craft.outcome': 'succeeded' });
    expect(second.status.code).not.toBe(SpanStatusCode.ERROR);
    for (const a of attempts) {
      expect(parentOf(a)).toBe(claim?.spanContext().spanId);
      expect(a.spanContext().traceId).toBe(pass?.spanContext().traceId);
    }
    // Each attempt's handler span is its child.
    const work = named('user.work');
    expect(work.map(parentOf).sort()).toEqual(attempts.map((a) => a.spanContext().spanId).sort());
  });

  it('http_request sends a W3C traceparent of its attempt span', async () => {
    const clock = new FakeClock(Date.parse('2030-06-01T10:00:00.000Z'));
    const scheduler = new JobScheduler({
      store: new MemoryStore({ clock }),
      lock: new MemoryLock({ clock }),
      clock,
    });
    const { done } = await scheduler.runJob(HTTP_REQUEST_JOB, { url: `${base}/hook`, method: 'POST' });
    expect((await done).status).toBe('succeeded');
    const [attempt] = named('craft.run.attempt');
    const header = headersSeen.at(-1)?.traceparent;
    expect(header).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(header).toBe(`00-${attempt?.spanContext().traceId}-${attempt?.spanContext().spanId}-01`);
    expect(attempt?.attributes).toMatchObject({ 'craft.trigger': 'manual', 'craft.outcome': 'succeeded' });
  });

  it('a traceparent given in the parameters is kept', async () => {
    const clock = new FakeClock(Date.parse('2030-06-01T10:00:00.000Z'));
    const scheduler = new JobScheduler({
      store: new MemoryStore({ clock }),
      lock: new MemoryLock({ clock }),
      clock,
    });
    const mine = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const { done } = await scheduler.runJob(HTTP_REQUEST_JOB, {
      url: `${base}/hook`,
      headers: { traceparent: mine },
    });
    expect((await done).status).toBe('succeeded');
    expect(headersSeen.at(-1)?.traceparent).toBe(mine);
  });
});
