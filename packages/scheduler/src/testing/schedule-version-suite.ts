// Conformance tests of the schedule `version` (optimistic concurrency), registered by `storeSuite`.
import type { JobSchedule } from '../model.js';
import type { SchedulerStore } from '../types.js';
import { type StoreSuiteOptions, sampleSchedule } from './store-suite.js';
import { makeTime, type SuiteTestApi } from './types.js';

/** The `version` part of the `ScheduleStore` contract: store-maintained, bumped by user edits only, compare-and-set. */
export function scheduleVersionSuite(api: SuiteTestApi, options: StoreSuiteOptions): void {
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
  const at = (iso: string) => new Date(iso);

  describe('ScheduleStore: version', () => {
    it(
      'inserts at version 1 whatever the given version, and bumps it on every edit of a user field only',
      withStore(async (store) => {
        expect(await store.insertSchedule(sampleSchedule({ jobName: 'v', version: 42 }))).toBe(true);
        expect((await store.getSchedule('v'))?.version).toBe(1);
        // The engine's bookkeeping leaves the version alone: an edit form is not refused because a slot ran.
        const engine = await store.updateSchedule('v', {
          nextRunAt: at('2030-01-01T00:05:00.000Z'),
          lastRunAt: at('2030-01-01T00:00:00.000Z'),
          lastRunStatus: 'succeeded',
          updatedAt: at('2030-01-01T00:00:01.000Z'),
        });
        expect(engine?.version).toBe(1);
        const edited = await store.updateSchedule('v', {
          description: 'x',
          updatedAt: at('2030-01-01T00:01:00.000Z'),
        });
        expect(edited?.version).toBe(2);
        expect(edited?.description).toBe('x');
        // A version in the patch is ignored: the store maintains it.
        const again = await store.updateSchedule('v', {
          isEnabled: false,
          version: 99,
        } as Partial<JobSchedule>);
        expect(again?.version).toBe(3);
        expect(await store.getSchedule('v')).toEqual(again);
      }),
    );

    it(
      'applies an update only at the expected version (compare-and-set), changing nothing otherwise',
      withStore(async (store) => {
        await store.insertSchedule(sampleSchedule({ jobName: 'cas-v', description: 'one' }));
        expect(await store.updateSchedule('cas-v', { description: 'two' }, { version: 2 })).toBeNull();
        expect((await store.getSchedule('cas-v'))?.description).toBe('one');
        const ok = await store.updateSchedule('cas-v', { description: 'two' }, { version: 1 });
        expect(ok?.version).toBe(2);
        expect(await store.updateSchedule('cas-v', { description: 'three' }, { version: 1 })).toBeNull();
        expect((await store.getSchedule('cas-v'))?.description).toBe('two');
      }),
    );

    it(
      'lets exactly one of concurrent edits from the same version win, and answers the version it wrote',
      withStore(async (store) => {
        await store.insertSchedule(sampleSchedule({ jobName: 'race-v' }));
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            store.updateSchedule('race-v', { description: `d${i}` }, { version: 1 }),
          ),
        );
        const winners = results.filter((r) => r !== null);
        expect(winners).toHaveLength(1);
        expect(winners[0]?.version).toBe(2);
        expect(await store.getSchedule('race-v')).toEqual(winners[0]);
        // Unconditional concurrent edits: each answers its own write's version, none is lost.
        const all = await Promise.all(
          Array.from({ length: 6 }, (_, i) => store.updateSchedule('race-v', { description: `e${i}` })),
        );
        expect(all.map((r) => r?.version).sort()).toEqual([3, 4, 5, 6, 7, 8]);
        expect((await store.getSchedule('race-v'))?.version).toBe(8);
      }),
    );

    it(
      'deletes only at the expected version',
      withStore(async (store) => {
        await store.insertSchedule(sampleSchedule({ jobName: 'del-v' }));
        await store.updateSchedule('del-v', { description: 'edited' });
        expect(await store.deleteSchedule('del-v', { version: 1 })).toBe(false);
        expect((await store.getSchedule('del-v'))?.version).toBe(2);
        expect(await store.deleteSchedule('del-v', { version: 2 })).toBe(true);
        expect(await store.getSchedule('del-v')).toBeNull();
        expect(await store.deleteSchedule('del-v', { version: 2 })).toBe(false);
      }),
    );

    it(
      'round-trips the creation key of a schedule created with an idempotency key',
      withStore(async (store) => {
        await store.insertSchedule(sampleSchedule({ jobName: 'keyed', creationKey: 'abc:def' }));
        expect((await store.getSchedule('keyed'))?.creationKey).toBe('abc:def');
        await store.updateSchedule('keyed', { description: 'x' });
        expect((await store.getSchedule('keyed'))?.creationKey).toBe('abc:def');
      }),
    );
  });
}
