// Run inserts of concurrent claims in one round trip (issue "Scale"): the claims of one batch of due schedules reach
// their first insert together (due-walk.ts lines them up once each holds its lock), and the inserts queued within a
// few microtasks of each other go to the store as one `insertRuns` call (a MongoDB bulkWrite). Each insert still
// answers on its own — inserted, or its key taken — so a claim decides exactly as with its own `insertRun`. A lone
// insert (a single claim, a chained run, a manual run) is sent as `insertRun`, unchanged. When the bulk call fails,
// every insert in it fails: each claim retries its own (guarded-writes.ts `create`), recognising a run that landed
// by its id, as after any lost acknowledgement.

import { CallBatcher } from './call-batcher.js';
import type { JobRun } from './model.js';
import type { SchedulerStore } from './types.js';

interface Insert {
  run: JobRun;
  leaseForMs: number | undefined;
}

/** Gathers the run inserts queued together into one store call. */
export class InsertBatcher {
  readonly #batcher: CallBatcher<Insert, boolean>;

  constructor(store: SchedulerStore) {
    const single = ({ run, leaseForMs }: Insert) =>
      leaseForMs === undefined ? store.insertRun(run) : store.insertRun(run, { leaseForMs });
    this.#batcher = new CallBatcher<Insert, boolean>({
      name: 'insertRuns',
      one: single,
      many: () => {
        if (typeof store.insertRuns !== 'function') return null;
        const insertRuns = store.insertRuns.bind(store);
        // One group per lease length (every engine insert uses the lock TTL; kept apart in case one does not).
        return (items) => {
          const leaseForMs = items[0]?.leaseForMs;
          const runs = items.map((i) => i.run);
          return leaseForMs === undefined ? insertRuns(runs) : insertRuns(runs, { leaseForMs });
        };
      },
      group: (i) => String(i.leaseForMs),
      answers: (_, inserted) => typeof inserted === 'boolean',
    });
  }

  /** Inserts `run` (as `insertRun(run, { leaseForMs })`), together with the other inserts queued with it. */
  insert(run: JobRun, leaseForMs: number | undefined): Promise<boolean> {
    return this.#batcher.call({ run, leaseForMs });
  }
}
