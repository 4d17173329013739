// Fault scenarios of execution (spec section 11), each with the fault that would break its promise: a hanging or
// failing lease renewal, a failing or unacknowledged final write, a failing `timed_out` write. Every replica's store
// and lock go through `injectFaults` (faults.ts); the world's clock is shared fake time. Lease TTL 30 s: renewals
// every 10 s, the local deadline 24 s after the last successful renewal.
import { LeaseExpiredError } from '../errors.js';
import { jobLockKey } from '../model.js';
import type { SchedulerEventMap } from '../types.js';
import { executionLog, runWriteOf, stepTo, trackedJob } from './fault-helpers.js';
import type { SuiteTestApi } from './types.js';
import { TTL, type WorldOptions, worldRunner } from './world.js';

const T0 = '2030-01-01T00:00:00.000Z';
const at = (iso: string) => Date.parse(`2030-01-01T${iso}.000Z`);
const yearly = '0 0 1 1 *';

/** The execution fault scenarios (run by the conformance suite for every adapter, with fake time). */
export function faultSuite(api: SuiteTestApi, options: WorldOptions): void {
  const { describe, it, expect } = api;
  const withWorld = worldRunner(options);

  describe('Faults: leases and final writes', () => {
    it(
      'a hanging renewal aborts the handler before the lease expires, writes nothing more, and no second execution overlaps it',
      withWorld(T0, async (w) => {
        const log = executionLog();
        w.registry.register(trackedJob('work', w.clock, log, (ctx) => (ctx.attempt === 1 ? 120_000 : 0)));
        const a = w.faulty();
        a.lock.inject({ method: 'renew', action: 'hang' });
        const A = w.scheduler({ store: a.store.target, lock: a.lock.target });
        const lost: SchedulerEventMap['run:lease_lost'][] = [];
        A.on('run:lease_lost', (e) => lost.push(e));
        const { run } = await A.runJob('work');
        await w.clock.advance(23_000);
        expect(log.running()).toHaveLength(1);
        const callsBefore = a.store.calls.length + a.lock.calls.length;
        // 24 s: the local deadline (30 s − max(1 s, 30 s / 5)), 6 s before the store lets anyone else take over.
        await w.clock.advance(1_000);
        expect(log.executions[0]?.abortedWith instanceof LeaseExpiredError).toBe(true);
        expect(lost.map((e) => `${e.reason} ${e.during} ${e.run.id}`)).toEqual([
          `deadline attempt ${run.id}`,
        ]);
        await A.idle(); // nothing waits for the hanging renewal
        expect(a.store.calls.length + a.lock.calls.length).toBe(callsBefore); // nothing more is sent
        await w.clock.advance(7_000); // 31 s: the lease expired by the store's clock
        const B = w.scheduler();
        await (await B.checkAndRunDueJobs()).done;
        await B.idle();
        const final = await w.store.getRun(run.id);
        expect(final?.status).toBe('succeeded');
        expect(final?.attempts.map((x) => `${x.status} ${x.replicaId}`)).toEqual([
          `abandoned ${A.replicaId}`,
          `succeeded ${B.replicaId}`,
        ]);
        expect(log.overlaps).toEqual([]);
      }),
    );

    it(
      'a transient failure of the final write (succeeded, failed, timed_out) is retried: recorded once, never executed again',
      withWorld(T0, async (w) => {
        const log = executionLog();
        w.registry.register(trackedJob('ok', w.clock, log, () => 1000));
        w.registry.register(trackedJob('bad', w.clock, log, () => 1000, { maxAttempts: 1, fail: true }));
        w.registry.register(
          trackedJob('slow', w.clock, log, () => 5000, { maxAttempts: 1, timeoutSeconds: 1 }),
        );
        const setup = w.scheduler();
        for (const t of ['ok', 'bad', 'slow']) {
          await setup.schedules.create({ jobName: t, cronExpression: yearly, jobType: t });
        }
        const a = w.faulty();
        const faults = ['succeeded', 'failed', 'timed_out'].map((status) =>
          a.store.inject({ method: 'updateRun', action: 'fail', nth: 1, when: runWriteOf(status) }),
        );
        const A = w.scheduler({ store: a.store.target, lock: a.lock.target });
        const events: string[] = [];
        for (const name of [
          'run:succeeded',
          'run:failed',
          'run:timed_out',
          'run:abandoned',
          'run:lease_lost',
        ] as const) {
          A.on(name, (e) => events.push(`${name} ${e.run.jobName}`));
        }
        const manual = [await A.runNow('ok'), await A.runNow('bad'), await A.runNow('slow')];
        await stepTo(w.clock, at('00:00:05'), 500);
        const finals = await Promise.all(manual.map((m) => m.done));
        await A.idle();
        expect(faults.map((f) => f.hits)).toEqual([1, 1, 1]);
        expect(finals.map((r) => `${r.jobName} ${r.status}`)).toEqual([
          'ok succeeded',
          'bad failed',
          'slow timed_out',
        ]);
        expect(events.sort()).toEqual(['run:failed bad', 'run:succeeded ok', 'run:timed_out slow']);
        for (const r of finals) {
          expect(await w.lock.inspect(jobLockKey(r.jobName as string))).toBeNull();
          expect((await w.store.getSchedule(r.jobName as string))?.lastRunStatus).toBe(r.status);
        }
        // Another replica after the leases would have lapsed: nothing is abandoned or run again.
        await w.clock.advance(TTL + 1000);
        const B = w.scheduler();
        const pass = await B.handleMissedRuns();
        await pass.done;
        await B.idle();
        expect(pass.abandoned).toHaveLength(0);
        for (const r of finals) {
          const now = await w.store.getRun(r.id);
          expect(`${now?.status} ${now?.attempts.length}`).toBe(`${r.status} 1`);
        }
        expect(log.executions.map((e) => e.key).sort()).toEqual(['bad', 'ok', 'slow']);
      }),
    );

    it(
      'a lost acknowledgement of the success write counts as written: its event, last_run_status and chain follow once',
      withWorld(T0, async (w) => {
        const log = executionLog();
        w.registry.register(trackedJob('ok', w.clock, log, () => 1000));
        const setup = w.scheduler();
        await setup.schedules.create({ jobName: 'child', cronExpression: yearly, jobType: 'noop' });
        await setup.schedules.create({
          jobName: 'parent',
          cronExpression: yearly,
          jobType: 'ok',
          chain: ['child'],
        });
        const a = w.faulty();
        const fault = a.store.inject({
          method: 'updateRun',
          action: 'fail-after',
          nth: 1,
          when: runWriteOf('succeeded'),
        });
        const A = w.scheduler({ store: a.store.target, lock: a.lock.target });
        const succeeded: string[] = [];
        A.on('run:succeeded', (e) => succeeded.push(e.run.jobName ?? e.run.jobType));
        const { run, done } = await A.runNow('parent');
        await stepTo(w.clock, at('00:00:05'), 500);
        const final = await done;
        await A.idle();
        expect(fault.hits).toBe(1);
        expect(final.status).toBe('succeeded');
        expect(succeeded.sort()).toEqual(['child', 'parent']);
        expect((await w.store.getSchedule('parent'))?.lastRunStatus).toBe('succeeded');
        const children = await w.store.listRuns({ parentRunId: run.id });
        expect(children.map((c) => `${c.jobName} ${c.status}`)).toEqual(['child succeeded']);
        expect(w.calls).toEqual(['child@manual']);
        expect(log.executions).toHaveLength(1);
      }),
    );

    it(
      'one failing renewal is retried: the handler keeps running on its still valid lease and the run succeeds once',
      withWorld(T0, async (w) => {
        const log = executionLog();
        w.registry.register(trackedJob('work', w.clock, log, () => 2 * TTL));
        const a = w.faulty();
        const fault = a.lock.inject({ method: 'renew', action: 'fail', nth: 1 });
        const A = w.scheduler({ store: a.store.target, lock: a.lock.target });
        const lost: unknown[] = [];
        A.on('run:lease_lost', (e) => lost.push(e));
        const { done } = await A.runJob('work');
        await stepTo(w.clock, at('00:01:05'), 5000);
        const final = await done;
        expect(fault.hits).toBe(1);
        expect(final.status).toBe('succeeded');
        expect(log.executions.map((e) => `${e.attempt} ${e.abortedWith === null}`)).toEqual(['1 true']);
        expect(lost).toEqual([]);
        expect(a.lock.callsOf('renew').length).toBeGreaterThanOrEqual(6);
      }),
    );

    it(
      'a failing timed_out write keeps the schedule lock until the timed-out handler settles: the next slot does not overlap it',
      withWorld(T0, async (w) => {
        const log = executionLog();
        // Times out after 10 s but ignores its signal for 90 s.
        w.registry.register(
          trackedJob('stubborn', w.clock, log, () => 90_000, {
            maxAttempts: 1,
            timeoutSeconds: 10,
            ignoreSignal: true,
          }),
        );
        const setup = w.scheduler();
        await setup.schedules.create({
          jobName: 'stubborn',
          cronExpression: '* * * * *',
          jobType: 'stubborn',
        });
        const a = w.faulty();
        const fault = a.store.inject({
          method: 'updateRun',
          action: 'fail',
          nth: 1,
          when: runWriteOf('timed_out'),
        });
        const A = w.scheduler({ store: a.store.target, lock: a.lock.target });
        const B = w.scheduler();
        await w.clock.set(at('00:01:00'));
        const first = await A.checkAndRunDueJobs();
        await stepTo(w.clock, at('00:02:00'), 5000);
        // The handler still runs: its lock is still A's, so the next slot is deferred, not run alongside it.
        const second = await B.checkAndRunDueJobs();
        expect(second.deferred).toEqual(['stubborn']);
        expect((await w.lock.inspect(jobLockKey('stubborn')))?.owner).toBe(A.replicaId);
        expect(fault.hits).toBe(1);
        expect((await w.store.getRun(first.runs[0]?.id as string))?.status).toBe('timed_out');
        await stepTo(w.clock, at('00:02:31'), 5000); // the handler settles at 00:02:30; A releases the lock
        await first.done;
        const third = await B.checkAndRunDueJobs();
        expect(third.runs.map((r) => r.slot?.toISOString())).toEqual(['2030-01-01T00:02:00.000Z']);
        await stepTo(w.clock, at('00:04:10'), 5000);
        await third.done;
        expect(log.executions).toHaveLength(2);
        expect(log.overlaps).toEqual([]);
        expect(log.executions[1]?.startedAt).toBeGreaterThanOrEqual(log.executions[0]?.endedAt as number);
      }),
    );
  });
}
