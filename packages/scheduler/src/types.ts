/**
 * The contracts the engine is written against: storage of schedules and runs, a lock with leases and fencing
 * tokens, and a clock. Nothing in the engine knows a database; adapters (`@craft/mongo`) implement these
 * interfaces and prove it by running the conformance suite exported at `@craft/scheduler/testing`.
 *
 * General rules for every implementation:
 * - Methods never throw for expected conflicts (a duplicate key, a failed compare-and-set, a lock that is
 *   taken); they report them through their return value. They throw only for infrastructure failures.
 * - Returned objects are copies: mutating them never changes stored state, and later writes never change
 *   objects returned earlier.
 * - Each method is atomic on its own (a single-document operation in MongoDB). No method needs a transaction.
 *
 * @module
 */

import type { JobRun, JobSchedule, RunError, RunStatus, RunTrigger } from './model.js';

/* ------------------------------------------------------------------------------------------------------------
 * Clock
 * ---------------------------------------------------------------------------------------------------------- */

/**
 * A source of time and timers. The engine reads all of its time through a clock, so tests can simulate years
 * (including DST transitions) in milliseconds with a fake clock.
 */
export interface Clock {
  /** The current instant, in epoch milliseconds. Must not go backwards within one clock instance. */
  now(): number;
  /**
   * Resolves after `ms` milliseconds of this clock's time, or as soon as `signal` aborts (it resolves, never
   * rejects, in both cases). `ms <= 0` resolves on a later tick.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Monotonic time in milliseconds from an arbitrary origin: never jumps when the wall clock is set, so it measures
   * how much time passed. The engine measures each held lease's LOCAL deadline on it (spec section 11: the send
   * time of the last successful renewal + TTL − max(1 s, TTL/5)). {@link systemClock} uses `performance.now()`,
   * `FakeClock` its fake time (so fake-time tests are exact). Optional: when a clock lacks it, the engine uses
   * {@link Clock.now} instead, which is right for any clock whose `now()` advances at the rate leases are judged
   * by. A clock whose `now()` runs faster or slower than the lock's time source (an accelerated test clock while
   * the database judges leases in real time) must provide it, in the lock's rate.
   * @default undefined (the engine falls back to now())
   */
  monotonic?(): number;
}

/* ------------------------------------------------------------------------------------------------------------
 * Lock
 * ---------------------------------------------------------------------------------------------------------- */

/** A held lock: proof of ownership until {@link Lease.expiresAt}. */
export interface Lease {
  /** The lock key, e.g. `job:nightly-cleanup`. */
  readonly key: string;
  /** The owner that acquired it (a replica id). */
  readonly owner: string;
  /**
   * Fencing token: strictly greater than every token previously handed out for the same key, forever (also
   * after the lock record expired or was garbage-collected). Unchanged by {@link LockProvider.renew}.
   */
  readonly token: number;
  /** When the lease lapses, judged by the provider's time source (the database clock for MongoDB). */
  readonly expiresAt: Date;
}

/**
 * A lock with leases and fencing tokens. Expiry is judged by the provider against ITS time source (the
 * database server's clock for MongoDB; an injected {@link Clock} for the in-memory lock), never each caller's
 * own clock, so replicas whose clocks differ by a few seconds agree on who holds a lock.
 */
export interface LockProvider {
  /**
   * Takes `key` for `owner` for `ttlMs` milliseconds.
   * - Returns a new {@link Lease} when the key is free or its lease has expired (takeover). The token is
   *   strictly greater than any token ever issued for `key`.
   * - Returns `null`, and does not throw, when an unexpired lease exists — also when `owner` itself holds it
   *   (the lock is not re-entrant).
   */
  acquire(key: string, owner: string, ttlMs: number): Promise<Lease | null>;
  /**
   * Extends a lease to `ttlMs` (default: the lease's original ttl) from the provider's now. Returns the renewed
   * lease (same token, later `expiresAt`), or `null` when the lease is no longer held by `lease.owner` with
   * `lease.token` (it expired and was taken over, or was released). A lease that expired but was not taken
   * over yet may be renewed.
   */
  renew(lease: Lease, ttlMs?: number): Promise<Lease | null>;
  /**
   * Releases a lease. Returns `true` when the lock was held by `lease.owner` with `lease.token` and is now
   * free; returns `false` and changes nothing otherwise (a non-owner, or a stale lease after a takeover).
   * Releasing never lowers the next token for the key.
   */
  release(lease: Lease): Promise<boolean>;
  /**
   * The current holder of `key`, or `null` when the key is free or its lease has expired. For diagnostics
   * and tests; never use it to decide whether to acquire (that would race).
   */
  inspect(key: string): Promise<Lease | null>;
}

