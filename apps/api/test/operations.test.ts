import { defineJob, FakeClock, type JobDefinition } from '@craft/scheduler';
import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../src/index.js';
import { bearer, makeApp, START } from './helpers.js';

describe('GET /health and GET /ready', () => {
  it('are open and report the storage and scheduler state', async () => {
    const t = await makeApp();
    expect((await t.app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok' });
    expect((await t.app.inject({ method: 'GET', url: '/ready' })).json()).toEqual({
      status: 'ready',
      storage: 'memory',
      scheduler: 'stopped',
    });
    await t.app.scheduler.start();
    expect((await t.app.inject({ method: 'GET', url: '/ready' })).json().scheduler).toBe('running');
    await t.app.close();
  });

  it('/ready answers 503 CRAFT_API_NOT_READY when the database does not answer; /health stays 200', async () => {
    const clock = new FakeClock(START);
    let up = true;
    const storage = {
      ...memoryStorage(clock),
      ping: async () => {
        if (!up) throw new Error('connection refused');
      },
    };
    const t = await makeApp({ storage, clock });
    expect((await t.app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    up = false;
    const res = await t.app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({
      code: 'CRAFT_API_NOT_READY',
      message: expect.stringContaining('refused'),
    });
    expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    await t.app.close();
  });
});

describe('GET /metrics', () => {
  /** The sum of the samples of `name` whose labels include `labels` (undefined when there is none). */
  function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
    let sum: number | undefined;
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
      const ok = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
      if (ok) sum = (sum ?? 0) + Number(line.split(' ').at(-1));
    }
    return sum;
  }

  it('counts runs by type and status, duration, trigger lag, backlog and lock contention', async () => {
    const t = await makeApp();
    const post = (url: string, payload?: object) =>
      t.app.inject({ method: 'POST', url, headers: bearer(), ...(payload === undefined ? {} : { payload }) });
    await post('/jobs/run/echo?wait=true', { parameters: { message: 'a' } });
    await post('/jobs/run/echo?wait=true', { parameters: { message: 'b' } });
    await post('/jobs/run/fail?wait=true', {});
    await t.app.schedules.create({ jobName: 'hourly', cronExpression: '0 * * * *', jobType: 'noop' });
    await t.app.schedules.create({ jobName: 'held', cronExpression: '0 * * * *', jobType: 'noop' });
    await t.clock.set(Date.parse('2027-03-01T13:00:30.000Z')); // 11:00, 12:00 missed, 13:00 current
    const held = await t.lock.acquire('job:held', 'another-replica', 3_600_000);
    expect(held).not.toBeNull();

    const before = (await t.app.inject({ method: 'GET', url: '/metrics', headers: bearer() })).body;
    expect(sample(before, 'craft_due_backlog')).toBe(2);

    await post('/jobs/check-schedules?wait=true');
    const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: bearer() });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    expect(sample(text, 'craft_runs_total', { job_type: 'echo', status: 'succeeded' })).toBe(2);
    expect(sample(text, 'craft_runs_total', { job_type: 'fail', status: 'failed' })).toBe(1);
    expect(sample(text, 'craft_runs_total', { job_type: 'noop', status: 'succeeded' })).toBe(1);
    expect(sample(text, 'craft_runs_total', { job_type: 'noop', status: 'skipped' })).toBe(2);
    expect(sample(text, 'craft_run_duration_seconds_count', { job_type: 'echo', status: 'succeeded' })).toBe(
      2,
    );
    // the current 13:00 slot started 30 s late (fake clock)
    expect(sample(text, 'craft_trigger_lag_seconds_count', { trigger: 'schedule' })).toBe(1);
    expect(sample(text, 'craft_trigger_lag_seconds_sum', { trigger: 'schedule' })).toBe(30);
    expect(sample(text, 'craft_lock_contention_total')).toBe(1);
    expect(sample(text, 'craft_due_backlog')).toBe(1); // `held` is still due
    expect(sample(text, 'craft_scheduler_cycles_total', { outcome: 'completed' })).toBe(1);
    expect(sample(text, 'craft_runs_live', { status: 'running' })).toBe(0);
    await t.app.close();
  });

  it('exports Node.js process metrics when enabled', async () => {
    const t = await makeApp({ processMetrics: true });
    const text = (await t.app.inject({ method: 'GET', url: '/metrics', headers: bearer() })).body;
    expect(text).toContain('process_cpu_user_seconds_total');
    await t.app.close();
  });
});

describe('graceful close', () => {
  it('stops claiming and lets a running job finish before close() resolves', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const gated = defineJob({ type: 'gated', maxAttempts: 1, handler: async () => gate.then(() => 'done') });
    const t = await makeApp({ jobs: [gated as unknown as JobDefinition] });
    await t.app.scheduler.start();
    const started = await t.app.inject({
      method: 'POST',
      url: '/jobs/run/gated',
      headers: bearer(),
      payload: {},
    });
    expect(started.statusCode).toBe(202);
    let closed = false;
    const closing = t.app.close().then(() => {
      closed = true;
    });
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false);
    expect(t.app.scheduler.running).toBe(true); // still draining
    await expect(t.app.scheduler.checkAndRunDueJobs()).rejects.toMatchObject({
      code: 'CRAFT_SCHEDULER_STOPPED',
    });
    release();
    await closing;
    expect(closed).toBe(true);
    expect((await t.store.getRun(started.json().id))?.status).toBe('succeeded');
    expect(t.app.scheduler.running).toBe(false);
  });

  it('while draining, answers with the same error bodies: /ready 503, new runs 503, reads still work', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const gated = defineJob({ type: 'gated', maxAttempts: 1, handler: async () => gate.then(() => 'done') });
    const t = await makeApp({ jobs: [gated as unknown as JobDefinition] });
    await t.app.scheduler.start();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address() as { port: number };
    const url = `http://127.0.0.1:${address.port}`;
    const headers = { ...bearer(), 'content-type': 'application/json' };
    const started = await fetch(`${url}/jobs/run/gated`, { method: 'POST', headers, body: '{}' });
    expect(started.status).toBe(202);
    const closing = t.app.close();
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    const ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      code: 'CRAFT_API_NOT_READY',
      message: expect.stringContaining('shutting down'),
    });
    const refused = await fetch(`${url}/jobs/run/calculate_next_schedules`, {
      method: 'POST',
      headers,
      body: '{}',
    });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ statusCode: 503, code: 'CRAFT_SCHEDULER_STOPPED' });
    expect((await fetch(`${url}/jobs/schedules`, { headers })).status).toBe(200);
    release();
    await closing;
  });
});
