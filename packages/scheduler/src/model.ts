import type { DstGapPolicy, DstMarker, DstOverlapPolicy } from '@craft/cron';
import { isoString } from './iso-string.js';

/**
 * The two persisted models of the scheduler — {@link JobSchedule} and {@link JobRun} — in their TypeScript
 * (camelCase) shape, plus the one mapping per boundary to and from the snake_case record shape of the
 * specification (section 1). Records keep `Date` values as `Date` (what a MongoDB document holds); JSON
 * boundaries convert them with {@link recordDatesToJson}.
 *
 * @module
 */

/** What happens to slots that passed unclaimed (spec section 5). */
export type MissedRunPolicy = 'skip' | 'once' | 'all';

/** Every {@link MissedRunPolicy}, in documentation order. */
export const MISSED_RUN_POLICIES: readonly MissedRunPolicy[] = ['skip', 'once', 'all'];

/**
 * What a due slot does while a run of the same schedule still runs (spec section 10): `defer` (the slot stays due
 * until the schedule lock frees), `skip` (recorded `skipped`, reason `overlap`), `allow` (runs may overlap: no
 * schedule lock, each run its own lease) or `cancel_running` (the running run is asked to stop, then the slot runs).
 */
export type OverlapPolicy = 'defer' | 'skip' | 'allow' | 'cancel_running';

/** Every {@link OverlapPolicy}, in documentation order. */
export const OVERLAP_POLICIES: readonly OverlapPolicy[] = ['defer', 'skip', 'allow', 'cancel_running'];

/** Default of {@link JobSchedule.overlapPolicy}: today's behaviour. */
export const DEFAULT_OVERLAP_POLICY: OverlapPolicy = 'defer';

/**
 * Status of a run. `pending` and `running` are live; the others are final.
 * `skipped`: a missed slot not run under its policy (or a chain target that is disabled);
 * `abandoned`: its replica died and no attempts were left to retry it;
 * `cancelled`: a user (or the `cancel_running` overlap policy) cancelled it; not retried, its chain does not fire.
 */
export type RunStatus =
  | 'pending'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'timed_out'
  | 'skipped'
  | 'abandoned'
  | 'cancelled';

/** Every {@link RunStatus}. */
export const RUN_STATUSES: readonly RunStatus[] = [
  'pending',
  'running',
  'succeeded',
  'failed',
  'timed_out',
  'skipped',
  'abandoned',
  'cancelled',
];

/** The statuses after which a run never changes again. */
export const FINAL_RUN_STATUSES: readonly RunStatus[] = [
  'succeeded',
  'failed',
  'timed_out',
  'skipped',
  'abandoned',
  'cancelled',
];

/**
 * What triggered a run: its schedule's current slot (`schedule`), a missed slot run under the missed-run
 * policy (`catch_up`), a successful parent run (`chain`), a person/system through the API or CLI (`manual`), or a
 * backfill of a range of past slots (`backfill`).
 */
export type RunTrigger = 'schedule' | 'catch_up' | 'chain' | 'manual' | 'backfill';

/** Every {@link RunTrigger}. */
export const RUN_TRIGGERS: readonly RunTrigger[] = ['schedule', 'catch_up', 'chain', 'manual', 'backfill'];

/** Outcome of one attempt of a run. `running` only while the attempt is in progress. */
export type AttemptStatus = 'running' | 'succeeded' | 'failed' | 'timed_out' | 'abandoned' | 'cancelled';

/** A serialisable description of an error thrown by a handler (or raised by the engine for an attempt). */
export interface RunError {
  /** The error's class name, e.g. `TypeError`. */
  name: string;
  /** The error's message. */
  message: string;
  /** The error's `code` property when it has a string one (e.g. `CRAFT_SCHEDULER_JOB_TIMEOUT`). */
  code?: string;
  /** The stack trace, when available. */
  stack?: string;
}

