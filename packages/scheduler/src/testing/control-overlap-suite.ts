// Overlap policies and the run cap (spec section 10) on many replicas: every slot of a schedule gets exactly one
// record under each policy; `defer`, `skip` and `cancel_running` never let two executions of a schedule overlap,
// `allow` does (each run on its own lease) and keeps `last_run_at` moving forward; run-now never answers 409 under
// `allow` and never cancels anything; the per-replica cap bounds the handlers and leaves due slots due.
import { JobLockedError, LeaseExpiredError, RunCancelledError } from '../errors.js';
import type { JobRun, OverlapPolicy } from '../model.js';
import type { RunUpdate, SchedulerStore } from '../types.js';
import { type ExecutionLog, executionLog, runWriteOf, trackedJob } from './fault-helpers.js';
import type { SuiteTestApi } from './types.js';
import { type World, type WorldOptions, worldRunner } from './world.js';

const T0 = '2030-01-01T00:00:00.000Z';
const t0 = Date.parse(T0);
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** The most executions that ran at the same moment. */
export function maxConcurrent(log: ExecutionLog): number {
  const edges = log.executions.flatMap((e) => [
    [e.startedAt, 1],
    [e.endedAt ?? Number.POSITIVE_INFINITY, -1],
  ]);
  edges.sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number));
  let now = 0;
  let max = 0;
  for (const [, d] of edges) {
    now += d as number;
    max = Math.max(max, now);
  }
  return max;
}

/** The runs of `jobName` by slot (oldest first). */
export async function runsBySlot(store: SchedulerStore, jobName: string): Promise<JobRun[]> {
  const runs = await store.listRuns({ jobName, order: 'asc' });
  return runs.sort((a, b) => (a.slot?.getTime() ?? 0) - (b.slot?.getTime() ?? 0));
}

/** Three replicas pass every `stepMs` from `from` to `until` (fake time), then everything settles. */
async function passTogether(
  w: World,
  replicas: { checkAndRunDueJobs(): Promise<unknown> }[],
  until: number,
  stepMs: number,
) {
  for (let t = w.clock.now() + stepMs; t <= until; t += stepMs) {
    await w.clock.set(t);
    await Promise.all(replicas.map((r) => r.checkAndRunDueJobs()));
  }
}