/* ------------------------------------------------------------------------------------------------------------
 * Storage
 * ---------------------------------------------------------------------------------------------------------- */

/** Filter and paging for {@link ScheduleStore.listSchedules}. */
export interface ScheduleQuery {
  /** Only enabled (`true`) or disabled (`false`) schedules. @default undefined (both) */
  enabled?: boolean;
  /** Only schedules of this job type. @default undefined (all) */
  jobType?: string;
  /**
   * Only schedules whose `jobName` or `description` contains this text, compared case-insensitively (a plain
   * substring: no pattern syntax). ASCII letters ignore case on every store; other letters as the store's own
   * case folding does (JavaScript's toLowerCase in memory, the regex engine on MongoDB).
   * @default undefined (no text filter)
   */
  text?: string;
  /**
   * Only schedules whose `lastRunStatus` is one of these; `null` in the list matches schedules that never ran.
   * @default undefined (any)
   */
  lastRunStatus?: (RunStatus | null)[];
  /** Only schedules whose `jobName` sorts strictly after this (cursor paging). @default undefined */
  afterJobName?: string;
  /** At most this many schedules. @default undefined (all) */
  limit?: number;
}

/** Conditions for {@link ScheduleStore.updateSchedule}; all given conditions must hold. */
export interface ScheduleCondition {
  /**
   * Compare-and-set: the stored `nextRunAt` must equal this instant (millisecond precision), or be missing /
   * null when `null` is given.
   */
  nextRunAt?: Date | null;
  /**
   * Fencing (spec section 11): the fencing token of the lock lease `job:<jobName>` the writer holds. The write
   * applies only when the schedule's stored fencing token is missing (a schedule that no lock holder wrote yet,
   * e.g. a seed-format document) or is `<=` this one, and the same write stores this token. So once a holder with
   * a newer (greater) token has written, a stalled former holder's late write is refused (`null`), and
   * `last_run_*` and `next_run_at` only move in lock order. The stored token is storage-only: it is not a field
   * of {@link JobSchedule} (MongoDB: `lock_token`), never changes anything else, and is kept by every other
   * update (a patch without this condition leaves it as it is).
   * @default undefined (no fencing)
   */
  fencingToken?: number;
}

/** Persists schedules (collection `job_schedules` in MongoDB). */
export interface ScheduleStore {
  /** The schedule named `jobName`, or `null`. */
  getSchedule(jobName: string): Promise<JobSchedule | null>;
  /** Schedules matching `query`, sorted by `jobName` ascending (code-unit order). */
  listSchedules(query?: ScheduleQuery): Promise<JobSchedule[]>;
  /**
   * Inserts a new schedule. Returns `false`, and changes nothing, when a schedule with the same `jobName`
   * exists (unique index on `job_name`).
   */
  insertSchedule(schedule: JobSchedule): Promise<boolean>;
  /**
   * Atomically applies `patch` (only the given fields; `undefined` fields are left alone, `null` stores null)
   * when the schedule exists and every `condition` holds. Returns the updated schedule, or `null` (and changes
   * nothing) when it does not exist or a condition failed. `jobName` cannot be changed.
   */
  updateSchedule(
    jobName: string,
    patch: Partial<Omit<JobSchedule, 'jobName'>>,
    condition?: ScheduleCondition,
  ): Promise<JobSchedule | null>;
  /** Deletes a schedule. Returns `true` when it existed. Its runs are kept. */
  deleteSchedule(jobName: string): Promise<boolean>;
  /**
   * Enabled schedules that are due at `now`: `nextRunAt <= now`, or `nextRunAt` missing/null (so schedules
   * inserted straight into storage are picked up). Sorted by `nextRunAt` ascending, missing first; at most
   * `limit`. Must use an index on `(is_enabled, next_run_at)`, not a scan.
   */
  listDueSchedules(now: Date, limit: number): Promise<JobSchedule[]>;
  /** The earliest `nextRunAt` among enabled schedules, or `null` when none has one. */
  getEarliestNextRunAt(): Promise<Date | null>;
}

