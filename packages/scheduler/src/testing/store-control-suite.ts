// The store contract of per-schedule control (spec section 10): the new schedule fields round-trip, the due query
// follows the due instant (next_due_at) and still serves documents without it, failures are counted once per run,
// the pause conditions hold, and the global pause is one shared record.
import { createSchedule, type JobSchedule } from '../model.js';
import type { GlobalPauseState, SchedulerStore } from '../types.js';
import type { StoreSuiteOptions } from './store-suite.js';
import { makeTime, type SuiteTestApi } from './types.js';

const d = (iso: string) => new Date(iso);

/** Registers the per-schedule control tests of the storage contract (part of `storeSuite`). */
export function storeControlSuite(api: SuiteTestApi, options: StoreSuiteOptions): void {
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
  const schedule = (jobName: string, fields: Partial<JobSchedule>) =>
    createSchedule({ jobName, cronExpression: '0 * * * *', jobType: 'noop', ...fields });

  describe('Store: per-schedule control', () => {
    it(
      'round-trips the control fields of a schedule',
      withStore(async (store) => {
        const s = schedule('control', {
          dstGap: 'shift',
          dstOverlap: 'both',
          jitterSeconds: 900,
          nextRunAt: d('2030-01-01T01:00:00.000Z'),
          nextDueAt: d('2030-01-01T01:07:13.120Z'),
          pauseAfterFailures: 3,
          consecutiveFailures: 2,
          isEnabled: false,
          pausedReason: 'incident 42',
          pausedAt: d('2030-01-01T00:30:00.000Z'),
          pausedBy: 'alice',
          updatedBy: 'alice',
          managedBy: 'sync',
        });
        expect(await store.insertSchedule(s)).toBe(true);
        expect(await store.getSchedule('control')).toEqual(s);
      }),
    );

    it(
      'lists schedules as due by next_due_at, and by next_run_at where next_due_at is missing',
      withStore(async (store) => {
        const now = d('2030-01-01T01:05:00.000Z');
        // Slot passed, due instant (slot + jitter) not yet: not due.
        await store.insertSchedule(
          schedule('jitter-later', {
            nextRunAt: d('2030-01-01T01:00:00.000Z'),
            nextDueAt: d('2030-01-01T01:09:00.000Z'),
          }),
        );
        await store.insertSchedule(
          schedule('jitter-due', {
            nextRunAt: d('2030-01-01T01:00:00.000Z'),
            nextDueAt: d('2030-01-01T01:04:00.000Z'),
          }),
        );
        // Without next_due_at (written by another program or an older version): due by next_run_at.
        await store.insertSchedule(schedule('legacy-due', { nextRunAt: d('2030-01-01T01:02:00.000Z') }));
        await store.insertSchedule(schedule('legacy-later', { nextRunAt: d('2030-01-01T02:00:00.000Z') }));
        await store.insertSchedule(schedule('fresh', {}));
        const due = (await store.listDueSchedules(now, 10)).map((s) => s.jobName);
        // Missing first, then by due instant (legacy-due at 01:02 by next_run_at, jitter-due at 01:04).
        expect(due).toEqual(['fresh', 'legacy-due', 'jitter-due']);
        expect(await store.getEarliestNextRunAt()).toEqual(d('2030-01-01T01:02:00.000Z'));
        await store.updateSchedule('legacy-due', { isEnabled: false, nextRunAt: null });
        await store.updateSchedule('jitter-due', { isEnabled: false, nextRunAt: null, nextDueAt: null });
        await store.updateSchedule('fresh', { isEnabled: false });
        expect(await store.getEarliestNextRunAt()).toEqual(d('2030-01-01T01:09:00.000Z'));
      }),
    );

    it(
      'counts a failed run once even when the write is retried, and a success resets the count',
      withStore(async (store) => {
        await store.insertSchedule(schedule('count', {}));
        const fail = (runId: string) =>
          store.updateSchedule(
            'count',
            { lastRunStatus: 'failed' },
            {},
            { countRun: { runId, outcome: 'failure' } },
          );
        expect((await fail('r1'))?.consecutiveFailures).toBe(1);
        // The same run's write again (its first acknowledgement was lost): not counted twice, still applied.
        const again = await store.updateSchedule(
          'count',
          { lastRunStatus: 'timed_out' },
          {},
          { countRun: { runId: 'r1', outcome: 'failure' } },
        );
        expect(again?.consecutiveFailures).toBe(1);
        expect(again?.lastRunStatus).toBe('timed_out');
        expect((await fail('r2'))?.consecutiveFailures).toBe(2);
        // A fenced write refused by its token counts nothing.
        await store.updateSchedule('count', {}, { fencingToken: 9 });
        expect(
          await store.updateSchedule(
            'count',
            {},
            { fencingToken: 3 },
            { countRun: { runId: 'r3', outcome: 'failure' } },
          ),
        ).toBeNull();
        expect((await store.getSchedule('count'))?.consecutiveFailures).toBe(2);
        const ok = await store.updateSchedule(
          'count',
          { lastRunStatus: 'succeeded' },
          {},
          { countRun: { runId: 'r4', outcome: 'success' } },
        );
        expect(ok?.consecutiveFailures).toBe(0);
        expect((await fail('r5'))?.consecutiveFailures).toBe(1);
      }),
    );

    it(
      'applies a write conditioned on is_enabled and consecutive_failures only while both hold',
      withStore(async (store) => {
        await store.insertSchedule(schedule('cond', { consecutiveFailures: 3 }));
        expect(await store.updateSchedule('cond', { pausedBy: 'auto' }, { isEnabled: false })).toBeNull();
        expect(
          await store.updateSchedule('cond', { pausedBy: 'auto' }, { consecutiveFailures: 2 }),
        ).toBeNull();
        const r = await store.updateSchedule(
          'cond',
          { isEnabled: false, pausedBy: 'auto' },
          { isEnabled: true, consecutiveFailures: 3 },
        );
        expect(r?.isEnabled).toBe(false);
        expect(await store.updateSchedule('cond', { pausedBy: 'x' }, { isEnabled: true })).toBeNull();
        expect((await store.getSchedule('cond'))?.pausedBy).toBe('auto');
        await store.insertSchedule(schedule('zero', {}));
        expect(
          (await store.updateSchedule('zero', { pausedBy: 'y' }, { consecutiveFailures: 0 }))?.pausedBy,
        ).toBe('y');
      }),
    );

    it(
      'keeps one global pause state: not paused until set, then exactly as set',
      withStore(async (store) => {
        expect(await store.getGlobalPause()).toEqual({
          paused: false,
          reason: null,
          since: null,
          by: null,
          windows: [],
        });
        const state: GlobalPauseState = {
          paused: true,
          reason: 'incident 7',
          since: d('2030-01-01T02:00:00.000Z'),
          by: 'alice',
          windows: [
            { from: d('2030-01-01T00:00:00.000Z'), to: d('2030-01-01T00:30:00.000Z'), catchUp: true },
          ],
        };
        await store.setGlobalPause(state);
        expect(await store.getGlobalPause()).toEqual(state);
        const resumed = { ...state, paused: false, reason: null, since: null };
        await store.setGlobalPause(resumed);
        expect(await store.getGlobalPause()).toEqual(resumed);
      }),
    );
  });
}
