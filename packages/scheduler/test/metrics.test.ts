import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  defineJob,
  FakeClock,
  JobRegistry,
  JobScheduler,
  jitterOffsetMs,
  MemoryLock,
  MemoryStore,
  type MetricSink,
  type ObservedScheduler,
  observeSchedulerMetrics,
  pausedByLabel,
  SCHEDULER_METRICS,
  type SchedulerEventMap,
  skipReasonLabel,
  slotRunKey,
} from '../src/index.js';
import { sampleRun } from '../src/testing/index.js';

type Seen = { kind: 'inc' | 'observe'; metric: string; labels: Record<string, string>; value: number };

function recorder() {
  const seen: Seen[] = [];
  const sink: MetricSink = {
    inc: (metric, labels, value) => seen.push({ kind: 'inc', metric, labels, value }),
    observe: (metric, labels, value) => seen.push({ kind: 'observe', metric, labels, value }),
  };
  const sum = (metric: string, labels: Record<string, string> = {}) =>
    seen
      .filter((s) => s.metric === metric && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .reduce((n, s) => n + s.value, 0);
  const values = (metric: string, labels: Record<string, string> = {}) =>
    seen
      .filter((s) => s.metric === metric && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .map((s) => s.value);
  return { seen, sink, sum, values };
}

/** Every observation's labels are exactly the label names its metric declares. */
function expectDeclaredLabels(seen: Seen[]) {
  expect(seen.length).toBeGreaterThan(0);
  for (const s of seen) {
    const defn = SCHEDULER_METRICS[s.metric as keyof typeof SCHEDULER_METRICS];
    expect(Object.keys(s.labels).sort()).toEqual([...defn.labelNames].sort());
  }
}

function world(start = '2030-06-01T10:00:30.000Z') {
  const clock = new FakeClock(Date.parse(start));
  const store = new MemoryStore({ clock });
  const lock = new MemoryLock({ clock });
  const registry = new JobRegistry([
    // Takes 1.5 s of the scheduler's clock.
    defineJob({ type: 'work', handler: async () => void (await clock.advance(1500)) }),
    defineJob({
      type: 'boom',
      maxAttempts: 1,
      handler: async () => {
        throw new Error('boom');
      },
    }),
  ]);
  const scheduler = new JobScheduler({
    store,
    lock,
    clock,
    registry,
    timezone: 'UTC',
    pollIntervalMs: 60_000,
  });
  const r = recorder();
  observeSchedulerMetrics(scheduler, r.sink);
  return { clock, store, lock, scheduler, ...r };
}

describe('scheduler metrics from events', () => {
  it('measures trigger lag from the due instant (slot + jitter), not from the slot', async () => {
    const w = world('2030-06-01T09:59:00.000Z');
    await w.scheduler.schedules.create({
      jobName: 'jittered',
      cronExpression: '0 * * * *',
      jobType: 'work',
      jitterSeconds: 600,
    });
    const slot = new Date('2030-06-01T10:00:00.000Z');
    const offset = jitterOffsetMs('jittered', slot, 600);
    expect(offset).toBeGreaterThan(3000); // the assertion below tells lag-from-due from lag-from-slot
    await w.clock.set(slot.getTime() + offset + 3000);
    const { done } = await w.scheduler.checkAndRunDueJobs();
    const [run] = await done;
    expect(run?.status).toBe('succeeded');
    expect(w.values('lag', { trigger: 'schedule' })).toEqual([3]);
    expect(w.sum('runs', { job_type: 'work', status: 'succeeded', trigger: 'schedule' })).toBe(1);
    expect(w.values('handlerDuration', { job_type: 'work', outcome: 'succeeded' })).toEqual([1.5]);
  });

  it('counts runs by final status and trigger, and handler durations by outcome', async () => {
    const w = world();
    await (await w.scheduler.runJob('boom')).done;
    expect(w.sum('runs', { job_type: 'boom', status: 'failed', trigger: 'manual' })).toBe(1);
    expect(w.sum('runs', { status: 'failed', trigger: 'schedule' })).toBe(0);
    expect(w.values('handlerDuration', { job_type: 'boom', outcome: 'failed' })).toEqual([0]);
    // A manual run is not a slot the scheduler was due to start: no lag.
    expect(w.values('lag')).toEqual([]);
  });

  it('counts a cancelled run, and its handler outcome cancelled', async () => {
    const w = world();
    let started: () => void = () => {};
    const running = new Promise<void>((r) => {
      started = r;
    });
    const registry = new JobRegistry([
      defineJob({
        type: 'waits',
        maxAttempts: 1,
        handler: async (_p, { signal }) => {
          started();
          await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
        },
      }),
    ]);
    const scheduler = new JobScheduler({
      store: w.store,
      lock: w.lock,
      clock: w.clock,
      registry,
      timezone: 'UTC',
    });
    const r = recorder();
    observeSchedulerMetrics(scheduler, r.sink);
    const { run, done } = await scheduler.runJob('waits');
    await running;
    await scheduler.cancelRun(run.id, { by: 'alice' });
    expect((await done).status).toBe('cancelled');
    expect(r.sum('runs', { job_type: 'waits', status: 'cancelled', trigger: 'manual' })).toBe(1);
    expect(r.values('handlerDuration', { job_type: 'waits', outcome: 'cancelled' })).toEqual([0]);
  });

  it('counts missed slots and skipped slots by reason after a stall', async () => {
    const w = world('2030-06-01T09:59:00.000Z');
    await w.scheduler.schedules.create({ jobName: 'every5', cronExpression: '*/5 * * * *', jobType: 'work' });
    // Down from 10:00 to 11:00:10: 12 slots passed; 11:00 is current, 10:00 … 10:55 are missed (policy once:
    // the current slot runs, every missed one is skipped as superseded).
    await w.clock.set(Date.parse('2030-06-01T11:00:10.000Z'));
    await (await w.scheduler.checkAndRunDueJobs()).done;
    expect(w.sum('missedSlots', { outcome: 'skipped' })).toBe(12);
    expect(w.sum('missedSlots', { outcome: 'run' })).toBe(0);
    expect(w.sum('skippedSlots', { reason: 'superseded' })).toBe(12);
    expect(w.sum('runs', { status: 'skipped', trigger: 'catch_up' })).toBe(12);
    expect(w.sum('runs', { status: 'succeeded', trigger: 'schedule' })).toBe(1);
    expect(w.values('lag', { trigger: 'schedule' })).toEqual([10]);
    expectDeclaredLabels(w.seen);
  });

  it('counts a catch-up run as a missed slot that ran, with its lag by trigger catch_up', async () => {
    const w = world('2030-06-01T09:59:00.000Z');
    await w.scheduler.schedules.create({ jobName: 'hourly', cronExpression: '0 * * * *', jobType: 'work' });
    await w.clock.set(Date.parse('2030-06-01T10:30:00.000Z'));
    await (await w.scheduler.checkAndRunDueJobs()).done;
    expect(w.sum('missedSlots', { outcome: 'run' })).toBe(1);
    expect(w.values('lag', { trigger: 'catch_up' })).toEqual([1800]);
  });

  it('counts claim conflicts: a slot another replica recorded, and a next_run_at it moved', async () => {
    const w = world('2030-06-01T09:59:00.000Z');
    await w.scheduler.schedules.create({ jobName: 'taken', cronExpression: '0 * * * *', jobType: 'work' });
    const slot = new Date('2030-06-01T10:00:00.000Z');
    // Another replica recorded the slot (and died before advancing next_run_at).
    await w.store.insertRun(
      sampleRun({
        runKey: slotRunKey('taken', slot),
        jobName: 'taken',
        jobType: 'work',
        slot,
        status: 'succeeded',
      }),
    );
    await w.clock.set(slot.getTime() + 1000);
    await (await w.scheduler.checkAndRunDueJobs()).done;
    expect(w.sum('claimConflicts', { reason: 'slot_taken' })).toBe(1);

    // Another replica advances next_run_at right after this one read the schedule (the pass re-reads its due
    // schedules in batches: listSchedules({ jobNames })).
    await w.scheduler.schedules.create({ jobName: 'moved', cronExpression: '0 * * * *', jobType: 'work' });
    const listSchedules = w.store.listSchedules.bind(w.store);
    w.store.listSchedules = async (query) => {
      const read = await listSchedules(query);
      if (query?.jobNames?.includes('moved') && read.some((s) => s.jobName === 'moved' && s.nextRunAt))
        await w.store.updateSchedule('moved', {
          nextRunAt: new Date('2030-06-01T13:00:00.000Z'),
          nextDueAt: null,
        });
      return read;
    };
    await w.clock.set(Date.parse('2030-06-01T11:00:01.000Z'));
    await (await w.scheduler.checkAndRunDueJobs()).done;
    expect(w.sum('claimConflicts', { reason: 'next_run_moved' })).toBe(1);
  });

  it('counts recoveries of runs whose replica died, by the status they were found in', async () => {
    const w = world();
    const expired = new Date(w.clock.now() - 1000);
    await w.store.insertRun(
      sampleRun({
        jobType: 'work',
        status: 'running',
        lockKey: 'job:work',
        leaseOwner: 'dead',
        leaseExpiresAt: expired,
        attempts: [
          {
            attempt: 1,
            startedAt: expired,
            finishedAt: null,
            status: 'running',
            error: null,
            replicaId: 'dead',
          },
        ],
        maxAttempts: 3,
      }),
    );
    await w.store.insertRun(
      sampleRun({
        jobType: 'work',
        status: 'pending',
        lockKey: 'job:other',
        leaseOwner: 'dead',
        leaseExpiresAt: expired,
      }),
    );
    await (await w.scheduler.checkAndRunDueJobs()).done;
    expect(w.sum('recoveries', { from: 'running' })).toBe(1);
    expect(w.sum('recoveries', { from: 'pending' })).toBe(1);
  });

  it('maps lease losses, passes and unknown job types to bounded labels', () => {
    const events = new EventEmitter();
    const fake: ObservedScheduler = {
      on: (event, fn) => {
        events.on(event, fn);
        return () => events.off(event, fn);
      },
      jobs: new JobRegistry([defineJob({ type: 'known', handler: async () => null })]),
    };
    const r = recorder();
    const off = observeSchedulerMetrics(fake, r.sink);
    const emit = <K extends keyof SchedulerEventMap>(k: K, p: SchedulerEventMap[K]) => events.emit(k, p);
    const run = sampleRun({ jobType: 'known' });
    emit('run:lease_lost', { run, reason: 'deadline', deadline: new Date(), during: 'attempt' });
    emit('run:lease_lost', { run, reason: 'taken_over', deadline: new Date(), during: 'write' });
    emit('run:failed', {
      run: sampleRun({ jobType: 'gone-in-this-deploy' }),
      error: { message: 'x' } as never,
    });
    emit('run:skipped', {
      run: sampleRun({ result: { reason: 'something new', folded_slots: 40 } }),
      reason: 'new',
    });
    emit('cycle:completed', { triggered: 1, skipped: 0, deferred: 0, durationMs: 20 });
    emit('cycle:failed', { error: new Error('x') });
    expect(r.sum('leaseLost', { reason: 'deadline' })).toBe(1);
    expect(r.sum('leaseLost', { reason: 'taken_over' })).toBe(1);
    expect(r.sum('runs', { job_type: 'unregistered', status: 'failed' })).toBe(1);
    expect(r.sum('skippedSlots', { reason: 'other' })).toBe(40);
    expect(r.values('cycleDuration')).toEqual([0.02]);
    expect(r.sum('cycles', { outcome: 'failed' })).toBe(1);
    expectDeclaredLabels(r.seen);
    off();
    emit('cycle:failed', { error: new Error('x') });
    expect(r.sum('cycles', { outcome: 'failed' })).toBe(1);
  });

  it('maps raw values to bounded labels', () => {
    expect(skipReasonLabel('superseded')).toBe('superseded');
    expect(skipReasonLabel(42)).toBe('other');
    expect(pausedByLabel('auto')).toBe('auto');
    expect(pausedByLabel('sync')).toBe('sync');
    expect(pausedByLabel('user-1234')).toBe('api');
    expect(pausedByLabel(null)).toBe('unknown');
  });
});
