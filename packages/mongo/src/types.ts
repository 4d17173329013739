import type { Clock } from '@craft/scheduler';
import type { WriteConcernOption } from './write-concern.js';

/** Receives the adapter's warnings (e.g. a TTL index it could not adjust). Console-compatible. */
export interface MongoAdapterLogger {
  /** Logs a warning. */
  warn(message: string, data?: Record<string, unknown>): void;
}

/** Options of {@link MongoSchedulerStore}. */
export interface MongoSchedulerStoreOptions {
  /** Collection of schedules (spec section 1). @default 'job_schedules' */
  schedulesCollection?: string;
  /** Collection of runs: the run ledger and history. @default 'job_runs' */
  runsCollection?: string;
  /** Collection of idempotency keys (`IdempotencyStore`; unique `(scope, key)`). @default 'idempotency_keys' */
  idempotencyCollection?: string;
  /**
   * Garbage collection of idempotency keys: on MongoDB a TTL index deletes a key document this many seconds after it
   * was reserved. Must exceed every key's lifetime (a longer `ttlMs` is refused); expiry itself is decided in the
   * queries, so the TTL index never decides whether a key still counts.
   * @default 172800 (2 days; the API keeps keys 24 h)
   */
  idempotencyGcAfterSeconds?: number;
  /** Collection of the event log (`EventLogStore`, spec section 12). @default 'job_events' */
  eventsCollection?: string;
  /**
   * Garbage collection of events on MongoDB: a TTL index deletes an event this many seconds after its `at`. At
   * least 7 days (readers keep events 7 days, and the writers and `cleanup_run_history` delete older ones
   * themselves, so retention never depends on it; the test server ignores TTL indexes).
   * @default 691200 (8 days)
   */
  eventsGcAfterSeconds?: number;
  /**
   * Collection of the scheduler's own state: one document, `{ _id: 'global_pause' }`, the global pause (spec
   * section 10). @default 'scheduler_state'
   */
  stateCollection?: string;
  /**
   * Time source for run leases (`leaseForMs`, `leaseExpired`) and `updatedAt`. Unset: the database server's
   * clock (`$currentDate` / `$$NOW`), shared by every replica whatever their own clocks say. Set: this clock
   * (simulated-time tests; every store and lock of a simulation must share the same instance).
   * @default undefined (the server's clock)
   */
  clock?: Clock;
  /**
   * Write concern of every write. `'auto'`: `{ w: 'majority', wtimeoutMS: operationTimeoutMs }`, on every
   * deployment (on a standalone server majority is the one node). Explicit settings replace it (a missing
   * `wtimeoutMS` becomes `operationTimeoutMs`); `w: 0` is refused with `MongoInvalidOptionError`. Whatever this says,
   * reads are pinned to the primary with read concern `majority`. The URI's and the `Db`'s own read preference,
   * read concern and write concern are never used (a URI cannot weaken them).
   * @default 'auto'
   */
  writeConcern?: WriteConcernOption;
  /**
   * The bound of every operation, in ms: sent as the server's `maxTimeMS`, used as the default `wtimeoutMS`, and
   * enforced by the adapter itself (+1 s) so a connection that never answers fails with `MongoTimeoutError`.
   * Keep it shorter than the scheduler's lease deadline (`lockTtlMs` − max(1 s, lockTtlMs/5)).
   * @default 10000
   */
  operationTimeoutMs?: number;
  /** Where warnings go. @default console */
  logger?: MongoAdapterLogger;
  /**
   * Ensure the indexes (as {@link MongoSchedulerStore.ensureIndexes}) before the first operation of this
   * instance. The unique `run_key` index is what makes claims exactly-once, so it is on by default; turn it off
   * when indexes are managed by a migration and the application's database user may not create indexes.
   * @default true
   */
  autoIndex?: boolean;
}

/** Options of {@link DistributedLock}. */
export interface DistributedLockOptions {
  /**
   * Lease length, in seconds, of `acquire(key, owner)` called without a ttl. The scheduler passes its own
   * `lockTtlMs` and renews leases while a job runs, so a short lease is safe.
   * @default 3600
   */
  ttlSeconds?: number;
  /** Collection of lock documents (one per key, unique index on `lock_key`). @default 'job_locks' */
  collectionName?: string;
  /**
   * Collection of fencing-token counters (one document per key, `{ _id: key, seq }`). Never garbage-collected,
   * so tokens keep increasing after lock documents are deleted. @default `${collectionName}_tokens`
   */
  tokenCollectionName?: string;
  /**
   * Time source judging expiry. Unset: the database server's clock (`$$NOW`), so replicas with skewed clocks
   * agree. Set: this clock, which every lock and store of a simulation must share.
   * @default undefined (the server's clock)
   */
  clock?: Clock;
  /**
   * Write concern of lock writes, as for the store: `'auto'` is `{ w: 'majority', wtimeoutMS: operationTimeoutMs }`;
   * `w: 0` is refused. Reads (lock checks) are pinned to the primary with read concern `majority`.
   * @default 'auto'
   */
  writeConcern?: WriteConcernOption;
  /** The bound of every lock operation, in ms (as for the store). @default 10000 */
  operationTimeoutMs?: number;
  /**
   * Garbage collection horizon: on MongoDB a TTL index deletes a lock document this many seconds after its last
   * acquire or renewal. Must exceed every lease (a longer lease is rejected). GC only removes dead documents;
   * it never decides whether a lock is free, and fencing tokens survive it.
   * @default 604800 (7 days)
   */
  gcAfterSeconds?: number;
  /** Where warnings go. @default console */
  logger?: MongoAdapterLogger;
  /**
   * Ensure the indexes (as {@link DistributedLock.ensureIndexes}) before the first operation of this instance.
   * Without the unique `lock_key` index two replicas could both create a lock document for one key, so it is on
   * by default; turn it off when indexes are managed by a migration.
   * @default true
   */
  autoIndex?: boolean;
}
