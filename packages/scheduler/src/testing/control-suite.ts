// The engine conformance suite of per-schedule control (spec section 10) on an adapter's store and lock: DST choices
// per schedule (shift, both) exactly once across replicas, deterministic jitter (every replica computes the same
// due instant; lag is measured from it), a schedule pausing itself after consecutive failures, and the global pause
// on many replicas with and without catch-up.
import { offsetClock } from '../clock.js';
import type { JobRun } from '../model.js';
import { defineJob } from '../registry.js';
import { jitterOffsetMs } from '../slot-timing.js';
import type { SchedulerStore } from '../types.js';
import type { EngineSuiteOptions } from './engine-suite.js';
import type { SuiteTestApi } from './types.js';
import { type World, worldRunner } from './world.js';

const MIN = 60_000;

/** Registers the per-schedule control engine tests (part of `schedulerConformanceSuite`, fake time). */
export function controlSuite(api: SuiteTestApi, options: EngineSuiteOptions): void {
  const { describe, it, expect } = api;
  const withWorld = worldRunner(options);
  const runsOf = async (store: SchedulerStore, jobName: string) =>
    (await store.listRuns({ jobName, order: 'asc' })).sort(
      (a, b) => (a.slot?.getTime() ?? 0) - (b.slot?.getTime() ?? 0),
    );
  const line = (r: JobRun) =>
    `${r.slot?.toISOString()} ${r.status} ${r.dst ?? '-'} ${r.wallTime ?? '-'}${
      r.status === 'skipped' ? ` ${(r.result as { reason?: string }).reason}` : ''
    }`;
  /** Passes at every due instant (as the loop runner wakes) until `untilIso`, on every given instance. */
  const drive = async (
    w: World,
    instances: { checkAndRunDueJobs(): Promise<{ done: Promise<unknown> }> }[],
    untilIso: string,
  ) => {
    for (;;) {
      const next = await w.store.getEarliestNextRunAt();
      if (!next || next.getTime() > Date.parse(untilIso)) break;
      await w.clock.set(Math.max(next.getTime(), w.clock.now()));
      const passes = await Promise.all(instances.map((s) => s.checkAndRunDueJobs()));
      await Promise.all(passes.map((p) => p.done));
    }
  };

  describe('JobScheduler: per-schedule control', () => {
    it(
      'runs a spring-forward gap slot once at the first instant after the gap under dst_gap shift, marked shifted',
      withWorld('2030-03-29T12:00:00.000Z', async (w) => {
        const a = w.scheduler({ timezone: 'Europe/Stockholm' });
        const b = w.scheduler({ timezone: 'Europe/Stockholm', clock: offsetClock(w.clock, 1500) });
        await a.schedules.create({
          jobName: 'night',
          cronExpression: '30 2 * * *',
          jobType: 'noop',
          dstGap: 'shift',
        });
        await drive(w, [a, b], '2030-04-02T00:00:00.000Z');
        // 2030-03-31: 02:00 CET → 03:00 CEST at 01:00Z; 02:30 runs at 03:00 CEST = 01:00Z, with its key.
        expect((await runsOf(w.store, 'night')).map(line)).toEqual([
          '2030-03-30T01:30:00.000Z succeeded - 2030-03-30T02:30',
          '2030-03-31T01:00:00.000Z succeeded shifted 2030-03-31T02:30',
          '2030-04-01T00:30:00.000Z succeeded - 2030-04-01T02:30',
        ]);
        expect((await w.store.getRunByKey('night@2030-03-31T01:00:00.000Z'))?.dst).toBe('shifted');
        expect(w.calls.filter((c) => c.startsWith('night@'))).toHaveLength(3);
      }),
    );

    it(
      'runs a repeated wall time at both occurrences, each exactly once on two replicas, under dst_overlap both',
      withWorld('2030-10-26T12:00:00.000Z', async (w) => {
        const a = w.scheduler({ timezone: 'Europe/Stockholm' });
        const b = w.scheduler({ timezone: 'Europe/Stockholm', clock: offsetClock(w.clock, -1500) });
        await a.schedules.create({
          jobName: 'night',
          cronExpression: '30 2 * * *',
          jobType: 'noop',
          dstOverlap: 'both',
        });
        await a.schedules.create({
          jobName: 'last',
          cronExpression: '30 2 * * *',
          jobType: 'noop',
          dstOverlap: 'last',
        });
        await drive(w, [a, b], '2030-10-28T12:00:00.000Z');
        // 2030-10-27: 03:00 CEST → 02:00 CET at 01:00Z, so 02:30 is 00:30Z (CEST) and again 01:30Z (CET).
        expect((await runsOf(w.store, 'night')).map(line)).toEqual([
          '2030-10-27T00:30:00.000Z succeeded first 2030-10-27T02:30',
          '2030-10-27T01:30:00.000Z succeeded second 2030-10-27T02:30',
          '2030-10-28T01:30:00.000Z succeeded - 2030-10-28T02:30',
        ]);
        expect((await runsOf(w.store, 'last')).map(line)).toEqual([
          '2030-10-27T01:30:00.000Z succeeded second 2030-10-27T02:30',
          '2030-10-28T01:30:00.000Z succeeded - 2030-10-28T02:30',
        ]);
        expect(new Set(w.calls).size).toBe(w.calls.length);
      }),
    );

    it(
      'recomputes next_run_at when a DST choice changes',
      withWorld('2030-03-31T00:40:00.000Z', async (w) => {
        const s = w.scheduler({ timezone: 'Europe/Stockholm' });
        const created = await s.schedules.create({
          jobName: 'n',
          cronExpression: '30 2 * * *',
          jobType: 'noop',
        });
        expect(created.nextRunAt?.toISOString()).toBe('2030-04-01T00:30:00.000Z');
        const shifted = await s.schedules.patch('n', { dstGap: 'shift' });
        expect(shifted.nextRunAt?.toISOString()).toBe('2030-03-31T01:00:00.000Z');
        expect(shifted.nextDueAt?.toISOString()).toBe('2030-03-31T01:00:00.000Z');
      }),
    );

    it(
      'starts a jittered slot at slot + its offset on every replica, keyed by the slot, with lag from the due instant',
      withWorld('2030-01-01T00:00:30.000Z', async (w) => {
        const replicas = [-2000, 0, 2000].map((skew) => w.scheduler({ clock: offsetClock(w.clock, skew) }));
        const created = await replicas[1]?.schedules.create({
          jobName: 'spread',
          cronExpression: '0 * * * *',
          jobType: 'noop',
          jitterSeconds: 1800,
        });
        const slot = new Date('2030-01-01T01:00:00.000Z');
        const offset = jitterOffsetMs('spread', slot, 1800);
        expect(offset).toBeGreaterThanOrEqual(0);
        expect(offset).toBeLessThan(1800_000);
        const due = slot.getTime() + offset;
        expect(created?.nextRunAt?.toISOString()).toBe(slot.toISOString());
        expect(created?.nextDueAt?.getTime()).toBe(due);
        // The loop wakes at the due instant, not at the slot.
        expect((await w.store.getEarliestNextRunAt())?.getTime()).toBe(due);
        // After the slot but before its due instant (minus the largest skew): nothing starts anywhere.
        await w.clock.set(due - 2500);
        for (const p of await Promise.all(replicas.map((r) => r.checkAndRunDueJobs()))) {
          expect(p.runs).toHaveLength(0);
        }
        await w.clock.set(due + 2500);
        const passes = await Promise.all(replicas.map((r) => r.checkAndRunDueJobs()));
        await Promise.all(passes.map((p) => p.done));
        const runs = await runsOf(w.store, 'spread');
        expect(runs).toHaveLength(1);
        const run = runs[0] as JobRun;
        expect(run.slot?.toISOString()).toBe(slot.toISOString());
        expect(run.runKey).toBe(`spread@${slot.toISOString()}`);
        expect(run.trigger).toBe('schedule');
        expect(run.dueAt?.getTime()).toBe(due);
        const lag = (run.startedAt?.getTime() ?? 0) - due;
        expect(lag).toBeGreaterThanOrEqual(-2000);
        expect(lag).toBeLessThanOrEqual(4500);
        const after = await w.store.getSchedule('spread');
        const nextSlot = new Date('2030-01-01T02:00:00.000Z');
        expect(after?.nextRunAt?.toISOString()).toBe(nextSlot.toISOString());
        expect(after?.nextDueAt?.getTime()).toBe(
          nextSlot.getTime() + jitterOffsetMs('spread', nextSlot, 1800),
        );
      }),
    );

    it(
      'rejects jitter that is not shorter than the smallest gap between slots, naming the field and the gap',
      withWorld('2030-01-01T00:00:00.000Z', async (w) => {
        const s = w.scheduler({ timezone: 'Europe/Stockholm' });
        let error: unknown;
        try {
          await s.schedules.create({
            jobName: 'j',
            cronExpression: '*/15 * * * *',
            jobType: 'noop',
            jitterSeconds: 900,
          });
        } catch (e) {
          error = e;
        }
        expect((error as { field?: string }).field).toBe('jitter_seconds');
        expect(String((error as Error).message)).toContain('900 s');
        // A daily schedule under dst_overlap both runs twice an hour apart on the fall-back night.
        await s.schedules.create({
          jobName: 'd',
          cronExpression: '30 2 * * *',
          jobType: 'noop',
          jitterSeconds: 3600,
        });
        error = undefined;
        try {
          await s.schedules.patch('d', { dstOverlap: 'both' });
        } catch (e) {
          error = e;
        }
        expect((error as { field?: string }).field).toBe('jitter_seconds');
        expect(String((error as Error).message)).toContain('3600 s');
        expect((await w.store.getSchedule('d'))?.dstOverlap).toBe('first');
        expect(await w.store.getSchedule('j')).toBeNull();
      }),
    );

    it(
      'pauses a schedule itself after pause_after_failures consecutive failures, naming the count and the last error',
      withWorld('2030-01-01T00:00:00.000Z', async (w) => {
        let fail = true;
        w.registry.register(
          defineJob({
            type: 'breaks',
            maxAttempts: 1,
            handler: async () => {
              if (fail) throw new Error('downstream is down');
              return 'ok';
            },
          }),
        );
        const s = w.scheduler();
        const paused: unknown[] = [];
        s.on('schedule:paused', (e) => paused.push(e));
        await s.schedules.create({
          jobName: 'b',
          cronExpression: '* * * * *',
          jobType: 'breaks',
          pauseAfterFailures: 3,
        });
        for (let m = 1; m <= 2; m++) {
          await w.clock.set(Date.parse('2030-01-01T00:00:00.000Z') + m * MIN);
          await (await s.checkAndRunDueJobs()).done;
        }
        expect((await w.store.getSchedule('b'))?.consecutiveFailures).toBe(2);
        // A success resets the count.
        fail = false;
        await w.clock.set(Date.parse('2030-01-01T00:03:00.000Z'));
        await (await s.checkAndRunDueJobs()).done;
        expect((await w.store.getSchedule('b'))?.consecutiveFailures).toBe(0);
        fail = true;
        for (let m = 4; m <= 8; m++) {
          await w.clock.set(Date.parse('2030-01-01T00:00:00.000Z') + m * MIN);
          await (await s.checkAndRunDueJobs()).done;
        }
        const after = await w.store.getSchedule('b');
        expect(after?.isEnabled).toBe(false);
        expect(after?.pausedBy).toBe('auto');
        expect(after?.nextRunAt).toBeNull();
        expect(after?.consecutiveFailures).toBe(3);
        expect(after?.pausedReason).toBe(
          'paused after 3 consecutive failures; last error: Error: downstream is down',
        );
        expect(paused).toHaveLength(1);
        // Runs of 00:04–00:06 failed, then nothing more ran.
        expect((await runsOf(w.store, 'b')).map((r) => r.status)).toEqual([
          'failed',
          'failed',
          'succeeded',
          'failed',
          'failed',
          'failed',
        ]);
        // An enable clears the pause and resets the count.
        const enabled = await s.schedules.enable('b', { by: 'alice' });
        expect(enabled.consecutiveFailures).toBe(0);
        expect(enabled.pausedBy).toBeNull();
        expect(enabled.pausedReason).toBeNull();
        expect(enabled.updatedBy).toBe('alice');
      }),
    );

    it(
      'stops triggering on every replica while globally paused; on resume records the passed slots skipped (paused)',
      withWorld('2030-01-01T00:00:00.000Z', async (w) => {
        const replicas = [0, 1, 2].map(() => w.scheduler({ timezone: 'UTC' }));
        await replicas[0]?.schedules.create({
          jobName: 'p',
          cronExpression: '*/10 * * * *',
          jobType: 'noop',
        });
        await replicas[0]?.schedules.create({
          jobName: 'all',
          cronExpression: '*/10 * * * *',
          jobType: 'noop',
          missedRunPolicy: 'all',
        });
        const at = (hm: string) => Date.parse(`2030-01-01T${hm}:00.000Z`);
        const passAll = async () => {
          const passes = await Promise.all(replicas.map((r) => r.checkAndRunDueJobs()));
          await Promise.all(passes.map((p) => p.done));
          return passes;
        };
        await w.clock.set(at('00:10'));
        await passAll();
        await w.clock.set(at('00:15'));
        const state = await replicas[1]?.schedules.pauseAll({ reason: 'incident 42', by: 'alice' });
        expect(state?.paused).toBe(true);
        for (const hm of ['00:20', '00:30', '00:40']) {
          await w.clock.set(at(hm));
          for (const p of await passAll()) {
            expect(p.paused).toBe(true);
            expect(p.runs).toHaveLength(0);
          }
        }
        await w.clock.set(at('00:45'));
        await replicas[2]?.schedules.resumeAll({ by: 'bob' });
        await passAll();
        await w.clock.set(at('00:50'));
        await passAll();
        for (const name of ['p', 'all']) {
          expect((await runsOf(w.store, name)).map(line)).toEqual([
            '2030-01-01T00:10:00.000Z succeeded - 2030-01-01T00:10',
            '2030-01-01T00:20:00.000Z skipped - 2030-01-01T00:20 paused',
            '2030-01-01T00:30:00.000Z skipped - 2030-01-01T00:30 paused',
            '2030-01-01T00:40:00.000Z skipped - 2030-01-01T00:40 paused',
            '2030-01-01T00:50:00.000Z succeeded - 2030-01-01T00:50',
          ]);
        }
        // Paused again, resumed with catch-up: the missed-run policy applies (once: the latest; all: every slot).
        await replicas[0]?.schedules.pauseAll({});
        await w.clock.set(at('01:25'));
        await passAll();
        await replicas[0]?.schedules.resumeAll({ catchUp: true });
        await passAll();
        const tail = async (name: string) => (await runsOf(w.store, name)).slice(5).map(line);
        expect(await tail('p')).toEqual([
          '2030-01-01T01:00:00.000Z skipped - 2030-01-01T01:00 superseded',
          '2030-01-01T01:10:00.000Z skipped - 2030-01-01T01:10 superseded',
          '2030-01-01T01:20:00.000Z succeeded - 2030-01-01T01:20',
        ]);
        expect(await tail('all')).toEqual([
          '2030-01-01T01:00:00.000Z succeeded - 2030-01-01T01:00',
          '2030-01-01T01:10:00.000Z succeeded - 2030-01-01T01:10',
          '2030-01-01T01:20:00.000Z succeeded - 2030-01-01T01:20',
        ]);
        expect((await replicas[0]?.schedules.pauseState())?.windows.map((x) => x.catchUp)).toEqual([
          false,
          true,
        ]);
      }),
    );
  });
}