/** One attempt of a run. */
export interface RunAttempt {
  /** 1-based attempt number. */
  attempt: number;
  /** The status of this attempt. */
  status: AttemptStatus;
  /** When the attempt started. */
  startedAt: Date;
  /** When the attempt ended (or was found abandoned); null while running. */
  finishedAt: Date | null;
  /** Why the attempt did not succeed; null on success or while running. */
  error: RunError | null;
  /** The replica that ran this attempt. */
  replicaId: string;
}

/**
 * A schedule: a registered job type bound to a cron expression (spec section 1).
 * Optional overrides are `null` when unset (the job's defaults apply).
 */
export interface JobSchedule {
  /** Unique identifier of the schedule. */
  jobName: string;
  /** Free text. @default null */
  description: string | null;
  /** 5-field cron expression (ISO weekdays, 0 = Monday). */
  cronExpression: string;
  /** Disabled schedules are never triggered and accumulate no missed slots. @default true */
  isEnabled: boolean;
  /** The registered job type this schedule runs. */
  jobType: string;
  /** Parameters passed to the job's handler, checked against the job's schema. @default {} */
  parameters: Record<string, unknown>;
  /** Overrides the job's `maxAttempts` (integer ≥ 1). @default null (the job's default) */
  maxAttempts: number | null;
  /** Overrides the job's per-attempt `timeoutSeconds` (integer ≥ 1). @default null (the job's default) */
  timeoutSeconds: number | null;
  /** Names of schedules (else job types) to run, in order, after a successful run. @default [] */
  chain: string[];
  /** IANA zone overriding the scheduler's timezone. @default null (the scheduler's zone) */
  timezone: string | null;
  /** What happens to missed slots. @default 'once' */
  missedRunPolicy: MissedRunPolicy;
  /** Missed slots older than this many seconds are always skipped. @default null (no limit) */
  catchUpWindowSeconds: number | null;
  /** With policy `all`, at most this many missed slots run per claim; the rest are skipped. @default 10 */
  maxCatchUpRuns: number;
  /** What a due slot does while a run of this schedule still runs (spec section 10). @default 'defer' */
  overlapPolicy: OverlapPolicy;
  /** When the last run started. @default null */
  lastRunAt: Date | null;
  /** Status of the last run (a {@link RunStatus}). @default null */
  lastRunStatus: RunStatus | null;
  /** The first slot not yet claimed; null when disabled or not computed yet. @default null */
  nextRunAt: Date | null;
  /** When the schedule was created (null for documents written by other programs). @default null */
  createdAt: Date | null;
  /** When the schedule was last changed through the scheduler. @default null */
  updatedAt: Date | null;
  /**
   * Version of the schedule's definition, maintained by the store: 1 when inserted, incremented by every update
   * that sets a field of {@link SCHEDULE_VERSIONED_FIELDS} (what a user edits); the engine's own writes
   * (`nextRunAt`, `lastRun*`) leave it unchanged. 0 for a document another program wrote without one. The API's
   * `ETag` and `If-Match`, and the `ifVersion` option of `ScheduleService`, compare it. @default 1
   */
  version: number;
  /**
   * Set when the schedule was created with an idempotency key (`ScheduleService.create(input, { idempotencyKey
   * })`): an opaque digest of the key's scope and key, and of the input, so a retry of that creation is answered
   * with this schedule instead of "exists". @default null
   */
  creationKey: string | null;
  // --- Per-schedule control (spec section 10): DST choices, jitter, pause, audit, schedules as code ---
  /** A matching wall time that does not exist (spring forward): `skip` it that day, or `shift` it to the first instant after the gap. @default 'skip' */
  dstGap: DstGapPolicy;
  /** A matching wall time that occurs twice (fall back): run at the `first` occurrence, the `last`, or `both`. @default 'first' */
  dstOverlap: DstOverlapPolicy;
  /** Each slot's run starts up to this many seconds after the slot (a pure function of job name and slot), 0–3600. @default 0 */
  jitterSeconds: number;
  /** The due instant of {@link JobSchedule.nextRunAt}: the slot plus its jitter offset; serves the due query. Managed. @default null */
  nextDueAt: Date | null;
  /** After this many consecutive runs ending `failed`/`timed_out`/`abandoned` the schedule disables itself. @default null (never) */
  pauseAfterFailures: number | null;
  /** Consecutive runs that ended `failed`, `timed_out` or (finally) `abandoned`; reset by a success or an enable. Managed. @default 0 */
  consecutiveFailures: number;
  /** Why the schedule was disabled; cleared on enable. Managed. @default null */
  pausedReason: string | null;
  /** When the schedule was disabled; cleared on enable. Managed. @default null */
  pausedAt: Date | null;
  /** Who disabled it: a token's `sub`, `cli`, `code`, `sync` or `auto` (self-pause); cleared on enable. Managed. @default null */
  pausedBy: string | null;
  /** Who last changed the schedule: a token's `sub`, `cli`, `code`, `sync` or `auto`. Managed. @default null */
  updatedBy: string | null;
  /** `sync` when `syncSchedules()` (`craft-jobs schedules apply`) created or adopted it: prune only deletes those. Managed. @default null */
  managedBy: string | null;
}

