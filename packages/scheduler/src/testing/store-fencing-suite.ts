// The store conditions that fence post-claim writes (spec section 11): a schedule write carrying the writer's lock
// token is refused once a newer token wrote, and a run write can be tied to the attempt it belongs to.
import { createSchedule } from '../model.js';
import type { SchedulerStore } from '../types.js';
import type { StoreSuiteOptions } from './store-suite.js';
import { sampleRun } from './store-suite.js';
import { makeTime, type SuiteTestApi } from './types.js';

const d = (iso: string) => new Date(iso);

/** Registers the fencing tests of the storage contract (part of `storeSuite`). */
export function storeFencingSuite(api: SuiteTestApi, options: StoreSuiteOptions): void {
  const { describe, it, expect } = api;
  const withStore = (fn: (store: SchedulerStore) => Promise<void>) => async () => {
    const time = makeTime(options);
    const store = await options.createStore({ clock: time.clock });
    try {
      await fn(store);
    } finally {
      await options.destroyStore?.(store);
    }
  };

  describe('Store fencing', () => {
    it(
      'refuses a schedule write fenced by a lower token once a higher one wrote; equal and higher tokens pass',
      withStore(async (store) => {
        // A seed-format schedule: no holder wrote it yet, so the first fenced write passes whatever its token.
        await store.insertSchedule(
          createSchedule({ jobName: 'f', cronExpression: '* * * * *', jobType: 'noop' }),
        );
        const t1 = d('2030-01-01T00:01:00.000Z');
        expect(
          (await store.updateSchedule('f', { lastRunStatus: 'running' }, { fencingToken: 5 }))?.lastRunStatus,
        ).toBe('running');
        // A stale holder (token 4) writes late: refused, nothing changes.
        expect(await store.updateSchedule('f', { lastRunStatus: 'failed' }, { fencingToken: 4 })).toBeNull();
        expect((await store.getSchedule('f'))?.lastRunStatus).toBe('running');
        // The same holder again, then a newer one: both pass.
        expect(
          (await store.updateSchedule('f', { lastRunStatus: 'succeeded' }, { fencingToken: 5 }))
            ?.lastRunStatus,
        ).toBe('succeeded');
        expect(
          (await store.updateSchedule('f', { nextRunAt: t1 }, { fencingToken: 9, nextRunAt: null }))
            ?.nextRunAt,
        ).toEqual(t1);
        expect(await store.updateSchedule('f', { lastRunStatus: 'failed' }, { fencingToken: 5 })).toBeNull();
        // Both conditions must hold: the right token with a stale nextRunAt is refused, and changes no token.
        expect(
          await store.updateSchedule('f', { lastRunStatus: 'failed' }, { fencingToken: 10, nextRunAt: null }),
        ).toBeNull();
        // An unfenced patch (a user's edit) keeps the stored token: the stale holder stays refused.
        expect((await store.updateSchedule('f', { description: 'edited' }))?.description).toBe('edited');
        expect(await store.updateSchedule('f', { lastRunStatus: 'failed' }, { fencingToken: 8 })).toBeNull();
        expect((await store.updateSchedule('f', {}, { fencingToken: 9 }))?.lastRunStatus).toBe('succeeded');
        const s = await store.getSchedule('f');
        expect(s?.lastRunStatus).toBe('succeeded');
        expect(s?.description).toBe('edited');
        // The token is storage-only: the schedule model has no field for it.
        expect(Object.keys(s ?? {}).some((k) => /token/i.test(k))).toBe(false);
      }),
    );

    it(
      'lets exactly one of concurrent fenced writes with different tokens be the last word',
      withStore(async (store) => {
        await store.insertSchedule(
          createSchedule({ jobName: 'g', cronExpression: '* * * * *', jobType: 'noop' }),
        );
        await Promise.all(
          [3, 1, 4, 2].map((t) => store.updateSchedule('g', { description: `t${t}` }, { fencingToken: t })),
        );
        // Whatever the interleaving, the highest token's write was applied last (no lower one after it).
        expect((await store.getSchedule('g'))?.description).toBe('t4');
      }),
    );

    it(
      'conditions a run update on its attempt count (a late write of an earlier attempt is refused)',
      withStore(async (store) => {
        const started = d('2030-01-01T00:00:00.000Z');
        const attempt = (n: number) => ({
          attempt: n,
          status: 'running' as const,
          startedAt: started,
          finishedAt: null,
          error: null,
          replicaId: 'a',
        });
        const run = sampleRun({
          status: 'running',
          leaseOwner: 'a',
          fencingToken: 1,
          attempts: [attempt(1)],
        });
        await store.insertRun(run);
        expect(await store.updateRun(run.id, { set: { result: 'x' } }, { attemptCount: 0 })).toBeNull();
        expect(await store.updateRun(run.id, { set: { result: 'x' } }, { attemptCount: 2 })).toBeNull();
        const second = await store.updateRun(
          run.id,
          { set: { attempts: [{ ...attempt(1), status: 'failed' }, attempt(2)] } },
          { status: ['running'], fencingToken: 1, attemptCount: 1 },
        );
        expect(second?.attempts).toHaveLength(2);
        // The first attempt's bookkeeping write lands again (a retry, or a late packet): refused.
        expect(
          await store.updateRun(
            run.id,
            { set: { attempts: [{ ...attempt(1), status: 'failed' }] } },
            { status: ['running'], fencingToken: 1, attemptCount: 1 },
          ),
        ).toBeNull();
        expect((await store.getRun(run.id))?.attempts).toHaveLength(2);
      }),
    );
  });
}
