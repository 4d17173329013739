// The store conditions and fields of per-schedule control (spec section 10): a schedule's `overlap_policy`, a run's
// cancel request (`cancel_requested_at`, `_by`) and the `cancelRequested` condition that keeps a run whose cancel
// was requested from starting, and the `last_run_at` conditions that keep `last_run_*` of an `allow` schedule (whose
// runs hold no schedule lock) from moving backwards.
import { createSchedule } from '../model.js';
import type { SchedulerStore } from '../types.js';
import type { StoreSuiteOptions } from './store-suite.js';
import { sampleRun } from './store-suite.js';
import { makeTime, type SuiteTestApi } from './types.js';

const d = (iso: string) => new Date(iso);

/** Registers the overlap, cancel and allow-run tests of the storage contract (part of `storeSuite`). */
export function storeRunControlSuite(api: SuiteTestApi, options: StoreSuiteOptions): void {
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

  describe('Store control fields and conditions', () => {
    it(
      'keeps overlap_policy, defaults it for a document without it, and patches it alone',
      withStore(async (store) => {
        await store.insertSchedule(
          createSchedule({
            jobName: 'o',
            cronExpression: '* * * * *',
            jobType: 'noop',
            overlapPolicy: 'allow',
          }),
        );
        expect((await store.getSchedule('o'))?.overlapPolicy).toBe('allow');
        await store.insertSchedule(
          createSchedule({ jobName: 'p', cronExpression: '* * * * *', jobType: 'noop' }),
        );
        expect((await store.getSchedule('p'))?.overlapPolicy).toBe('defer');
        const patched = await store.updateSchedule('p', { overlapPolicy: 'cancel_running' });
        expect(`${patched?.overlapPolicy} ${patched?.cronExpression}`).toBe('cancel_running * * * * *');
      }),
    );

    it(
      'stores a cancel request, and a write conditioned on cancelRequested matches only its side',
      withStore(async (store) => {
        const run = sampleRun({ status: 'pending' });
        await store.insertRun(run);
        expect((await store.getRun(run.id))?.cancelRequestedAt).toBeNull();
        // A start that requires no cancel request passes while there is none.
        expect(
          await store.updateRun(run.id, { set: { replicaId: 'a' } }, { cancelRequested: true }),
        ).toBeNull();
        const at = d('2030-01-01T00:00:05.000Z');
        const asked = await store.updateRun(
          run.id,
          { set: { cancelRequestedAt: at, cancelRequestedBy: 'alice' } },
          { status: ['pending', 'running'], cancelRequested: false },
        );
        expect(`${asked?.cancelRequestedAt?.toISOString()} ${asked?.cancelRequestedBy}`).toBe(
          `${at.toISOString()} alice`,
        );
        // The first request stands: a second one conditioned on none is refused; a start is refused too.
        expect(
          await store.updateRun(run.id, { set: { cancelRequestedBy: 'bob' } }, { cancelRequested: false }),
        ).toBeNull();
        expect(
          await store.updateRun(
            run.id,
            { set: { status: 'running' } },
            { status: ['pending'], cancelRequested: false },
          ),
        ).toBeNull();
        const done = await store.updateRun(
          run.id,
          { set: { status: 'cancelled' } },
          { cancelRequested: true },
        );
        expect(`${done?.status} ${done?.cancelRequestedBy}`).toBe('cancelled alice');
        expect((await store.listRuns({ status: ['cancelled'] })).map((r) => r.id)).toEqual([run.id]);
        expect(await store.countRuns({ status: ['pending', 'running'] })).toBe(0);
        // A cancelled run is final: retention deletes it like any finished run.
        await store.updateRun(run.id, { set: { finishedAt: d('2030-01-01T00:00:06.000Z') } });
        expect(await store.deleteRuns({ finishedBefore: d('2030-01-02T00:00:00.000Z') })).toBe(1);
      }),
    );

    it(
      'moves last_run_at only forward (lastRunAtNotAfter) and writes a status only for the same last run (lastRunAt)',
      withStore(async (store) => {
        await store.insertSchedule(
          createSchedule({ jobName: 'l', cronExpression: '* * * * *', jobType: 'noop' }),
        );
        const t1 = d('2030-01-01T00:01:00.000Z');
        const t2 = d('2030-01-01T00:02:00.000Z');
        // A schedule that never ran accepts any start.
        expect(
          (
            await store.updateSchedule(
              'l',
              { lastRunAt: t2, lastRunStatus: 'running' },
              { lastRunAtNotAfter: t2 },
            )
          )?.lastRunAt,
        ).toEqual(t2);
        // An older start is refused; an equal one passes.
        expect(
          await store.updateSchedule(
            'l',
            { lastRunAt: t1, lastRunStatus: 'running' },
            { lastRunAtNotAfter: t1 },
          ),
        ).toBeNull();
        expect(
          await store.updateSchedule('l', { lastRunStatus: 'running' }, { lastRunAtNotAfter: t2 }),
        ).not.toBeNull();
        // The status of the run that started at t1 is refused; the one of t2 lands.
        expect(await store.updateSchedule('l', { lastRunStatus: 'failed' }, { lastRunAt: t1 })).toBeNull();
        expect(
          (await store.updateSchedule('l', { lastRunStatus: 'cancelled' }, { lastRunAt: t2 }))?.lastRunStatus,
        ).toBe('cancelled');
        // null matches a schedule that never ran.
        await store.insertSchedule(
          createSchedule({ jobName: 'n', cronExpression: '* * * * *', jobType: 'noop' }),
        );
        expect(await store.updateSchedule('n', { description: 'x' }, { lastRunAt: null })).not.toBeNull();
        expect(await store.updateSchedule('l', { description: 'x' }, { lastRunAt: null })).toBeNull();
      }),
    );
  });
}