/** Filter and paging for {@link RunStore.listRuns}. All given filters must match. */
export interface RunQuery {
  /** Only runs of this schedule. */
  jobName?: string;
  /** Only runs of this job type. */
  jobType?: string;
  /** Only runs with one of these statuses. */
  status?: RunStatus[];
  /** Only runs with this trigger. */
  trigger?: RunTrigger;
  /** Only chained runs of this parent. */
  parentRunId?: string;
  /** Only runs whose slot is at or after this instant. */
  slotFrom?: Date;
  /** Only runs whose slot is strictly before this instant. */
  slotTo?: Date;
  /** Only runs created at or after this instant (manual and chained runs included: every run has one). */
  createdFrom?: Date;
  /** Only runs created strictly before this instant. */
  createdTo?: Date;
  /**
   * `true`: only runs whose lease is free — `leaseOwner` null or `leaseExpiresAt <= now` of the STORE's time
   * source. Used to find runs of dead replicas.
   */
  leaseExpired?: boolean;
  /**
   * Sort order by `createdAt`; ties are broken by insertion order (reversed for `desc`), never by `id` (run ids
   * are random). Insertion order is exact for runs inserted one after another through one store instance; runs
   * inserted concurrently, or by different processes in the same millisecond, may be ordered by a key of the
   * store's own that follows insertion per client (MongoDB: the ObjectId `_id` the inserting client generates).
   * @default 'desc'
   */
  order?: 'asc' | 'desc';
  /** Skip this many matches (for paging). @default 0 */
  offset?: number;
  /** At most this many runs. @default undefined (all) */
  limit?: number;
}

/** Conditions for {@link RunStore.updateRun}; all given conditions must hold. */
export interface RunCondition {
  /** The stored status must be one of these. */
  status?: RunStatus[];
  /** The stored `leaseOwner` must equal this (`null`: must be null). */
  leaseOwner?: string | null;
  /** The stored `fencingToken` must equal this (`null`: must be null). */
  fencingToken?: number | null;
  /**
   * `true`: the lease must be free (`leaseOwner` null or `leaseExpiresAt <= now` of the store's time source);
   * `false`: the lease must be held and unexpired.
   */
  leaseExpired?: boolean;
  /**
   * The stored run must have exactly this many attempts (`attempts.length`). Final and bookkeeping writes carry
   * the attempt number they belong to, so a retried or late-landing write of an earlier attempt can never
   * overwrite a later one (the writes stay idempotent).
   * @default undefined (any)
   */
  attemptCount?: number;
}

/** A change to a run for {@link RunStore.updateRun}. */
export interface RunUpdate {
  /** Fields to set (only the given ones; `null` stores null). `id`, `runKey` and `createdAt` cannot change. */
  set?: Partial<Omit<JobRun, 'id' | 'runKey' | 'createdAt' | 'updatedAt'>>;
  /**
   * When given, sets `leaseExpiresAt` to the STORE's now plus this many milliseconds (so lease expiry is
   * judged by one time source shared by all replicas). Overrides `set.leaseExpiresAt`.
   */
  leaseForMs?: number;
}

/** Persists runs: the run ledger and history (collection `job_runs` in MongoDB). */
export interface RunStore {
  /**
   * Inserts a run. Returns `false`, and changes nothing, when a run with the same `runKey` (or `id`) exists.
   * The uniqueness of `runKey` (a unique index) is what makes claiming a slot exactly-once: the engine treats
   * `false` as "already claimed by someone else". When `run.leaseOwner` is set and `leaseForMs` is given, the
   * store sets `leaseExpiresAt` from its own clock, as {@link RunUpdate.leaseForMs} does.
   */
  insertRun(run: JobRun, options?: { leaseForMs?: number }): Promise<boolean>;
  /** The run with this id, or `null`. */
  getRun(id: string): Promise<JobRun | null>;
  /** The run with this run key, or `null`. */
  getRunByKey(runKey: string): Promise<JobRun | null>;
  /**
   * Atomically applies `update` when the run exists and every `condition` holds; also sets `updatedAt` to the
   * store's now. Returns the updated run, or `null` (and changes nothing) otherwise. This compare-and-set is
   * how a stale lock holder is kept from overwriting a newer holder's result.
   */
  updateRun(id: string, update: RunUpdate, condition?: RunCondition): Promise<JobRun | null>;
  /** Runs matching `query`. */
  listRuns(query?: RunQuery): Promise<JobRun[]>;
  /** Number of runs matching `query` (paging fields are ignored). */
  countRuns(query?: RunQuery): Promise<number>;
  /**
   * Deletes runs in a final status whose `finishedAt` is strictly before `finishedBefore`. Never deletes live
   * (`pending`/`running`) runs. Returns the number deleted.
   */
  deleteRuns(filter: { finishedBefore: Date }): Promise<number>;
}

