// Idempotency-Key on the POSTs that create or trigger: a retry with one key is answered once (same status, body
// and run ids, Idempotent-Replayed: true) and triggers nothing more, sequentially and concurrently; the key with
// another request is 422; a 4xx is replayed, a 5xx or a held job lock is not stored.
import { defineJob, type JobDefinition } from '@craft/scheduler';
import { afterEach, describe, expect, it } from 'vitest';
import {
  bearer,
  hasSettled,
  makeApp,
  START,
  scheduleBody,
  type TestApp,
  testJobs,
  token,
} from './helpers.js';

let t: TestApp;
afterEach(async () => {
  await t?.app.close();
});

const post = (url: string, key: string | undefined, payload?: unknown, auth = bearer()) =>
  t.app.inject({
    method: 'POST',
    url,
    headers: { ...auth, ...(key === undefined ? {} : { 'idempotency-key': key }) },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });

const manualRuns = async () => (await t.store.listRuns({ trigger: 'manual' })).length;

/** Every triggering POST, with how to count what it made. */
const TRIGGERS: {
  name: string;
  url: string;
  body?: Record<string, unknown>;
  setup?: () => Promise<void>;
  made: () => Promise<number>;
  status: number;
}[] = [
  {
    name: 'POST /jobs/schedules',
    url: '/jobs/schedules',
    body: scheduleBody('once'),
    made: async () => (await t.store.listSchedules()).length,
    status: 201,
  },
  {
    name: 'POST /jobs/schedules/{job_name}/run',
    url: '/jobs/schedules/nightly/run',
    setup: async () => {
      expect((await post('/jobs/schedules', undefined, scheduleBody('nightly'))).statusCode).toBe(201);
    },
    made: manualRuns,
    status: 202,
  },
  {
    name: 'POST /jobs/run/{job_type}',
    url: '/jobs/run/echo',
    body: { parameters: { message: 'hi' } },
    made: manualRuns,
    status: 202,
  },
  {
    name: 'POST /jobs/check-schedules',
    url: '/jobs/check-schedules',
    setup: async () => {
      expect(
        (await post('/jobs/schedules', undefined, scheduleBody('due', { cron_expression: '* * * * *' })))
          .statusCode,
      ).toBe(201);
      await t.clock.set(START + 61_000);
    },
    made: async () => (await t.store.listRuns({ trigger: 'schedule' })).length,
    status: 200,
  },
];