/**
 * One execution of a job (spec section 4): a scheduled or catch-up slot, a skipped slot, a chained run or a
 * manual run. Every run has a {@link JobRun.runKey} that is unique by construction; stores enforce that
 * uniqueness, which is what makes claiming a slot exactly-once.
 */
export interface JobRun {
  /** Unique id (a UUID generated by the engine). */
  id: string;
  /**
   * Unique ledger key, always set: `<job_name>@<slot ISO>` for scheduled, catch-up and skipped slots,
   * `chain:<parent_run_id>:<name>` for chained runs, the run's own {@link JobRun.id} for manual runs, and
   * `manual:<sha256 of scope and key>` for a manual run made with an idempotency key (`RunOptions.idempotencyKey`).
   */
  runKey: string;
  /** The job type executed. */
  jobType: string;
  /** The schedule this run belongs to; null for a manual or chained run of a bare job type. */
  jobName: string | null;
  /** The slot (cron instant) this run was scheduled for; null for manual runs; chained runs inherit the parent's. */
  slot: Date | null;
  /** What triggered the run. */
  trigger: RunTrigger;
  /** The parameters passed to the handler. */
  parameters: Record<string, unknown>;
  /** Current status. */
  status: RunStatus;
  /** Attempts so far, oldest first. */
  attempts: RunAttempt[];
  /** The attempt budget resolved when the run was created (schedule override, else job default). */
  maxAttempts: number;
  /** The per-attempt timeout resolved when the run was created, in seconds. */
  timeoutSeconds: number;
  /** When the first attempt started; null while pending. */
  startedAt: Date | null;
  /** When the run reached a final status; null while live. */
  finishedAt: Date | null;
  /** The handler's resolved value (JSON-serialisable), or engine information for skipped runs. @default null */
  result: unknown;
  /** The last error (copy of the last failed attempt's error). @default null */
  error: RunError | null;
  /** For chained runs: the parent run's id. @default null */
  parentRunId: string | null;
  /** The replica that ran (or last ran) this run; for pending runs, the replica that created it. */
  replicaId: string | null;
  /** The lock key serialising executions of this run's schedule or job type (`job:<name>`). */
  lockKey: string;
  /** The replica currently responsible for the run (live runs only); null when free for any replica. */
  leaseOwner: string | null;
  /** When the responsibility of {@link JobRun.leaseOwner} lapses, judged by the store's clock. */
  leaseExpiresAt: Date | null;
  /** Fencing token of the lock lease under which the run is (or was last) running; result writes check it. */
  fencingToken: number | null;
  /** When a cancel was requested (spec section 10); null when none was. The holder stops the run. @default null */
  cancelRequestedAt: Date | null;
  /** Who requested the cancel (a token's `sub`, `cli`, `overlap` for the overlap policy). @default null */
  cancelRequestedBy: string | null;
  /** When the run record was created. */
  createdAt: Date;
  /** When the run record was last changed. */
  updatedAt: Date;
  // --- Per-schedule control (spec section 10). Optional so code that builds runs by hand keeps compiling; the
  // engine and `runFromRecord` always set them (absent reads as null). ---
  /** DST marker of the slot: `shifted` (first instant after a gap), `first`/`second` (a repeated wall time), or null. @default null */
  dst?: DstMarker | null;
  /** The wall time (`YYYY-MM-DDTHH:mm`, the schedule's zone) the slot stands for; null without a slot. @default null */
  wallTime?: string | null;
  /** When the run was due: the slot plus its jitter offset (trigger lag is measured from it); null for manual runs. @default null */
  dueAt?: Date | null;
}

