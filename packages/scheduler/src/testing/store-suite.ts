import { randomUUID } from 'node:crypto';
import { createSchedule, type JobRun, type JobSchedule } from '../model.js';
import type { Clock, SchedulerStore } from '../types.js';
import { idempotencySuite } from './idempotency-suite.js';
import { scheduleVersionSuite } from './schedule-version-suite.js';
import { storeBatchSuite } from './store-batch-suite.js';
import { storeControlSuite } from './store-control-suite.js';
import { storeFencingSuite } from './store-fencing-suite.js';
import { storeRunControlSuite } from './store-run-control-suite.js';
import { makeTime, type SuiteTestApi, type SuiteTime, type TimeOptions } from './types.js';

/** Options of {@link storeSuite}. */
export interface StoreSuiteOptions extends TimeOptions {
  /** Returns a fresh, empty store for one test, judging lease time by `ctx.clock` in `fake` mode. */
  createStore(ctx: { clock: Clock }): SchedulerStore | Promise<SchedulerStore>;
  /** Called after each test with the store it used (close connections, drop the database). */
  destroyStore?(store: SchedulerStore): void | Promise<void>;
  /**
   * Also check the `IdempotencyStore` contract on the same store (the API keeps idempotency keys in it). Turn it
   * off for a store that does not implement it; the API then keeps keys in its process only.
   * @default true
   */
  idempotency?: boolean;
}

/** A schedule with unique-enough defaults for tests. */
export function sampleSchedule(fields: Partial<JobSchedule> & { jobName: string }): JobSchedule {
  return createSchedule({ cronExpression: '*/5 * * * *', jobType: 'noop', ...fields });
}

/** A run with unique id and key for tests. */
export function sampleRun(fields: Partial<JobRun> = {}): JobRun {
  const id = fields.id ?? randomUUID();
  const now = new Date('2030-01-01T00:00:00.000Z');
  return {
    id,
    runKey: id,
    jobType: 'noop',
    jobName: null,
    slot: null,
    trigger: 'manual',
    parameters: {},
    status: 'pending',
    attempts: [],
    maxAttempts: 3,
    timeoutSeconds: 60,
    startedAt: null,
    finishedAt: null,
    result: null,
    error: null,
    parentRunId: null,
    replicaId: 'r1',
    lockKey: 'job:noop',
    leaseOwner: null,
    leaseExpiresAt: null,
    fencingToken: null,
    cancelRequestedAt: null,
    cancelRequestedBy: null,
    createdAt: now,
    updatedAt: now,
    dst: null,
    wallTime: null,
    dueAt: null,
    ...fields,
  };
}

const d = (iso: string) => new Date(iso);

/** Builds the store suites' test wrapper: `it(name, withStore(async (store, time) => { … }))`, a fresh store each. */
export function storeRunner(options: StoreSuiteOptions) {
  return (fn: (store: SchedulerStore, time: SuiteTime) => Promise<void>) => async () => {
    const time = makeTime(options);
    const store = await options.createStore({ clock: time.clock });
    try {
      await fn(store, time);
    } finally {
      await options.destroyStore?.(store);
    }
  };
}

/**
 * The storage conformance suite: every `SchedulerStore` implementation must pass it. Uses only the public
 * `ScheduleStore` / `RunStore` contracts.
 */