describe('a retried triggering POST with one Idempotency-Key is answered once', () => {
  for (const trigger of TRIGGERS) {
    it(`${trigger.name}: sequential retries replay the first answer and make one thing`, async () => {
      t = await makeApp();
      await trigger.setup?.();
      const first = await post(trigger.url, 'key-1', trigger.body);
      expect(first.statusCode).toBe(trigger.status);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const madeAfterFirst = await trigger.made();
      expect(madeAfterFirst).toBeGreaterThan(0);
      for (let i = 0; i < 3; i++) {
        // Time passes (a check-schedules retry would otherwise find new due slots): the answer stays the first.
        await t.clock.advance(60_000);
        const retry = await post(trigger.url, 'key-1', trigger.body);
        expect(retry.statusCode).toBe(first.statusCode);
        expect(retry.body).toBe(first.body);
        expect(retry.headers['idempotent-replayed']).toBe('true');
        expect(retry.headers['location']).toBe(first.headers['location']);
        expect(retry.headers['etag']).toBe(first.headers['etag']);
      }
      expect(await trigger.made()).toBe(madeAfterFirst);
    });

    it(`${trigger.name}: concurrent requests with one key make one thing; the others replay or are told to retry`, async () => {
      t = await makeApp();
      await trigger.setup?.();
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => post(trigger.url, 'race', trigger.body)),
      );
      const statuses = answers.map((a) => a.statusCode);
      for (const s of statuses) expect([trigger.status, 409]).toContain(s);
      const firsts = answers.filter(
        (a) => a.statusCode === trigger.status && !a.headers['idempotent-replayed'],
      );
      expect(firsts).toHaveLength(1);
      for (const a of answers) {
        if (a.statusCode === 409) {
          expect(a.json().code).toBe('CRAFT_API_IDEMPOTENCY_IN_PROGRESS');
          expect(Number(a.headers['retry-after'])).toBeGreaterThan(0);
        } else {
          expect(a.body).toBe(firsts[0]?.body);
        }
      }
      expect(await trigger.made()).toBe(1);
    });
  }

  it('the same key with another body, path or query is 422 and does nothing', async () => {
    t = await makeApp();
    expect((await post('/jobs/run/echo', 'k', { parameters: { message: 'a' } })).statusCode).toBe(202);
    const reused = [
      await post('/jobs/run/echo', 'k', { parameters: { message: 'b' } }),
      await post('/jobs/run/noop', 'k'),
      await post('/jobs/run/echo?wait=true', 'k', { parameters: { message: 'a' } }),
    ];
    for (const r of reused) {
      expect(r.statusCode).toBe(422);
      expect(r.json()).toMatchObject({ code: 'CRAFT_API_IDEMPOTENCY_KEY_REUSED', field: 'idempotency-key' });
    }
    expect(await manualRuns()).toBe(1);
  });

  it('keys belong to the token subject: the same key of another subject is another request', async () => {
    t = await makeApp();
    const other = bearer(token(undefined, { claims: { sub: 'someone-else' } }));
    const a = await post('/jobs/run/echo', 'shared', { parameters: { message: 'a' } });
    const b = await post('/jobs/run/echo', 'shared', { parameters: { message: 'a' } }, other);
    expect([a.statusCode, b.statusCode]).toEqual([202, 202]);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(a.json().id).not.toBe(b.json().id);
    expect(await manualRuns()).toBe(2);
  });

  it('a 4xx first answer is stored and replayed; a quoted key (the draft sf-string) is the same key', async () => {
    t = await makeApp();
    const bad = scheduleBody('bad', { cron_expression: '61 * * * *' });
    const first = await post('/jobs/schedules', 'bad-1', bad);
    expect(first.statusCode).toBe(400);
    const again = await post('/jobs/schedules', '"bad-1"', bad);
    expect(again.statusCode).toBe(400);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toBe(first.body);
    // The key stands for that (invalid) request: it cannot be reused for a fixed one.
    expect((await post('/jobs/schedules', 'bad-1', scheduleBody('bad'))).statusCode).toBe(422);
    expect(await t.store.listSchedules()).toHaveLength(0);
  });

  it('a 5xx (the store failing) is not stored: the key is released and a retry runs', async () => {
    t = await makeApp();
    const insert = t.store.insertRun.bind(t.store);
    let fail = true;
    t.store.insertRun = async (...args) => {
      if (fail) throw new Error('database down');
      return insert(...args);
    };
    // The engine retries the failing insert until the run's lease deadline (spec section 11), on the fake clock.
    const pending = post('/jobs/run/echo', 'k5', { parameters: { message: 'x' } });
    for (let i = 0; i < 100 && !(await hasSettled(pending)); i++) await t.clock.advance(10_000);
    const first = await pending;
    expect(first.statusCode).toBe(500);
    // A replica that let its lease lapse does not write a release; the job lock frees when its TTL ends.
    await t.clock.advance(300_000);
    fail = false;
    const retry = await post('/jobs/run/echo', 'k5', { parameters: { message: 'x' } });
    expect(retry.statusCode).toBe(202);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(await manualRuns()).toBe(1);
  });

  it('a manual run refused because its job lock is held (409) is not stored: the retry with the key runs later', async () => {
    t = await makeApp();
    const lease = await t.lock.acquire('job:echo', 'someone', 60_000);
    const locked = await post('/jobs/run/echo', 'k409', { parameters: { message: 'x' } });
    expect(locked.statusCode).toBe(409);
    expect(locked.json().code).toBe('CRAFT_SCHEDULER_JOB_LOCKED');
    await t.lock.release(lease as NonNullable<typeof lease>);
    const retry = await post('/jobs/run/echo', 'k409', { parameters: { message: 'x' } });
    expect(retry.statusCode).toBe(202);
    expect(await manualRuns()).toBe(1);
  });

  it('a retry while the first request still runs waits for it and gets its answer (wait=true)', async () => {
    let release: () => void = () => {};
    const gate: JobDefinition = defineJob({
      type: 'gate',
      maxAttempts: 1,
      handler: () =>
        new Promise<{ done: true }>((resolve) => {
          release = () => resolve({ done: true });
        }),
    }) as unknown as JobDefinition;
    t = await makeApp({ jobs: [...testJobs(), gate], idempotency: { waitMs: 5000 } });
    const first = post('/jobs/run/gate?wait=true', 'slow', {});
    await new Promise((r) => setTimeout(r, 50));
    const retry = post('/jobs/run/gate?wait=true', 'slow', {});
    await new Promise((r) => setTimeout(r, 200));
    release();
    const [a, b] = await Promise.all([first, retry]);
    expect(a.statusCode).toBe(200);
    expect(b.statusCode).toBe(200);
    expect(b.headers['idempotent-replayed']).toBe('true');
    expect(b.json().id).toBe(a.json().id);
    expect(b.json().status).toBe('succeeded');
    expect(await manualRuns()).toBe(1);
  });

  it('refuses an empty or overlong key with 400 naming the header, doing nothing', async () => {
    t = await makeApp();
    for (const key of ['""', 'x'.repeat(256)]) {
      const r = await post('/jobs/run/echo', key, { parameters: { message: 'x' } });
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ code: 'CRAFT_API_VALIDATION', field: 'idempotency-key' });
    }
    expect(await manualRuns()).toBe(0);
  });

  it('a request without the header is not idempotent (two runs)', async () => {
    t = await makeApp();
    await post('/jobs/run/echo', undefined, { parameters: { message: 'x' } });
    await post('/jobs/run/echo', undefined, { parameters: { message: 'x' } });
    expect(await manualRuns()).toBe(2);
  });
});
