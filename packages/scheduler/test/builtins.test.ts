import { describe, expect, it } from 'vitest';
import {
  CALCULATE_NEXT_SCHEDULES,
  CLEANUP_RUN_HISTORY,
  createSchedule,
  FakeClock,
  HTTP_REQUEST_JOB,
  JobScheduler,
  MemoryLock,
  MemoryStore,
} from '../src/index.js';
import { sampleRun } from '../src/testing/index.js';

function world() {
  const clock = new FakeClock(Date.parse('2030-06-01T10:00:30.000Z'));
  const store = new MemoryStore({ clock });
  const scheduler = new JobScheduler({ store, lock: new MemoryLock({ clock }), clock, timezone: 'UTC' });
  return { clock, store, scheduler };
}

describe('built-in jobs', () => {
  it('are registered by default and can be turned off', () => {
    const { scheduler, store, clock } = world();
    expect(scheduler.jobs.list().map((d) => d.type)).toEqual([
      CALCULATE_NEXT_SCHEDULES,
      CLEANUP_RUN_HISTORY,
      HTTP_REQUEST_JOB,
    ]);
    const bare = new JobScheduler({ store, lock: new MemoryLock({ clock }), clock, builtins: false });
    expect(bare.jobs.list()).toEqual([]);
  });

  it('calculate_next_schedules repairs missing and non-slot next_run_at, leaving valid (even due) values', async () => {
    const { store, scheduler } = world();
    const s = (jobName: string, nextRunAt: string | null, cronExpression = '0 * * * *') =>
      store.insertSchedule(
        createSchedule({
          jobName,
          cronExpression,
          jobType: CLEANUP_RUN_HISTORY,
          nextRunAt: nextRunAt ? new Date(nextRunAt) : null,
        }),
      );
    await s('missing', null);
    await s('not-a-slot', '2030-06-01T10:07:00.000Z');
    await s('due-but-valid', '2030-06-01T10:00:00.000Z');
    await s('future-valid', '2030-06-01T12:00:00.000Z');
    await s('cron-edited', '2030-06-01T11:00:00.000Z', '30 * * * *');
    await s('broken', null, 'not a cron');
    await store.insertSchedule(
      createSchedule({ jobName: 'disabled', cronExpression: '0 * * * *', jobType: 'x', isEnabled: false }),
    );
    const { done } = await scheduler.runJob(CALCULATE_NEXT_SCHEDULES);
    const run = await done;
    expect(run.status).toBe('succeeded');
    const next = async (n: string) => (await store.getSchedule(n))?.nextRunAt?.toISOString() ?? null;
    expect(await next('missing')).toBe('2030-06-01T11:00:00.000Z');
    expect(await next('not-a-slot')).toBe('2030-06-01T11:00:00.000Z');
    expect(await next('due-but-valid')).toBe('2030-06-01T10:00:00.000Z');
    expect(await next('future-valid')).toBe('2030-06-01T12:00:00.000Z');
    expect(await next('cron-edited')).toBe('2030-06-01T10:30:00.000Z');
    expect(await next('disabled')).toBeNull();
    expect(run.result).toMatchObject({ checked: 6, invalid: ['broken'] });
    expect(
      (run.result as { repaired: { job_name: string }[] }).repaired.map((r) => r.job_name).sort(),
    ).toEqual(['cron-edited', 'missing', 'not-a-slot']);
  });

  it('cleanup_run_history deletes finished runs older than the given age', async () => {
    const { store, scheduler, clock } = world();
    const day = 86_400_000;
    const old = sampleRun({ status: 'succeeded', finishedAt: new Date(clock.now() - 40 * day) });
    const mid = sampleRun({ status: 'failed', finishedAt: new Date(clock.now() - 10 * day) });
    const fresh = sampleRun({ status: 'succeeded', finishedAt: new Date(clock.now() - day / 2) });
    for (const r of [old, mid, fresh]) await store.insertRun(r);
    const byDefault = await (await scheduler.runJob(CLEANUP_RUN_HISTORY)).done;
    expect(byDefault.result).toMatchObject({ deleted: 1 });
    const bySeconds = await (await scheduler.runJob(CLEANUP_RUN_HISTORY, { older_than_seconds: 86_400 }))
      .done;
    expect(bySeconds.result).toMatchObject({ deleted: 1 });
    expect(await store.getRun(fresh.id)).not.toBeNull();
    expect(await store.getRun(mid.id)).toBeNull();
    await expect(scheduler.runJob(CLEANUP_RUN_HISTORY, { older_than_days: -1 })).rejects.toMatchObject({
      code: 'CRAFT_SCHEDULER_INVALID_PARAMETERS',
    });
  });

  it('cleanup_run_history also deletes events past the event log’s 7-day retention', async () => {
    const { store, scheduler, clock } = world();
    await store.appendEvents([
      { id: 'old000001', type: 'run:created', jobName: null, runId: null, data: {} },
    ]);
    await clock.advance(8 * 86_400_000);
    await store.appendEvents([
      { id: 'new000001', type: 'run:created', jobName: null, runId: null, data: {} },
    ]);
    const run = await (await scheduler.runJob(CLEANUP_RUN_HISTORY, { older_than_days: 90 })).done;
    expect(run.result).toMatchObject({ deleted: 0, events_deleted: 1 });
    expect((await store.readEvents({ limit: 10 })).events.map((e) => e.id)).toEqual(['new000001']);
  });
});