export function storeSuite(api: SuiteTestApi, options: StoreSuiteOptions): void {
  const { describe, it, expect } = api;
  scheduleVersionSuite(api, options);
  storeBatchSuite(api, options);
  if (options.idempotency !== false) idempotencySuite(api, options);
  const withStore = storeRunner(options);

  describe('ScheduleStore', () => {
    it(
      'round-trips every schedule field and returns copies',
      withStore(async (store) => {
        const s = sampleSchedule({
          jobName: 'round-trip',
          description: 'desc',
          parameters: { a: 1, nested: { b: [1, 2] } },
          maxAttempts: 2,
          timeoutSeconds: 30,
          chain: ['x', 'y'],
          timezone: 'Pacific/Chatham',
          missedRunPolicy: 'all',
          catchUpWindowSeconds: 3600,
          maxCatchUpRuns: 4,
          lastRunAt: d('2030-01-01T00:00:00.000Z'),
          lastRunStatus: 'succeeded',
          nextRunAt: d('2030-01-01T00:05:00.000Z'),
          createdAt: d('2029-12-31T00:00:00.000Z'),
          updatedAt: d('2029-12-31T00:00:01.000Z'),
        });
        expect(await store.insertSchedule(s)).toBe(true);
        const got = await store.getSchedule('round-trip');
        expect(got).toEqual(s);
        (got as JobSchedule).chain.push('mutated');
        (got as JobSchedule).parameters['a'] = 2;
        expect(await store.getSchedule('round-trip')).toEqual(s);
        expect(await store.getSchedule('missing')).toBeNull();
      }),
    );

    it(
      'rejects a duplicate job_name without changing the stored schedule',
      withStore(async (store) => {
        expect(await store.insertSchedule(sampleSchedule({ jobName: 'dup', jobType: 'a' }))).toBe(true);
        expect(await store.insertSchedule(sampleSchedule({ jobName: 'dup', jobType: 'b' }))).toBe(false);
        expect((await store.getSchedule('dup'))?.jobType).toBe('a');
      }),
    );

    it(
      'lets exactly one of many concurrent inserts of the same name win',
      withStore(async (store) => {
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            store.insertSchedule(sampleSchedule({ jobName: 'race', jobType: `t${i}` })),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      }),
    );

    it(
      'patches only the given fields; null stores null',
      withStore(async (store) => {
        await store.insertSchedule(sampleSchedule({ jobName: 'p', description: 'd', timezone: 'UTC' }));
        const updated = await store.updateSchedule('p', { description: null, isEnabled: false });
        expect(updated?.description).toBeNull();
        expect(updated?.isEnabled).toBe(false);
        expect(updated?.timezone).toBe('UTC');
        expect((await store.getSchedule('p'))?.timezone).toBe('UTC');
        expect(await store.updateSchedule('nope', { description: 'x' })).toBeNull();
      }),
    );

    it(
      'compare-and-sets nextRunAt (including from missing/null)',
      withStore(async (store) => {
        await store.insertSchedule(sampleSchedule({ jobName: 'cas' }));
        const t1 = d('2030-01-01T00:05:00.000Z');
        const t2 = d('2030-01-01T00:10:00.000Z');
        expect(await store.updateSchedule('cas', { nextRunAt: t2 }, { nextRunAt: t1 })).toBeNull();
        expect((await store.getSchedule('cas'))?.nextRunAt).toBeNull();
        expect(
          (await store.updateSchedule('cas', { nextRunAt: t1 }, { nextRunAt: null }))?.nextRunAt,
        ).toEqual(t1);
        expect(await store.updateSchedule('cas', { nextRunAt: t2 }, { nextRunAt: null })).toBeNull();
        expect(
          (await store.updateSchedule('cas', { nextRunAt: t2 }, { nextRunAt: new Date(t1.getTime()) }))
            ?.nextRunAt,
        ).toEqual(t2);
        expect((await store.getSchedule('cas'))?.nextRunAt).toEqual(t2);
      }),
    );

    it(
      'lets exactly one of concurrent compare-and-sets from the same value win',
      withStore(async (store) => {
        const t0 = d('2030-01-01T00:00:00.000Z');
        await store.insertSchedule(sampleSchedule({ jobName: 'cas-race', nextRunAt: t0 }));
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            store.updateSchedule(
              'cas-race',
              { nextRunAt: new Date(t0.getTime() + (i + 1) * 60_000) },
              { nextRunAt: t0 },
            ),
          ),
        );
        expect(results.filter((r) => r !== null)).toHaveLength(1);
      }),
    );

    it(
      'deletes schedules',
      withStore(async (store) => {
        await store.insertSchedule(sampleSchedule({ jobName: 'del' }));
        expect(await store.deleteSchedule('del')).toBe(true);
        expect(await store.deleteSchedule('del')).toBe(false);
        expect(await store.getSchedule('del')).toBeNull();
      }),
    );

    it(
      'lists schedules sorted by name with filters and cursor paging',
      withStore(async (store) => {
        for (const [name, type, enabled] of [
          ['c', 't1', true],
          ['a', 't2', false],
          ['b', 't1', true],
          ['d', 't1', false],
        ] as const) {
          await store.insertSchedule(sampleSchedule({ jobName: name, jobType: type, isEnabled: enabled }));
        }
        const names = (l: JobSchedule[]) => l.map((s) => s.jobName);
        expect(names(await store.listSchedules())).toEqual(['a', 'b', 'c', 'd']);
        expect(names(await store.listSchedules({ enabled: true }))).toEqual(['b', 'c']);
        expect(names(await store.listSchedules({ enabled: false, jobType: 't1' }))).toEqual(['d']);
        expect(names(await store.listSchedules({ limit: 2 }))).toEqual(['a', 'b']);
        expect(names(await store.listSchedules({ afterJobName: 'b', limit: 1 }))).toEqual(['c']);
      }),
    );

    it(
      'lists schedules by a set of names (a batch re-read), with the other filters and sorted by name',
      withStore(async (store) => {
        for (const [name, enabled] of [
          ['n3', true],
          ['n1', true],
          ['n2', false],
          ['n4', true],
        ] as const) {
          await store.insertSchedule(sampleSchedule({ jobName: name, isEnabled: enabled }));
        }
        const names = (l: JobSchedule[]) => l.map((s) => s.jobName);
        expect(names(await store.listSchedules({ jobNames: ['n3', 'n1', 'missing', 'n1'] }))).toEqual([
          'n1',
          'n3',
        ]);
        expect(names(await store.listSchedules({ jobNames: ['n1', 'n2', 'n3'], enabled: true }))).toEqual([
          'n1',
          'n3',
        ]);
        expect(
          names(await store.listSchedules({ jobNames: ['n1', 'n3', 'n4'], afterJobName: 'n1' })),
        ).toEqual(['n3', 'n4']);
        expect(await store.listSchedules({ jobNames: [] })).toEqual([]);
        // The records are whole schedules, as getSchedule returns them.
        const [one] = await store.listSchedules({ jobNames: ['n4'] });
        expect(one).toEqual(await store.getSchedule('n4'));
      }),
    );

    it(
      'finds schedules by a case-insensitive substring of name or description, literally, with the cursor',
      withStore(async (store) => {
        for (const [name, description] of [
          ['Nightly-Cleanup', 'Deletes expired tokens'],
          ['report.daily', null],
          ['reportXdaily', 'Sends the REPORT'],
          ['billing', 'monthly invoices (EU)'],
        ] as const) {
          await store.insertSchedule(sampleSchedule({ jobName: name, description }));
        }
        const names = (l: JobSchedule[]) => l.map((s) => s.jobName);
        expect(names(await store.listSchedules({ text: 'cleanup' }))).toEqual(['Nightly-Cleanup']);
        expect(names(await store.listSchedules({ text: 'EXPIRED' }))).toEqual(['Nightly-Cleanup']);
        expect(names(await store.listSchedules({ text: 'report' }))).toEqual([
          'report.daily',
          'reportXdaily',
        ]);
        // Pattern characters are literal: '.' is a dot, '(' needs no escaping by the caller.
        expect(names(await store.listSchedules({ text: 't.d' }))).toEqual(['report.daily']);
        expect(names(await store.listSchedules({ text: '(eu)' }))).toEqual(['billing']);
        expect(names(await store.listSchedules({ text: 'report', afterJobName: 'report.daily' }))).toEqual([
          'reportXdaily',
        ]);
        expect(await store.listSchedules({ text: 'nothing-like-this' })).toEqual([]);
      }),
    );

    it(
      'filters schedules by last run status, null meaning never ran',
      withStore(async (store) => {
        for (const [name, status] of [
          ['a', 'failed'],
          ['b', 'succeeded'],
          ['c', null],
          ['d', 'timed_out'],
        ] as const) {
          await store.insertSchedule(sampleSchedule({ jobName: name, lastRunStatus: status }));
        }
        const names = (l: JobSchedule[]) => l.map((s) => s.jobName);
        expect(names(await store.listSchedules({ lastRunStatus: ['failed', 'timed_out'] }))).toEqual([
          'a',
          'd',
        ]);
        expect(names(await store.listSchedules({ lastRunStatus: [null] }))).toEqual(['c']);
        expect(names(await store.listSchedules({ lastRunStatus: ['succeeded', null], limit: 1 }))).toEqual([
          'b',
        ]);
      }),
    );

    it(
      'finds due schedules: enabled, nextRunAt passed or missing, missing first then oldest, limited',
      withStore(async (store) => {
        const now = d('2030-01-01T12:00:00.000Z');
        const at = (m: number) => new Date(now.getTime() + m * 60_000);
        await store.insertSchedule(sampleSchedule({ jobName: 'late', nextRunAt: at(-1) }));
        await store.insertSchedule(sampleSchedule({ jobName: 'later', nextRunAt: at(-30) }));
        await store.insertSchedule(sampleSchedule({ jobName: 'exact', nextRunAt: at(0) }));
        await store.insertSchedule(sampleSchedule({ jobName: 'future', nextRunAt: at(1) }));
        await store.insertSchedule(sampleSchedule({ jobName: 'missing', nextRunAt: null }));
        await store.insertSchedule(
          sampleSchedule({ jobName: 'disabled', nextRunAt: at(-5), isEnabled: false }),
        );
        const due = await store.listDueSchedules(now, 100);
        expect(due.map((s) => s.jobName)).toEqual(['missing', 'later', 'late', 'exact']);
        expect((await store.listDueSchedules(now, 2)).map((s) => s.jobName)).toEqual(['missing', 'later']);
        expect(await store.getEarliestNextRunAt()).toEqual(at(-30));
      }),
    );

    it(
      'reports no earliest nextRunAt when no enabled schedule has one',
      withStore(async (store) => {
        expect(await store.getEarliestNextRunAt()).toBeNull();
        await store.insertSchedule(
          sampleSchedule({ jobName: 'off', isEnabled: false, nextRunAt: new Date() }),
        );
        await store.insertSchedule(sampleSchedule({ jobName: 'unset', nextRunAt: null }));
        expect(await store.getEarliestNextRunAt()).toBeNull();
      }),
    );
  });

  describe('RunStore', () => {
    it(
      'round-trips every run field',
      withStore(async (store) => {
        const run = sampleRun({
          runKey: 'job@2030-01-01T00:00:00.000Z',
          jobName: 'job',
          slot: d('2030-01-01T00:00:00.000Z'),
          trigger: 'schedule',
          parameters: { x: [1, { y: 'z' }] },
          status: 'failed',
          attempts: [
            {
              attempt: 1,
              status: 'failed',
              startedAt: d('2030-01-01T00:00:01.000Z'),
              finishedAt: d('2030-01-01T00:00:02.000Z'),
              error: { name: 'Error', message: 'boom', code: 'E_BOOM' },
              replicaId: 'r1',
            },
          ],
          startedAt: d('2030-01-01T00:00:01.000Z'),
          finishedAt: d('2030-01-01T00:00:02.000Z'),
          result: { rows: 3 },
          error: { name: 'Error', message: 'boom', code: 'E_BOOM' },
          parentRunId: 'parent',
          fencingToken: 7,
        });
        expect(await store.insertRun(run)).toBe(true);
        expect(await store.getRun(run.id)).toEqual(run);
        expect(await store.getRunByKey(run.runKey)).toEqual(run);
        expect(await store.getRun('missing')).toBeNull();
        expect(await store.getRunByKey('missing')).toBeNull();
      }),
    );

    it(
      'rejects a duplicate run key (and id): exactly one of concurrent inserts wins',
      withStore(async (store) => {
        const key = 'slot@2030-01-01T00:00:00.000Z';
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            store.insertRun(sampleRun({ runKey: key, replicaId: `r${i}` })),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const first = sampleRun();
        expect(await store.insertRun(first)).toBe(true);
        expect(await store.insertRun(sampleRun({ id: first.id, runKey: 'other' }))).toBe(false);
        expect(await store.getRunByKey('other')).toBeNull();
        expect(await store.countRuns()).toBe(2);
      }),
    );

    it(
      'inserts several runs in one call, each on its own: a taken key or id refuses that run only',
      withStore(async (store, time) => {
        expect(typeof store.insertRuns).toBe('function');
        const insertRuns = (store.insertRuns as NonNullable<typeof store.insertRuns>).bind(store);
        const taken = sampleRun({ runKey: 'bulk-taken' });
        expect(await store.insertRun(taken)).toBe(true);
        const leased = sampleRun({ runKey: 'bulk-1', status: 'pending', leaseOwner: 'a' });
        const plain = sampleRun({ runKey: 'bulk-2' });
        const sameKey = sampleRun({ runKey: 'bulk-taken' });
        const sameId = sampleRun({ id: plain.id, runKey: 'bulk-3' });
        const last = sampleRun({ runKey: 'bulk-4', status: 'skipped', leaseOwner: null });
        expect(
          await insertRuns([leased, plain, sameKey, sameId, last], { leaseForMs: time.leaseMs }),
        ).toEqual([true, true, false, false, true]);
        expect(await store.getRunByKey('bulk-2')).toEqual(plain);
        expect((await store.getRunByKey('bulk-taken'))?.id).toBe(taken.id);
        expect(await store.getRunByKey('bulk-3')).toBeNull();
        expect(await store.getRunByKey('bulk-4')).toEqual(last);
        // A leased run's lease is stamped by the store's clock, as insertRun does.
        expect((await store.getRun(leased.id))?.leaseExpiresAt).not.toBeNull();
        expect(await store.countRuns({ leaseExpired: true })).toBe(3); // the unleased ones
        await time.advance(time.leaseMs * 1.5);
        expect(await store.countRuns({ leaseExpired: true })).toBe(4);
        expect(await insertRuns([])).toEqual([]);
        // Two concurrent bulk inserts of the same keys: each key is inserted exactly once.
        const a = [sampleRun({ runKey: 'race-1' }), sampleRun({ runKey: 'race-2' })];
        const b = [sampleRun({ runKey: 'race-2' }), sampleRun({ runKey: 'race-1' })];
        const [ra, rb] = await Promise.all([insertRuns(a), insertRuns(b)]);
        expect((ra?.[0] ? 1 : 0) + (rb?.[1] ? 1 : 0)).toBe(1);
        expect((ra?.[1] ? 1 : 0) + (rb?.[0] ? 1 : 0)).toBe(1);
      }),
    );

    it(
      'updates runs under conditions (status, owner, fencing token) and never changes id or key',
      withStore(async (store) => {
        const run = sampleRun({ status: 'running', leaseOwner: 'a', fencingToken: 3 });
        await store.insertRun(run);
        expect(
          await store.updateRun(run.id, { set: { status: 'succeeded' } }, { status: ['pending'] }),
        ).toBeNull();
        expect(
          await store.updateRun(run.id, { set: { status: 'succeeded' } }, { leaseOwner: 'b' }),
        ).toBeNull();
        expect(
          await store.updateRun(run.id, { set: { status: 'succeeded' } }, { fencingToken: 2 }),
        ).toBeNull();
        expect(
          await store.updateRun(run.id, { set: { status: 'succeeded' } }, { leaseOwner: null }),
        ).toBeNull();
        expect((await store.getRun(run.id))?.status).toBe('running');
        const ok = await store.updateRun(
          run.id,
          { set: { status: 'succeeded', result: { n: 1 }, leaseOwner: null } },
          { status: ['running'], leaseOwner: 'a', fencingToken: 3 },
        );
        expect(ok?.status).toBe('succeeded');
        expect(ok?.leaseOwner).toBeNull();
        expect(ok?.id).toBe(run.id);
        expect(ok?.runKey).toBe(run.runKey);
        expect(await store.getRun(run.id)).toEqual(ok);
        expect(await store.updateRun('missing', { set: { status: 'failed' } })).toBeNull();
      }),
    );

    it(
      'lets exactly one of concurrent conditional updates win',
      withStore(async (store) => {
        const run = sampleRun({ status: 'pending' });
        await store.insertRun(run);
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            store.updateRun(
              run.id,
              { set: { status: 'running', leaseOwner: `r${i}` } },
              { status: ['pending'] },
            ),
          ),
        );
        const winners = results.filter((r) => r !== null);
        expect(winners).toHaveLength(1);
        expect((await store.getRun(run.id))?.leaseOwner).toBe(winners[0]?.leaseOwner);
      }),
    );

    it(
      'judges run leases by the store clock (leaseForMs, leaseExpired)',
      withStore(async (store, time) => {
        const run = sampleRun({ status: 'running', leaseOwner: 'a' });
        expect(await store.insertRun(run, { leaseForMs: time.leaseMs })).toBe(true);
        const stored = await store.getRun(run.id);
        expect(stored?.leaseExpiresAt).not.toBeNull();
        expect(await store.countRuns({ leaseExpired: true })).toBe(0);
        expect(
          await store.updateRun(run.id, { set: { status: 'pending' } }, { leaseExpired: true }),
        ).toBeNull();
        expect((await store.updateRun(run.id, { set: {} }, { leaseExpired: false }))?.status).toBe('running');
        await time.advance(time.leaseMs * 1.5);
        expect((await store.listRuns({ leaseExpired: true })).map((r) => r.id)).toEqual([run.id]);
        const renewed = await store.updateRun(run.id, { leaseForMs: time.leaseMs }, { leaseOwner: 'a' });
        expect(renewed?.leaseExpiresAt?.getTime()).toBeGreaterThan(stored?.leaseExpiresAt?.getTime() ?? 0);
        expect(await store.countRuns({ leaseExpired: true })).toBe(0);
        expect(await store.countRuns({ leaseExpired: false })).toBe(1);
        // A run without an owner is free whatever its expiry.
        await store.updateRun(run.id, { set: { leaseOwner: null } });
        expect(await store.countRuns({ leaseExpired: true })).toBe(1);
      }),
    );

    it(
      'lists and counts runs with filters, order and paging',
      withStore(async (store) => {
        const base = d('2030-01-01T00:00:00.000Z').getTime();
        const at = (m: number) => new Date(base + m * 60_000);
        const runs = [
          sampleRun({
            jobName: 'a',
            jobType: 't1',
            status: 'succeeded',
            trigger: 'schedule',
            slot: at(0),
            createdAt: at(1),
          }),
          sampleRun({
            jobName: 'a',
            jobType: 't1',
            status: 'failed',
            trigger: 'catch_up',
            slot: at(5),
            createdAt: at(2),
          }),
          sampleRun({
            jobName: 'b',
            jobType: 't2',
            status: 'pending',
            trigger: 'chain',
            parentRunId: 'p',
            slot: at(10),
            createdAt: at(3),
          }),
          sampleRun({ jobName: null, jobType: 't2', status: 'skipped', trigger: 'manual', createdAt: at(4) }),
        ];
        for (const r of runs) await store.insertRun(r);
        const ids = (l: JobRun[]) => l.map((r) => r.id);
        const [r0, r1, r2, r3] = runs as [JobRun, JobRun, JobRun, JobRun];
        expect(ids(await store.listRuns())).toEqual([r3.id, r2.id, r1.id, r0.id]);
        expect(ids(await store.listRuns({ order: 'asc' }))).toEqual([r0.id, r1.id, r2.id, r3.id]);
        expect(ids(await store.listRuns({ jobName: 'a' }))).toEqual([r1.id, r0.id]);
        expect(ids(await store.listRuns({ jobType: 't2', order: 'asc' }))).toEqual([r2.id, r3.id]);
        expect(ids(await store.listRuns({ status: ['failed', 'skipped'] }))).toEqual([r3.id, r1.id]);
        expect(ids(await store.listRuns({ trigger: 'chain' }))).toEqual([r2.id]);
        expect(ids(await store.listRuns({ parentRunId: 'p' }))).toEqual([r2.id]);
        expect(ids(await store.listRuns({ slotFrom: at(5), slotTo: at(10) }))).toEqual([r1.id]);
        // runKeys: any subset of keys, unknown ones and repeats ignored, combined with the other filters.
        expect(
          ids(await store.listRuns({ runKeys: [r0.runKey, r2.runKey, 'nope', r0.runKey], order: 'asc' })),
        ).toEqual([r0.id, r2.id]);
        expect(ids(await store.listRuns({ runKeys: [r0.runKey, r2.runKey], jobName: 'a' }))).toEqual([r0.id]);
        expect(await store.listRuns({ runKeys: [] })).toEqual([]);
        // createdAt filters every run, manual ones (no slot) included: [from, to).
        expect(ids(await store.listRuns({ createdFrom: at(2), createdTo: at(4) }))).toEqual([r2.id, r1.id]);
        expect(ids(await store.listRuns({ createdFrom: at(4) }))).toEqual([r3.id]);
        expect(await store.countRuns({ createdTo: at(2) })).toBe(1);
        expect(ids(await store.listRuns({ offset: 1, limit: 2 }))).toEqual([r2.id, r1.id]);
        expect(await store.countRuns({ jobName: 'a' })).toBe(2);
        expect(await store.countRuns({ limit: 1 })).toBe(4);
      }),
    );

    it(
      'breaks createdAt ties by insertion order (not by id), both ways and when paging',
      withStore(async (store) => {
        const at = d('2030-01-01T00:00:00.000Z');
        // Ids deliberately out of insertion order.
        const runs = ['run-c', 'run-a', 'run-d', 'run-b'].map((id) =>
          sampleRun({ id, runKey: `tie:${id}`, jobName: 'tie', createdAt: at }),
        );
        for (const r of runs) expect(await store.insertRun(r)).toBe(true);
        const ids = (l: JobRun[]) => l.map((r) => r.id);
        expect(ids(await store.listRuns({ jobName: 'tie', order: 'asc' }))).toEqual([
          'run-c',
          'run-a',
          'run-d',
          'run-b',
        ]);
        expect(ids(await store.listRuns({ jobName: 'tie' }))).toEqual(['run-b', 'run-d', 'run-a', 'run-c']);
        expect(ids(await store.listRuns({ jobName: 'tie', order: 'asc', offset: 1, limit: 2 }))).toEqual([
          'run-a',
          'run-d',
        ]);
      }),
    );

    it(
      'deletes only final runs finished before the cutoff',
      withStore(async (store) => {
        const old = d('2029-01-01T00:00:00.000Z');
        const recent = d('2030-01-01T00:00:00.000Z');
        const a = sampleRun({ status: 'succeeded', finishedAt: old });
        const b = sampleRun({ status: 'skipped', finishedAt: old });
        const c = sampleRun({ status: 'failed', finishedAt: recent });
        const live = sampleRun({ status: 'running', finishedAt: null, createdAt: old });
        for (const r of [a, b, c, live]) await store.insertRun(r);
        expect(await store.deleteRuns({ finishedBefore: d('2029-06-01T00:00:00.000Z') })).toBe(2);
        expect((await store.listRuns({ order: 'asc' })).map((r) => r.id).sort()).toEqual(
          [c.id, live.id].sort(),
        );
        expect(await store.getRunByKey(a.runKey)).toBeNull();
      }),
    );
  });
  storeFencingSuite(api, options);
  storeControlSuite(api, options);
  storeRunControlSuite(api, options);
}