/** The snake_case record (document) shape of a {@link JobSchedule}: the field names of spec section 1. */
export interface JobScheduleRecord {
  job_name: string;
  description?: string | null;
  cron_expression: string;
  is_enabled?: boolean;
  job_type: string;
  parameters?: Record<string, unknown> | null;
  max_attempts?: number | null;
  timeout_seconds?: number | null;
  chain?: string[] | null;
  timezone?: string | null;
  missed_run_policy?: MissedRunPolicy | null;
  catch_up_window_seconds?: number | null;
  max_catch_up_runs?: number | null;
  overlap_policy?: OverlapPolicy | null;
  last_run_at?: Date | null;
  last_run_status?: RunStatus | null;
  next_run_at?: Date | null;
  created_at?: Date | null;
  updated_at?: Date | null;
  version?: number | null;
  creation_key?: string | null;
  dst_gap?: DstGapPolicy | null;
  dst_overlap?: DstOverlapPolicy | null;
  jitter_seconds?: number | null;
  next_due_at?: Date | null;
  pause_after_failures?: number | null;
  consecutive_failures?: number | null;
  paused_reason?: string | null;
  paused_at?: Date | null;
  paused_by?: string | null;
  updated_by?: string | null;
  managed_by?: string | null;
}

/** The snake_case record shape of a {@link RunAttempt}. */
export interface RunAttemptRecord {
  attempt: number;
  status: AttemptStatus;
  started_at: Date;
  finished_at: Date | null;
  error: RunError | null;
  replica_id: string;
}

/** The snake_case record (document) shape of a {@link JobRun}. */
export interface JobRunRecord {
  id: string;
  run_key: string;
  job_type: string;
  job_name: string | null;
  slot: Date | null;
  trigger: RunTrigger;
  parameters: Record<string, unknown>;
  status: RunStatus;
  attempts: RunAttemptRecord[];
  max_attempts: number;
  timeout_seconds: number;
  started_at: Date | null;
  finished_at: Date | null;
  result: unknown;
  error: RunError | null;
  parent_run_id: string | null;
  replica_id: string | null;
  lock_key: string;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  fencing_token: number | null;
  cancel_requested_at?: Date | null;
  cancel_requested_by?: string | null;
  created_at: Date;
  updated_at: Date;
  dst?: DstMarker | null;
  wall_time?: string | null;
  due_at?: Date | null;
}

/** Default of {@link JobSchedule.missedRunPolicy}. */
export const DEFAULT_MISSED_RUN_POLICY: MissedRunPolicy = 'once';

/** Default of {@link JobSchedule.maxCatchUpRuns}. */
export const DEFAULT_MAX_CATCH_UP_RUNS = 10;

/** The longest pause reason (`paused_reason`, the global pause's `reason`), in characters. */
export const MAX_REASON_LENGTH = 500;

/** Largest {@link JobSchedule.jitterSeconds} (one hour). */
export const MAX_JITTER_SECONDS = 3600;

function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return new Date(value.getTime());
  if (typeof value === 'string' || typeof value === 'number') {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
}

function orNull<T>(value: T | null | undefined): T | null {
  return value === undefined ? null : value;
}

