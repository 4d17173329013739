import { describe, expect, it } from 'vitest';
import {
  createSchedule,
  defineJob,
  FakeClock,
  JobRegistry,
  type JobSchedule,
  JobScheduler,
  type JobSchedulerOptions,
  MemoryLock,
  MemoryStore,
  type SchedulerStore,
} from '../src/index.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function world(
  start = '2030-01-01T00:00:00.000Z',
  over: Partial<JobSchedulerOptions> = {},
  // Lets a test slow down or fail the due listing (a slow or failing database).
  listing?: (list: () => Promise<JobSchedule[]>) => Promise<JobSchedule[]>,
) {
  const clock = new FakeClock(Date.parse(start));
  const memory = new MemoryStore({ clock });
  const store: SchedulerStore = listing
    ? new Proxy(memory, {
        get(target, prop) {
          const value = Reflect.get(target, prop, target);
          if (typeof value !== 'function') return value;
          if (prop !== 'listDueSchedules') return value.bind(target);
          return (...args: unknown[]) => listing(() => value.apply(target, args));
        },
      })
    : memory;
  const calls: { key: string; at: number }[] = [];
  const registry = new JobRegistry([
    defineJob({
      type: 'noop',
      handler: async (_p, ctx) => {
        calls.push({ key: `${ctx.jobName}@${ctx.scheduledAt?.toISOString()}`, at: clock.now() });
      },
    }),
  ]);
  const scheduler = new JobScheduler({
    store,
    lock: new MemoryLock({ clock }),
    registry,
    clock,
    logger: quiet,
    ...over,
  });
  return { clock, store, memory, scheduler, calls, registry };
}

