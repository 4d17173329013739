// The guarded writes of runs and schedules, and the lock releases, of concurrent claims and runs in one round trip
// each (issue "Scale"). The claims of one batch of due schedules resume together from their batched lock acquire
// (lock-batcher.ts), so their compare-and-sets reach the store in the same turn, then their runs' starts, their ends,
// their schedules' `last_run_*` and their lock releases: the writes queued within a few microtasks of each other go
// out as one `updateSchedules`, `updateRuns` or `releaseMany` call (on MongoDB a bulkWrite plus one read of what it
// wrote). Each write still answers on its own, exactly as its single call would — the record as written, or null
// when its condition (fencing token, status, compare-and-set) did not hold — so every transition decides as before.
// A lone write, and every write to a store or lock without the batched call, is sent alone, unchanged. When the
// batched call fails, every write in it fails: each is retried on its own until the lease deadline and recognised
// when it landed (guarded-writes.ts), as after any lost acknowledgement.
import { CallBatcher } from './call-batcher.js';
import type { JobRun, JobSchedule } from './model.js';
import type { Lease, LockProvider, RunWrite, SchedulerStore, ScheduleWrite } from './types.js';

/** Run writes (`updateRun`) queued together, sent as one `updateRuns`. */
export function runWriteBatcher(store: SchedulerStore): CallBatcher<RunWrite, JobRun | null> {
  return new CallBatcher<RunWrite, JobRun | null>({
    name: 'updateRuns',
    one: (w) => store.updateRun(w.id, w.update, w.condition),
    many: () => (typeof store.updateRuns === 'function' ? store.updateRuns.bind(store) : null),
    // An answer for another run would be taken for this one's write: refuse it.
    answers: (w, run) => run === null || (run !== undefined && run.id === w.id),
  });
}

/** Schedule writes (`updateSchedule`) queued together, sent as one `updateSchedules`. */
export function scheduleWriteBatcher(store: SchedulerStore): CallBatcher<ScheduleWrite, JobSchedule | null> {
  return new CallBatcher<ScheduleWrite, JobSchedule | null>({
    name: 'updateSchedules',
    one: (w) =>
      w.options === undefined
        ? store.updateSchedule(w.jobName, w.patch, w.condition)
        : store.updateSchedule(w.jobName, w.patch, w.condition, w.options),
    many: () => (typeof store.updateSchedules === 'function' ? store.updateSchedules.bind(store) : null),
    answers: (w, s) => s === null || (s !== undefined && s.jobName === w.jobName),
  });
}

/** Lock releases queued together, sent as one `releaseMany` (the engine does not read a release's answer). */
export function releaseBatcher(lock: LockProvider): CallBatcher<Lease, void> {
  return new CallBatcher<Lease, void>({
    name: 'releaseMany',
    one: async (lease) => {
      await lock.release(lease);
    },
    many: () => {
      if (typeof lock.releaseMany !== 'function') return null;
      const releaseMany = lock.releaseMany.bind(lock);
      return async (leases) => {
        await releaseMany(leases);
        return leases.map(() => undefined);
      };
    },
  });
}
