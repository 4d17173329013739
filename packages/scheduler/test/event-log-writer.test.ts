// The write-behind of the event log and what a scheduler records in it (spec section 12).
import { describe, expect, it } from 'vitest';
import {
  attachEventLog,
  defineJob,
  type EventLogStore,
  EventLogWriter,
  FakeClock,
  type JobEvent,
  JobRegistry,
  JobScheduler,
  MemoryLock,
  MemoryStore,
  type NewJobEvent,
} from '../src/index.js';

const START = Date.parse('2030-03-04T09:00:00.000Z');

/** A MemoryStore whose appends are counted and can be made to fail (before or after writing). */
function countingStore(clock: FakeClock) {
  const store = new MemoryStore({ clock });
  const calls: number[] = [];
  let failNext: 'before' | 'after' | null = null;
  const log: EventLogStore = {
    appendEvents: async (events: readonly NewJobEvent[]) => {
      calls.push(events.length);
      const mode = failNext;
      failNext = null;
      if (mode === 'before') throw new Error('connection reset');
      await store.appendEvents(events);
      if (mode === 'after') throw new Error('answer lost');
    },
    readEvents: (q) => store.readEvents(q),
    deleteEvents: (f) => store.deleteEvents(f),
    oldestEventCursor: () => store.oldestEventCursor(),
  };
  return {
    store,
    log,
    calls,
    fail(mode: 'before' | 'after') {
      failNext = mode;
    },
  };
}

async function all(store: EventLogStore): Promise<JobEvent[]> {
  return (await store.readEvents({ limit: 10_000 })).events;
}

describe('EventLogWriter', () => {
  it('appends buffered events in one write after flushIntervalMs, in the order they were pushed', async () => {
    const clock = new FakeClock(START);
    const s = countingStore(clock);
    const writer = new EventLogWriter({ store: s.log, clock, flushIntervalMs: 150 });
    for (let i = 0; i < 5; i++) writer.push('run:started', 'a', `r${i}`, { i });
    await clock.advance(149);
    expect(s.calls).toEqual([]);
    await clock.advance(1);
    expect(s.calls).toEqual([5]);
    expect((await all(s.store)).map((e) => e.data['i'])).toEqual([0, 1, 2, 3, 4]);
    expect(writer.stats).toMatchObject({ appended: 5, pending: 0, failedFlushes: 0, dropped: 0 });
  });

  it('flushes at once when maxBatch events wait, one append per batch', async () => {
    const clock = new FakeClock(START);
    const s = countingStore(clock);
    const writer = new EventLogWriter({ store: s.log, clock, maxBatch: 4, flushIntervalMs: 1000 });
    for (let i = 0; i < 10; i++) writer.push('run:created', 'a', `r${i}`, {});
    await clock.tick();
    await writer.flush();
    expect(s.calls).toEqual([4, 4, 2]);
    expect(await all(s.store)).toHaveLength(10);
  });

  it('keeps the events of a failed append and writes them once on the retry, also when the answer was lost', async () => {
    const clock = new FakeClock(START);
    const s = countingStore(clock);
    const writer = new EventLogWriter({ store: s.log, clock, flushIntervalMs: 100 });
    writer.push('run:started', 'a', 'r1', {});
    s.fail('before');
    await clock.advance(100);
    expect(writer.stats).toMatchObject({ failedFlushes: 1, pending: 1, appended: 0 });
    writer.push('run:succeeded', 'a', 'r1', {});
    s.fail('after'); // written, but the writer hears an error
    await clock.advance(200); // the first retry (backoff 2 × flushIntervalMs)
    expect(writer.stats).toMatchObject({ failedFlushes: 2, pending: 2 });
    expect(s.calls).toEqual([1, 2]);
    await clock.advance(5000);
    expect(writer.stats).toMatchObject({ failedFlushes: 2, pending: 0, appended: 2 });
    const events = await all(s.store);
    expect(events.map((e) => e.type)).toEqual(['run:started', 'run:succeeded']);
  });

  it('drops the oldest events beyond maxBuffered while the store fails, and counts them', async () => {
    const clock = new FakeClock(START);
    const s = countingStore(clock);
    const writer = new EventLogWriter({
      store: s.log,
      clock,
      maxBatch: 2,
      maxBuffered: 3,
      flushIntervalMs: 50,
    });
    s.fail('before');
    writer.push('t', null, null, { n: 0 });
    writer.push('t', null, null, { n: 1 });
    await clock.tick();
    for (let n = 2; n < 6; n++) writer.push('t', null, null, { n });
    expect(writer.stats.dropped).toBe(3);
    await writer.flush();
    await writer.flush();
    expect((await all(s.store)).map((e) => e.data['n'])).toEqual([3, 4, 5]);
  });

  it('drops many at once when a failed batch comes back to a full buffer: the oldest go, the order stays', async () => {
    const clock = new FakeClock(START);
    const s = countingStore(clock);
    const writer = new EventLogWriter({ store: s.log, clock, maxBatch: 100, maxBuffered: 100 });
    for (let n = 0; n < 100; n++) writer.push('t', null, null, { n });
    s.fail('before');
    // The batch of 0-99 is in flight; 100-249 arrive meanwhile (the bound drops 100-149 one at a time, as each
    // push overflows it). The failed batch then comes back in front of them: 100 over the bound, dropped at once.
    const inFlight = writer.flush();
    for (let n = 100; n < 250; n++) writer.push('t', null, null, { n });
    await inFlight;
    expect(writer.stats).toMatchObject({ dropped: 250 - 100, pending: 100, failedFlushes: 1 });
    await writer.flush();
    expect((await all(s.store)).map((e) => e.data['n'])).toEqual(
      Array.from({ length: 100 }, (_, i) => 150 + i),
    );
  });

  it('deletes events past the retention after a flush, at most once per cleanupIntervalMs', async () => {
    const clock = new FakeClock(START);
    const store = new MemoryStore({ clock });
    const writer = new EventLogWriter({ store, clock, flushIntervalMs: 10, cleanupIntervalMs: 3_600_000 });
    writer.push('old', null, null, {});
    await clock.advance(10);
    await clock.advance(8 * 86_400_000);
    writer.push('new', null, null, {});
    await clock.advance(10);
    expect((await all(store)).map((e) => e.type)).toEqual(['new']);
  });

  it('close() appends what is buffered and ignores later pushes', async () => {
    const clock = new FakeClock(START);
    const store = new MemoryStore({ clock });
    const writer = new EventLogWriter({ store, clock, flushIntervalMs: 10_000 });
    writer.push('a', null, null, {});
    await writer.close();
    writer.push('b', null, null, {});
    await clock.advance(20_000);
    expect((await all(store)).map((e) => e.type)).toEqual(['a']);
  });
});

