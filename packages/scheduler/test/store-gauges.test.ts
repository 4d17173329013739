import { describe, expect, it } from 'vitest';
import {
  defineJob,
  FakeClock,
  JobRegistry,
  JobScheduler,
  MemoryLock,
  MemoryStore,
  readSchedulerGauges,
} from '../src/index.js';

function world() {
  const clock = new FakeClock(Date.parse('2030-06-01T09:59:30.000Z'));
  const store = new MemoryStore({ clock });
  const lock = new MemoryLock({ clock });
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const registry = new JobRegistry([
    defineJob({ type: 'quick', handler: async () => null }),
    // Runs until the test releases it (a `defer` job running past its interval).
    defineJob({ type: 'long', timeoutSeconds: 3600, handler: async () => void (await held) }),
  ]);
  const scheduler = new JobScheduler({ store, lock, clock, registry, timezone: 'UTC', lockTtlMs: 30_000 });
  const gauges = () => readSchedulerGauges({ store, lock, clock });
  return { clock, store, lock, scheduler, gauges, release: () => release() };
}

describe('store gauges', () => {
  it('the oldest-overdue age rises while no pass runs (a stalled scheduler) and drops to 0 after a pass', async () => {
    const w = world();
    await w.scheduler.schedules.create({
      jobName: 'minutely',
      cronExpression: '* * * * *',
      jobType: 'quick',
    });
    expect((await w.gauges()).oldestOverdueSeconds).toBe(0);
    // 10:00 is due; nothing claims it.
    await w.clock.set(Date.parse('2030-06-01T10:00:45.000Z'));
    let g = await w.gauges();
    expect(g.oldestOverdueSeconds).toBe(45);
    expect(g.oldestOverdueSchedule).toBe('minutely');
    expect(g.dueBacklog).toBe(1);
    await w.clock.set(Date.parse('2030-06-01T10:05:00.000Z'));
    expect((await w.gauges()).oldestOverdueSeconds).toBe(300);
    await (await w.scheduler.checkAndRunDueJobs()).done;
    g = await w.gauges();
    expect(g.oldestOverdueSeconds).toBe(0);
    expect(g.dueBacklog).toBe(0);
  });

  it('a defer job still running past its interval holds its lock and is not overdue', async () => {
    const w = world();
    await w.scheduler.schedules.create({ jobName: 'slow', cronExpression: '* * * * *', jobType: 'long' });
    await w.clock.set(Date.parse('2030-06-01T10:00:00.000Z'));
    const { done } = await w.scheduler.checkAndRunDueJobs();
    // Three more slots pass while its handler runs (the lease is renewed meanwhile).
    for (let i = 0; i < 18; i++) await w.clock.advance(10_000);
    const g = await w.gauges();
    expect(g.dueBacklog).toBe(1); // its next slot is due, and deferred
    expect(g.oldestOverdueSeconds).toBe(0);
    expect(g.live.running).toBe(1);
    // A stalled schedule next to it is still seen.
    await w.scheduler.schedules.create({ jobName: 'stalled', cronExpression: '* * * * *', jobType: 'quick' });
    await w.clock.advance(90_000);
    const g2 = await w.gauges();
    expect(g2.oldestOverdueSchedule).toBe('stalled');
    expect(g2.oldestOverdueSeconds).toBe(30);
    w.release();
    await done;
  });

  it('an allow schedule is overdue when nobody claims its slot, even while one of its runs still runs', async () => {
    const w = world();
    await w.scheduler.schedules.create({
      jobName: 'overlapping',
      cronExpression: '* * * * *',
      jobType: 'long',
      overlapPolicy: 'allow',
    });
    await w.clock.set(Date.parse('2030-06-01T10:00:00.000Z'));
    const { done } = await w.scheduler.checkAndRunDueJobs();
    for (let i = 0; i < 9; i++) await w.clock.advance(10_000); // 10:01:30, no pass since 10:00
    const g = await w.gauges();
    expect(g.live.running).toBe(1);
    expect(g.oldestOverdueSchedule).toBe('overlapping');
    expect(g.oldestOverdueSeconds).toBe(30);
    w.release();
    await done;
  });

  it('reports 0 while triggering is globally paused', async () => {
    const w = world();
    await w.scheduler.schedules.create({
      jobName: 'minutely',
      cronExpression: '* * * * *',
      jobType: 'quick',
    });
    await w.scheduler.schedules.pauseAll({ reason: 'incident', by: 'alice' });
    await w.clock.set(Date.parse('2030-06-01T10:10:00.000Z'));
    const g = await w.gauges();
    expect(g.globallyPaused).toBe(true);
    expect(g.oldestOverdueSeconds).toBe(0);
    expect(g.dueBacklog).toBe(1);
  });

  it('counts disabled schedules by who paused them, with bounded labels', async () => {
    const w = world();
    const make = (jobName: string) =>
      w.scheduler.schedules.create({ jobName, cronExpression: '0 * * * *', jobType: 'quick' });
    for (const n of ['a', 'b', 'c', 'd', 'e']) await make(n);
    await w.scheduler.schedules.disable('a', { by: 'user-7f3a' }); // a token's sub
    await w.scheduler.schedules.disable('b', { by: 'user-0001' });
    await w.scheduler.schedules.disable('c', { by: 'cli' });
    await w.scheduler.schedules.disable('d');
    await w.scheduler.schedules.create({
      jobName: 'f',
      cronExpression: '0 * * * *',
      jobType: 'quick',
      isEnabled: false,
    });
    const g = await w.gauges();
    expect(g.pausedBy).toEqual({ api: 2, cli: 1, code: 2, sync: 0, auto: 0, unknown: 0 });
  });
});