describe('loop runner', () => {
  it('while globally paused passes once per poll interval (not every second), and wakes on a local resume', async () => {
    const { clock, scheduler, calls } = world('2030-01-01T00:00:00.000Z', { timezone: 'UTC' });
    await scheduler.schedules.create({ jobName: 'p', cronExpression: '* * * * *', jobType: 'noop' });
    let passes = 0;
    scheduler.on('cycle:completed', () => passes++);
    await scheduler.schedules.pauseAll({ reason: 'incident' });
    await scheduler.start();
    await clock.advance(10 * 60_000 + 30_000);
    expect(calls).toHaveLength(0);
    expect(passes).toBeLessThanOrEqual(12);
    // A resume through this process wakes the loop at once: the minutes that passed are recorded skipped.
    await scheduler.schedules.resumeAll({});
    await clock.advance(1);
    expect(calls).toHaveLength(0);
    await clock.advance(30_000);
    expect(calls).toEqual([
      { key: 'p@2030-01-01T00:11:00.000Z', at: Date.parse('2030-01-01T00:11:00.000Z') },
    ]);
    const stopping = scheduler.stop();
    await clock.advance(1000);
    await stopping;
  });

  it('runs each slot at the instant it falls due, not up to a poll interval late', async () => {
    const { clock, scheduler, calls } = world();
    await scheduler.schedules.create({ jobName: 'q', cronExpression: '*/15 * * * *', jobType: 'noop' });
    await scheduler.start();
    await clock.advance(3 * 3_600_000);
    expect(calls).toHaveLength(12);
    expect(calls.every((c) => c.key.endsWith(`@${new Date(c.at).toISOString()}`))).toBe(true);
    const stopping = scheduler.stop();
    await clock.advance(1000);
    await stopping;
    expect(scheduler.running).toBe(false);
  });

  it('goes again at once for a slot that fell due during a pass', async () => {
    // The first due listing of the loop answers late (a slow database): what falls due meanwhile is not in it.
    let slowBy = 0;
    const { clock, memory, scheduler, calls } = world(
      '2030-01-01T00:00:00.000Z',
      { timezone: 'UTC' },
      async (list) => {
        const listed = await list();
        const delay = slowBy;
        slowBy = 0;
        if (delay > 0) await clock.sleep(delay);
        return listed;
      },
    );
    const minute = Date.parse('2030-01-01T00:01:00.000Z');
    const slot = new Date(minute).toISOString();
    await scheduler.schedules.create({ jobName: 'a', cronExpression: '* * * * *', jobType: 'noop' });
    await scheduler.schedules.create({
      jobName: 'b',
      cronExpression: '* * * * *',
      jobType: 'noop',
      jitterSeconds: 30,
    });
    const bDue = (await memory.getSchedule('b'))?.nextDueAt?.getTime() as number;
    expect(bDue).toBeGreaterThan(minute); // b falls due after a's pass began
    await scheduler.start();
    await clock.set(minute - 1);
    slowBy = bDue - minute + 500;
    await clock.set(bDue + 5000);
    // a ran in the pass that began at its minute; b in the pass right after it, not a second later.
    const passEnd = bDue + 500;
    expect(calls).toEqual([
      { key: `a@${slot}`, at: passEnd },
      { key: `b@${slot}`, at: passEnd },
    ]);
    const stopping = scheduler.stop();
    await clock.advance(1000);
    await stopping;
  });

  it('after a failed pass waits a second, even when a slot fell due while it ran', async () => {
    // The first due listing of the loop fails after a while (a database that times out).
    let failAfter = 0;
    const { clock, memory, scheduler, calls } = world(
      '2030-01-01T00:00:00.000Z',
      { timezone: 'UTC' },
      async (list) => {
        const delay = failAfter;
        failAfter = 0;
        if (delay > 0) {
          await clock.sleep(delay);
          throw new Error('listing timed out');
        }
        return list();
      },
    );
    await scheduler.schedules.create({
      jobName: 'b',
      cronExpression: '* * * * *',
      jobType: 'noop',
      jitterSeconds: 30,
    });
    const bDue = (await memory.getSchedule('b'))?.nextDueAt?.getTime() as number;
    let failed = 0;
    scheduler.on('cycle:failed', () => failed++);
    // The first pass begins 100 ms before b falls due and fails 500 ms later.
    await clock.set(bDue - 100);
    failAfter = 500;
    const started = scheduler.start();
    await clock.set(bDue + 5000);
    await started;
    expect(failed).toBe(1);
    // The failed pass ended at bDue + 400 ms; the next one ran a second later, not at once.
    expect(calls).toEqual([{ key: 'b@2030-01-01T00:01:00.000Z', at: bDue + 1400 }]);
    const stopping = scheduler.stop();
    await clock.advance(1000);
    await stopping;
  });

  it('works off a burst above the run cap as run slots free, not one pass a second', async () => {
    // Eight schedules fall due at once on a replica that runs two handlers at a time, each for 100 ms.
    const { clock, scheduler, registry } = world('2030-01-01T00:00:00.000Z', {
      timezone: 'UTC',
      maxConcurrentRuns: 2,
      claimConcurrency: 2,
    });
    const starts: number[] = [];
    registry.register(
      defineJob({
        type: 'slow',
        handler: async () => {
          starts.push(clock.now());
          await clock.sleep(100);
        },
      }),
    );
    for (let i = 0; i < 8; i++) {
      await scheduler.schedules.create({
        jobName: `burst-${i}`,
        cronExpression: '1 0 * * *',
        jobType: 'slow',
      });
    }
    let passes = 0;
    scheduler.on('cycle:completed', () => passes++);
    await scheduler.start();
    const minute = Date.parse('2030-01-01T00:01:00.000Z');
    await clock.set(minute - 1);
    passes = 0;
    await clock.set(minute + 2000);
    // Two at a time, each pair as soon as the previous one's slots freed (it used to wait a second per pass).
    expect(starts.map((t) => t - minute)).toEqual([0, 0, 100, 100, 200, 200, 300, 300]);
    // A pass per freed slot at most, no busy loop while the replica is full.
    expect(passes).toBeLessThanOrEqual(12);
    const stopping = scheduler.stop();
    await clock.advance(1000);
    await stopping;
  });

  it('does not spin while full with more due than a pass takes: about a pass a second until a slot frees', async () => {
    const { clock, scheduler, registry } = world('2030-01-01T00:00:00.000Z', {
      timezone: 'UTC',
      maxConcurrentRuns: 1,
      claimConcurrency: 1,
      maxDuePerPass: 2,
    });
    let release: () => void = () => {};
    const started: string[] = [];
    registry.register(
      defineJob({
        type: 'held',
        handler: async (_p, ctx) => {
          started.push(ctx.jobName ?? '');
          await new Promise<void>((resolve) => {
            release = resolve;
          });
        },
      }),
    );
    for (let i = 0; i < 6; i++) {
      await scheduler.schedules.create({ jobName: `h${i}`, cronExpression: '1 0 * * *', jobType: 'held' });
    }
    let passes = 0;
    scheduler.on('cycle:completed', () => passes++);
    await scheduler.start();
    await clock.set(Date.parse('2030-01-01T00:01:00.000Z'));
    passes = 0;
    await clock.advance(10_000);
    // Real time passes too (a loop that went again at once would spin here, fake time standing still).
    await new Promise((resolve) => setTimeout(resolve, 50));
    // One handler runs; the others stay due. Each pass lists two of them (as many as it may) and finds the replica
    // full: the loop waits for a free slot or a second, never going again at once.
    expect(started).toHaveLength(1);
    expect(passes).toBeGreaterThanOrEqual(9);
    expect(passes).toBeLessThanOrEqual(11);
    // A slot frees: the next pass follows at once, not up to a second later.
    release();
    await clock.advance(1);
    expect(started).toHaveLength(2);
    release();
    const stopping = scheduler.stop();
    await clock.advance(1000);
    release();
    await stopping;
  });

  it('retries a deferred slot (its lock held elsewhere) about once a second, not in a busy loop', async () => {
    const { clock, scheduler, calls } = world('2030-01-01T00:00:00.000Z', { timezone: 'UTC' });
    await scheduler.schedules.create({ jobName: 'c', cronExpression: '* * * * *', jobType: 'noop' });
    await scheduler.lock.acquire('job:c', 'someone-else', 3_600_000);
    let passes = 0;
    scheduler.on('cycle:completed', () => passes++);
    await scheduler.start();
    await clock.set(Date.parse('2030-01-01T00:01:00.000Z') - 1);
    passes = 0;
    await clock.advance(10_001);
    expect(calls).toEqual([]);
    expect(passes).toBeGreaterThanOrEqual(9);
    expect(passes).toBeLessThanOrEqual(12);
    const stopping = scheduler.stop();
    await clock.advance(1000);
    await stopping;
  });

  it('runs another pass at once when a pass hit maxDuePerPass', async () => {
    const { clock, scheduler, calls } = world('2030-01-01T00:00:00.000Z', { maxDuePerPass: 2 });
    for (let i = 0; i < 5; i++) {
      await scheduler.schedules.create({ jobName: `m${i}`, cronExpression: '0 * * * *', jobType: 'noop' });
    }
    await scheduler.start();
    await clock.set(Date.parse('2030-01-01T01:00:00.000Z'));
    expect(calls).toHaveLength(5);
    expect(calls.every((c) => c.at === Date.parse('2030-01-01T01:00:00.000Z'))).toBe(true);
    const stopping = scheduler.stop();
    await clock.advance(1000);
    await stopping;
  });

  it('sees schedules inserted elsewhere within a poll interval, and wakes at once for ones saved here', async () => {
    const { clock, store, scheduler, calls } = world('2030-01-01T00:00:10.000Z');
    await scheduler.start();
    // Inserted straight into storage: found at the next poll (<= 60 s), then runs on time.
    await store.insertSchedule(
      createSchedule({ jobName: 'raw', cronExpression: '*/5 * * * *', jobType: 'noop' }),
    );
    await clock.advance(60_000);
    expect((await store.getSchedule('raw'))?.nextRunAt?.toISOString()).toBe('2030-01-01T00:05:00.000Z');
    // Saved through this process while the loop sleeps: the loop wakes and runs it on time.
    await clock.set(Date.parse('2030-01-01T00:04:59.000Z'));
    await scheduler.schedules.create({
      jobName: 'soon',
      cronExpression: '5 0 * * *',
      jobType: 'noop',
      timezone: 'UTC',
    });
    await clock.advance(1_000);
    expect(calls.map((c) => c.key).sort()).toEqual([
      'raw@2030-01-01T00:05:00.000Z',
      'soon@2030-01-01T00:05:00.000Z',
    ]);
    const stopping = scheduler.stop();
    await clock.advance(1000);
    await stopping;
  });

  it('survives a failing pass (logged, cycle:failed) and keeps going', async () => {
    const clock = new FakeClock(Date.parse('2030-01-01T00:00:00.000Z'));
    const inner = new MemoryStore({ clock });
    let failures = 2;
    const flakyListDue: SchedulerStore['listDueSchedules'] = (now, limit) => {
      if (failures-- > 0) return Promise.reject(new Error('database unavailable'));
      return inner.listDueSchedules(now, limit);
    };
    const store = new Proxy(inner, {
      get(target, prop) {
        if (prop === 'listDueSchedules') return flakyListDue;
        const value = Reflect.get(target, prop);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as SchedulerStore;
    const errors: string[] = [];
    const calls: string[] = [];
    const scheduler = new JobScheduler({
      store,
      lock: new MemoryLock({ clock }),
      clock,
      registry: new JobRegistry([defineJob({ type: 'noop', handler: async () => void calls.push('ran') })]),
      logger: { ...quiet, error: (m) => errors.push(m) },
    });
    const failed: unknown[] = [];
    scheduler.on('cycle:failed', (e) => failed.push(e.error));
    await scheduler.schedules.create({ jobName: 'x', cronExpression: '* * * * *', jobType: 'noop' });
    await scheduler.start();
    await clock.advance(3 * 60_000);
    expect(failed).toHaveLength(2);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    const stopping = scheduler.stop();
    await clock.advance(1000);
    await stopping;
  });

  it('stop() drains: no new claims, running jobs get the grace period, then their signals abort', async () => {
    const { clock, store, scheduler, registry } = world();
    let aborted: unknown = null;
    registry.register(
      defineJob({
        type: 'long',
        maxAttempts: 1,
        timeoutSeconds: 3600,
        handler: (_p, ctx) =>
          new Promise((resolve) => {
            ctx.signal.addEventListener('abort', () => {
              aborted = ctx.signal.reason;
              resolve('stopped early');
            });
          }),
      }),
    );
    await scheduler.schedules.create({ jobName: 'long', cronExpression: '0 * * * *', jobType: 'long' });
    await scheduler.schedules.create({ jobName: 'tick', cronExpression: '* * * * *', jobType: 'noop' });
    await scheduler.start();
    await clock.set(Date.parse('2030-01-01T01:00:00.000Z'));
    const stopping = scheduler.stop({ graceMs: 30_000 });
    await clock.advance(10_000);
    expect(aborted).toBeNull();
    await clock.advance(25_000);
    await stopping;
    expect((aborted as { code?: string } | null)?.code).toBe('CRAFT_SCHEDULER_SHUTDOWN');
    const run = (await store.listRuns({ jobName: 'long' }))[0];
    expect(run?.status).toBe('abandoned');
    expect(run?.attempts[0]?.status).toBe('abandoned');
    const ticksAfterStop = await store.countRuns({
      jobName: 'tick',
      slotFrom: new Date('2030-01-01T01:01:00.000Z'),
    });
    expect(ticksAfterStop).toBe(0);
    await expect(scheduler.checkAndRunDueJobs()).rejects.toMatchObject({ code: 'CRAFT_SCHEDULER_STOPPED' });
  });

  it('emits run and cycle events for metrics', async () => {
    const { clock, scheduler } = world();
    const seen: string[] = [];
    for (const e of [
      'run:created',
      'run:started',
      'run:succeeded',
      'cycle:completed',
      'scheduler:started',
      'scheduler:stopped',
    ] as const) {
      scheduler.on(e, () => seen.push(e));
    }
    await scheduler.schedules.create({ jobName: 'x', cronExpression: '* * * * *', jobType: 'noop' });
    await scheduler.start();
    await clock.advance(60_000);
    const stopping = scheduler.stop();
    await clock.advance(1000);
    await stopping;
    for (const e of [
      'run:created',
      'run:started',
      'run:succeeded',
      'cycle:completed',
      'scheduler:started',
      'scheduler:stopped',
    ]) {
      expect(seen).toContain(e);
    }
  });
});