/**
 * Builds a complete {@link JobSchedule} from the given fields, filling every missing optional field with its
 * default (spec section 1). Does not validate; see `validateScheduleInput`.
 */
export function createSchedule(
  fields: Pick<JobSchedule, 'jobName' | 'cronExpression' | 'jobType'> & Partial<JobSchedule>,
): JobSchedule {
  return {
    jobName: fields.jobName,
    description: orNull(fields.description),
    cronExpression: fields.cronExpression,
    isEnabled: fields.isEnabled ?? true,
    jobType: fields.jobType,
    parameters: fields.parameters ?? {},
    maxAttempts: orNull(fields.maxAttempts),
    timeoutSeconds: orNull(fields.timeoutSeconds),
    chain: fields.chain ? [...fields.chain] : [],
    timezone: orNull(fields.timezone),
    missedRunPolicy: fields.missedRunPolicy ?? DEFAULT_MISSED_RUN_POLICY,
    catchUpWindowSeconds: orNull(fields.catchUpWindowSeconds),
    maxCatchUpRuns: fields.maxCatchUpRuns ?? DEFAULT_MAX_CATCH_UP_RUNS,
    overlapPolicy: fields.overlapPolicy ?? DEFAULT_OVERLAP_POLICY,
    lastRunAt: orNull(fields.lastRunAt),
    lastRunStatus: orNull(fields.lastRunStatus),
    nextRunAt: orNull(fields.nextRunAt),
    createdAt: orNull(fields.createdAt),
    updatedAt: orNull(fields.updatedAt),
    version: fields.version ?? 1,
    creationKey: orNull(fields.creationKey),
    dstGap: fields.dstGap ?? 'skip',
    dstOverlap: fields.dstOverlap ?? 'first',
    jitterSeconds: fields.jitterSeconds ?? 0,
    nextDueAt: orNull(fields.nextDueAt),
    pauseAfterFailures: orNull(fields.pauseAfterFailures),
    consecutiveFailures: fields.consecutiveFailures ?? 0,
    pausedReason: orNull(fields.pausedReason),
    pausedAt: orNull(fields.pausedAt),
    pausedBy: orNull(fields.pausedBy),
    updatedBy: orNull(fields.updatedBy),
    managedBy: orNull(fields.managedBy),
  };
}

/** Maps a schedule to its snake_case record (every field present; Dates stay Dates). */
export function scheduleToRecord(schedule: JobSchedule): Required<JobScheduleRecord> {
  return {
    job_name: schedule.jobName,
    description: schedule.description,
    cron_expression: schedule.cronExpression,
    is_enabled: schedule.isEnabled,
    job_type: schedule.jobType,
    parameters: schedule.parameters,
    max_attempts: schedule.maxAttempts,
    timeout_seconds: schedule.timeoutSeconds,
    chain: schedule.chain,
    timezone: schedule.timezone,
    missed_run_policy: schedule.missedRunPolicy,
    catch_up_window_seconds: schedule.catchUpWindowSeconds,
    max_catch_up_runs: schedule.maxCatchUpRuns,
    overlap_policy: schedule.overlapPolicy,
    last_run_at: schedule.lastRunAt,
    last_run_status: schedule.lastRunStatus,
    next_run_at: schedule.nextRunAt,
    created_at: schedule.createdAt,
    updated_at: schedule.updatedAt,
    version: schedule.version,
    creation_key: schedule.creationKey,
    // Defaults for objects built without the control fields (code written before them).
    dst_gap: schedule.dstGap ?? 'skip',
    dst_overlap: schedule.dstOverlap ?? 'first',
    jitter_seconds: schedule.jitterSeconds ?? 0,
    next_due_at: schedule.nextDueAt ?? null,
    pause_after_failures: schedule.pauseAfterFailures ?? null,
    consecutive_failures: schedule.consecutiveFailures ?? 0,
    paused_reason: schedule.pausedReason ?? null,
    paused_at: schedule.pausedAt ?? null,
    paused_by: schedule.pausedBy ?? null,
    updated_by: schedule.updatedBy ?? null,
    managed_by: schedule.managedBy ?? null,
  };
}

