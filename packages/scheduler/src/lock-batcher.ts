// Lock acquires of concurrent claims in one round trip (issue "Scale"): the claims of one batch of due schedules
// re-read their schedules in one query (due-walk.ts) and resume together, each reaching its lock acquire in the same
// turn; the acquires queued within a few microtasks of each other go to the lock as one `acquireMany` call (on
// MongoDB a bulkWrite and one read of the tokens it gave). Each acquire still answers on its own — a lease, or null
// when the key is held — exactly as `acquire` would, so a claim decides as before. A lone acquire, and every acquire
// on a lock without `acquireMany`, is sent as `acquire`, unchanged. When the batched call fails, every acquire in it
// fails (each claim then defers, as after a failed `acquire`; the lock frees what the failed call took, types.ts).
import { CallBatcher } from './call-batcher.js';
import type { Lease, LockProvider } from './types.js';

interface Acquire {
  key: string;
  owner: string;
  ttlMs: number;
}

/** Gathers the lock acquires queued together into one lock call. */
export class LockBatcher {
  readonly #batcher: CallBatcher<Acquire, Lease | null>;

  constructor(lock: LockProvider) {
    this.#batcher = new CallBatcher<Acquire, Lease | null>({
      name: 'acquireMany',
      one: ({ key, owner, ttlMs }) => lock.acquire(key, owner, ttlMs),
      many: () => {
        if (typeof lock.acquireMany !== 'function') return null;
        const acquireMany = lock.acquireMany.bind(lock);
        // One group per owner and lease length (the engine always uses its replica id and lock TTL).
        return (items) => {
          const { owner, ttlMs } = items[0] as Acquire;
          return acquireMany(
            items.map((i) => i.key),
            owner,
            ttlMs,
          );
        };
      },
      group: (i) => `${i.ttlMs}:${i.owner}`,
      // A lease for another key than asked would fence the wrong schedule's writes: refuse the answer.
      answers: (i, lease) =>
        lease === null || (lease !== undefined && lease.key === i.key && lease.owner === i.owner),
    });
  }

  /** Acquires `key` (as `acquire(key, owner, ttlMs)`), together with the other acquires queued with it. */
  acquire(key: string, owner: string, ttlMs: number): Promise<Lease | null> {
    return this.#batcher.call({ key, owner, ttlMs });
  }
}
