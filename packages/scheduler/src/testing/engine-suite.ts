import { offsetClock } from '../clock.js';
import { LeaseLostError } from '../errors.js';
import { createSchedule, type JobRun, jobLockKey, slotRunKey } from '../model.js';
import { defineJob } from '../registry.js';
import type { LockProvider, SchedulerStore } from '../types.js';
import { killable } from './chaos.js';
import type { SuiteTestApi } from './types.js';
import { callKey, TTL, type WorldOptions, worldRunner } from './world.js';

/** Options of {@link engineSuite}. */
export interface EngineSuiteOptions extends WorldOptions {
  /**
   * How the suite lets the engine's work happen when it moves the fake clock (`tick`, `advance`, `set`):
   * - `'in-flight'` (default): it tracks every store and lock call in flight and, before and after each timer it
   *   fires, waits until none has been in flight for a few event-loop turns (at most `settleTimeoutMs`). Right for
   *   any adapter, also one whose calls take real I/O time (a database).
   * - `'turns'`: only a few event-loop turns pass per timer (a plain `FakeClock`). Enough for an adapter whose
   *   calls finish within microtasks (the in-memory store), and faster.
   * @default 'in-flight'
   */
  settle?: 'in-flight' | 'turns';
  /** With `settle: 'in-flight'`, the longest wait for quiescence per step, in ms. @default 20000 */
  settleTimeoutMs?: number;
}

const MIN = 60_000;

/**
 * The engine conformance suite: `JobScheduler` behaviour on top of an adapter's store and lock — exactly-once
 * triggering with several instances, missed-run policies, DST, retries, timeouts, chains, crash recovery and
 * fencing. The adapter must judge time by the injected `FakeClock`.
 */
