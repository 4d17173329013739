// How the per-schedule controls of spec section 10 combine: the overlap policy and backfill list a schedule's slots
// with its DST choices and due instants exactly as the claim does, and overlap_policy is a versioned user field.
// (The controls were built side by side; each of these failed when they first met.)
import { describe, expect, it } from 'vitest';
import {
  defineJob,
  dueInstant,
  FakeClock,
  JobRegistry,
  JobScheduler,
  MemoryLock,
  MemoryStore,
  SCHEDULE_VERSIONED_FIELDS,
} from '../src/index.js';

function setup(start: string, handler: (signal: AbortSignal) => Promise<unknown> = async () => null) {
  const clock = new FakeClock(Date.parse(start));
  const store = new MemoryStore({ clock });
  const scheduler = new JobScheduler({
    store,
    lock: new MemoryLock({ clock }),
    clock,
    timezone: 'Europe/Stockholm',
    registry: new JobRegistry([
      defineJob({
        type: 'work',
        maxAttempts: 1,
        timeoutSeconds: 3600,
        handler: (_p, ctx) => handler(ctx.signal),
      }),
    ]),
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  return { clock, store, scheduler };
}

describe('per-schedule controls together', () => {
  it("backfill lists the slots of the schedule's DST choices: a shifted spring-forward slot is backfilled", async () => {
    // 2030-03-31: Stockholm springs forward at 02:00 → 03:00, so 02:30 does not exist that day.
    const { scheduler } = setup('2030-04-02T00:00:00.000Z');
    const common = { cronExpression: '30 2 * * *', jobType: 'work', isEnabled: false } as const;
    await scheduler.schedules.create({ jobName: 'shifted', ...common, dstGap: 'shift' });
    await scheduler.schedules.create({ jobName: 'skipped', ...common });
    const range = { from: new Date('2030-03-30T00:00:00.000Z'), to: new Date('2030-04-01T12:00:00.000Z') };
    const shifted = await scheduler.backfill('shifted', { ...range, execute: false });
    const skipped = await scheduler.backfill('skipped', { ...range, execute: false });
    // shift: the 31st's run at the first instant after the gap, 03:00 CEST = 01:00 UTC.
    expect(shifted.slots.map((s) => s.toISOString())).toEqual([
      '2030-03-30T01:30:00.000Z',
      '2030-03-31T01:00:00.000Z',
      '2030-04-01T00:30:00.000Z',
    ]);
    expect(skipped.slots.map((s) => s.toISOString())).toEqual([
      '2030-03-30T01:30:00.000Z',
      '2030-04-01T00:30:00.000Z',
    ]);
  });

  it('overlap skip on a jittered schedule moves next_due_at with next_run_at (the due query sees the real one)', async () => {
    let release: () => void = () => {};
    const { clock, store, scheduler } = setup(
      '2030-01-01T00:00:00.000Z',
      () =>
        new Promise((resolve) => {
          release = () => resolve(null);
        }),
    );
    await scheduler.schedules.create({
      jobName: 'j',
      cronExpression: '*/10 * * * *',
      jobType: 'work',
      overlapPolicy: 'skip',
      jitterSeconds: 300,
    });
    // The first slot (00:10) runs and keeps running.
    await clock.set(Date.parse('2030-01-01T00:16:00.000Z'));
    await scheduler.checkAndRunDueJobs();
    // 00:20 falls due while it runs: recorded skipped (overlap), next_run_at moves to 00:30.
    await clock.set(Date.parse('2030-01-01T00:26:00.000Z'));
    await scheduler.checkAndRunDueJobs();
    const s = await store.getSchedule('j');
    const runs = await store.listRuns({ jobName: 'j', order: 'asc' });
    expect(runs.map((r) => `${r.slot?.toISOString()} ${r.status}`)).toEqual([
      '2030-01-01T00:10:00.000Z running',
      '2030-01-01T00:20:00.000Z skipped',
    ]);
    expect(s?.nextRunAt?.toISOString()).toBe('2030-01-01T00:30:00.000Z');
    expect(s?.nextDueAt?.getTime()).toBe(
      dueInstant(s as NonNullable<typeof s>, s?.nextRunAt as Date).getTime(),
    );
    release();
    await scheduler.idle();
  });

  it('overlap_policy is a versioned user field: changing it is an edit (the ETag moves)', async () => {
    const { scheduler } = setup('2030-01-01T00:00:00.000Z');
    expect(SCHEDULE_VERSIONED_FIELDS).toContain('overlapPolicy');
    const created = await scheduler.schedules.create({
      jobName: 'v',
      cronExpression: '0 * * * *',
      jobType: 'work',
    });
    const edited = await scheduler.schedules.patch(
      'v',
      { overlapPolicy: 'skip' },
      { ifVersion: created.version },
    );
    expect(edited.overlapPolicy).toBe('skip');
    expect(edited.version).toBe(created.version + 1);
  });
});
