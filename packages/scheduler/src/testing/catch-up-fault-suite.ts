// Faults of a long catch-up (spec section 11, issue "Exactly-once under database faults"): a schedule down for 1,000
// minutes has 1,000 slots to record in one claim. The records go to the store in batches (claim-records.ts), so the
// claim finishes within one lease even when every call is slow, a batch whose acknowledgement was lost is recognised
// as ours, and a claimer that takes over a half-recorded gap finds the recorded slots in one look-up per batch. Each
// slot keeps one record and the gap one catch-up run (policy `once`).
import type { SuiteTestApi } from './types.js';
import { TTL, type World, type WorldOptions, worldRunner } from './world.js';

const T0 = '2030-01-01T00:00:00.000Z';
const MINUTES = 1000;
const STORE_METHODS = [
  'insertRun',
  'insertRuns',
  'getRunByKey',
  'listRuns',
  'getSchedule',
  'updateSchedule',
  'updateRun',
];

/** The long catch-up scenarios (run by the conformance suite for every adapter, with fake time). */
export function catchUpFaultSuite(api: SuiteTestApi, options: WorldOptions): void {
  const { describe, it, expect } = api;
  const withWorld = worldRunner(options);

  /** A minutely `once` schedule whose replicas were all down for 1,000 minutes. */
  async function downForAWhile(w: World) {
    await w.scheduler().schedules.create({
      jobName: 'minutely',
      cronExpression: '* * * * *',
      jobType: 'noop',
      missedRunPolicy: 'once',
    });
    // 5 s past the last missed slot: each scenario ends well before the next slot (a minute later) is due.
    await w.clock.set(Date.parse(T0) + MINUTES * 60_000 + 5000);
  }

  /** Moves the fake clock on in steps of 500 ms until `promise` settles (at most `maxMs`), and returns its value. */
  async function drive<T>(w: World, promise: Promise<T>, maxMs = 600_000): Promise<T> {
    let settled = false;
    promise.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    const until = w.clock.now() + maxMs;
    while (!settled && w.clock.now() < until) await w.clock.advance(500);
    return promise;
  }

  /** Every slot of the gap has one record, skipped but the last, which succeeded; next_run_at is in the future. */
  async function expectGapRecordedOnce(w: World) {
    const runs = await w.store.listRuns({ jobName: 'minutely', order: 'asc' });
    expect(new Set(runs.map((r) => r.runKey)).size).toBe(runs.length);
    expect(runs).toHaveLength(MINUTES);
    expect(
      runs.filter((r) => r.status !== 'skipped').map((r) => `${r.status} ${r.slot?.toISOString()}`),
    ).toEqual([`succeeded ${new Date(Date.parse(T0) + MINUTES * 60_000).toISOString()}`]);
    expect(w.calls).toEqual([`minutely@${new Date(Date.parse(T0) + MINUTES * 60_000).toISOString()}`]);
    const schedule = await w.store.getSchedule('minutely');
    expect(schedule?.nextRunAt?.getTime()).toBeGreaterThan(w.clock.now());
  }

  describe('Faults: a long catch-up (1,000 missed slots)', () => {
    it(
      'every store and lock call takes 3 s: the claim records 1,000 slots within one lease, in a few calls',
      withWorld(T0, async (w) => {
        await downForAWhile(w);
        const a = w.faulty();
        a.store.inject({ method: STORE_METHODS, action: 'delay', delayMs: 3000 });
        a.lock.inject({
          method: ['acquire', 'acquireMany', 'renew', 'release'],
          action: 'delay',
          delayMs: 3000,
        });
        const A = w.scheduler({ store: a.store.target, lock: a.lock.target });
        let runStarted: number | null = null;
        A.on('run:started', () => {
          runStarted ??= w.clock.now();
        });
        const started = w.clock.now();
        await drive(w, (async () => (await A.checkAndRunDueJobs()).done)());
        await drive(w, A.idle());
        // One call per slot would take 1,000 × 3 s; the batches take a few calls, well within one lease.
        expect(runStarted).not.toBeNull();
        expect((runStarted ?? Number.POSITIVE_INFINITY) - started).toBeLessThan(TTL);
        const inserts = a.store.callsOf('insertRun').length + a.store.callsOf('insertRuns').length;
        expect(inserts).toBeLessThanOrEqual(typeof w.store.insertRuns === 'function' ? 3 : MINUTES);
        await expectGapRecordedOnce(w);
      }),
    );

    it(
      'a batch of records lands but its acknowledgement is lost: the retry recognises them as its own, nothing twice',
      withWorld(T0, async (w) => {
        await downForAWhile(w);
        const a = w.faulty();
        const fault = a.store.inject({ method: ['insertRuns', 'insertRun'], action: 'fail-after', nth: 1 });
        const A = w.scheduler({ store: a.store.target, lock: a.lock.target });
        const skipped: string[] = [];
        A.on('run:skipped', (e) => skipped.push(e.run.runKey));
        await drive(w, (async () => (await A.checkAndRunDueJobs()).done)());
        await drive(w, A.idle());
        expect(fault.hits).toBe(1);
        // Each skip record announced once, by the claimer that wrote it (its lost acknowledgement included).
        expect(skipped).toHaveLength(MINUTES - 1);
        expect(new Set(skipped).size).toBe(MINUTES - 1);
        await expectGapRecordedOnce(w);
      }),
    );

    it(
      'a claimer stalls after its first batch and loses its lease: the next one finishes the gap in a few calls; the late one writes nothing',
      withWorld(T0, async (w) => {
        await downForAWhile(w);
        const a = w.faulty();
        // A's second insert call (and everything after it) hangs, as for a process frozen part-way.
        const hang = a.store.inject({ method: ['insertRuns', 'insertRun'], action: 'hang', from: 2 });
        a.lock.inject({ method: ['renew', 'release'], action: 'hang' });
        const A = w.scheduler({ store: a.store.target, lock: a.lock.target });
        const passA = (async () => (await A.checkAndRunDueJobs()).done)();
        for (let i = 0; i < 8; i++) await w.clock.advance(500);
        const before = (await w.store.listRuns({ jobName: 'minutely' })).length;
        expect(before).toBeGreaterThan(0);
        expect(before).toBeLessThan(MINUTES);
        // Past A's lease (by the store's clock), B claims the same gap.
        await w.clock.advance(TTL + 1000);
        const b = w.faulty();
        const B = w.scheduler({ store: b.store.target, lock: b.lock.target });
        await drive(w, (async () => (await B.checkAndRunDueJobs()).done)());
        await drive(w, B.idle());
        if (typeof w.store.insertRuns === 'function') {
          // The slots A recorded are found in one look-up per batch, not one read per slot.
          expect(b.store.callsOf('getRunByKey').length).toBeLessThanOrEqual(1);
          expect(
            b.store.callsOf('insertRuns').length + b.store.callsOf('insertRun').length,
          ).toBeLessThanOrEqual(3);
          const lookups = b.store
            .callsOf('listRuns')
            .filter((c) => 'runKeys' in ((c.args[0] ?? {}) as object));
          expect(lookups.length).toBeGreaterThanOrEqual(1);
          expect(lookups.length).toBeLessThanOrEqual(2);
        }
        // A wakes: its hung insert lands on taken keys, its compare-and-set is fenced off; nothing runs twice.
        hang.release();
        a.lock.clear();
        await drive(w, passA);
        await drive(w, A.idle());
        await expectGapRecordedOnce(w);
      }),
    );
  });
}