export function engineSuite(api: SuiteTestApi, options: EngineSuiteOptions): void {
  const { describe, it, expect } = api;
  const withWorld = worldRunner(options);
  const runsOf = async (store: SchedulerStore, jobName: string) =>
    (await store.listRuns({ jobName, order: 'asc' })).sort(
      (a, b) => (a.slot?.getTime() ?? 0) - (b.slot?.getTime() ?? 0),
    );
  const iso = (runs: JobRun[]) => runs.map((r) => r.slot?.toISOString());

  describe('JobScheduler engine', () => {
    it(
      'triggers every slot exactly once with three instances (skewed clocks) passing at the same moments',
      withWorld('2030-01-01T00:00:00.000Z', async (w) => {
        const instances = [-2000, 0, 2000].map((skew) => w.scheduler({ clock: offsetClock(w.clock, skew) }));
        const setup = w.scheduler();
        for (let i = 0; i < 8; i++) {
          await setup.schedules.create({
            jobName: `s${i}`,
            cronExpression: i % 2 ? '*/5 * * * *' : '* * * * *',
            jobType: 'noop',
          });
        }
        for (let m = 1; m <= 30; m++) {
          await w.clock.set(Date.parse('2030-01-01T00:00:00.000Z') + m * MIN + 2500);
          const passes = await Promise.all(instances.map((s) => s.checkAndRunDueJobs()));
          await Promise.all(passes.map((p) => p.done));
        }
        await Promise.all(instances.map((s) => s.idle()));
        expect(new Set(w.calls).size).toBe(w.calls.length);
        for (let i = 0; i < 8; i++) {
          const runs = await runsOf(w.store, `s${i}`);
          expect(runs.length).toBe(i % 2 ? 6 : 30);
          expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
          expect(new Set(iso(runs)).size).toBe(runs.length);
        }
        expect(w.calls).toHaveLength(4 * 30 + 4 * 6);
      }),
    );

    it(
      'applies the missed-run policies (once, all, skip, catch-up window) after downtime, recording every slot',
      withWorld('2030-01-01T00:00:00.000Z', async (w) => {
        const s = w.scheduler();
        const base = { cronExpression: '*/10 * * * *', jobType: 'noop' };
        await s.schedules.create({ ...base, jobName: 'once' });
        await s.schedules.create({ ...base, jobName: 'all', missedRunPolicy: 'all', maxCatchUpRuns: 3 });
        await s.schedules.create({ ...base, jobName: 'skip', missedRunPolicy: 'skip' });
        await s.schedules.create({ ...base, jobName: 'window', catchUpWindowSeconds: 1800 });
        // Down for 2 h 05 min: slots 00:10 … 02:00 passed (12), none current.
        await w.clock.set(Date.parse('2030-01-01T02:05:00.000Z'));
        const pass = await s.checkAndRunDueJobs();
        await pass.done;
        const t = (hm: string) => `2030-01-01T${hm}:00.000Z`;
        const all12 = [
          '00:10',
          '00:20',
          '00:30',
          '00:40',
          '00:50',
          '01:00',
          '01:10',
          '01:20',
          '01:30',
          '01:40',
          '01:50',
          '02:00',
        ].map(t);
        const ran = (runs: JobRun[]) => iso(runs.filter((r) => r.status === 'succeeded'));
        for (const name of ['once', 'all', 'skip', 'window']) {
          const runs = await runsOf(w.store, name);
          expect(iso(runs)).toEqual(all12);
          expect(runs.every((r) => r.status === 'succeeded' || r.status === 'skipped')).toBe(true);
          expect((await w.store.getSchedule(name))?.nextRunAt?.toISOString()).toBe(t('02:10'));
        }
        expect(ran(await runsOf(w.store, 'once'))).toEqual([t('02:00')]);
        expect(ran(await runsOf(w.store, 'all'))).toEqual([t('00:10'), t('00:20'), t('00:30')]);
        expect(ran(await runsOf(w.store, 'skip'))).toEqual([]);
        expect(ran(await runsOf(w.store, 'window'))).toEqual([t('02:00')]);
        const windowSkips = (await runsOf(w.store, 'window')).filter(
          (r) => (r.result as { reason?: string } | null)?.reason === 'catch_up_window',
        );
        expect(iso(windowSkips)).toEqual(all12.slice(0, 9));
        expect((await runsOf(w.store, 'once')).find((r) => r.status === 'succeeded')?.trigger).toBe(
          'catch_up',
        );
        // A current slot runs and supersedes the missed ones under `once`.
        await w.clock.set(Date.parse('2030-01-01T02:40:30.000Z'));
        await (await s.checkAndRunDueJobs()).done;
        const later = (await runsOf(w.store, 'once')).filter(
          (r) => (r.slot?.getTime() ?? 0) > Date.parse(t('02:00')),
        );
        expect(later.map((r) => `${r.slot?.toISOString()} ${r.status} ${r.trigger}`)).toEqual([
          `${t('02:10')} skipped catch_up`,
          `${t('02:20')} skipped catch_up`,
          `${t('02:30')} skipped catch_up`,
          `${t('02:40')} succeeded schedule`,
        ]);
      }),
    );

    it(
      'follows the DST policy in Europe/Stockholm: gap slot skipped that day, repeated hour runs once',
      withWorld('2030-03-29T12:00:00.000Z', async (w) => {
        const s = w.scheduler({ timezone: 'Europe/Stockholm' });
        await s.schedules.create({ jobName: 'night', cronExpression: '30 2 * * *', jobType: 'noop' });
        const drive = async (untilIso: string) => {
          for (;;) {
            const next = await w.store.getEarliestNextRunAt();
            if (!next || next.getTime() > Date.parse(untilIso)) break;
            await w.clock.set(next);
            await (await s.checkAndRunDueJobs()).done;
          }
        };
        await drive('2030-04-02T00:00:00.000Z');
        // 2030-03-31 is the spring-forward day: 02:30 does not exist there.
        expect(iso(await runsOf(w.store, 'night'))).toEqual([
          '2030-03-30T01:30:00.000Z',
          '2030-04-01T00:30:00.000Z',
        ]);
        await w.clock.set(Date.parse('2030-10-25T12:00:00.000Z'));
        await s.schedules.disable('night');
        await s.schedules.enable('night');
        await drive('2030-10-29T00:00:00.000Z');
        // 2030-10-27 is the fall-back day: 02:30 happens twice and runs once, at the first (CEST) occurrence.
        expect(iso(await runsOf(w.store, 'night')).slice(2)).toEqual([
          '2030-10-26T00:30:00.000Z',
          '2030-10-27T00:30:00.000Z',
          '2030-10-28T01:30:00.000Z',
        ]);
      }),
    );

    it(
      'retries failed attempts with exponential backoff and records each attempt',
      withWorld('2030-01-01T00:00:00.000Z', async (w) => {
        let calls = 0;
        w.registry.register(
          defineJob({
            type: 'flaky',
            maxAttempts: 3,
            backoff: { baseMs: 1000, maxMs: 10_000, jitter: 0 },
            handler: async () => {
              calls++;
              if (calls < 3) throw new Error(`boom ${calls}`);
              return 'third time';
            },
          }),
        );
        const s = w.scheduler();
        const delays: number[] = [];
        s.on('run:retrying', (e) => delays.push(e.delayMs));
        const { done } = await s.runJob('flaky');
        await w.clock.advance(1000);
        await w.clock.advance(2000);
        const run = await done;
        expect(run.status).toBe('succeeded');
        expect(run.result).toBe('third time');
        expect(run.attempts.map((a) => a.status)).toEqual(['failed', 'failed', 'succeeded']);
        expect(run.attempts[0]?.error?.message).toBe('boom 1');
        expect(delays).toEqual([1000, 2000]);
      }),
    );

    it(
      'records a timed-out attempt even if the handler ignores its signal, and holds the lock until it settles',
      withWorld('2030-01-01T00:00:00.000Z', async (w) => {
        let aborted = false;
        let settled = false;
        w.registry.register(
          defineJob({
            type: 'stubborn',
            maxAttempts: 1,
            timeoutSeconds: 10,
            handler: async (_p, ctx) => {
              ctx.signal.addEventListener('abort', () => {
                aborted = true;
              });
              await w.clock.sleep(25_000); // ignores the signal
              settled = true;
            },
          }),
        );
        const s = w.scheduler();
        const { run, done } = await s.runJob('stubborn');
        await w.clock.advance(11_000);
        expect(aborted).toBe(true);
        expect((await w.store.getRun(run.id))?.status).toBe('timed_out');
        expect((await w.lock.inspect(jobLockKey('stubborn')))?.owner).toBe(s.replicaId);
        expect(settled).toBe(false);
        await w.clock.advance(15_000);
        const final = await done;
        expect(settled).toBe(true);
        expect(final.status).toBe('timed_out');
        expect(final.error?.code).toBe('CRAFT_SCHEDULER_JOB_TIMEOUT');
        expect(await w.lock.inspect(jobLockKey('stubborn'))).toBeNull();
      }),
    );

    it(
      'runs chains in list order after a success, once per (parent run, name), transitively; disabled targets skipped',
      withWorld('2030-01-01T00:00:00.000Z', async (w) => {
        w.registry.register(
          defineJob({
            type: 'other',
            handler: async (_p, ctx) => {
              w.calls.push(callKey(ctx));
            },
          }),
        );
        const s = w.scheduler();
        const daily = { cronExpression: '0 0 1 1 *', jobType: 'noop' };
        await s.schedules.create({ ...daily, jobName: 'c' });
        await s.schedules.create({ ...daily, jobName: 'off', isEnabled: false });
        await s.schedules.create({ ...daily, jobName: 'b', chain: ['c'] });
        await s.schedules.create({ ...daily, jobName: 'a', chain: ['b', 'other', 'off'] });
        const { run, done } = await s.runNow('a');
        await done;
        await s.idle();
        // Spec section 4 orders one parent's chain (a → b, other, off), and a child after its parent (b → c); c and
        // `other` are not ordered against each other (b's chain runs alongside a's next child).
        expect([...w.calls].sort()).toEqual(['a@manual', 'b@manual', 'c@manual', 'other@manual']);
        expect(w.calls[0]).toBe('a@manual');
        expect(w.calls.indexOf('b@manual')).toBeLessThan(w.calls.indexOf('other@manual'));
        expect(w.calls.indexOf('b@manual')).toBeLessThan(w.calls.indexOf('c@manual'));
        const children = await w.store.listRuns({ parentRunId: run.id, order: 'asc' });
        expect(children.map((r) => `${r.runKey} ${r.status}`)).toEqual([
          `chain:${run.id}:b succeeded`,
          `chain:${run.id}:other succeeded`,
          `chain:${run.id}:off skipped`,
        ]);
        const b = children[0] as JobRun;
        const grand = await w.store.listRuns({ parentRunId: b.id });
        expect(grand.map((r) => r.runKey)).toEqual([`chain:${b.id}:c`]);
        expect(await w.store.countRuns({ trigger: 'chain' })).toBe(4);
      }),
    );

    it(
      'keeps chained runs exactly once per (parent run, name) when the parent replica dies while dispatching',
      withWorld('2030-01-01T00:00:00.000Z', async (w) => {
        const setup = w.scheduler();
        const yearly = { cronExpression: '0 0 1 1 *', jobType: 'noop' };
        await setup.schedules.create({ ...yearly, jobName: 'child-1' });
        await setup.schedules.create({ ...yearly, jobName: 'child-2' });
        await setup.schedules.create({ ...yearly, jobName: 'parent', chain: ['child-1', 'child-2'] });
        const a = killable(w.store);
        const aLock = killable(w.lock);
        // A replica that dies (store and lock calls never answer again) right after inserting the first chained run.
        const cut = Object.create(a.proxy) as SchedulerStore;
        cut.insertRun = async (...args) => {
          const inserted = await a.proxy.insertRun(...args);
          if (args[0].runKey.endsWith(':child-1')) {
            a.kill();
            aLock.kill();
          }
          return inserted;
        };
        const dying = w.scheduler({ store: cut, lock: aLock.proxy });
        void dying.runNow('parent');
        await w.clock.tick();
        expect(await w.store.countRuns({ trigger: 'chain' })).toBe(1);
        const survivor = w.scheduler();
        await w.clock.advance(TTL + 1000);
        await (await survivor.checkAndRunDueJobs()).done;
        await survivor.idle();
        await w.clock.advance(TTL + 1000);
        await (await survivor.checkAndRunDueJobs()).done;
        await survivor.idle();
        const parent = (await w.store.listRuns({ jobName: 'parent' }))[0] as JobRun;
        expect(parent.status).toBe('succeeded');
        expect(parent.attempts.map((x) => x.status)).toEqual(['abandoned', 'succeeded']);
        const children = await w.store.listRuns({ parentRunId: parent.id, order: 'asc' });
        expect(children.map((r) => `${r.jobName} ${r.status}`).sort()).toEqual([
          'child-1 succeeded',
          'child-2 succeeded',
        ]);
        expect(w.calls.filter((c) => c.startsWith('child')).sort()).toEqual([
          'child-1@manual',
          'child-2@manual',
        ]);
        expect(w.calls.filter((c) => c.startsWith('parent'))).toEqual(['parent@manual', 'parent@manual']);
      }),
    );

    it(
      'defers a schedule whose lock is taken (slot stays due) and runs it once the lock is free',
      withWorld('2030-01-01T00:00:00.000Z', async (w) => {
        const s = w.scheduler();
        await s.schedules.create({ jobName: 'x', cronExpression: '*/5 * * * *', jobType: 'noop' });
        await w.clock.set(Date.parse('2030-01-01T00:05:01.000Z'));
        const held = await w.lock.acquire(jobLockKey('x'), 'someone-else', TTL);
        const first = await s.checkAndRunDueJobs();
        expect(first.deferred).toEqual(['x']);
        expect(first.runs).toHaveLength(0);
        expect((await w.store.getSchedule('x'))?.nextRunAt?.toISOString()).toBe('2030-01-01T00:05:00.000Z');
        await w.lock.release(held as NonNullable<typeof held>);
        await w.clock.advance(10_000);
        const second = await s.checkAndRunDueJobs();
        await second.done;
        expect(second.runs.map((r) => `${r.runKey} ${r.trigger}`)).toEqual([
          `${slotRunKey('x', new Date('2030-01-01T00:05:00.000Z'))} schedule`,
        ]);
        expect(w.calls).toEqual(['x@2030-01-01T00:05:00.000Z']);
      }),
    );

    it(
      'computes nextRunAt for a schedule inserted straight into storage without one',
      withWorld('2030-01-01T00:00:30.000Z', async (w) => {
        const s = w.scheduler();
        await w.store.insertSchedule(
          createSchedule({ jobName: 'raw', cronExpression: '*/15 * * * *', jobType: 'noop' }),
        );
        const pass = await s.checkAndRunDueJobs();
        expect(pass.initialized).toEqual(['raw']);
        expect((await w.store.getSchedule('raw'))?.nextRunAt?.toISOString()).toBe('2030-01-01T00:15:00.000Z');
        await w.clock.set(Date.parse('2030-01-01T00:15:00.000Z'));
        await (await s.checkAndRunDueJobs()).done;
        expect(w.calls).toEqual(['raw@2030-01-01T00:15:00.000Z']);
      }),
    );

    it(
      'recovers a run whose replica died mid-run: abandoned attempt, retried by another replica',
      withWorld('2030-01-01T00:00:00.000Z', async (w) => {
        let release: () => void = () => {};
        w.registry.register(
          defineJob({
            type: 'slow',
            handler: (_p, ctx) =>
              new Promise<void>((resolve) => {
                w.calls.push(`slow attempt ${ctx.attempt}`);
                release = resolve;
                if (ctx.attempt > 1) resolve();
              }),
          }),
        );
        const a = killable(w.store);
        const aLock = killable(w.lock);
        const dying = w.scheduler({ store: a.proxy, lock: aLock.proxy });
        await dying.schedules.create({ jobName: 'job', cronExpression: '0 * * * *', jobType: 'slow' });
        await w.clock.set(Date.parse('2030-01-01T01:00:00.000Z'));
        await dying.checkAndRunDueJobs();
        await w.clock.tick();
        expect(w.calls).toEqual(['slow attempt 1']);
        a.kill();
        aLock.kill();
        release();
        const survivor = w.scheduler();
        const abandoned: boolean[] = [];
        survivor.on('run:abandoned', (e) => abandoned.push(e.retried));
        await w.clock.advance(TTL - 1000);
        expect((await survivor.handleMissedRuns()).abandoned).toHaveLength(0);
        await w.clock.advance(2000);
        const pass = await survivor.handleMissedRuns();
        expect(pass.abandoned).toHaveLength(1);
        await pass.done;
        await survivor.idle();
        const runs = await w.store.listRuns({ jobName: 'job' });
        expect(runs).toHaveLength(1);
        expect(runs[0]?.status).toBe('succeeded');
        expect(runs[0]?.attempts.map((x) => `${x.status} ${x.replicaId}`)).toEqual([
          `abandoned ${dying.replicaId}`,
          `succeeded ${survivor.replicaId}`,
        ]);
        expect(abandoned).toEqual([true]);
      }),
    );

    it(
      'recovers a claim interrupted between inserting the run and advancing nextRunAt (no loss, no duplicate)',
      withWorld('2030-01-01T00:00:00.000Z', async (w) => {
        const setup = w.scheduler();
        await setup.schedules.create({ jobName: 'cut', cronExpression: '*/5 * * * *', jobType: 'noop' });
        const a = killable(w.store);
        const aLock = killable(w.lock);
        // A replica that dies (store and lock) right before the compare-and-set of nextRunAt.
        const cut = Object.create(a.proxy) as SchedulerStore;
        cut.updateSchedule = (...args) => {
          if (args[1].nextRunAt !== undefined && args[2]) {
            a.kill();
            aLock.kill();
          }
          return a.proxy.updateSchedule(...args);
        };
        const dying = w.scheduler({ store: cut, lock: aLock.proxy });
        await w.clock.set(Date.parse('2030-01-01T00:05:00.000Z'));
        void dying.checkAndRunDueJobs();
        await w.clock.tick();
        expect((await w.store.getSchedule('cut'))?.nextRunAt?.toISOString()).toBe('2030-01-01T00:05:00.000Z');
        expect(await w.store.countRuns({ jobName: 'cut', status: ['pending'] })).toBe(1);
        const survivor = w.scheduler();
        await w.clock.advance(TTL + 1000);
        // The first pass recovers the pending run (its lock holder died); the next one advances nextRunAt.
        for (let i = 0; i < 2; i++) {
          await (await survivor.checkAndRunDueJobs()).done;
          await survivor.idle();
        }
        const runs = await w.store.listRuns({ jobName: 'cut' });
        expect(runs.map((r) => `${r.slot?.toISOString()} ${r.status}`)).toEqual([
          '2030-01-01T00:05:00.000Z succeeded',
        ]);
        expect(w.calls).toEqual(['cut@2030-01-01T00:05:00.000Z']);
        expect((await w.store.getSchedule('cut'))?.nextRunAt?.toISOString()).toBe('2030-01-01T00:10:00.000Z');
      }),
    );

    it(
      'aborts a holder that lost its lease and fences its result write',
      withWorld('2030-01-01T00:00:00.000Z', async (w) => {
        let reason: unknown = null;
        let finish: () => void = () => {};
        w.registry.register(
          defineJob({
            type: 'long',
            maxAttempts: 2,
            handler: (_p, ctx) =>
              new Promise((resolve) => {
                ctx.signal.addEventListener('abort', () => {
                  reason = ctx.signal.reason;
                });
                if (ctx.attempt > 1) resolve(`attempt ${ctx.attempt}`);
                else finish = () => resolve(`attempt ${ctx.attempt}`);
              }),
          }),
        );
        // A lock whose renewals fail: this replica loses its lease at the first heartbeat.
        const failingLock: LockProvider = {
          acquire: (k, o, t) => w.lock.acquire(k, o, t),
          renew: async () => null,
          release: (l) => w.lock.release(l),
          inspect: (k) => w.lock.inspect(k),
        };
        const stale = w.scheduler({ lock: failingLock });
        const lost: string[] = [];
        stale.on('run:lease_lost', (e) => lost.push(e.run.id));
        const { run } = await stale.runJob('long');
        await w.clock.advance(TTL / 3 + 1);
        expect(reason instanceof LeaseLostError).toBe(true);
        // Another replica takes over after the leases lapse and finishes the run.
        await w.clock.advance(TTL);
        const other = w.scheduler();
        await (await other.checkAndRunDueJobs()).done;
        await other.idle();
        finish(); // the stale handler settles late; its result must not be written
        await stale.idle();
        const final = await w.store.getRun(run.id);
        expect(final?.status).toBe('succeeded');
        expect(final?.result).toBe('attempt 2');
        expect(lost).toEqual([run.id]);
      }),
    );
  });
}