function world(jobs = new JobRegistry([]), maxConcurrentRuns?: number) {
  const clock = new FakeClock(START);
  const store = new MemoryStore({ clock });
  const lock = new MemoryLock({ clock });
  const scheduler = new JobScheduler({
    store,
    lock,
    clock,
    registry: jobs,
    replicaId: 'replica-a',
    random: () => 0,
    ...(maxConcurrentRuns !== undefined ? { maxConcurrentRuns } : {}),
  });
  return { clock, store, scheduler };
}

describe('attachEventLog', () => {
  it('records a schedule’s changes and a run’s lifecycle with small payloads', async () => {
    const w = world(
      new JobRegistry([defineJob({ type: 'noop', handler: async () => ({ big: 'x'.repeat(1000) }) })]),
    );
    const writer = attachEventLog(w.scheduler, { store: w.store, clock: w.clock });
    await w.scheduler.schedules.create({
      jobName: 'nightly',
      cronExpression: '0 3 * * *',
      jobType: 'noop',
      parameters: { secret: 'not in events' },
    });
    const { done } = await w.scheduler.runNow('nightly');
    await done;
    await w.scheduler.schedules.disable('nightly');
    await w.scheduler.schedules.patch('nightly', { description: 'd', isEnabled: true });
    await w.scheduler.schedules.patch('nightly', { cronExpression: '0 4 * * *' });
    await w.scheduler.schedules.delete('nightly');
    await writer.close();
    const events = await all(w.store);
    expect(events.map((e) => e.type)).toEqual([
      'schedule:created',
      'run:created',
      'run:started',
      'run:succeeded',
      'schedule:disabled',
      'schedule:enabled',
      'schedule:updated',
      'schedule:deleted',
    ]);
    expect(events.every((e) => e.jobName === 'nightly')).toBe(true);
    const [, created, started, succeeded, disabled, enabled, updated] = events as JobEvent[];
    expect(created?.runId).toBe(succeeded?.runId);
    expect(started?.data).toMatchObject({
      status: 'running',
      attempt: 1,
      trigger: 'manual',
      job_type: 'noop',
    });
    expect(succeeded?.data).toMatchObject({ status: 'succeeded', duration_ms: 0, replica_id: 'replica-a' });
    expect(disabled?.data).toMatchObject({ is_enabled: false, changed: ['is_enabled'], next_run_at: null });
    expect(enabled?.data['changed']).toEqual(['description', 'is_enabled']);
    expect(updated?.data).toMatchObject({ changed: ['cron_expression'], cron_expression: '0 4 * * *' });
    // Never parameters or results.
    expect(JSON.stringify(events)).not.toContain('not in events');
    expect(JSON.stringify(events)).not.toContain('xxxxxxxx');
  });

  it('records retries and the final failure with the error, cut short', async () => {
    const w = world(
      new JobRegistry([
        defineJob({
          type: 'flaky',
          maxAttempts: 2,
          backoff: { baseMs: 1000, maxMs: 1000, jitter: 0 },
          handler: async () => {
            throw Object.assign(new Error(`feed down ${'!'.repeat(500)}`), { code: 'FEED_DOWN' });
          },
        }),
      ]),
    );
    const writer = attachEventLog(w.scheduler, { store: w.store, clock: w.clock });
    const { done } = await w.scheduler.runJob('flaky');
    await w.clock.advance(1000);
    await done;
    await writer.close();
    const events = await all(w.store);
    expect(events.map((e) => e.type)).toEqual([
      'run:created',
      'run:started',
      'run:retrying',
      'run:started',
      'run:failed',
    ]);
    expect(events[0]?.jobName).toBeNull();
    expect(events[2]?.data).toMatchObject({ attempt: 1, delay_ms: 1000, error: { code: 'FEED_DOWN' } });
    const message = ((events[4] as JobEvent).data['error'] as { message: string }).message;
    expect(message.length).toBe(300);
    expect(events[4]?.data).toMatchObject({ status: 'failed', attempt: 2 });
  });

  it('records a cancelled run (run:cancelled, with who asked) and a change of a control field', async () => {
    const w = world(
      new JobRegistry([
        defineJob({
          type: 'wait',
          maxAttempts: 1,
          handler: (_p, { signal }) =>
            new Promise((_resolve, reject) => {
              signal.addEventListener('abort', () => reject(signal.reason), { once: true });
            }),
        }),
      ]),
    );
    const writer = attachEventLog(w.scheduler, { store: w.store, clock: w.clock });
    await w.scheduler.schedules.create({ jobName: 'c', cronExpression: '0 3 * * *', jobType: 'wait' });
    await w.scheduler.schedules.patch('c', { overlapPolicy: 'skip', jitterSeconds: 60 });
    const { run, done } = await w.scheduler.runNow('c');
    // Cancelled once running (a run cancelled before its start ends without a run:started).
    for (let i = 0; i < 100 && (await w.store.getRun(run.id))?.status !== 'running'; i++)
      await w.clock.advance(0);
    await w.scheduler.cancelRun(run.id, { by: 'alice' });
    // The holder sees the request at its next lease renewal and aborts the handler.
    for (let i = 0; i < 100 && (await w.store.getRun(run.id))?.status !== 'cancelled'; i++)
      await w.clock.advance(5000);
    await done;
    await writer.close();
    const events = await all(w.store);
    expect(events.map((e) => e.type)).toEqual([
      'schedule:created',
      'schedule:updated',
      'run:created',
      'run:started',
      'run:cancelled',
    ]);
    expect(events[1]?.data['changed']).toEqual(['jitter_seconds', 'overlap_policy']);
    expect(events[4]?.data).toMatchObject({ status: 'cancelled', by: 'alice' });
  });

  it('adds one append per flush, not one per slot: 200 slots claimed in one pass', async () => {
    // Room for every run at once, so that the one pass claims all 200 (none deferred to a later pass).
    const w = world(new JobRegistry([defineJob({ type: 'noop', handler: async () => null })]), 200);
    for (let i = 0; i < 200; i++) {
      await w.scheduler.schedules.create({
        jobName: `s${String(i).padStart(3, '0')}`,
        cronExpression: '* * * * *',
        jobType: 'noop',
      });
    }
    let appends = 0;
    const store = w.store;
    const counted: EventLogStore = {
      appendEvents: (e) => {
        appends++;
        return store.appendEvents(e);
      },
      readEvents: (q) => store.readEvents(q),
      deleteEvents: (f) => store.deleteEvents(f),
      oldestEventCursor: () => store.oldestEventCursor(),
    };
    const writer = attachEventLog(w.scheduler, { store: counted, clock: w.clock, flushIntervalMs: 150 });
    await w.clock.advance(60_000);
    const cycle = await w.scheduler.checkAndRunDueJobs();
    expect(cycle.runs).toHaveLength(200);
    await cycle.done;
    await w.clock.advance(150);
    await writer.close();
    const events = await all(store);
    expect(events.filter((e) => e.type === 'run:succeeded')).toHaveLength(200);
    // 600 run events (created, started, succeeded) in a few batched appends.
    expect(events).toHaveLength(600);
    expect(appends).toBeLessThanOrEqual(4);
  });

  it('close() unsubscribes: later changes are not recorded', async () => {
    const w = world(new JobRegistry([defineJob({ type: 'noop', handler: async () => null })]));
    const writer = attachEventLog(w.scheduler, { store: w.store, clock: w.clock });
    await writer.close();
    await w.scheduler.schedules.create({ jobName: 'late', cronExpression: '0 3 * * *', jobType: 'noop' });
    await w.clock.advance(1000);
    expect(await all(w.store)).toEqual([]);
  });
});
