// Fault scenarios of ownership (spec section 11): queued chained runs keep their leases, a rolling deploy leaves
// unknown job types alone, a stalled former holder's late writes are fenced out, a start answered after the deadline
// never runs the handler, and a long claim renews its lock.
import { defineJob, JobRegistry } from '../registry.js';
import type { SchedulerEventMap } from '../types.js';
import { killable } from './chaos.js';
import { executionLog, lastRunWriteOf, runWriteOf, stepTo, trackedJob } from './fault-helpers.js';
import type { SuiteTestApi } from './types.js';
import { TTL, type WorldOptions, worldRunner } from './world.js';

const T0 = '2030-01-01T00:00:00.000Z';
const at = (iso: string) => Date.parse(`2030-01-01T${iso}.000Z`);
const yearly = '0 0 1 1 *';

/** The ownership and fencing fault scenarios (run by the conformance suite for every adapter, with fake time). */
export function faultFencingSuite(api: SuiteTestApi, options: WorldOptions): void {
  const { describe, it, expect } = api;
  const withWorld = worldRunner(options);

  describe('Faults: ownership and fencing', () => {
    it(
      'a chained run queued behind a long sibling keeps its lease and runs after it, in list order',
      withWorld(T0, async (w) => {
        const log = executionLog();
        w.registry.register(trackedJob('long', w.clock, log, () => 70_000));
        w.registry.register(trackedJob('quick', w.clock, log, () => 0));
        const setup = w.scheduler();
        await setup.schedules.create({ jobName: 'first', cronExpression: yearly, jobType: 'long' });
        await setup.schedules.create({ jobName: 'second', cronExpression: yearly, jobType: 'quick' });
        await setup.schedules.create({
          jobName: 'parent',
          cronExpression: yearly,
          jobType: 'quick',
          chain: ['first', 'second'],
        });
        const A = w.scheduler();
        const B = w.scheduler();
        const { done } = await A.runNow('parent');
        // B passes every 10 s while `first` runs for 70 s (more than two leases).
        await stepTo(w.clock, at('00:01:40'), 10_000, async () => {
          await B.checkAndRunDueJobs();
        });
        await done;
        await A.idle();
        await B.idle();
        expect(log.executions.map((e) => `${e.key} ${e.replicaId}`)).toEqual([
          `parent ${A.replicaId}`,
          `first ${A.replicaId}`,
          `second ${A.replicaId}`,
        ]);
        expect(log.executions[2]?.startedAt).toBeGreaterThanOrEqual(log.executions[1]?.endedAt as number);
      }),
    );

    it(
      'during a rolling deploy recovery leaves a run of a job type this replica does not know to a replica that knows it',
      withWorld(T0, async (w) => {
        const log = executionLog();
        w.registry.register(trackedJob('v2_job', w.clock, log, (ctx) => (ctx.attempt === 1 ? 3_600_000 : 0)));
        const store = killable(w.store);
        const lock = killable(w.lock);
        const A = w.scheduler({ store: store.proxy, lock: lock.proxy });
        const { run } = await A.runJob('v2_job');
        await w.clock.tick();
        store.kill(); // A dies mid-run
        lock.kill();
        await w.clock.advance(TTL + 1000);
        // An old replica (no v2_job) passes first: it must not adopt and fail the run.
        const old = w.scheduler({ registry: new JobRegistry() });
        const pass = await old.handleMissedRuns();
        await pass.done;
        await old.idle();
        expect(pass.abandoned).toHaveLength(0);
        expect((await w.store.getRun(run.id))?.status).toBe('running');
        const upgraded = w.scheduler();
        const next = await upgraded.handleMissedRuns();
        await next.done;
        await upgraded.idle();
        const final = await w.store.getRun(run.id);
        expect(final?.status).toBe('succeeded');
        expect(final?.attempts.map((x) => `${x.status} ${x.replicaId}`)).toEqual([
          `abandoned ${A.replicaId}`,
          `succeeded ${upgraded.replicaId}`,
        ]);
      }),
    );

    it(
      "a stalled former holder's late last_run_status write is refused once a newer holder wrote (fenced by the lock token)",
      withWorld(T0, async (w) => {
        let open: () => void = () => {};
        const gate = new Promise<void>((resolve) => {
          open = resolve;
        });
        let n = 0;
        // The second execution (B's slot) waits for the gate, so its run is `running` while the stale write lands.
        w.registry.register(
          defineJob({
            type: 'gated2',
            handler: async () => {
              if (++n === 2) await gate;
              return 'ok';
            },
          }),
        );
        const setup = w.scheduler();
        await setup.schedules.create({ jobName: 's', cronExpression: '*/5 * * * *', jobType: 'gated2' });
        const a = w.faulty();
        // A's request writing last_run_status 'succeeded' is held in the network and lands much later.
        const stale = a.store.inject({
          method: 'updateSchedule',
          action: 'hang',
          nth: 1,
          when: lastRunWriteOf('succeeded'),
        });
        const A = w.scheduler({ store: a.store.target, lock: a.lock.target });
        const B = w.scheduler();
        await w.clock.set(at('00:05:00'));
        const first = await A.checkAndRunDueJobs();
        await stepTo(w.clock, at('00:05:30'), 5000); // A gives up on the held request, writes again, releases
        expect(stale.hits).toBe(1);
        expect((await w.store.getSchedule('s'))?.lastRunStatus).toBe('succeeded');
        await w.clock.set(at('00:10:00'));
        const second = await B.checkAndRunDueJobs();
        await w.clock.tick();
        expect((await w.store.getSchedule('s'))?.lastRunStatus).toBe('running');
        stale.release(); // the stalled request lands now
        await w.clock.tick();
        const s = await w.store.getSchedule('s');
        expect(`${s?.lastRunStatus} ${s?.lastRunAt?.toISOString()}`).toBe('running 2030-01-01T00:10:00.000Z');
        open();
        await second.done;
        await first.done;
        expect((await w.store.getSchedule('s'))?.lastRunStatus).toBe('succeeded');
      }),
    );

    it(
      "a run's own lease: a renewal that reaches the store just after the run's own success write is no takeover",
      withWorld(T0, async (w) => {
        const log = executionLog();
        // 30 s: the handler ends when the third renewal of its own lease (every TTL/3) is due.
        w.registry.register(trackedJob('work', w.clock, log, () => TTL));
        const a = w.faulty();
        const A = w.scheduler({ store: a.store.target, lock: a.lock.target });
        await A.schedules.create({
          jobName: 'own',
          cronExpression: '*/5 * * * *',
          jobType: 'work',
          overlapPolicy: 'allow', // its runs hold their own leases (the run record)
          isEnabled: false,
        });
        await w.clock.set(at('01:00:00'));
        const start = w.clock.now();
        const isRenewal = (args: readonly unknown[]) =>
          (args[1] as { leaseForMs?: unknown } | undefined)?.leaseForMs !== undefined;
        // The renewal due as the handler ends is held until the success write has landed; the success write's
        // answer is held until the renewal has been answered ("no longer pending or running").
        const renewal = a.store.inject({
          method: 'updateRun',
          action: 'hang',
          when: (args) => isRenewal(args) && w.clock.now() >= start + TTL,
        });
        const success = a.store.inject({
          method: 'updateRun',
          action: 'hang-after',
          when: runWriteOf('succeeded'),
        });
        const lost: SchedulerEventMap['run:lease_lost'][] = [];
        A.on('run:lease_lost', (e) => lost.push(e));
        const succeeded: string[] = [];
        A.on('run:succeeded', (e) => succeeded.push(e.run.id));
        const bf = await A.backfill('own', { from: new Date(at('00:00:00')), to: new Date(at('00:05:00')) });
        expect(bf.created).toHaveLength(1);
        await stepTo(w.clock, start + TTL, 5000);
        expect(success.hits).toBe(1);
        expect(renewal.hits).toBe(1);
        renewal.release();
        await w.clock.tick();
        success.release();
        const [run] = await bf.done;
        await A.idle();
        expect(lost).toEqual([]);
        expect(run?.status).toBe('succeeded');
        expect(succeeded).toEqual([run?.id]);
        expect((await w.store.getRun(run?.id as string))?.status).toBe('succeeded');
        expect(log.executions).toHaveLength(1);
      }),
    );

    it(
      'a replica never starts a handler after its local lease deadline, even when its start write is answered late',
      withWorld(T0, async (w) => {
        const log = executionLog();
        w.registry.register(trackedJob('work', w.clock, log, () => 0));
        const a = w.faulty();
        // From its start write on, A is cut off: its calls reach the store but no answer comes back, and its
        // renewals hang.
        let cut = false;
        const answers = a.store.inject({
          method: [
            'updateRun',
            'getRun',
            'getSchedule',
            'updateSchedule',
            'insertRun',
            'insertRuns',
            'getRunByKey',
            'listRuns',
          ],
          action: 'hang-after',
          when: (args) => {
            if (runWriteOf('running')(args)) cut = true;
            return cut;
          },
        });
        a.lock.inject({ method: 'renew', action: 'hang' });
        const A = w.scheduler({ store: a.store.target, lock: a.lock.target });
        const lost: SchedulerEventMap['run:lease_lost'][] = [];
        A.on('run:lease_lost', (e) => lost.push(e));
        const { run } = await A.runJob('work');
        await stepTo(w.clock, at('00:00:26'), 2000);
        answers.release(); // "running, yours" arrives after the deadline
        await w.clock.tick();
        expect(log.executions).toHaveLength(0);
        await A.idle();
        expect(lost.map((e) => `${e.reason} ${e.during}`)).toEqual(['deadline write']);
        await stepTo(w.clock, at('00:00:31'), 1000);
        const B = w.scheduler();
        await (await B.checkAndRunDueJobs()).done;
        await B.idle();
        expect(log.executions.map((e) => e.replicaId)).toEqual([B.replicaId]);
        const final = await w.store.getRun(run.id);
        expect(final?.status).toBe('succeeded');
      }),
    );

    it(
      'a long claim renews its lock lease: a second replica defers instead of claiming the same gap',
      withWorld(T0, async (w) => {
        const setup = w.scheduler();
        await setup.schedules.create({
          jobName: 'minutely',
          cronExpression: '* * * * *',
          jobType: 'noop',
          missedRunPolicy: 'skip',
        });
        const a = w.faulty();
        // Each record takes 0.5 s to insert: 120 slots take a minute, twice the lease. A's store sends one record per
        // call (as an adapter without `insertRuns`: batches would make the claim short, see catch-up-fault-suite.ts).
        a.store.inject({ method: 'insertRun', action: 'delay', delayMs: 500 });
        const oneByOne = new Proxy(a.store.target, {
          get: (target, prop) => (prop === 'insertRuns' ? undefined : Reflect.get(target, prop)),
        });
        const A = w.scheduler({ store: oneByOne, lock: a.lock.target });
        const B = w.scheduler();
        await w.clock.set(at('02:00:30'));
        const claiming = A.checkAndRunDueJobs();
        await stepTo(w.clock, at('02:01:01'), 500);
        const other = await B.checkAndRunDueJobs();
        expect(other.deferred).toEqual(['minutely']);
        expect(other.runs).toHaveLength(0);
        await stepTo(w.clock, at('02:01:40'), 500);
        const claimed = await claiming;
        await claimed.done;
        const runs = await w.store.listRuns({ jobName: 'minutely', order: 'asc' });
        expect(runs).toHaveLength(120);
        expect(new Set(runs.map((r) => r.slot?.getTime())).size).toBe(120);
        expect(runs.filter((r) => r.status === 'succeeded').map((r) => r.slot?.toISOString())).toEqual([
          '2030-01-01T02:00:00.000Z',
        ]);
        expect(w.calls).toEqual(['minutely@2030-01-01T02:00:00.000Z']);
        expect((await w.store.getSchedule('minutely'))?.nextRunAt?.toISOString()).toBe(
          '2030-01-01T02:01:00.000Z',
        );
      }),
    );
  });
}
