// GET /jobs/events over real sockets (the app listening on a loopback port, fetch as the client): Server-Sent
// Events from the event log, resumption with Last-Event-ID, resets, filters, keep-alive, shutdown (spec §12).
import type { AddressInfo } from 'node:net';
import {
  defineJob,
  formatEventCursor,
  type JobDefinition,
  MemoryLock,
  MemoryStore,
  type SchedulerStore,
} from '@craft/scheduler';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type CraftApp } from '../src/index.js';
import { ALL, bearer, SECRET, scheduleBody, testJobs, token } from './helpers.js';
import { openSse, payload, type SseClient } from './sse.js';

const open: { app: CraftApp; clients: SseClient[] }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    for (const c of o.clients) c.close();
    await o.app.close();
  }
});

/** The app on the system clock and an in-memory store, listening on a free loopback port, with short intervals. */
async function start(
  options: { keepAliveMs?: number; store?: SchedulerStore; jobs?: JobDefinition[] } = {},
): Promise<{
  app: CraftApp;
  url: string;
  sse: (q?: string, h?: Record<string, string>) => Promise<SseClient>;
}> {
  const store = options.store ?? new MemoryStore();
  const app = await buildApp({
    store,
    lock: new MemoryLock(),
    jobs: [...testJobs(), ...(options.jobs ?? [])],
    logger: false,
    processMetrics: false,
    swaggerUi: false,
    config: { jwt: { kind: 'secret', secret: SECRET, generated: false }, timezone: 'Europe/Stockholm' },
    events: {
      pollIntervalMs: 20,
      settleMs: 50,
      flushIntervalMs: 10,
      keepAliveMs: options.keepAliveMs ?? 60_000,
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const entry = { app, clients: [] as SseClient[] };
  open.push(entry);
  return {
    app,
    url,
    sse: async (q = '', h = bearer()) => {
      const c = await openSse(`${url}/jobs/events${q}`, h);
      entry.clients.push(c);
      return c;
    },
  };
}

async function post(url: string, path: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { ...bearer(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  expect(res.status).toBeLessThan(300);
  return res.json() as Promise<Record<string, unknown>>;
}

const types = (c: SseClient) => c.messages.map((m) => m.event);

describe('GET /jobs/events', () => {
  it('streams schedule changes and a run’s lifecycle as Server-Sent Events, each with an id', async () => {
    const { url, sse } = await start();
    const s = await sse();
    expect(s.status).toBe(200);
    expect(s.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(s.headers.get('cache-control')).toBe('no-cache, no-transform');
    await post(
      url,
      '/jobs/schedules',
      scheduleBody('live', { job_type: 'echo', parameters: { message: 'hi' } }),
    );
    const run = await post(url, '/jobs/schedules/live/run');
    await s.waitFor((m) => m.some((x) => x.event === 'run:succeeded'));
    expect(types(s)).toEqual(['schedule:created', 'run:created', 'run:started', 'run:succeeded']);
    const succeeded = payload(s.messages[3] as never);
    expect(succeeded).toMatchObject({ type: 'run:succeeded', job_name: 'live', run_id: run['id'] });
    expect(succeeded.data).toMatchObject({
      status: 'succeeded',
      trigger: 'manual',
      job_type: 'echo',
      attempt: 1,
    });
    expect(Date.parse(succeeded.at)).toBeGreaterThan(0);
    // Every message has its own id, equal to the payload's, in increasing order.
    const ids = s.messages.map((m) => m.id);
    expect(ids.every((id, i) => id === payload(s.messages[i] as never).id)).toBe(true);
    expect(new Set(ids).size).toBe(4);
    expect(s.comments[0]).toBe('craft events');
  });

  it('needs a token with jobs:read, and checks its query', async () => {
    const { url } = await start();
    expect((await fetch(`${url}/jobs/events`)).status).toBe(401);
    const forbidden = await fetch(`${url}/jobs/events`, { headers: bearer(token('jobs:run')) });
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as { code: string }).code).toBe('CRAFT_API_FORBIDDEN');
    const bad = await fetch(`${url}/jobs/events?types=run%20started`, { headers: bearer(token(ALL)) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'CRAFT_API_VALIDATION', field: 'types' });
    const unknown = await fetch(`${url}/jobs/events?since=now`, { headers: bearer() });
    expect(unknown.status).toBe(400);
  });

  it('resumes with Last-Event-ID: exactly the events missed while disconnected, none twice', async () => {
    const { url, sse } = await start();
    const first = await sse();
    await post(url, '/jobs/schedules', scheduleBody('a'));
    await first.waitFor((m) => m.length === 1);
    const last = first.lastEventId() as string;
    first.close();
    await post(url, '/jobs/schedules', scheduleBody('b'));
    await post(url, '/jobs/schedules/b/disable');
    await post(url, '/jobs/schedules', scheduleBody('c'));
    await new Promise((r) => setTimeout(r, 200));
    const resumed = await sse('', { ...bearer(), 'last-event-id': last });
    await post(url, '/jobs/schedules', scheduleBody('d'));
    await resumed.waitFor((m) => m.length >= 4);
    await new Promise((r) => setTimeout(r, 200));
    expect(resumed.messages.map((m) => `${m.event} ${payload(m).job_name}`)).toEqual([
      'schedule:created b',
      'schedule:disabled b',
      'schedule:created c',
      'schedule:created d',
    ]);
    // The query parameter does the same for clients that cannot set the header; the header wins over it.
    const byQuery = await sse(`?last_event_id=${encodeURIComponent(last)}`);
    await byQuery.waitFor((m) => m.length >= 4);
    expect(byQuery.messages.map((m) => m.id)).toEqual(resumed.messages.map((m) => m.id));
    const both = await sse(`?last_event_id=${encodeURIComponent(last)}`, {
      ...bearer(),
      'last-event-id': resumed.messages[2]?.id as string,
    });
    await both.waitFor((m) => m.length >= 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(both.messages.map((m) => payload(m).job_name)).toEqual(['d']);
  });

  it('sends a reset for an id older than the 7 days events are kept, or one it did not give out, then goes on', async () => {
    const { url, sse } = await start();
    const old = formatEventCursor({ at: new Date(Date.now() - 8 * 86_400_000), id: 'abc' });
    const s = await sse('', { ...bearer(), 'last-event-id': old });
    await s.waitFor((m) => m.length === 1);
    expect(s.messages[0]?.event).toBe('reset');
    expect(JSON.parse(s.messages[0]?.data as string)).toMatchObject({
      reason: 'expired',
      last_event_id: old,
    });
    expect(s.messages[0]?.id).toMatch(/^\d+$/); // a position to resume from, not the stale id
    await post(url, '/jobs/schedules', scheduleBody('after-reset'));
    await s.waitFor((m) => m.length === 2);
    expect(s.messages[1]?.event).toBe('schedule:created');
    const garbage = await sse('', { ...bearer(), 'last-event-id': 'hello' });
    await garbage.waitFor((m) => m.length === 1);
    expect(JSON.parse(garbage.messages[0]?.data as string)).toMatchObject({ reason: 'invalid' });
    // Resuming from the reset's id is not another reset.
    const again = await sse('', { ...bearer(), 'last-event-id': s.messages[0]?.id as string });
    await again.waitFor((m) => m.length === 1);
    expect(again.messages.map((m) => m.event)).toEqual(['schedule:created']);
  });

  it('filters by job_name and types', async () => {
    const { url, sse } = await start();
    const s = await sse('?job_name=keep&types=schedule:disabled,schedule:deleted');
    for (const name of ['keep', 'other']) {
      await post(url, '/jobs/schedules', scheduleBody(name));
      await post(url, `/jobs/schedules/${name}/disable`);
      await fetch(`${url}/jobs/schedules/${name}`, { method: 'DELETE', headers: bearer() });
    }
    await s.waitFor((m) => m.length >= 2);
    await new Promise((r) => setTimeout(r, 200));
    expect(s.messages.map((m) => `${m.event} ${payload(m).job_name}`)).toEqual([
      'schedule:disabled keep',
      'schedule:deleted keep',
    ]);
  });

  it('sends a comment line every keepAliveMs, and an id line when the position moved without an event', async () => {
    const { sse } = await start({ keepAliveMs: 100 });
    const s = await sse();
    await new Promise((r) => setTimeout(r, 450));
    expect(s.comments.filter((c) => c === 'keep-alive').length).toBeGreaterThanOrEqual(3);
    expect(s.messages).toEqual([]);
    expect(s.lastEventId()).toMatch(/^\d+$/);
  });

  it('ends every open stream at shutdown, promptly: closing does not wait on them', async () => {
    const { app, sse } = await start();
    const streams = [await sse(), await sse('?types=run:failed')];
    const t0 = Date.now();
    await app.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    await Promise.all(streams.map((s) => s.ended));
    expect(streams[0]?.comments.at(-1)).toBe('the service is shutting down');
    open.length = 0;
  });

  it('while draining running jobs, open streams stay and new ones are refused (503); the rest resumes elsewhere', async () => {
    let release: () => void = () => {};
    const slow = defineJob({
      type: 'slow',
      maxAttempts: 1,
      handler: () =>
        new Promise<void>((r) => {
          release = r;
        }),
    }) as unknown as JobDefinition;
    const store = new MemoryStore();
    const { app, url, sse } = await start({ jobs: [slow], store });
    const s = await sse();
    await post(url, '/jobs/run/slow');
    await s.waitFor((m) => m.some((x) => x.event === 'run:started'));
    const closing = app.close();
    await new Promise((r) => setTimeout(r, 100));
    const refused = await fetch(`${url}/jobs/events`, { headers: bearer() });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ code: 'CRAFT_API_NOT_READY' });
    release();
    await closing;
    await s.ended;
    open.splice(
      open.findIndex((o) => o.app === app),
      1,
    );
    // The drained run's last event was written at shutdown: the client resumes on another replica and gets it.
    const other = await start({ store });
    const resumed = await other.sse('', { ...bearer(), 'last-event-id': s.lastEventId() as string });
    await resumed.waitFor((m) => m.length >= 1);
    expect(types(resumed)).toEqual(['run:succeeded']);
    expect([...types(s), ...types(resumed)]).toEqual(['run:created', 'run:started', 'run:succeeded']);
  });

  it('ends a stream when its token expires (the reconnect then needs a valid token)', async () => {
    const { sse } = await start();
    const s = await sse('', bearer(token(ALL, { expiresInMs: 1500 })));
    expect(s.status).toBe(200);
    await s.ended;
    expect(s.comments.at(-1)).toBe('the token has expired');
  });

  it('answers 501 when the store keeps no event log', async () => {
    const inner = new MemoryStore();
    const plain = new Proxy(inner, {
      get: (target, key) =>
        ['appendEvents', 'readEvents', 'deleteEvents', 'oldestEventCursor'].includes(String(key))
          ? undefined
          : ((Reflect.get(target, key) as unknown as (...a: unknown[]) => unknown).bind?.(target) ??
            Reflect.get(target, key)),
    }) as SchedulerStore;
    const { url } = await start({ store: plain });
    const res = await fetch(`${url}/jobs/events`, { headers: bearer() });
    expect(res.status).toBe(501);
    expect(await res.json()).toMatchObject({ code: 'CRAFT_API_EVENTS_UNAVAILABLE' });
  });
});