/**
 * Maps a snake_case record to a schedule. Missing or null optional fields get their defaults, so a record with
 * only the seed's fields (spec section 1 example) maps to a valid schedule. Date fields accept `Date`, ISO
 * strings and epoch milliseconds. Unknown fields (such as MongoDB's `_id`) are ignored.
 */
export function scheduleFromRecord(record: JobScheduleRecord): JobSchedule {
  return createSchedule({
    jobName: record.job_name,
    description: orNull(record.description),
    cronExpression: record.cron_expression,
    isEnabled: record.is_enabled ?? true,
    jobType: record.job_type,
    parameters: record.parameters ?? {},
    maxAttempts: orNull(record.max_attempts),
    timeoutSeconds: orNull(record.timeout_seconds),
    chain: record.chain ?? [],
    timezone: orNull(record.timezone),
    missedRunPolicy: record.missed_run_policy ?? DEFAULT_MISSED_RUN_POLICY,
    catchUpWindowSeconds: orNull(record.catch_up_window_seconds),
    maxCatchUpRuns: record.max_catch_up_runs ?? DEFAULT_MAX_CATCH_UP_RUNS,
    overlapPolicy: record.overlap_policy ?? DEFAULT_OVERLAP_POLICY,
    lastRunAt: toDate(record.last_run_at),
    lastRunStatus: orNull(record.last_run_status),
    nextRunAt: toDate(record.next_run_at),
    createdAt: toDate(record.created_at),
    updatedAt: toDate(record.updated_at),
    // A document written by another program has no version: 0 (what `ifVersion: 0` / `If-Match: "0"` matches).
    version: typeof record.version === 'number' && Number.isSafeInteger(record.version) ? record.version : 0,
    creationKey: orNull(record.creation_key),
    dstGap: record.dst_gap ?? 'skip',
    dstOverlap: record.dst_overlap ?? 'first',
    jitterSeconds: record.jitter_seconds ?? 0,
    nextDueAt: toDate(record.next_due_at),
    pauseAfterFailures: orNull(record.pause_after_failures),
    consecutiveFailures: record.consecutive_failures ?? 0,
    pausedReason: orNull(record.paused_reason),
    pausedAt: toDate(record.paused_at),
    pausedBy: orNull(record.paused_by),
    updatedBy: orNull(record.updated_by),
    managedBy: orNull(record.managed_by),
  });
}

/** Maps a partial schedule (a patch) to the matching partial record; only the given fields appear. */
export function schedulePatchToRecord(patch: Partial<JobSchedule>): Partial<JobScheduleRecord> {
  const full = scheduleToRecord(patch as JobSchedule) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const keys = Object.keys(patch) as (keyof JobSchedule)[];
  for (const key of keys) {
    const recordKey = SCHEDULE_FIELD_TO_RECORD[key];
    if (recordKey !== undefined && patch[key] !== undefined) out[recordKey] = full[recordKey];
  }
  return out as Partial<JobScheduleRecord>;
}

/** The record (snake_case) name of every {@link JobSchedule} field. */
export const SCHEDULE_FIELD_TO_RECORD: Readonly<Record<keyof JobSchedule, keyof JobScheduleRecord>> = {
  jobName: 'job_name',
  description: 'description',
  cronExpression: 'cron_expression',
  isEnabled: 'is_enabled',
  jobType: 'job_type',
  parameters: 'parameters',
  maxAttempts: 'max_attempts',
  timeoutSeconds: 'timeout_seconds',
  chain: 'chain',
  timezone: 'timezone',
  missedRunPolicy: 'missed_run_policy',
  catchUpWindowSeconds: 'catch_up_window_seconds',
  maxCatchUpRuns: 'max_catch_up_runs',
  overlapPolicy: 'overlap_policy',
  lastRunAt: 'last_run_at',
  lastRunStatus: 'last_run_status',
  nextRunAt: 'next_run_at',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  version: 'version',
  creationKey: 'creation_key',
  dstGap: 'dst_gap',
  dstOverlap: 'dst_overlap',
  jitterSeconds: 'jitter_seconds',
  nextDueAt: 'next_due_at',
  pauseAfterFailures: 'pause_after_failures',
  consecutiveFailures: 'consecutive_failures',
  pausedReason: 'paused_reason',
  pausedAt: 'paused_at',
  pausedBy: 'paused_by',
  updatedBy: 'updated_by',
  managedBy: 'managed_by',
};

