// Cancelling runs (spec section 10) on the adapter's store and lock: a pending run nobody holds is cancelled by a
// compare-and-set and never starts; a running one is stopped by whichever replica runs it, within one lease renewal
// (TTL/3) when the cancel came through another replica, and recorded `cancelled` once its handler settled — not
// retried, no chain; recovery cancels a run whose holder died; a finished run is refused; failing writes.
import { RunCancelledError, RunFinishedError, RunNotFoundError } from '../errors.js';
import { jobLockKey } from '../model.js';
import { executionLog, runWriteOf, stepTo, trackedJob } from './fault-helpers.js';
import { InjectedFaultError } from './faults.js';
import type { SuiteTestApi } from './types.js';
import { TTL, type WorldOptions, worldRunner } from './world.js';

const T0 = '2030-01-01T00:00:00.000Z';
const t0 = Date.parse(T0);
const yearly = '0 0 1 1 *';

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  return null;
}

/** The cancel scenarios (run by the conformance suite for every adapter, with fake time). */
export function controlCancelSuite(api: SuiteTestApi, options: WorldOptions): void {
  const { describe, it, expect } = api;
  const withWorld = worldRunner(options);

  describe('Cancel', () => {
    it(
      'across replicas: A runs, a cancel through B reaches A within one renewal; recorded cancelled, not retried, no chain',
      withWorld(T0, async (w) => {
        const log = executionLog();
        w.registry.register(trackedJob('long', w.clock, log, () => 3_600_000, { maxAttempts: 3 }));
        const A = w.scheduler();
        const B = w.scheduler();
        await A.schedules.create({ jobName: 'child', cronExpression: yearly, jobType: 'noop' });
        await A.schedules.create({
          jobName: 'long',
          cronExpression: yearly,
          jobType: 'long',
          chain: ['child'],
        });
        const cancelled: string[] = [];
        A.on('run:cancelled', (e) => cancelled.push(`${e.run.id} ${e.by}`));
        const { run, done } = await A.runNow('long');
        await w.clock.advance(12_000); // past A's first renewal: the next one is at 20 s
        const asked = await B.cancelRun(run.id, { by: 'alice' });
        const requestedAt = w.clock.now();
        expect(asked.status).toBe('running');
        expect(asked.cancelRequestedBy).toBe('alice');
        expect(asked.cancelRequestedAt?.getTime()).toBe(requestedAt);
        await stepTo(w.clock, requestedAt + TTL / 3, 1000);
        const final = await done;
        expect(log.executions[0]?.abortedWith instanceof RunCancelledError).toBe(true);
        expect((log.executions[0]?.endedAt as number) - requestedAt).toBeLessThanOrEqual(TTL / 3);
        expect(final.status).toBe('cancelled');
        expect(final.error?.code).toBe('CRAFT_SCHEDULER_RUN_CANCELLED');
        expect(final.attempts.map((a) => `${a.status} ${a.replicaId}`)).toEqual([`cancelled ${A.replicaId}`]);
        expect(cancelled).toEqual([`${run.id} alice`]);
        expect((await w.store.getSchedule('long'))?.lastRunStatus).toBe('cancelled');
        expect(await w.lock.inspect(jobLockKey('long'))).toBeNull();
        // Not retried, even by another replica after the lease would have lapsed; the chain did not fire.
        await w.clock.advance(2 * TTL);
        await (await B.handleMissedRuns()).done;
        expect(log.executions).toHaveLength(1);
        expect(await w.store.listRuns({ parentRunId: run.id })).toEqual([]);
        expect(w.calls).toEqual([]);
        // A finished run: 409, nothing changes; an already cancelled one is answered as it is.
        expect((await B.cancelRun(run.id)).status).toBe('cancelled');
        const other = await A.runNow('child');
        await other.done;
        const refused = await rejection(B.cancelRun(other.run.id));
        expect(refused instanceof RunFinishedError).toBe(true);
        expect((refused as RunFinishedError).httpStatus).toBe(409);
        expect((await w.store.getRun(other.run.id))?.status).toBe('succeeded');
        expect((await rejection(B.cancelRun('no-such-run'))) instanceof RunNotFoundError).toBe(true);
      }),
    );

    it(
      'a pending run no replica holds is cancelled by a compare-and-set and never starts',
      withWorld(T0, async (w) => {
        const A = w.scheduler();
        await A.schedules.create({
          jobName: 'j',
          cronExpression: '* * * * *',
          jobType: 'noop',
          isEnabled: false,
        });
        await w.clock.set(t0 + 3 * 60_000);
        // Recorded, not executed: pending and unleased, for any replica.
        const backfill = await A.backfill('j', {
          from: new Date(t0),
          to: new Date(t0 + 2 * 60_000),
          execute: false,
        });
        const [first, second] = backfill.created;
        const r = await w.scheduler().cancelRun(first?.id as string, { by: 'cli' });
        expect(`${r.status} ${r.cancelRequestedBy} ${r.leaseOwner} ${r.attempts.length}`).toBe(
          'cancelled cli null 0',
        );
        const B = w.scheduler();
        await (await B.handleMissedRuns()).done;
        await B.idle();
        expect((await w.store.getRun(first?.id as string))?.status).toBe('cancelled');
        expect((await w.store.getRun(second?.id as string))?.status).toBe('succeeded');
        expect(w.calls).toEqual(['j@2030-01-01T00:01:00.000Z']);
      }),
    );

    it(
      'a run waiting for a run slot (held, pending) never starts once cancelled; it ends cancelled at once on its replica',
      withWorld(T0, async (w) => {
        const log = executionLog();
        w.registry.register(trackedJob('long', w.clock, log, () => 600_000, { maxAttempts: 1 }));
        const A = w.scheduler({ maxConcurrentRuns: 1 });
        await A.schedules.create({
          jobName: 'a',
          cronExpression: yearly,
          jobType: 'long',
          overlapPolicy: 'allow',
        });
        const first = await A.runNow('a');
        const second = await A.runNow('a');
        await w.clock.advance(5_000);
        expect((await w.store.getRun(second.run.id))?.status).toBe('pending');
        const asked = await A.cancelRun(second.run.id);
        expect(asked.cancelRequestedAt === null).toBe(false);
        const final = await second.done;
        expect(`${final.status} ${final.attempts.length}`).toBe('cancelled 0');
        expect(log.executions.map((e) => e.runId)).toEqual([first.run.id]);
        await A.stop({ graceMs: 0 });
      }),
    );

    it(
      'a cancel between attempts (during the backoff) ends the run cancelled without another attempt',
      withWorld(T0, async (w) => {
        const log = executionLog();
        w.registry.register(trackedJob('flaky', w.clock, log, () => 1000, { maxAttempts: 5, fail: true }));
        const A = w.scheduler();
        const { run, done } = await A.runJob('flaky');
        await w.clock.advance(1500); // attempt 1 failed; waiting ~1 s before attempt 2
        expect((await w.store.getRun(run.id))?.attempts.map((a) => a.status)).toEqual(['failed']);
        await w.scheduler().cancelRun(run.id);
        await stepTo(w.clock, w.clock.now() + TTL / 3 + 1000, 500);
        const final = await done;
        expect(final.status).toBe('cancelled');
        expect(log.executions.length).toBeLessThanOrEqual(2);
        expect(final.attempts[final.attempts.length - 1]?.status).not.toBe('running');
      }),
    );

    it(
      'recovery records a cancelled run whose holder died: its attempt abandoned, the run cancelled, not retried',
      withWorld(T0, async (w) => {
        const log = executionLog();
        w.registry.register(trackedJob('long', w.clock, log, () => 3_600_000, { maxAttempts: 3 }));
        const a = w.faulty();
        const A = w.scheduler({ store: a.store.target, lock: a.lock.target });
        const { run } = await A.runJob('long');
        await w.clock.advance(1000);
        // A dies: every call hangs from now on.
        a.store.inject({ method: ['updateRun', 'getRun', 'updateSchedule', 'insertRun'], action: 'hang' });
        a.lock.inject({ method: ['renew', 'release', 'acquire', 'acquireMany'], action: 'hang' });
        const B = w.scheduler();
        expect((await B.cancelRun(run.id, { by: 'ops' })).status).toBe('running');
        await w.clock.advance(TTL + 1000);
        const pass = await B.handleMissedRuns();
        await pass.done;
        const final = await w.store.getRun(run.id);
        expect(`${final?.status} ${final?.cancelRequestedBy}`).toBe('cancelled ops');
        expect(final?.attempts.map((x) => x.status)).toEqual(['abandoned']);
        expect(final?.error?.code).toBe('CRAFT_SCHEDULER_RUN_CANCELLED');
        expect(pass.abandoned).toEqual([]);
        expect(log.executions).toHaveLength(1);
      }),
    );

    it(
      'a failing cancel compare-and-set changes nothing and can be retried; a failing cancelled write is retried',
      withWorld(T0, async (w) => {
        const log = executionLog();
        w.registry.register(trackedJob('long', w.clock, log, () => 3_600_000, { maxAttempts: 1 }));
        const A0 = w.scheduler();
        await A0.schedules.create({ jobName: 'j', cronExpression: '* * * * *', jobType: 'noop' });
        await w.clock.set(t0 + 2 * 60_000);
        const bf = await A0.backfill('j', { from: new Date(t0), to: new Date(t0 + 60_000), execute: false });
        const pendingId = bf.created[0]?.id as string;
        const b = w.faulty();
        const B = w.scheduler({ store: b.store.target, lock: b.lock.target });
        const cas = b.store.inject({
          method: 'updateRun',
          action: 'fail',
          nth: 1,
          when: runWriteOf('cancelled'),
        });
        expect((await rejection(B.cancelRun(pendingId))) instanceof InjectedFaultError).toBe(true);
        expect(cas.hits).toBe(1);
        const untouched = await w.store.getRun(pendingId);
        expect(`${untouched?.status} ${untouched?.cancelRequestedAt}`).toBe('pending null');
        expect((await B.cancelRun(pendingId)).status).toBe('cancelled');
        // The holder's own `cancelled` write fails once: retried, recorded once.
        const a = w.faulty();
        const A = w.scheduler({ store: a.store.target, lock: a.lock.target });
        const end = a.store.inject({
          method: 'updateRun',
          action: 'fail',
          nth: 1,
          when: runWriteOf('cancelled'),
        });
        const events: string[] = [];
        A.on('run:cancelled', (e) => events.push(e.run.id));
        const { run, done } = await A.runJob('long');
        await w.clock.advance(1000);
        await A.cancelRun(run.id);
        await stepTo(w.clock, w.clock.now() + 5000, 500);
        const final = await done;
        expect(end.hits).toBe(1);
        expect(final.status).toBe('cancelled');
        expect(events).toEqual([run.id]);
        expect(log.executions).toHaveLength(1);
      }),
    );
  });
}
