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
   * Optional: takes several keys for `owner` in one call (the engine sends the lock acquires of one batch of due
   * schedules together, lock-batcher.ts). Answers one entry per key, in order, each exactly what
   * `acquire(key, owner, ttlMs)` would have answered (a key listed twice is granted at most once: the lock is not
   * re-entrant). When it throws, none of the keys may be assumed taken, and it must hold none of them: a step still
   * on its way when another key failed must not take its key later, and what it took is freed (or, when the
   * database cannot be reached to free it, lapses at its lease's expiry).
   */
  acquireMany?(keys: readonly string[], owner: string, ttlMs: number): Promise<(Lease | null)[]>;
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
   * Optional: releases several leases in one call (the engine sends the releases of runs that end together,
   * write-batchers.ts): each exactly as {@link release} would — freed when `lease.owner` still holds it with
   * `lease.token`, unchanged otherwise. Returns how many were freed. When it throws, any of them may or may not
   * have been freed (a lease left held lapses on its own).
   */
  releaseMany?(leases: readonly Lease[]): Promise<number>;
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
  /**
   * Only schedules with one of these names (the engine re-reads a batch of due schedules in one query before
   * claiming them). An empty list matches none. @default undefined (any name)
   */
  jobNames?: readonly string[];
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
  /**
   * Compare-and-set on the definition: the stored {@link JobSchedule.version} must equal this (`0` also matches a
   * schedule stored without a version, as another program may write one).
   */
  version?: number;
  /** The stored `isEnabled` must equal this (a missing field counts as `true`). @default undefined */
  isEnabled?: boolean;
  /** The stored `consecutiveFailures` must equal this (a missing field counts as 0). @default undefined */
  consecutiveFailures?: number;
  /**
   * The stored `lastRunAt` must equal this instant (millisecond precision), or be missing / null when `null` is
   * given: "the schedule's last run is still the one I started" (runs of an `overlap_policy: allow` schedule, which
   * hold no schedule lock, write their final `last_run_status` with it). @default undefined
   */
  lastRunAt?: Date | null;
  /**
   * The stored `lastRunAt` must be missing, null, or not after this instant, so `last_run_at` only moves forward
   * (the start of a run of an `overlap_policy: allow` schedule). @default undefined
   */
  lastRunAtNotAfter?: Date;
}

/** Effects of {@link ScheduleStore.updateSchedule} beyond setting fields (spec section 10). */
export interface ScheduleUpdateOptions {
  /**
   * Counts a finished run in `consecutiveFailures`, once per run: `'failure'` adds 1 (a missing count is 0),
   * `'success'` sets 0. The store keeps the id of the last run it counted (storage-only, like the fencing token;
   * MongoDB: `counted_run_id`), and when that already is `runId` (a retried write whose first try landed, its
   * acknowledgement lost) the count is left as it is while the rest of the write still applies. So the count is
   * exact under retries, and costs no extra round trip on the write that records the run's `last_run_status`.
   * @default undefined (the count is not touched)
   */
  countRun?: { runId: string; outcome: 'failure' | 'success' };
}

/** One write of {@link ScheduleStore.updateSchedules}: the arguments of one `updateSchedule` call. */
export interface ScheduleWrite {
  jobName: string;
  patch: Partial<Omit<JobSchedule, 'jobName'>>;
  condition?: ScheduleCondition;
  options?: ScheduleUpdateOptions;
}

/** One write of {@link RunStore.updateRuns}: the arguments of one `updateRun` call. */
export interface RunWrite {
  id: string;
  update: RunUpdate;
  condition?: RunCondition;
}

/** A pause window that ended (see {@link GlobalPauseState.windows}). */
export interface PauseWindow {
  /** When the pause began. */
  from: Date;
  /** When it was resumed. */
  to: Date;
  /** The resume asked to catch up: slots due in the window follow each schedule's missed-run policy. */
  catchUp: boolean;
}

/**
 * The global pause for incidents (spec section 10): while `paused`, no replica triggers any slot (runs in flight
 * finish; recovery of runs that were in flight goes on). Slots due inside an ended window whose resume did not ask to
 * catch up are recorded `skipped` (reason `paused`) by the next claim.
 */
export interface GlobalPauseState {
  /** Whether triggering is paused now. */
  paused: boolean;
  /** Why (free text), while paused. @default null */
  reason: string | null;
  /** When the current pause began. @default null */
  since: Date | null;
  /** Who paused (a token's `sub`, `cli`, `code`). @default null */
  by: string | null;
  /** The most recent ended pauses (at most 20, oldest first). @default [] */
  windows: PauseWindow[];
}