/** The storage the engine needs: schedules and runs (one object may implement both). */
export interface SchedulerStore extends ScheduleStore, RunStore {}

/* ------------------------------------------------------------------------------------------------------------
 * Logging
 * ---------------------------------------------------------------------------------------------------------- */

/** A minimal structured logger (pino- and console-compatible in shape). */
export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/* ------------------------------------------------------------------------------------------------------------
 * Events
 * ---------------------------------------------------------------------------------------------------------- */

/**
 * Events emitted by a `JobScheduler` (names follow `area:action`), with their payloads. Listeners must not
 * throw; an exception thrown by a listener is logged and otherwise ignored.
 */
export interface SchedulerEventMap {
  /** A run record was created by this replica (claimed slot, chained or manual run), status `pending`. */
  'run:created': { run: JobRun };
  /** An attempt started (`run.attempts` ends with the running attempt). */
  'run:started': { run: JobRun; attempt: number };
  /** The run succeeded. */
  'run:succeeded': { run: JobRun; durationMs: number };
  /** An attempt failed or timed out and another attempt follows after `delayMs`. */
  'run:retrying': { run: JobRun; attempt: number; delayMs: number; error: RunError };
  /** The run failed for good (its last attempt failed, or its parameters are invalid). */
  'run:failed': { run: JobRun; error: RunError };
  /** The run's last attempt exceeded its timeout. */
  'run:timed_out': { run: JobRun };
  /** A slot (or a chained run of a disabled schedule) was recorded as skipped. */
  'run:skipped': { run: JobRun; reason: string };
  /** A run of a dead replica was found; `retried` tells whether it went back to `pending`. */
  'run:abandoned': { run: JobRun; retried: boolean };
  /**
   * This replica stopped being responsible for a run (spec section 11), and writes nothing more for it: its local
   * lease deadline passed before a renewal succeeded (`reason: 'deadline'`), or a renewal or a fenced write found the
   * lease taken over (`'taken_over'`). `during`: in an attempt (the handler's signal was aborted just now), in a
   * write (a start, result or chain write could not be made in time), or while queued (a chained run not started).
   * `deadline` is the local deadline as an estimate on the scheduler's clock. Emitted when it happens, not when an
   * aborted handler settles. Another replica recovers the run after its lease expired by the store's clock.
   */
  'run:lease_lost': {
    run: JobRun;
    reason: 'deadline' | 'taken_over';
    deadline: Date;
    during: 'attempt' | 'write' | 'queued';
  };
  /** One pass of `checkAndRunDueJobs()` finished claiming (runs may still be executing). */
  'cycle:completed': { triggered: number; skipped: number; deferred: number; durationMs: number };
  /** A pass threw; the loop runner logs it and keeps going. */
  'cycle:failed': { error: unknown };
  /** A lock was held by someone else, so the schedule (or run) was deferred to a later cycle. */
  'lock:contended': { key: string; jobName: string | null };
  /** A schedule's `nextRunAt` was computed or repaired outside a claim. */
  'schedule:repaired': { jobName: string; previous: Date | null; nextRunAt: Date | null };
  /** The loop runner started. */
  'scheduler:started': { replicaId: string };
  /** The loop runner stopped (after draining). */
  'scheduler:stopped': { replicaId: string };
}

/** A name of a {@link SchedulerEventMap} event. */
export type SchedulerEventName = keyof SchedulerEventMap;
