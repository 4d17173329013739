// Run inserts of concurrent claims in one round trip (issue "Scale"): the claims of one batch of due schedules reach
// their first insert together (due-walk.ts lines them up once each holds its lock), and the inserts queued within a
// few microtasks of each other go to the store as one `insertRuns` call (a MongoDB bulkWrite). Each insert still
// answers on its own — inserted, or its key taken — so a claim decides exactly as with its own `insertRun`. A lone
// insert (a single claim, a chained run, a manual run) is sent as `insertRun`, unchanged. When the bulk call fails,
// every insert in it fails: each claim retries its own (guarded-writes.ts `create`), recognising a run that landed
// by its id, as after any lost acknowledgement.

import { flushAfterMicrotasks } from './microtask-flush.js';
import type { JobRun } from './model.js';
import type { SchedulerStore } from './types.js';

interface Queued {
  run: JobRun;
  resolve(inserted: boolean): void;
  reject(error: unknown): void;
}

/** Gathers the run inserts queued together into one store call. */
export class InsertBatcher {
  readonly #store: SchedulerStore;
  // Per lease length (every engine insert uses the lock TTL; kept apart in case one does not).
  readonly #queues = new Map<number | undefined, Queued[]>();
  #scheduled = false;

  constructor(store: SchedulerStore) {
    this.#store = store;
  }

  /** Inserts `run` (as `insertRun(run, { leaseForMs })`), together with the other inserts queued with it. */
  insert(run: JobRun, leaseForMs: number | undefined): Promise<boolean> {
    if (typeof this.#store.insertRuns !== 'function') return this.#single(run, leaseForMs);
    return new Promise<boolean>((resolve, reject) => {
      const queue = this.#queues.get(leaseForMs);
      if (queue) queue.push({ run, resolve, reject });
      else this.#queues.set(leaseForMs, [{ run, resolve, reject }]);
      if (!this.#scheduled) {
        this.#scheduled = true;
        flushAfterMicrotasks(() => this.#flush());
      }
    });
  }

  #single(run: JobRun, leaseForMs: number | undefined): Promise<boolean> {
    return leaseForMs === undefined ? this.#store.insertRun(run) : this.#store.insertRun(run, { leaseForMs });
  }

  #flush(): void {
    this.#scheduled = false;
    const queues = [...this.#queues.entries()];
    this.#queues.clear();
    for (const [leaseForMs, queue] of queues) {
      if (queue.length === 1) {
        const only = queue[0] as Queued;
        this.#single(only.run, leaseForMs).then(only.resolve, only.reject);
        continue;
      }
      const runs = queue.map((q) => q.run);
      const call = (this.#store.insertRuns as NonNullable<SchedulerStore['insertRuns']>).bind(this.#store);
      let sent: Promise<boolean[]>;
      try {
        sent = leaseForMs === undefined ? call(runs) : call(runs, { leaseForMs });
      } catch (error) {
        sent = Promise.reject(error);
      }
      sent.then(
        (results) => {
          queue.forEach((q, i) => {
            const r = results[i];
            if (typeof r === 'boolean') q.resolve(r);
            else q.reject(new Error(`insertRuns answered ${results.length} results for ${runs.length} runs`));
          });
        },
        (error: unknown) => {
          for (const q of queue) q.reject(error);
        },
      );
    }
  }
}