/** Persists schedules (collection `job_schedules` in MongoDB). */
export interface ScheduleStore {
  /** The schedule named `jobName`, or `null`. */
  getSchedule(jobName: string): Promise<JobSchedule | null>;
  /** Schedules matching `query`, sorted by `jobName` ascending (code-unit order). */
  listSchedules(query?: ScheduleQuery): Promise<JobSchedule[]>;
  /**
   * Inserts a new schedule with `version` 1 (whatever `schedule.version` says: the store maintains it). Returns
   * `false`, and changes nothing, when a schedule with the same `jobName` exists (unique index on `job_name`).
   */
  insertSchedule(schedule: JobSchedule): Promise<boolean>;
  /**
   * Atomically applies `patch` (only the given fields; `undefined` fields are left alone, `null` stores null)
   * when the schedule exists and every `condition` holds. Returns the updated schedule, or `null` (and changes
   * nothing) when it does not exist or a condition failed. `jobName` cannot be changed.
   *
   * `version` is the store's: a `version` in `patch` is ignored, and the same atomic write increments the stored
   * version by one exactly when `patch` sets a field of `SCHEDULE_VERSIONED_FIELDS` (a user's edit), never for the
   * engine's `nextRunAt` / `lastRun*` writes. The returned schedule is exactly the result of this write (its
   * version included), also under concurrent updates.
   * `options` adds the counted effects of {@link ScheduleUpdateOptions} to the same atomic write.
   */
  updateSchedule(
    jobName: string,
    patch: Partial<Omit<JobSchedule, 'jobName'>>,
    condition?: ScheduleCondition,
    options?: ScheduleUpdateOptions,
  ): Promise<JobSchedule | null>;
  /**
   * Deletes a schedule when it exists and every `condition` holds (a compare-and-set on `version` makes a delete
   * conditional on the definition a user saw). Returns `true` when it was deleted. Its runs are kept.
   */
  deleteSchedule(jobName: string, condition?: ScheduleCondition): Promise<boolean>;
  /**
   * Optional: several {@link updateSchedule} writes in one round trip (the engine sends the schedule writes of
   * claims and runs that reach them together, write-batchers.ts). Each write applies on its own, atomically, exactly
   * when its `condition` holds, as `updateSchedule` would. Answers one entry per write, in order: `null` when that
   * write did not apply, else the schedule as read right after the call — this write applied (a concurrent write by
   * someone else may show too, and its `version` then counts that write). Throws when the call as a whole failed;
   * then any write may or may not have applied (the engine retries each and recognises its own). The conformance
   * suite checks it when present.
   */
  updateSchedules?(writes: readonly ScheduleWrite[]): Promise<(JobSchedule | null)[]>;
  /**
   * Enabled schedules that are due at `now`: their due instant `nextDueAt <= now`; for a schedule without
   * `nextDueAt` (written by another program or an older version) `nextRunAt <= now`, or `nextRunAt` missing/null
   * too (so schedules inserted straight into storage are picked up). Sorted by due instant (`nextDueAt`, else
   * `nextRunAt`) ascending, missing first; at most `limit`. Must use an index (MongoDB: `(is_enabled, next_due_at,
   * next_run_at)`), not a scan.
   */
  listDueSchedules(now: Date, limit: number): Promise<JobSchedule[]>;
  /**
   * The earliest due instant among enabled schedules — `nextDueAt`, or `nextRunAt` where `nextDueAt` is missing —
   * or `null` when none has one (the loop sleeps until it).
   */
  getEarliestNextRunAt(): Promise<Date | null>;
  /**
   * The global pause state (spec section 10); a store where it was never set answers `{ paused: false, reason:
   * null, since: null, by: null, windows: [] }`. Called once per pass by every replica: one cheap read.
   */
  getGlobalPause(): Promise<GlobalPauseState>;
  /** Replaces the global pause state (one document / record). */
  setGlobalPause(state: GlobalPauseState): Promise<void>;
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
  /**
   * Only runs with one of these run keys (a claim's batched look-up of the slots it found taken; at most a few
   * hundred keys). Served by the unique run-key index. An adapter that ignores it returns more runs, never fewer: the
   * engine matches the answer to its keys itself.
   */
  runKeys?: readonly string[];
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
  /**
   * `true`: a cancel was requested (`cancelRequestedAt` is set); `false`: none was (missing or null). The start of
   * a pending run carries `false`, so a run whose cancel was requested never starts (spec section 10).
   * @default undefined (either)
   */
  cancelRequested?: boolean;
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
  /**
   * Inserts several runs in one round trip (a MongoDB `bulkWrite`): each exactly as {@link insertRun} would, each
   * on its own (a run whose `runKey` or `id` exists is not inserted and does not stop the others). Returns one
   * boolean per run, in order: whether that run was inserted. Throws when the call as a whole failed; then any of
   * the runs may or may not have been inserted (the engine retries each one and recognises its own by `id`).
   * Optional: without it the engine inserts one run per call. The conformance suite requires it.
   */
  insertRuns?(runs: readonly JobRun[], options?: { leaseForMs?: number }): Promise<boolean[]>;
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
  /**
   * Optional: several {@link updateRun} writes in one round trip (the engine sends the run writes that reach the
   * store together — the starts and ends of the runs of one batch — as one call, write-batchers.ts). Each write
   * applies on its own, atomically, exactly when its `condition` holds, as `updateRun` would. Answers one entry per
   * write, in order: `null` when that write did not apply, else the run as read right after the call — this write
   * applied (a concurrent write by someone else may show too). Throws when the call as a whole failed; then any
   * write may or may not have applied (the engine retries each and recognises its own). The conformance suite
   * checks it when present.
   */
  updateRuns?(writes: readonly RunWrite[]): Promise<(JobRun | null)[]>;
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

/** The answer of a request made with an idempotency key, kept to replay it to a retry. */
export interface IdempotentResponse {
  /** The HTTP status. */
  status: number;
  /** The headers to replay (lower-case names, e.g. `location`, `etag`, `content-type`). */
  headers: Record<string, string>;
  /** The body exactly as it was sent. */
  body: string;
}

/** What is stored under one idempotency key (`IdempotencyStore`). */
export interface IdempotencyRecord {
  /** Whose key it is (the API: the token's subject); keys of different scopes never meet. */
  scope: string;
  /** The client's key. */
  key: string;
  /** What the first request was (method, route, body, query), to refuse the key's reuse for another request. */
  fingerprint: string;
  /** `in_progress` while the first request runs; `completed` once its answer is stored in `response`. */
  state: 'in_progress' | 'completed';
  /** The token of the reservation: only its holder completes, renews or releases an `in_progress` key. */
  token: string;
  /** The stored answer once `completed`; `null` while in progress. */
  response: IdempotentResponse | null;
  /** When the current reservation was made, by the store's clock. */
  createdAt: Date;
  /** When the key is forgotten, by the store's clock: `createdAt` + the reservation's `ttlMs`. */
  expiresAt: Date;
  /** When an `in_progress` reservation lapses unless renewed (store's clock); `null` once completed. */
  leaseExpiresAt: Date | null;
}

/** A request to reserve an idempotency key ({@link IdempotencyStore.reserveIdempotencyKey}). */
export interface IdempotencyReservation {
  /** Whose key (see {@link IdempotencyRecord.scope}). */
  scope: string;
  /** The client's key. */
  key: string;
  /** What the request is (see {@link IdempotencyRecord.fingerprint}). */
  fingerprint: string;
  /** A fresh random token identifying this reservation. */
  token: string;
  /** How long the key is kept, in ms from now (the API: 24 h). */
  ttlMs: number;
  /** How long the in-progress reservation lasts unless renewed, in ms from now. */
  leaseMs: number;
}

/** The outcome of {@link IdempotencyStore.reserveIdempotencyKey}. */
export type IdempotencyReserveResult =
  | {
      /** This request holds the key now and must complete or release it. */
      outcome: 'reserved';
      /** The reservation as stored. */
      record: IdempotencyRecord;
      /**
       * `true` when an earlier request with the same fingerprint held it and its lease lapsed (it died or stalled):
       * its work may have been done, so the new holder must look for it (a manual run finds its run by run key).
       */
      takenOver: boolean;
    }
  | {
      /** Another request holds or held the key: `record` says how (in progress, or completed with its answer). */
      outcome: 'exists';
      /** The record as stored (its fingerprint may differ from the reservation's). */
      record: IdempotencyRecord;
    };

/**
 * Keeps idempotency keys (collection `idempotency_keys` in MongoDB), so a retried request is answered once, by any
 * replica, for as long as the key lives. Every method is one atomic single-document operation; time (expiry, leases)
 * is the store's, decided in the query: a TTL index may garbage-collect expired records, but correctness never
 * depends on it.
 */
export interface IdempotencyStore {
  /**
   * Atomically reserves `(scope, key)` for the caller (`in_progress`, lease `leaseMs`, kept `ttlMs`):
   * - no record, or only an expired one (`expiresAt <= now`): reserved (`takenOver: false`);
   * - an `in_progress` record with the same fingerprint whose lease lapsed: reserved, `takenOver: true`;
   * - otherwise `exists` with the stored record (completed, in progress, or another fingerprint).
   * Of concurrent reservations of one key, exactly one is `reserved`.
   */
  reserveIdempotencyKey(reservation: IdempotencyReservation): Promise<IdempotencyReserveResult>;
  /** Extends an `in_progress` reservation held with `token` to `leaseMs` from now; `false` when not held. */
  renewIdempotencyKey(scope: string, key: string, token: string, leaseMs: number): Promise<boolean>;
  /**
   * Stores the answer of the reservation held with `token` (state `completed`, lease cleared; the expiry is
   * unchanged). `false`, changing nothing, when `token` no longer holds it (taken over after its lease lapsed).
   */
  completeIdempotencyKey(
    scope: string,
    key: string,
    token: string,
    response: IdempotentResponse,
  ): Promise<boolean>;
  /** Deletes the `in_progress` reservation held with `token` (a retry may then run); `false` when not held. */
  releaseIdempotencyKey(scope: string, key: string, token: string): Promise<boolean>;
  /** The record of `(scope, key)`, or `null` when there is none or it expired. */
  getIdempotencyKey(scope: string, key: string): Promise<IdempotencyRecord | null>;
}

/* ------------------------------------------------------------------------------------------------------------
 * Event log (spec section 12)
 * ---------------------------------------------------------------------------------------------------------- */

/**
 * A position in the event log. Events are totally ordered by (`at`, `id`): `at` is the STORE's clock when the event
 * was appended, `id` breaks ties among events of one millisecond.
 */
export interface EventCursor {
  /** The store's clock at append (millisecond precision). */
  at: Date;
  /**
   * The event's id, or `null` for a position after every event stamped `at` (a reader's horizon: see
   * {@link EventPage.horizon}).
   */
  id: string | null;
}

/** An event to append with {@link EventLogStore.appendEvents}: the store stamps `at`. */
export interface NewJobEvent {
  /**
   * Unique id chosen by the writer: 1–64 characters of `[0-9A-Za-z_-]`. Ids of one writer increase in the order
   * it produced the events (code-unit order), so events it appended in one millisecond read back in that order.
   */
  id: string;
  /** What happened, `area:action` (`run:started`, `schedule:updated`). The list is open: readers skip types they do not know. */
  type: string;
  /** The schedule concerned, or `null` (a manual run of a bare job type). */
  jobName: string | null;
  /** The run concerned, or `null` (schedule events). */
  runId: string | null;
  /** The payload: a small JSON object (ids, status, timestamps as ISO strings; never parameters or results). */
  data: Record<string, unknown>;
}

/** An event as stored and read back. */
export interface JobEvent extends NewJobEvent {
  /** The store's clock when it was appended: the ordering key. */
  at: Date;
}

/** A read of the event log ({@link EventLogStore.readEvents}). */
export interface EventReadQuery {
  /** Only events strictly after this position. @default null (from the oldest stored event) */
  after?: EventCursor | null;
  /** At most this many events (>= 1). */
  limit: number;
  /**
   * Only events stamped at least this long ago by the store's clock (`at <= now - settleMs`), so that no event with
   * a smaller key can still become visible after this read returned (see the README's "Event log"). @default 0
   */
  settleMs?: number;
  /** Only events stamped less than this long ago by the store's clock (retention). @default undefined (any age) */
  maxAgeMs?: number;
}

/** The answer of {@link EventLogStore.readEvents}. */
export interface EventPage {
  /** Matching events in (`at`, `id`) order. */
  events: JobEvent[];
  /**
   * Up to where the page is complete. At most the store's now (read before the query) minus `settleMs`, so every
   * event with `at <= horizon` that will ever exist was visible to this read. When fewer than `limit` events came
   * back, every event after `after` stamped at or before `horizon` is among them, and a reader may move its
   * position to `{ at: horizon, id: null }` (if that is later than its last event) without missing anything. (A
   * store may return fewer than `limit` events while more exist, with `horizon` lowered to match: the MongoDB
   * store does so when a millisecond is cut by the limit.) After a full page, a reader continues after its last
   * event.
   */
  horizon: Date;
}

/**
 * An append-only log of run and schedule events, read by polling (spec section 12: no change streams). The engine
 * never depends on it: it is best-effort observability next to the run ledger, which stays the truth.
 * `MemoryStore` and `@craft/mongo`'s store implement it (collection `job_events`).
 */
export interface EventLogStore {
  /**
   * Appends `events` in the given order, stamping each one's `at` with the store's clock, non-decreasing in that
   * order. Idempotent per id: an event whose id is already stored is skipped and keeps its first `at` (a retried
   * append after a lost answer neither duplicates nor moves events).
   */
  appendEvents(events: readonly NewJobEvent[]): Promise<void>;
  /** Events after a position, oldest first (see {@link EventReadQuery} and {@link EventPage}). */
  readEvents(query: EventReadQuery): Promise<EventPage>;
  /**
   * Deletes events stamped more than `olderThanMs` ago by the store's clock (`at < now - olderThanMs`). Returns how
   * many were deleted.
   */
  deleteEvents(filter: { olderThanMs: number }): Promise<number>;
  /** The position of the oldest stored event, or `null` when the log is empty. */
  oldestEventCursor(): Promise<EventCursor | null>;
}

/* ------------------------------------------------------------------------------------------------------------
 * Logging
 * ---------------------------------------------------------------------------------------------------------- */

/** A minimal structured logger (pino- and console-compatible in shape). */
export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
  /**
   * Optional: a logger whose every line carries `bindings` (pino's `child`). The engine binds a run's fields
   * (`runId`, `schedule`, `slot`, `attempt`, `jobType`) this way for the lines about a run and for a handler's
   * `context.logger`; a logger without `child` gets them merged into each line's `data` instead.
   * @default undefined (fields merged into `data`)
   */
  child?(bindings: Record<string, unknown>): Logger;
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
  /**
   * The run was recorded `cancelled` (spec section 10): by a compare-and-set (a pending run no replica held), by its
   * holder once the handler settled, or by recovery. `by` is who asked (`cancelRequestedBy`).
   */
  'run:cancelled': { run: JobRun; by: string | null };
  /** A run of a dead replica was found; `retried` tells whether it went back to `pending`. */
  'run:abandoned': { run: JobRun; retried: boolean };
  /**
   * Recovery took over a run whose lease expired (spec section 5): a `running` one (its attempt recorded abandoned;
   * `run.status` says whether it is retried) or a `pending` one it adopted. Emitted by the replica that took it.
   */
  'run:recovered': { run: JobRun; previousStatus: 'running' | 'pending' };
  /**
   * An attempt's handler reached an outcome (it returned, threw, timed out, lost its lease, was cancelled or was
   * interrupted by a shutdown); `durationMs` runs from the handler's call to that outcome on the scheduler's clock.
   */
  'attempt:finished': {
    run: JobRun;
    attempt: number;
    outcome: AttemptOutcomeName;
    durationMs: number;
  };
  /**
   * A claim found that another replica got there first: a slot it planned was already recorded (`slot_taken`), or
   * its compare-and-set of `next_run_at` found the value moved (`next_run_moved`). Exactly-once holds either way.
   */
  'claim:conflict': { jobName: string; reason: 'slot_taken' | 'next_run_moved' };
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
  /**
   * A schedule disabled itself after `pause_after_failures` consecutive failures (`pausedBy: 'auto'`); `reason`
   * names the count and the last error.
   */
  'schedule:paused': { jobName: string; pausedBy: string; reason: string; consecutiveFailures: number };
  /** Triggering was paused for every replica (through this process). */
  'scheduler:paused': { reason: string | null; by: string };
  /** Triggering resumed (through this process); `catchUp`: slots that passed follow their missed-run policy. */
  'scheduler:resumed': { by: string; catchUp: boolean };
  /** A schedule's `nextRunAt` was computed or repaired outside a claim. */
  'schedule:repaired': { jobName: string; previous: Date | null; nextRunAt: Date | null };
  /** The loop runner started. */
  'scheduler:started': { replicaId: string };
  /** The loop runner stopped (after draining). */
  'scheduler:stopped': { replicaId: string };
}

/** How an attempt's handler ended (the `outcome` of the `attempt:finished` event and of the attempt span). */
export type AttemptOutcomeName =
  | 'succeeded'
  | 'failed'
  | 'timed_out'
  | 'lease_lost'
  | 'shutdown'
  | 'cancelled';

/** A name of a {@link SchedulerEventMap} event. */
export type SchedulerEventName = keyof SchedulerEventMap;