/** The overlap-policy and run-cap scenarios (run by the conformance suite for every adapter, with fake time). */
export function controlOverlapSuite(api: SuiteTestApi, options: WorldOptions): void {
  const { describe, it, expect } = api;
  const withWorld = worldRunner(options);

  /** A minutely schedule with `policy` whose handler takes 150 s (honouring its signal), on three replicas. */
  async function longMinutely(w: World, policy: OverlapPolicy, log: ExecutionLog) {
    w.registry.register(trackedJob('long', w.clock, log, () => 150_000, { maxAttempts: 1 }));
    await w.scheduler().schedules.create({
      jobName: 'long',
      cronExpression: '* * * * *',
      jobType: 'long',
      overlapPolicy: policy,
      missedRunPolicy: 'all',
    });
    return [w.scheduler(), w.scheduler(), w.scheduler()];
  }

  /** Every slot from 00:01 to the last due one has exactly one record. */
  async function expectEverySlotOnce(w: World, lastSlot: number) {
    const runs = await runsBySlot(w.store, 'long');
    const expected: string[] = [];
    for (let t = t0 + MIN; t <= lastSlot; t += MIN) expected.push(iso(t));
    expect(runs.map((r) => r.slot?.toISOString())).toEqual(expected);
    return runs;
  }

  describe('Overlap policies on three replicas', () => {
    it(
      'defer: a slot due while the previous run still runs waits for the lock; every slot once, executions never overlap',
      withWorld(T0, async (w) => {
        const log = executionLog();
        const replicas = await longMinutely(w, 'defer', log);
        await passTogether(w, replicas, t0 + 6 * MIN + 1000, 10_000);
        // No more passes: what was claimed finishes.
        await w.clock.set(t0 + 40 * MIN);
        await Promise.all(replicas.map((r) => r.idle()));
        const runs = await runsBySlot(w.store, 'long');
        const last = runs[runs.length - 1]?.slot?.getTime() as number;
        expect(last).toBeGreaterThanOrEqual(t0 + 3 * MIN);
        await expectEverySlotOnce(w, last);
        expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
        expect(log.overlaps).toEqual([]);
        expect(maxConcurrent(log)).toBe(1);
        // Slots that waited for the lock ran late, as catch-up runs.
        expect(runs.some((r) => r.trigger === 'catch_up')).toBe(true);
      }),
    );

    it(
      'skip: a slot due while a run is running is recorded skipped (reason overlap); every slot once, no overlap',
      withWorld(T0, async (w) => {
        const log = executionLog();
        const replicas = await longMinutely(w, 'skip', log);
        await passTogether(w, replicas, t0 + 10 * MIN + 1000, 10_000);
        await w.clock.set(t0 + 14 * MIN);
        await Promise.all(replicas.map((r) => r.idle()));
        const runs = await expectEverySlotOnce(w, t0 + 10 * MIN);
        expect(log.overlaps).toEqual([]);
        const ran = runs.filter((r) => r.status === 'succeeded');
        const skipped = runs.filter((r) => r.status === 'skipped');
        expect(ran.length + skipped.length).toBe(runs.length);
        expect(ran.length).toBeGreaterThanOrEqual(3);
        expect(skipped.length).toBeGreaterThanOrEqual(5);
        for (const s of skipped) {
          expect((s.result as { reason: string }).reason).toBe('overlap');
          // It fell due while an execution of the schedule ran.
          const due = s.slot?.getTime() as number;
          expect(log.executions.some((e) => e.startedAt <= due && (e.endedAt ?? Infinity) > due)).toBe(true);
        }
        expect(ran.map((r) => r.trigger)).not.toContain('catch_up');
      }),
    );

    it(
      'allow: runs overlap, each slot once on its own lease; last_run_at only moves forward; run-now is never refused',
      withWorld(T0, async (w) => {
        const log = executionLog();
        const replicas = await longMinutely(w, 'allow', log);
        const seenLastRunAt: number[] = [];
        for (let t = t0 + 10_000; t <= t0 + 6 * MIN + 1000; t += 10_000) {
          await w.clock.set(t);
          await Promise.all(replicas.map((r) => r.checkAndRunDueJobs()));
          const s = await w.store.getSchedule('long');
          if (s?.lastRunAt) seenLastRunAt.push(s.lastRunAt.getTime());
        }
        // A run-now while three runs of the schedule run: not refused, cancels nothing.
        const manual = await (replicas[1] as (typeof replicas)[0]).runNow('long');
        await w.clock.set(t0 + 12 * MIN);
        await Promise.all(replicas.map((r) => r.idle()));
        const runs = (await runsBySlot(w.store, 'long')).filter((r) => r.trigger !== 'manual');
        const expected: string[] = [];
        for (let t = t0 + MIN; t <= t0 + 6 * MIN; t += MIN) expected.push(iso(t));
        expect(runs.map((r) => r.slot?.toISOString())).toEqual(expected);
        expect(runs.every((r) => r.status === 'succeeded' && r.lockKey === `run:${r.id}`)).toBe(true);
        expect(runs.every((r) => r.cancelRequestedAt === null)).toBe(true);
        expect(maxConcurrent(log)).toBeGreaterThanOrEqual(3);
        expect((await manual.done).status).toBe('succeeded');
        for (let i = 1; i < seenLastRunAt.length; i++) {
          expect(seenLastRunAt[i] as number).toBeGreaterThanOrEqual(seenLastRunAt[i - 1] as number);
        }
        const latestStart = Math.max(...log.executions.map((e) => e.startedAt));
        const schedule = await w.store.getSchedule('long');
        expect(schedule?.lastRunAt?.getTime()).toBe(latestStart);
        expect(schedule?.lastRunStatus).toBe('succeeded');
        // Each execution ran once: one attempt per run, no two executions of the same run.
        expect(new Set(log.executions.map((e) => e.runId)).size).toBe(log.executions.length);
      }),
    );

    it(
      'cancel_running: the running run is asked to stop and recorded cancelled once it settled; then the new slot runs',
      withWorld(T0, async (w) => {
        const log = executionLog();
        const replicas = await longMinutely(w, 'cancel_running', log);
        await passTogether(w, replicas, t0 + 5 * MIN + 30_000, 5_000);
        await w.clock.set(t0 + 9 * MIN);
        await Promise.all(replicas.map((r) => r.idle()));
        const runs = await expectEverySlotOnce(w, t0 + 5 * MIN);
        expect(log.overlaps).toEqual([]);
        expect(maxConcurrent(log)).toBe(1);
        // Every slot ran: the first four were cancelled by the next, the last finished.
        expect(runs.map((r) => r.status)).toEqual([
          'cancelled',
          'cancelled',
          'cancelled',
          'cancelled',
          'succeeded',
        ]);
        for (const r of runs.slice(0, 4)) {
          expect(r.cancelRequestedBy).toBe('overlap');
          expect(r.error?.code).toBe('CRAFT_SCHEDULER_RUN_CANCELLED');
          expect(r.attempts.map((a) => a.status)).toEqual(['cancelled']);
          expect(r.trigger).toBe('schedule');
        }
        for (const e of log.executions.slice(0, 4))
          expect(e.abortedWith instanceof RunCancelledError).toBe(true);
        // The holder learned of the request within one renewal (TTL/3 = 10 s) of the pass that asked.
        for (let i = 1; i < log.executions.length; i++) {
          const prev = log.executions[i - 1];
          const slot = runs[i]?.slot?.getTime() as number;
          expect((prev?.endedAt as number) - slot).toBeLessThanOrEqual(15_000);
          expect(log.executions[i]?.startedAt as number).toBeGreaterThanOrEqual(prev?.endedAt as number);
        }
        expect((await w.store.getSchedule('long'))?.lastRunStatus).toBe('succeeded');
      }),
    );

    it(
      'run-now under cancel_running while a run runs is refused (409) and cancels nothing',
      withWorld(T0, async (w) => {
        const log = executionLog();
        const [a, b] = await longMinutely(w, 'cancel_running', log);
        await w.clock.set(t0 + MIN + 1000);
        const first = await (a as NonNullable<typeof a>).checkAndRunDueJobs();
        await w.clock.set(t0 + MIN + 20_000);
        let error: unknown = null;
        try {
          await (b as NonNullable<typeof b>).runNow('long');
        } catch (e) {
          error = e;
        }
        expect(error instanceof JobLockedError).toBe(true);
        const run = await w.store.getRun(first.runs[0]?.id as string);
        expect(run?.status).toBe('running');
        expect(run?.cancelRequestedAt).toBeNull();
        await a?.stop({ graceMs: 0 });
      }),
    );
  });

  describe('Runs on their own lease (allow) under faults', () => {
    it(
      "a holder whose lease renewals hang stops at its deadline; recovery restarts the run with a greater token and the stalled holder's late write is refused",
      withWorld(T0, async (w) => {
        const log = executionLog();
        w.registry.register(trackedJob('work', w.clock, log, (ctx) => (ctx.attempt === 1 ? 120_000 : 1000)));
        const setup = w.scheduler();
        await setup.schedules.create({
          jobName: 'a',
          cronExpression: '0 0 1 1 *',
          jobType: 'work',
          overlapPolicy: 'allow',
        });
        const a = w.faulty();
        // Every renewal of the run's own lease hangs (A is cut off from the store for renewals).
        const renewals = a.store.inject({
          method: 'updateRun',
          action: 'hang',
          when: (args) =>
            (args[1] as RunUpdate).leaseForMs !== undefined && (args[1] as RunUpdate).set === undefined,
        });
        // A's success write, should it ever send one (it must not: its deadline passed).
        const late = a.store.inject({ method: 'updateRun', action: 'hang', when: runWriteOf('succeeded') });
        const A = w.scheduler({ store: a.store.target, lock: a.lock.target });
        const { run } = await A.runNow('a');
        await w.clock.advance(1000);
        expect((await w.store.getRun(run.id))?.fencingToken).toBe(1);
        await w.clock.advance(23_000); // 24 s: A's local deadline
        expect(log.executions[0]?.abortedWith instanceof LeaseExpiredError).toBe(true);
        await w.clock.advance(7_000); // the run's lease expired by the store's clock
        const B = w.scheduler();
        const pass = await B.handleMissedRuns();
        await w.clock.advance(2000);
        await pass.done;
        const final = await w.store.getRun(run.id);
        expect(`${final?.status} ${final?.fencingToken} ${final?.lockKey}`).toBe(`succeeded 2 run:${run.id}`);
        expect(final?.attempts.map((x) => `${x.status} ${x.replicaId}`)).toEqual([
          `abandoned ${A.replicaId}`,
          `succeeded ${B.replicaId}`,
        ]);
        // The stalled holder's renewals land now: refused (the run is B's, and finished), nothing changes.
        expect(renewals.hits).toBeGreaterThan(0);
        expect(late.hits).toBe(0);
        renewals.release();
        await w.clock.advance(1000);
        await A.idle();
        const after = await w.store.getRun(run.id);
        expect(`${after?.status} ${after?.fencingToken} ${after?.attempts.length}`).toBe('succeeded 2 2');
        expect(log.overlaps).toEqual([]);
        expect((await w.store.getSchedule('a'))?.lastRunStatus).toBe('succeeded');
      }),
    );
  });

  describe('The per-replica run cap (maxConcurrentRuns)', () => {
    it(
      'bounds the handlers of one replica; slots due at the cap stay due and run later, none is dropped',
      withWorld(T0, async (w) => {
        const log = executionLog();
        w.registry.register(trackedJob('long', w.clock, log, () => 150_000, { maxAttempts: 1 }));
        const a = w.scheduler({ maxConcurrentRuns: 2 });
        await a.schedules.create({
          jobName: 'long',
          cronExpression: '* * * * *',
          jobType: 'long',
          overlapPolicy: 'allow',
          missedRunPolicy: 'all',
          maxCatchUpRuns: 100,
        });
        let deferredSeen = 0;
        for (let t = t0 + 10_000; t <= t0 + 8 * MIN; t += 10_000) {
          await w.clock.set(t);
          deferredSeen += (await a.checkAndRunDueJobs()).deferred.length;
        }
        const s = await w.store.getSchedule('long');
        expect(s?.nextRunAt?.getTime()).toBeLessThanOrEqual(t0 + 8 * MIN);
        expect(deferredSeen).toBeGreaterThan(0);
        // No more passes: the claimed runs (some waiting for a slot) finish.
        await w.clock.set(t0 + 30 * MIN);
        await a.idle();
        expect(maxConcurrent(log)).toBe(2);
        const runs = await runsBySlot(w.store, 'long');
        const slots = runs.map((r) => r.slot?.getTime() as number);
        // Every slot up to the last claimed one has one record, and every record ran.
        for (let t = t0 + MIN; t <= (slots[slots.length - 1] as number); t += MIN) expect(slots).toContain(t);
        expect(new Set(slots).size).toBe(slots.length);
        expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
      }),
    );
  });
}