/**
 * The fields a user edits (what `ScheduleService` writes from an API or CLI request): a store increments
 * {@link JobSchedule.version} on every update that sets one of them, and only then. `nextRunAt`, `lastRunAt`,
 * `lastRunStatus`, `updatedAt` (the engine's and the service's bookkeeping) are not among them, so an edit form
 * holding a version is not refused because a slot ran meanwhile.
 */
export const SCHEDULE_VERSIONED_FIELDS: readonly (keyof JobSchedule)[] = [
  'description',
  'cronExpression',
  'isEnabled',
  'jobType',
  'parameters',
  'maxAttempts',
  'timeoutSeconds',
  'chain',
  'timezone',
  'missedRunPolicy',
  'catchUpWindowSeconds',
  'maxCatchUpRuns',
  'dstGap',
  'dstOverlap',
  'jitterSeconds',
  'pauseAfterFailures',
  'overlapPolicy',
];

/** Whether a schedule patch sets a field of {@link SCHEDULE_VERSIONED_FIELDS} (so a store bumps the version). */
export function changesScheduleVersion(patch: Partial<JobSchedule>): boolean {
  return SCHEDULE_VERSIONED_FIELDS.some((field) => patch[field] !== undefined);
}

function attemptToRecord(a: RunAttempt): RunAttemptRecord {
  return {
    attempt: a.attempt,
    status: a.status,
    started_at: a.startedAt,
    finished_at: a.finishedAt,
    error: a.error,
    replica_id: a.replicaId,
  };
}

function attemptFromRecord(a: RunAttemptRecord): RunAttempt {
  return {
    attempt: a.attempt,
    status: a.status,
    startedAt: toDate(a.started_at) ?? new Date(0),
    finishedAt: toDate(a.finished_at),
    error: a.error ?? null,
    replicaId: a.replica_id,
  };
}

/** The record (snake_case) name of every {@link JobRun} field. */
export const RUN_FIELD_TO_RECORD: Readonly<Record<keyof JobRun, keyof JobRunRecord>> = {
  id: 'id',
  runKey: 'run_key',
  jobType: 'job_type',
  jobName: 'job_name',
  slot: 'slot',
  trigger: 'trigger',
  parameters: 'parameters',
  status: 'status',
  attempts: 'attempts',
  maxAttempts: 'max_attempts',
  timeoutSeconds: 'timeout_seconds',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  result: 'result',
  error: 'error',
  parentRunId: 'parent_run_id',
  replicaId: 'replica_id',
  lockKey: 'lock_key',
  leaseOwner: 'lease_owner',
  leaseExpiresAt: 'lease_expires_at',
  fencingToken: 'fencing_token',
  cancelRequestedAt: 'cancel_requested_at',
  cancelRequestedBy: 'cancel_requested_by',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  dst: 'dst',
  wallTime: 'wall_time',
  dueAt: 'due_at',
};

