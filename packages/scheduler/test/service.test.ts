import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import {
  defineJob,
  FakeClock,
  JobRegistry,
  JobScheduler,
  jobLockKey,
  MemoryLock,
  MemoryStore,
  systemClock,
} from '../src/index.js';

function world() {
  const clock = new FakeClock(Date.parse('2030-03-30T12:00:00.000Z'));
  const store = new MemoryStore({ clock });
  const lock = new MemoryLock({ clock });
  const registry = new JobRegistry([
    defineJob({ type: 'noop', description: 'does nothing', handler: async () => 'ok' }),
    defineJob({
      type: 'typed',
      parameters: Type.Object({ n: Type.Integer() }),
      handler: async ({ n }) => n * 2,
    }),
  ]);
  const scheduler = new JobScheduler({ store, lock, registry, clock });
  return { clock, store, lock, scheduler, service: scheduler.schedules };
}

describe('ScheduleService', () => {
  it('computes nextRunAt in the schedule zone and recomputes it only when timing fields change', async () => {
    const { clock, service } = world();
    const created = await service.create({ jobName: 'x', cronExpression: '30 2 * * *', jobType: 'noop' });
    // 2030-03-31 is spring-forward day in Stockholm: 02:30 does not exist; next is 2030-04-01 02:30 CEST.
    expect(created.nextRunAt?.toISOString()).toBe('2030-04-01T00:30:00.000Z');
    expect(created.createdAt?.toISOString()).toBe('2030-03-30T12:00:00.000Z');
    const tz = await service.patch('x', { timezone: 'UTC' });
    expect(tz.nextRunAt?.toISOString()).toBe('2030-03-31T02:30:00.000Z');
    const desc = await service.patch('x', { description: 'hello' });
    expect(desc.nextRunAt?.toISOString()).toBe('2030-03-31T02:30:00.000Z');
    const off = await service.disable('x');
    expect(off.nextRunAt).toBeNull();
    await clock.set(Date.parse('2030-04-10T12:00:00.000Z'));
    const on = await service.enable('x');
    expect(on.nextRunAt?.toISOString()).toBe('2030-04-11T02:30:00.000Z'); // from now: no missed slots
    const replaced = await service.update('x', { cronExpression: '0 9 * * 0-4', jobType: 'noop' });
    expect(replaced.timezone).toBeNull();
    expect(replaced.description).toBeNull();
    expect(replaced.nextRunAt?.toISOString()).toBe('2030-04-11T07:00:00.000Z'); // Thursday 09:00 CEST
  });

  it('lists, gets, deletes and previews', async () => {
    const { service } = world();
    await service.create({ jobName: 'b', cronExpression: '0 * * * *', jobType: 'noop' });
    await service.create({
      jobName: 'a',
      cronExpression: '0 * * * *',
      jobType: 'typed',
      parameters: { n: 1 },
    });
    expect((await service.list()).map((s) => s.jobName)).toEqual(['a', 'b']);
    expect((await service.list({ jobType: 'typed' })).map((s) => s.jobName)).toEqual(['a']);
    expect(
      (await service.previewNextRuns('a', 3, new Date('2030-01-01T00:30:00.000Z'))).map((d) =>
        d.toISOString(),
      ),
    ).toEqual(['2030-01-01T01:00:00.000Z', '2030-01-01T02:00:00.000Z', '2030-01-01T03:00:00.000Z']);
    expect(service.preview({ cronExpression: '0 0 * * 6', timezone: 'UTC' }, 1)[0]?.toISOString()).toBe(
      '2030-03-31T00:00:00.000Z',
    );
    expect(() => service.preview({ cronExpression: 'nope' })).toThrow(
      expect.objectContaining({ code: 'CRAFT_SCHEDULER_INVALID_CRON' }),
    );
    expect(() => service.preview({ cronExpression: '* * * * *', timezone: 'Nowhere/Land' })).toThrow(
      expect.objectContaining({ code: 'CRAFT_SCHEDULER_INVALID_TIMEZONE' }),
    );
    expect((await service.delete('a')).jobName).toBe('a');
    await expect(service.get('a')).rejects.toMatchObject({ code: 'CRAFT_SCHEDULER_SCHEDULE_NOT_FOUND' });
    await expect(service.delete('a')).rejects.toMatchObject({ code: 'CRAFT_SCHEDULER_SCHEDULE_NOT_FOUND' });
  });

  it('runs schedules and job types now, reads run history, lists job types', async () => {
    const { service, lock, store } = world();
    await service.create({
      jobName: 't',
      cronExpression: '0 * * * *',
      jobType: 'typed',
      parameters: { n: 21 },
    });
    const { run, done } = await service.runNow('t');
    expect(run.trigger).toBe('manual');
    expect(run.runKey).toBe(run.id);
    expect((await done).result).toBe(42);
    expect((await service.getRun(run.id)).status).toBe('succeeded');
    expect((await store.getSchedule('t'))?.lastRunStatus).toBe('succeeded');
    const bare = await (await service.runJob('noop')).done;
    expect(bare.jobName).toBeNull();
    expect(bare.lockKey).toBe('job:noop');
    expect(await service.countRuns()).toBe(2);
    expect((await service.listRuns({ jobName: 't' })).map((r) => r.id)).toEqual([run.id]);
    await expect(service.getRun('missing')).rejects.toMatchObject({ code: 'CRAFT_SCHEDULER_RUN_NOT_FOUND' });
    const held = await lock.acquire(jobLockKey('t'), 'other', 60_000);
    expect(held).not.toBeNull();
    await expect(service.runNow('t')).rejects.toMatchObject({
      code: 'CRAFT_SCHEDULER_JOB_LOCKED',
      httpStatus: 409,
    });
    expect(await service.countRuns()).toBe(2);
    expect(service.listJobTypes().map((j) => j.type)).toEqual([
      'calculate_next_schedules',
      'cleanup_run_history',
      'http_request',
      'noop',
      'typed',
    ]);
    expect(service.listJobTypes().find((j) => j.type === 'typed')?.parameters).toMatchObject({
      type: 'object',
    });
  });
});

