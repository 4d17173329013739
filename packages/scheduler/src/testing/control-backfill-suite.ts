// Backfill (spec section 10) on the adapter's store and lock: every slot of a range once, oldest first, one at a time
// under the schedule lock (under `allow`, up to `concurrency`); slots with a record (skipped included) reported, never
// run twice — also when the scheduler races the backfill over the same slots on several replicas; bad requests record
// nothing; a hanging store during the backfill loses and doubles nothing.
import { BackfillTooLargeError, InvalidFieldError, StoreTimeoutError } from '../errors.js';
import { slotRunKey } from '../model.js';
import { maxConcurrent, runsBySlot } from './control-overlap-suite.js';
import { executionLog, stepTo, trackedJob } from './fault-helpers.js';
import type { SuiteTestApi } from './types.js';
import { type WorldOptions, worldRunner } from './world.js';

const T0 = '2030-01-01T00:00:00.000Z';
const t0 = Date.parse(T0);
const MIN = 60_000;
const at = (minutes: number) => new Date(t0 + minutes * MIN);
const iso = (minutes: number) => at(minutes).toISOString();

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  return null;
}

/** The backfill scenarios (run by the conformance suite for every adapter, with fake time). */
export function controlBackfillSuite(api: SuiteTestApi, options: WorldOptions): void {
  const { describe, it, expect } = api;
  const withWorld = worldRunner(options);

  describe('Backfill', () => {
    it(
      'runs every slot of [from, to) once, oldest first, one at a time; a disabled schedule; recorded slots reported',
      withWorld(T0, async (w) => {
        const log = executionLog();
        w.registry.register(trackedJob('work', w.clock, log, () => 20_000, { maxAttempts: 1 }));
        const A = w.scheduler();
        await A.schedules.create({
          jobName: 'w',
          cronExpression: '*/10 * * * *',
          jobType: 'work',
          isEnabled: false,
          missedRunPolicy: 'skip',
        });
        await w.clock.set(t0 + 120 * MIN);
        // 00:20 already has a record (here a cancelled one): reported, not run.
        const earlier = await A.backfill('w', { from: at(20), to: at(21), execute: false });
        await A.cancelRun(earlier.created[0]?.id as string);
        const bf = await A.backfill('w', { from: at(0), to: at(60) });
        expect(bf.slots.map((s) => s.toISOString())).toEqual([0, 10, 20, 30, 40, 50].map(iso));
        expect(bf.created.map((r) => `${r.slot?.toISOString()} ${r.trigger} ${r.status}`)).toEqual(
          [0, 10, 30, 40, 50].map((m) => `${iso(m)} backfill pending`),
        );
        expect(bf.alreadyRecorded.map((r) => `${r.slot?.toISOString()} ${r.status}`)).toEqual([
          `${iso(20)} cancelled`,
        ]);
        await stepTo(w.clock, w.clock.now() + 3 * MIN, 5000);
        const done = await bf.done;
        expect(done.map((r) => r.status)).toEqual([
          'succeeded',
          'succeeded',
          'succeeded',
          'succeeded',
          'succeeded',
        ]);
        expect(log.overlaps).toEqual([]);
        expect(maxConcurrent(log)).toBe(1);
        // Oldest first.
        const started = [...log.executions].sort((a, b) => a.startedAt - b.startedAt).map((e) => e.runId);
        expect(started).toEqual(bf.created.map((r) => r.id));
        // A second backfill of the same range creates nothing and runs nothing again.
        const again = await A.backfill('w', { from: at(0), to: at(60) });
        expect(again.created).toEqual([]);
        expect(again.alreadyRecorded).toHaveLength(6);
        await again.done;
        expect(log.executions).toHaveLength(5);
        expect((await w.store.getSchedule('w'))?.isEnabled).toBe(false);
      }),
    );

    it(
      'refuses a bad request and records nothing: over the cap (with the slot count), to after now, from >= to, concurrency',
      withWorld(T0, async (w) => {
        const A = w.scheduler();
        await A.schedules.create({ jobName: 'm', cronExpression: '* * * * *', jobType: 'noop' });
        await w.clock.set(t0 + 3 * 24 * 60 * MIN);
        const tooMany = await rejection(A.backfill('m', { from: at(0), to: at(24 * 60 + 1) }));
        expect(tooMany instanceof BackfillTooLargeError).toBe(true);
        expect((tooMany as BackfillTooLargeError).slotCount).toBe(24 * 60 + 1);
        expect((tooMany as BackfillTooLargeError).httpStatus).toBe(400);
        const bad: [Record<string, unknown>, string][] = [
          [{ from: at(0), to: new Date(w.clock.now() + 1) }, 'to'],
          [{ from: at(10), to: at(10) }, 'from'],
          [{ from: at(0), to: at(10), concurrency: 2 }, 'concurrency'],
          [{ from: at(0), to: at(10), maxSlots: 10_001 }, 'max_slots'],
          [{ from: new Date(Number.NaN), to: at(10) }, 'from'],
        ];
        for (const [o, field] of bad) {
          const e = await rejection(A.backfill('m', o as never));
          expect(e instanceof InvalidFieldError).toBe(true);
          expect((e as InvalidFieldError).field).toBe(field);
        }
        // The cap may be raised up to 10,000.
        const ok = await A.backfill('m', {
          from: at(0),
          to: at(24 * 60 + 1),
          maxSlots: 2000,
          execute: false,
        });
        expect(ok.created).toHaveLength(24 * 60 + 1);
        expect(await w.store.countRuns({ jobName: 'm' })).toBe(24 * 60 + 1);
      }),
    );

    it(
      'racing the scheduler on three replicas over the same slots never runs a slot twice',
      withWorld(T0, async (w) => {
        const log = executionLog();
        w.registry.register(trackedJob('quick', w.clock, log, () => 2000, { maxAttempts: 1 }));
        const replicas = [w.scheduler(), w.scheduler(), w.scheduler()];
        await (replicas[0] as (typeof replicas)[0]).schedules.create({
          jobName: 'q',
          cronExpression: '* * * * *',
          jobType: 'quick',
          missedRunPolicy: 'all',
          maxCatchUpRuns: 100,
        });
        // Down for 30 minutes: the scheduler's next pass claims the missed slots while two backfills cover them.
        await w.clock.set(t0 + 30 * MIN + 30_000);
        const [b1, b2, passes] = await Promise.all([
          (replicas[1] as (typeof replicas)[0]).backfill('q', { from: at(0), to: at(30) }),
          (replicas[2] as (typeof replicas)[0]).backfill('q', { from: at(10), to: at(30) }),
          Promise.all(replicas.map((r) => r.checkAndRunDueJobs())),
        ]);
        for (let i = 0; i < 20; i++) {
          await w.clock.advance(10_000);
          await Promise.all(replicas.map((r) => r.checkAndRunDueJobs()));
        }
        await w.clock.set(t0 + 120 * MIN);
        await Promise.all([b1.done, b2.done, ...passes.map((p) => p.done)]);
        await Promise.all(replicas.map((r) => r.idle()));
        const runs = await runsBySlot(w.store, 'q');
        const keys = runs.map((r) => r.runKey);
        expect(new Set(keys).size).toBe(keys.length);
        for (let m = 0; m < 30; m++) expect(keys).toContain(slotRunKey('q', at(m)));
        // Each slot's record ran at most once, and every one that is not skipped ran exactly once.
        const byRun = new Map<string, number>();
        for (const e of log.executions) byRun.set(e.runId, (byRun.get(e.runId) ?? 0) + 1);
        expect([...byRun.values()].every((n) => n === 1)).toBe(true);
        const ran = runs.filter((r) => r.status === 'succeeded');
        expect(ran.length).toBe(byRun.size);
        expect(runs.every((r) => r.status === 'succeeded' || r.status === 'skipped')).toBe(true);
        expect(log.overlaps).toEqual([]);
        expect(b1.created.length + b2.created.length).toBeGreaterThan(0);
      }),
    );

    it(
      'under allow runs up to concurrency at once; left unexecuted, another replica runs the records one after another',
      withWorld(T0, async (w) => {
        const log = executionLog();
        w.registry.register(trackedJob('work', w.clock, log, () => 30_000, { maxAttempts: 1 }));
        const A = w.scheduler();
        await A.schedules.create({
          jobName: 'p',
          cronExpression: '*/5 * * * *',
          jobType: 'work',
          overlapPolicy: 'allow',
          isEnabled: false,
        });
        await A.schedules.create({
          jobName: 's',
          cronExpression: '*/5 * * * *',
          jobType: 'work',
          isEnabled: false,
        });
        await w.clock.set(t0 + 600 * MIN);
        const bf = await A.backfill('p', { from: at(0), to: at(60), concurrency: 3 });
        await stepTo(w.clock, w.clock.now() + 5 * MIN, 5000);
        // Every status shown on a failure. Each handler (30 s) ends as its own lease's third renewal is due: a renewal
        // answered after the run's own success write once made that run come back `running` (heartbeat.ts).
        const finished = await bf.done;
        expect(finished.map((r) => `${r.status}${r.error ? ` (${r.error.message})` : ''}`)).toEqual(
          finished.map(() => 'succeeded'),
        );
        expect(maxConcurrent(log)).toBe(3);
        expect(bf.created.every((r) => r.lockKey === `run:${r.id}`)).toBe(true);
        // Recorded only (the CLI without --wait): one pass of another replica (its recovery) runs them all, one at a
        // time, in order, under the schedule lock.
        const recorded = await A.backfill('s', { from: at(0), to: at(30), execute: false });
        const before = log.executions.length;
        const B = w.scheduler();
        const pass = await B.checkAndRunDueJobs();
        await stepTo(w.clock, w.clock.now() + 10 * MIN, 5000);
        expect((await pass.done).filter((r) => r.jobName === 's')).toHaveLength(recorded.created.length);
        const runs = await Promise.all(recorded.created.map((r) => w.store.getRun(r.id)));
        expect(runs.map((r) => r?.status)).toEqual(recorded.created.map(() => 'succeeded'));
        const mine = log.executions.slice(before);
        expect(mine.map((e) => e.runId)).toEqual(recorded.created.map((r) => r.id));
        expect(mine.every((e) => e.replicaId === B.replicaId)).toBe(true);
        // Only the `allow` schedule's runs overlapped.
        expect(log.overlaps.filter((o) => !o.startsWith('p#'))).toEqual([]);
      }),
    );

    it(
      'a hanging store during a backfill: the request fails within its bound; nothing is lost or run twice',
      withWorld(T0, async (w) => {
        const log = executionLog();
        w.registry.register(trackedJob('work', w.clock, log, () => 1000, { maxAttempts: 1 }));
        const setup = w.scheduler();
        await setup.schedules.create({
          jobName: 'h',
          cronExpression: '*/10 * * * *',
          jobType: 'work',
          isEnabled: false,
        });
        await w.clock.set(t0 + 600 * MIN);
        const a = w.faulty();
        const A = w.scheduler({ store: a.store.target, lock: a.lock.target });
        const hang = a.store.inject({ method: 'insertRun', action: 'hang', nth: 3 });
        const attempt = rejection(A.backfill('h', { from: at(0), to: at(60) }));
        await w.clock.advance(10_000); // the call bound is TTL/6 = 5 s
        const error = await attempt;
        expect(error instanceof StoreTimeoutError).toBe(true);
        expect(await w.store.countRuns({ jobName: 'h' })).toBe(2);
        // The hung insert lands late (its slot gets one record), and a retry reports what exists and adds the rest.
        hang.release();
        await w.clock.advance(1000);
        const retry = await setup.backfill('h', { from: at(0), to: at(60) });
        expect(retry.alreadyRecorded.map((r) => r.slot?.toISOString())).toEqual([0, 10, 20].map(iso));
        expect(retry.created.map((r) => r.slot?.toISOString())).toEqual([30, 40, 50].map(iso));
        const B = w.scheduler();
        await B.start();
        await stepTo(w.clock, w.clock.now() + 10 * MIN, 5000);
        await B.stop();
        await setup.idle();
        const runs = await runsBySlot(w.store, 'h');
        expect(runs.map((r) => `${r.slot?.toISOString()} ${r.status}`)).toEqual(
          [0, 10, 20, 30, 40, 50].map((m) => `${iso(m)} succeeded`),
        );
        expect(new Set(log.executions.map((e) => e.runId)).size).toBe(6);
        expect(log.executions).toHaveLength(6);
      }),
    );
  });
}