/** Maps a run to its snake_case record (Dates stay Dates). */
export function runToRecord(run: JobRun): JobRunRecord {
  return {
    id: run.id,
    run_key: run.runKey,
    job_type: run.jobType,
    job_name: run.jobName,
    slot: run.slot,
    trigger: run.trigger,
    parameters: run.parameters,
    status: run.status,
    attempts: run.attempts.map(attemptToRecord),
    max_attempts: run.maxAttempts,
    timeout_seconds: run.timeoutSeconds,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    result: run.result,
    error: run.error,
    parent_run_id: run.parentRunId,
    replica_id: run.replicaId,
    lock_key: run.lockKey,
    lease_owner: run.leaseOwner,
    lease_expires_at: run.leaseExpiresAt,
    fencing_token: run.fencingToken,
    cancel_requested_at: run.cancelRequestedAt,
    cancel_requested_by: run.cancelRequestedBy,
    created_at: run.createdAt,
    updated_at: run.updatedAt,
    dst: run.dst ?? null,
    wall_time: run.wallTime ?? null,
    due_at: run.dueAt ?? null,
  };
}

/** Maps a snake_case record to a run. Date fields accept `Date`, ISO strings and epoch milliseconds. */
export function runFromRecord(record: JobRunRecord): JobRun {
  return {
    id: record.id,
    runKey: record.run_key,
    jobType: record.job_type,
    jobName: record.job_name ?? null,
    slot: toDate(record.slot),
    trigger: record.trigger,
    parameters: record.parameters ?? {},
    status: record.status,
    attempts: (record.attempts ?? []).map(attemptFromRecord),
    maxAttempts: record.max_attempts,
    timeoutSeconds: record.timeout_seconds,
    startedAt: toDate(record.started_at),
    finishedAt: toDate(record.finished_at),
    result: record.result === undefined ? null : record.result,
    error: record.error ?? null,
    parentRunId: record.parent_run_id ?? null,
    replicaId: record.replica_id ?? null,
    lockKey: record.lock_key,
    leaseOwner: record.lease_owner ?? null,
    leaseExpiresAt: toDate(record.lease_expires_at),
    fencingToken: record.fencing_token ?? null,
    cancelRequestedAt: toDate(record.cancel_requested_at),
    cancelRequestedBy: record.cancel_requested_by ?? null,
    createdAt: toDate(record.created_at) ?? new Date(0),
    updatedAt: toDate(record.updated_at) ?? new Date(0),
    dst: record.dst ?? null,
    wallTime: record.wall_time ?? null,
    dueAt: toDate(record.due_at),
  };
}

/**
 * Returns a deep copy of a record in which every `Date` is replaced by its ISO 8601 UTC string
 * (`2027-03-28T01:00:00.000Z`): the JSON form of {@link scheduleToRecord} / {@link runToRecord} output.
 * Parsing back goes through {@link scheduleFromRecord} / {@link runFromRecord}, which accept ISO strings.
 */
export function recordDatesToJson<T>(record: T): unknown {
  // On every API answer (issue "Scale"). A spread copy keeps the record's shape (an object built key by key from an
  // empty one turns into a slow dictionary past a dozen keys, and serialising it then costs twice as much); only
  // values that are objects are replaced.
  if (record === null || typeof record !== 'object') return record;
  if (record instanceof Date) return isoString(record);
  if (Array.isArray(record)) return record.map((v) => recordDatesToJson(v));
  const out: Record<string, unknown> = { ...(record as Record<string, unknown>) };
  for (const k of Object.keys(out)) {
    const v = out[k];
    if (v !== null && typeof v === 'object') out[k] = recordDatesToJson(v);
  }
  return out;
}

/** The run key of a scheduled, catch-up or skipped slot: `<job_name>@<slot ISO>`. */
export function slotRunKey(jobName: string, slot: Date): string {
  return `${jobName}@${isoString(slot)}`;
}

/** The run key of a chained run: `chain:<parent_run_id>:<name>`. */
export function chainRunKey(parentRunId: string, name: string): string {
  return `chain:${parentRunId}:${name}`;
}

/** The lock key serialising executions of a schedule or of a bare job type: `job:<name>`. */
export function jobLockKey(name: string): string {
  return `job:${name}`;
}

/**
 * The lock key of one run's own lease, `run:<run_id>`: runs of a schedule whose `overlapPolicy` is `allow` take no
 * schedule lock; each holds this one, and its token fences the run's writes.
 */
export function runLockKey(runId: string): string {
  return `run:${runId}`;
}
