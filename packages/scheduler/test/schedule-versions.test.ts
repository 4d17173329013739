// Optimistic concurrency of ScheduleService edits (ifVersion) and idempotent schedule creation (idempotencyKey).
import { describe, expect, it } from 'vitest';
import {
  defineJob,
  FakeClock,
  IdempotencyKeyReusedError,
  JobRegistry,
  JobScheduler,
  MemoryLock,
  MemoryStore,
  ScheduleExistsError,
  ScheduleVersionMismatchError,
} from '../src/index.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function service() {
  const clock = new FakeClock(Date.parse('2030-01-01T00:00:00.000Z'));
  const store = new MemoryStore({ clock });
  const scheduler = new JobScheduler({
    store,
    lock: new MemoryLock({ clock }),
    registry: new JobRegistry([defineJob({ type: 'noop', handler: async () => {} })]),
    clock,
    logger: quiet,
  });
  return { clock, store, scheduler, schedules: scheduler.schedules };
}

const base = { jobName: 'report', cronExpression: '0 9 * * *', jobType: 'noop' };

describe('schedule versions', () => {
  it('a lost update is refused: two editors read v1, the first saves, the second (ifVersion 1) changes nothing', async () => {
    const { schedules } = service();
    const created = await schedules.create(base);
    expect(created.version).toBe(1);
    const first = await schedules.patch('report', { description: 'first' }, { ifVersion: 1 });
    expect(first.version).toBe(2);
    const err = await schedules
      .update('report', { cronExpression: '0 10 * * *', jobType: 'noop' }, { ifVersion: 1 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScheduleVersionMismatchError);
    expect((err as ScheduleVersionMismatchError).currentVersion).toBe(2);
    const now = await schedules.get('report');
    expect(now.description).toBe('first');
    expect(now.cronExpression).toBe('0 9 * * *');
    expect(now.version).toBe(2);
  });

  it('enable, disable and delete honour ifVersion; without it they apply to the stored version', async () => {
    const { schedules } = service();
    await schedules.create(base);
    await expect(schedules.disable('report', { ifVersion: 5 })).rejects.toBeInstanceOf(
      ScheduleVersionMismatchError,
    );
    expect((await schedules.get('report')).isEnabled).toBe(true);
    expect((await schedules.disable('report', { ifVersion: 1 })).version).toBe(2);
    expect((await schedules.enable('report')).version).toBe(3);
    await expect(schedules.delete('report', { ifVersion: 2 })).rejects.toBeInstanceOf(
      ScheduleVersionMismatchError,
    );
    expect((await schedules.delete('report', { ifVersion: 3 })).version).toBe(3);
    await expect(schedules.get('report')).rejects.toThrow(/no schedule/);
  });

  it('scheduler bookkeeping (a slot running) does not change the version an editor holds', async () => {
    const { clock, scheduler, schedules } = service();
    await schedules.create({ ...base, cronExpression: '* * * * *' });
    await clock.advance(61_000);
    const cycle = await scheduler.checkAndRunDueJobs();
    await cycle.done;
    expect(cycle.runs.length).toBeGreaterThan(0);
    const after = await schedules.get('report');
    expect(after.lastRunStatus).toBe('succeeded');
    expect(after.version).toBe(1);
    expect((await schedules.patch('report', { description: 'ok' }, { ifVersion: 1 })).version).toBe(2);
  });

  it('concurrent edits without ifVersion are serialised by the version compare-and-set: none is lost', async () => {
    const { schedules } = service();
    await schedules.create({ ...base, parameters: {} });
    await Promise.all([
      schedules.patch('report', { description: 'd' }),
      schedules.patch('report', { maxAttempts: 3 }),
      schedules.patch('report', { timeoutSeconds: 60 }),
    ]);
    const s = await schedules.get('report');
    expect([s.description, s.maxAttempts, s.timeoutSeconds]).toEqual(['d', 3, 60]);
    expect(s.version).toBe(4);
  });

  it('a create retried with its idempotency key answers the schedule it made; another key or input is refused', async () => {
    const { schedules, store } = service();
    const first = await schedules.create(base, { idempotencyKey: 'c-1', idempotencyScope: 'cli' });
    expect(first.creationKey).toMatch(/^[0-9a-f]{64}:[0-9a-f]{64}$/);
    const retry = await schedules.create(base, { idempotencyKey: 'c-1', idempotencyScope: 'cli' });
    expect(retry).toEqual(first);
    await expect(
      schedules.create(
        { ...base, cronExpression: '0 8 * * *' },
        { idempotencyKey: 'c-1', idempotencyScope: 'cli' },
      ),
    ).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    await expect(
      schedules.create(base, { idempotencyKey: 'c-2', idempotencyScope: 'cli' }),
    ).rejects.toBeInstanceOf(ScheduleExistsError);
    await expect(schedules.create(base)).rejects.toBeInstanceOf(ScheduleExistsError);
    expect(await store.listSchedules()).toHaveLength(1);
  });
});
