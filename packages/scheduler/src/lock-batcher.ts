// Lock acquires of concurrent claims in one round trip (issue "Scale"): the claims of one batch of due schedules
// re-read their schedules in one query (due-walk.ts) and resume together, each reaching its lock acquire in the same
// turn; the acquires queued within a few microtasks of each other go to the lock as one `acquireMany` call (on
// MongoDB a bulkWrite and one read of the tokens it gave). Each acquire still answers on its own — a lease, or null
// when the key is held — exactly as `acquire` would, so a claim decides as before. A lone acquire, and every acquire
// on a lock without `acquireMany`, is sent as `acquire`, unchanged. When the batched call fails, every acquire in it
// fails (each claim then defers, as after a failed `acquire`; a lease the call took lapses on its own).
import { flushAfterMicrotasks } from './microtask-flush.js';
import type { Lease, LockProvider } from './types.js';

interface Queued {
  key: string;
  resolve(lease: Lease | null): void;
  reject(error: unknown): void;
}

/** Gathers the lock acquires queued together into one lock call. */
export class LockBatcher {
  readonly #lock: LockProvider;
  // Per owner and lease length (the engine always uses its replica id and lock TTL; kept apart in case not).
  readonly #queues = new Map<string, { owner: string; ttlMs: number; queue: Queued[] }>();
  #scheduled = false;

  constructor(lock: LockProvider) {
    this.#lock = lock;
  }

  /** Acquires `key` (as `acquire(key, owner, ttlMs)`), together with the other acquires queued with it. */
  acquire(key: string, owner: string, ttlMs: number): Promise<Lease | null> {
    if (typeof this.#lock.acquireMany !== 'function') return this.#lock.acquire(key, owner, ttlMs);
    return new Promise<Lease | null>((resolve, reject) => {
      const id = `${ttlMs}:${owner}`;
      const group = this.#queues.get(id);
      if (group) group.queue.push({ key, resolve, reject });
      else this.#queues.set(id, { owner, ttlMs, queue: [{ key, resolve, reject }] });
      if (!this.#scheduled) {
        this.#scheduled = true;
        flushAfterMicrotasks(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const groups = [...this.#queues.values()];
    this.#queues.clear();
    for (const { owner, ttlMs, queue } of groups) {
      if (queue.length === 1) {
        const only = queue[0] as Queued;
        this.#lock.acquire(only.key, owner, ttlMs).then(only.resolve, only.reject);
        continue;
      }
      const keys = queue.map((q) => q.key);
      let sent: Promise<(Lease | null)[]>;
      try {
        sent = (this.#lock.acquireMany as NonNullable<LockProvider['acquireMany']>).call(
          this.#lock,
          keys,
          owner,
          ttlMs,
        );
      } catch (error) {
        sent = Promise.reject(error);
      }
      sent.then(
        (leases) => {
          queue.forEach((q, i) => {
            const lease = leases[i];
            // A lease for another key than asked would fence the wrong schedule's writes: refuse the answer.
            if (lease === null) q.resolve(null);
            else if (lease !== undefined && lease.key === q.key && lease.owner === owner) q.resolve(lease);
            else q.reject(new Error(`acquireMany answered ${leases.length} results for ${keys.length} keys`));
          });
        },
        (error: unknown) => {
          for (const q of queue) q.reject(error);
        },
      );
    }
  }
}