describe('ScheduleService: chains naming a deleted schedule', () => {
  it('edits that keep the chain (enable, disable, a patch of another field) are accepted; a new unknown name is not', async () => {
    const { service } = world();
    await service.create({ jobName: 'next', cronExpression: '0 3 * * *', jobType: 'noop' });
    await service.create({
      jobName: 'parent',
      cronExpression: '0 2 * * *',
      jobType: 'noop',
      chain: ['next'],
    });
    // Deleting a chain target is allowed (the parent's runs then record unknown_chain_target).
    await service.delete('next');
    expect((await service.disable('parent', { reason: 'maintenance' })).isEnabled).toBe(false);
    expect((await service.enable('parent')).isEnabled).toBe(true);
    expect((await service.patch('parent', { description: 'kept chain' })).chain).toEqual(['next']);
    // A name the chain did not have must exist, and nothing is written when it does not.
    await expect(service.patch('parent', { chain: ['next', 'missing'] })).rejects.toMatchObject({
      code: 'CRAFT_SCHEDULER_CHAIN_UNKNOWN',
      field: 'chain',
      target: 'missing',
    });
    expect((await service.get('parent')).chain).toEqual(['next']);
    // A new schedule may not name it either.
    await expect(
      service.create({ jobName: 'other', cronExpression: '0 4 * * *', jobType: 'noop', chain: ['next'] }),
    ).rejects.toMatchObject({ code: 'CRAFT_SCHEDULER_CHAIN_UNKNOWN', target: 'next' });
  });
});

describe('clocks', () => {
  it('systemClock sleeps and resolves early on abort', async () => {
    const t0 = systemClock.now();
    await systemClock.sleep(5);
    expect(systemClock.now()).toBeGreaterThanOrEqual(t0 + 4);
    const controller = new AbortController();
    const sleeping = systemClock.sleep(3_600_000, controller.signal);
    controller.abort();
    await sleeping;
    await systemClock.sleep(10, AbortSignal.abort());
  });

  it('FakeClock fires timers in time order and drops aborted ones', async () => {
    const clock = new FakeClock(0);
    const order: string[] = [];
    void clock.sleep(300).then(() => order.push(`c@${clock.now()}`));
    void clock.sleep(100).then(() => order.push(`a@${clock.now()}`));
    const controller = new AbortController();
    void clock.sleep(200, controller.signal).then(() => order.push(`aborted@${clock.now()}`));
    controller.abort();
    await clock.tick();
    expect(clock.pendingTimers).toBe(2);
    expect(clock.nextTimerAt()).toBe(100);
    await clock.advance(250);
    expect(order).toEqual(['aborted@0', 'a@100']);
    await clock.set(new Date(1000));
    expect(order).toEqual(['aborted@0', 'a@100', 'c@300']);
    expect(clock.now()).toBe(1000);
  });
});
