/**
 * Every error `@craft/scheduler` throws or records. Each class has a stable `code` (`CRAFT_SCHEDULER_*`, and the
 * `http_request` job's `CRAFT_API_HTTP_*`, kept from `@craft/api`) and carries what the edges need: `httpStatus`
 * (the API's error handler answers with it) and `exitStatus` (the CLI exits with it). The edges read these and
 * keep no table of codes of their own.
 *
 * @module
 */

/**
 * The exit statuses the errors carry, for command-line programs (the values of `craft-jobs`' exit-status table,
 * after sysexits.h where one fits).
 */
export const EXIT_STATUS = {
  /** Bad input: a field, an expression, a name that does not exist. */
  usage: 2,
  /** The configuration is wrong: the jobs module does not load, a job definition is invalid. */
  config: 4,
  /** A failure the program did not expect (EX_SOFTWARE). */
  internal: 70,
  /** Try again later: a lock is held, the scheduler is stopping (EX_TEMPFAIL). */
  tempfail: 75,
} as const;

/** What a {@link SchedulerError} carries besides its code and message. */
export interface SchedulerErrorOptions {
  /** The lower-level error this one explains. */
  cause?: unknown;
  /** The HTTP status an API answers with. @default 500 */
  httpStatus?: number;
  /** The status a command-line program exits with. @default 70 (internal) */
  exitStatus?: number;
}

/** Base class of every scheduler error. */
export class SchedulerError extends Error {
  /** Stable machine-readable code, e.g. `CRAFT_SCHEDULER_UNKNOWN_JOB_TYPE`. */
  readonly code: string;
  /** The HTTP status an API answers with (500: the client cannot fix it, and the message is not shown). @default 500 */
  readonly httpStatus: number;
  /** The status a command-line program exits with ({@link EXIT_STATUS}). @default 70 */
  readonly exitStatus: number;

  constructor(code: string, message: string, options?: SchedulerErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.httpStatus = options?.httpStatus ?? 500;
    this.exitStatus = options?.exitStatus ?? EXIT_STATUS.internal;
  }
}

/**
 * Base class of invalid schedule input. `field` is the snake_case field name of spec section 1 (the name users
 * see in the REST API and the CLI), e.g. `cron_expression`.
 */
export class ScheduleValidationError extends SchedulerError {
  /** The offending field (snake_case). */
  readonly field: string;

  constructor(code: string, field: string, message: string, options?: { cause?: unknown }) {
    super(code, message, { ...options, httpStatus: 400, exitStatus: EXIT_STATUS.usage });
    this.field = field;
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(value);
  }
}

/** Wording of an {@link InvalidFieldError} raised outside schedule validation (e.g. a run option). */
export interface InvalidFieldWording {
  /** The component that checked the value. @default 'ScheduleService' */
  component?: string;
  /** What the value is, before its quoted name. @default 'field' */
  noun?: string;
  /** The sentence telling how to fix it. @default 'Fix the value and save again.' */
  fix?: string;
}

/**
 * A field has the wrong type or is out of range (e.g. `max_attempts: 0`, an unknown `missed_run_policy`); also a
 * per-run option of `runJob`/`runNow` (`max_attempts`, `timeout_seconds`).
 */
export class InvalidFieldError extends ScheduleValidationError {
  /** The offending value. */
  readonly value: unknown;

  constructor(field: string, value: unknown, expected: string, wording: InvalidFieldWording = {}) {
    super(
      'CRAFT_SCHEDULER_INVALID_FIELD',
      field,
      `${wording.component ?? 'ScheduleService'}: ${wording.noun ?? 'field'} "${field}" is ${show(value)}, ` +
        `expected ${expected}. ${wording.fix ?? 'Fix the value and save again.'}`,
    );
    this.value = value;
  }
}

/** The cron expression does not parse (wraps the `@craft/cron` error as `cause`). */
export class InvalidCronExpressionError extends ScheduleValidationError {
  /** The whole expression. */
  readonly expression: string;
  /** The `@craft/cron` error code (e.g. `CRAFT_CRON_INVALID_FIELD`, `CRAFT_CRON_NEVER_FIRES`). */
  readonly cronCode: string | undefined;
  /** The cron field at fault (`minute`, `hour`, ...) when the cron error names one. */
  readonly cronField: string | undefined;
  /** The offending text when the cron error names it. */
  readonly text: string | undefined;
  /** The character position of the offending text as `@craft/cron` reports it (1-based), when known. */
  readonly position: number | undefined;

  constructor(expression: string, cause: unknown) {
    const c = (cause ?? {}) as { code?: unknown; field?: unknown; text?: unknown; position?: unknown };
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      'CRAFT_SCHEDULER_INVALID_CRON',
      'cron_expression',
      `ScheduleService: cron_expression ${show(expression)} is invalid: ${reason}`,
      { cause },
    );
    this.expression = expression;
    this.cronCode = typeof c.code === 'string' ? c.code : undefined;
    this.cronField = typeof c.field === 'string' ? c.field : undefined;
    this.text = typeof c.text === 'string' ? c.text : undefined;
    this.position = typeof c.position === 'number' ? c.position : undefined;
  }
}

/** The timezone is not a known IANA zone. */
export class InvalidScheduleTimezoneError extends ScheduleValidationError {
  /** The offending zone. */
  readonly timezone: unknown;

  constructor(timezone: unknown, field = 'timezone', cause?: unknown) {
    super(
      'CRAFT_SCHEDULER_INVALID_TIMEZONE',
      field,
      `ScheduleService: ${field} ${show(timezone)} is not a known IANA timezone. ` +
        'Use a zone such as "Europe/Stockholm" or "UTC", or null for the scheduler default.',
      cause === undefined ? undefined : { cause },
    );
    this.timezone = timezone;
  }
}

/** No job type with this name is registered. */
export class UnknownJobTypeError extends ScheduleValidationError {
  /** The unknown job type. */
  readonly jobType: string;

  constructor(jobType: string, known: readonly string[], field = 'job_type') {
    super(
      'CRAFT_SCHEDULER_UNKNOWN_JOB_TYPE',
      field,
      `JobRegistry: job type ${show(jobType)} is not registered. Known job types: ${
        known.length ? known.join(', ') : '(none)'
      }. Register it with defineJob() in the scheduler's job registry.`,
    );
    this.jobType = jobType;
  }
}

/** One problem found by a parameter schema. */
export interface ParameterIssue {
  /** JSON pointer of the offending value inside `parameters` (`''` for the object itself). */
  path: string;
  /** What is wrong. */
  message: string;
}

/** Options of {@link InvalidParametersError}. */
export interface InvalidParametersErrorOptions {
  /**
   * A sentence appended to the message telling where the schema can be seen, in the caller's terms (e.g. the
   * API's `GET /jobs/types`, or a CLI command). @default none
   */
  hint?: string;
}

/** The parameters do not satisfy the job type's schema. */
export class InvalidParametersError extends ScheduleValidationError {
  /** The job type whose schema rejected the parameters. */
  readonly jobType: string;
  /** Every problem found. */
  readonly issues: ParameterIssue[];

  constructor(jobType: string, issues: ParameterIssue[], options: InvalidParametersErrorOptions = {}) {
    const list = issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ');
    super(
      'CRAFT_SCHEDULER_INVALID_PARAMETERS',
      'parameters',
      `JobRegistry: parameters for job type ${show(jobType)} are invalid: ${list}. ` +
        "Fix them to match the job type's parameter schema." +
        (options.hint ? ` ${options.hint}` : ''),
    );
    this.jobType = jobType;
    this.issues = issues;
  }
}

/** A chain names neither a schedule nor a registered job type. */
export class UnknownChainTargetError extends ScheduleValidationError {
  /** The unknown name. */
  readonly target: string;

  constructor(target: string) {
    super(
      'CRAFT_SCHEDULER_CHAIN_UNKNOWN',
      'chain',
      `ScheduleService: chain entry ${show(target)} names neither a schedule nor a registered job type. ` +
        'Create that schedule first, or fix the name.',
    );
    this.target = target;
  }
}

/** Saving the schedule would make its chain (transitively) run itself. */
export class ChainCycleError extends ScheduleValidationError {
  /** The cycle, starting and ending with the same schedule name. */
  readonly cycle: string[];

  constructor(cycle: string[]) {
    super(
      'CRAFT_SCHEDULER_CHAIN_CYCLE',
      'chain',
      `ScheduleService: chain forms a cycle (${cycle.join(' -> ')}). Remove one of the links.`,
    );
    this.cycle = cycle;
  }
}

/** A schedule with this `job_name` already exists. */
export class ScheduleExistsError extends SchedulerError {
  /** The duplicate name. */
  readonly jobName: string;

  constructor(jobName: string) {
    super(
      'CRAFT_SCHEDULER_SCHEDULE_EXISTS',
      `ScheduleService: a schedule named ${show(jobName)} already exists. Update it, or pick another job_name.`,
      { httpStatus: 409, exitStatus: EXIT_STATUS.usage },
    );
    this.jobName = jobName;
  }
}

/** No schedule with this `job_name` exists. */
export class ScheduleNotFoundError extends SchedulerError {
  /** The missing name. */
  readonly jobName: string;

  constructor(jobName: string) {
    super(
      'CRAFT_SCHEDULER_SCHEDULE_NOT_FOUND',
      `ScheduleService: no schedule named ${show(jobName)}. List schedules to see the existing names.`,
      { httpStatus: 404, exitStatus: EXIT_STATUS.usage },
    );
    this.jobName = jobName;
  }
}

/** No run with this id exists. */
export class RunNotFoundError extends SchedulerError {
  /** The missing run id. */
  readonly runId: string;

  constructor(runId: string) {
    super('CRAFT_SCHEDULER_RUN_NOT_FOUND', `JobScheduler: no run with id ${show(runId)}.`, {
      httpStatus: 404,
      exitStatus: EXIT_STATUS.usage,
    });
    this.runId = runId;
  }
}

/** A cancel was asked for a run that already finished (any final status): nothing changed. */
export class RunFinishedError extends SchedulerError {
  /** The run id. */
  readonly runId: string;
  /** Its final status. */
  readonly status: string;

  constructor(runId: string, status: string) {
    super(
      'CRAFT_SCHEDULER_RUN_FINISHED',
      `JobScheduler: run ${show(runId)} already finished (status ${show(status)}); only a pending or running run ` +
        'can be cancelled. Nothing was changed.',
      { httpStatus: 409, exitStatus: EXIT_STATUS.usage },
    );
    this.runId = runId;
    this.status = status;
  }
}

/**
 * The handler's signal reason, and the recorded error, when a run was cancelled (spec section 10): by a user
 * (`cancelRun`, the API, the CLI) or by the `cancel_running` overlap policy. The run ends `cancelled`, is not
 * retried, and its chain does not fire.
 */
export class RunCancelledError extends SchedulerError {
  /** Who asked for the cancel (`cancel_requested_by`), when known. */
  readonly by: string | null;

  constructor(by: string | null = null) {
    super(
      'CRAFT_SCHEDULER_RUN_CANCELLED',
      `Executor: the run was cancelled${by === null ? '' : ` by ${show(by)}`}; it is not retried and its chain does ` +
        'not fire. Run it again (run now, or a backfill of its slot) if it must complete.',
    );
    this.by = by;
  }
}

/** A backfill range holds more slots than its cap (`max_slots`): nothing was recorded. */
export class BackfillTooLargeError extends SchedulerError {
  /** The number of slots in the range (a lower bound when `countIsExact` is false). */
  readonly slotCount: number;
  /** The cap that was exceeded. */
  readonly maxSlots: number;
  /** False when counting stopped early (the range holds at least `slotCount` slots). */
  readonly countIsExact: boolean;

  constructor(jobName: string, slotCount: number, maxSlots: number, countIsExact = true) {
    super(
      'CRAFT_SCHEDULER_BACKFILL_TOO_LARGE',
      `JobScheduler: the backfill range of schedule ${show(jobName)} holds ${countIsExact ? '' : 'more than '}` +
        `${slotCount} slots, more than max_slots (${maxSlots}); nothing was recorded. Narrow the range, or raise ` +
        'max_slots (at most 10000).',
      { httpStatus: 400, exitStatus: EXIT_STATUS.usage },
    );
    this.slotCount = slotCount;
    this.maxSlots = maxSlots;
    this.countIsExact = countIsExact;
  }
}

/** A manual run was refused because another execution holds the job's lock. */
export class JobLockedError extends SchedulerError {
  /** The lock key, e.g. `job:nightly-cleanup`. */
  readonly lockKey: string;

  constructor(lockKey: string) {
    super(
      'CRAFT_SCHEDULER_JOB_LOCKED',
      `JobScheduler: lock ${show(lockKey)} is held by another execution; nothing was started. ` +
        'Retry when the running execution has finished.',
      { httpStatus: 409, exitStatus: EXIT_STATUS.tempfail },
    );
    this.lockKey = lockKey;
  }
}

/**
 * The schedule's `version` is not the one the caller said it edits (`ifVersion`): someone else changed its
 * definition since it was read. Nothing was changed; read it again and redo the edit.
 */
export class ScheduleVersionMismatchError extends SchedulerError {
  /** The schedule. */
  readonly jobName: string;
  /** The version the caller expected. */
  readonly expectedVersion: number;
  /** The version stored now. */
  readonly currentVersion: number;

  constructor(jobName: string, expectedVersion: number, currentVersion: number) {
    super(
      'CRAFT_SCHEDULER_VERSION_MISMATCH',
      `ScheduleService: schedule ${show(jobName)} is at version ${currentVersion}, not ${expectedVersion}: it was ` +
        'changed since it was read, and nothing was changed now. Read it again and redo the edit.',
      { httpStatus: 412, exitStatus: EXIT_STATUS.tempfail },
    );
    this.jobName = jobName;
    this.expectedVersion = expectedVersion;
    this.currentVersion = currentVersion;
  }
}

/**
 * An idempotency key was used again for a different request (another job type, schedule, parameters or
 * overrides, or another schedule definition): the key stands for its first request only. Nothing was done.
 */
export class IdempotencyKeyReusedError extends SchedulerError {
  /** What the key was first used for, e.g. `run job type "noop"`. */
  readonly firstUse: string;

  constructor(firstUse: string) {
    super(
      'CRAFT_SCHEDULER_IDEMPOTENCY_KEY_REUSED',
      `JobScheduler: this idempotency key was already used to ${firstUse}, with other values; a key stands for ` +
        'one request. Nothing was done: use a new key for a new request.',
      { httpStatus: 422, exitStatus: EXIT_STATUS.usage },
    );
    this.firstUse = firstUse;
  }
}

/** The scheduler is stopping or stopped and accepts no new runs. */
export class SchedulerStoppedError extends SchedulerError {
  constructor() {
    super(
      'CRAFT_SCHEDULER_STOPPED',
      'JobScheduler: the scheduler is stopping; no new runs are accepted. Start a new instance.',
      { httpStatus: 503, exitStatus: EXIT_STATUS.tempfail },
    );
  }
}

/** Recorded as an attempt's error when it exceeded its timeout (the handler's signal is aborted with it). */
export class JobTimeoutError extends SchedulerError {
  /** The timeout that was exceeded, in seconds. */
  readonly timeoutSeconds: number;

  constructor(jobType: string, timeoutSeconds: number) {
    super(
      'CRAFT_SCHEDULER_JOB_TIMEOUT',
      `Executor: job ${show(jobType)} exceeded its timeout of ${timeoutSeconds} s and its signal was aborted. ` +
        'Raise timeout_seconds or make the handler faster; handlers must honour the signal.',
    );
    this.timeoutSeconds = timeoutSeconds;
  }
}

/**
 * The handler's signal reason when this replica lost the job's lock lease: a renewal found it taken over or released
 * (another replica may hold it now). A lease that merely could not be renewed in time is a {@link LeaseExpiredError}.
 */
export class LeaseLostError extends SchedulerError {
  /** The lock key whose lease was lost. */
  readonly lockKey: string;

  constructor(lockKey: string) {
    super(
      'CRAFT_SCHEDULER_LEASE_LOST',
      `Executor: the lease on ${show(lockKey)} was lost (it expired and was taken over, or was released); ` +
        'the handler was aborted and its result will not be written. Use a longer lock TTL if this recurs.',
    );
    this.lockKey = lockKey;
  }
}

/**
 * The handler's signal reason when this replica could not renew a lease before its LOCAL lease deadline (spec
 * section 11: the send time of the last successful renewal + TTL − max(1 s, TTL/5), on the clock's monotonic
 * time). The replica writes nothing more for the run; another replica recovers it once the lease expired by the
 * store's clock. Also thrown by `http_request` when the deadline passed right before it would send.
 */
export class LeaseExpiredError extends SchedulerError {
  /** What the lease covered: a lock key (`job:<name>`) or a run. */
  readonly lease: string;

  constructor(lease: string) {
    super(
      'CRAFT_SCHEDULER_LEASE_EXPIRED',
      `Executor: the lease on ${show(lease)} could not be renewed before this replica's local lease deadline ` +
        '(the store or lock did not answer in time); the handler was aborted and nothing more is written for ' +
        'this run. Another replica recovers it after the lease expires. Check the database and the lock TTL.',
    );
    this.lease = lease;
  }
}

/**
 * A store or lock call did not answer within its bound (a hanging connection, an unreachable database); the
 * engine treats it as failed and retries what is safe to retry until its lease deadline.
 */
export class StoreTimeoutError extends SchedulerError {
  /** The call, e.g. `updateRun`. */
  readonly operation: string;
  /** The bound that passed, in ms. */
  readonly timeoutMs: number;

  constructor(operation: string, timeoutMs: number) {
    super(
      'CRAFT_SCHEDULER_STORE_TIMEOUT',
      `Engine: the store or lock call ${show(operation)} did not answer within ${Math.round(timeoutMs)} ms and was ` +
        'treated as failed. Check that the database is reachable; a slow database needs a longer lock TTL.',
      { httpStatus: 503, exitStatus: EXIT_STATUS.tempfail },
    );
    this.operation = operation;
    this.timeoutMs = timeoutMs;
  }
}

/** Which shutdown a {@link ShutdownError} describes. */
export interface ShutdownErrorOptions {
  /**
   * Whether the scheduler hands interrupted runs back (`stop()`'s default) or records them failed
   * (`stop({ requeue: false })`). @default true
   */
  requeue?: boolean;
  /**
   * Where the run was: in an attempt whose signal was aborted, or not in one (not started yet, or waiting to
   * retry). @default 'attempt'
   */
  during?: 'attempt' | 'wait';
}

/**
 * The handler's signal reason, and the recorded error, when the scheduler shut down mid-run: the attempt is
 * recorded `abandoned` and the run goes back to `pending` (`stop()`), or the run ends `failed` and is not retried
 * (`stop({ requeue: false })`).
 */
export class ShutdownError extends SchedulerError {
  /** False when the run was recorded failed instead of handed back (`stop({ requeue: false })`). */
  readonly requeue: boolean;

  constructor(options: ShutdownErrorOptions = {}) {
    const requeue = options.requeue ?? true;
    const during = options.during ?? 'attempt';
    super(
      'CRAFT_SCHEDULER_SHUTDOWN',
      requeue
        ? 'Executor: the scheduler shut down after its grace period while this attempt ran; another replica ' +
            'retries it if attempts remain.'
        : during === 'attempt'
          ? 'Executor: aborted by shutdown: the scheduler was stopped with stop({ requeue: false }) while this ' +
            'attempt ran; the run was recorded failed and is not retried. Run it again if it must complete.'
          : 'Executor: aborted by shutdown: the scheduler was stopped with stop({ requeue: false }) before this ' +
            "run's next attempt; it was recorded failed and is not retried. Run it again if it must complete.",
    );
    this.requeue = requeue;
  }
}

/** Recorded as an attempt's error when its replica died (its lease expired) mid-attempt. */
export class RunAbandonedError extends SchedulerError {
  constructor(replicaId: string | null) {
    super(
      'CRAFT_SCHEDULER_RUN_ABANDONED',
      `Recovery: the replica ${show(replicaId)} running this attempt stopped renewing its lease (it died or ` +
        'lost the store); the attempt was abandoned. Handlers should be idempotent because of this.',
    );
  }
}

/** A job definition passed to `defineJob` or a registry is invalid, or its type is registered twice. */
export class InvalidJobDefinitionError extends SchedulerError {
  constructor(message: string) {
    super('CRAFT_SCHEDULER_INVALID_JOB_DEFINITION', `defineJob: ${message}`, {
      exitStatus: EXIT_STATUS.config,
    });
  }
}

/** `: SyntaxError: Unexpected token ';'.` for an error (its message kept whole), the text of anything else. */
function describeCause(cause: unknown): string {
  const text =
    cause instanceof Error
      ? cause.message
        ? `${cause.name}: ${cause.message}`
        : cause.name
      : typeof cause === 'string'
        ? cause
        : show(cause);
  const trimmed = text.trimEnd();
  return `: ${trimmed}${/[.!?]$/.test(trimmed) ? '' : '.'}`;
}

/**
 * A jobs module (`loadJobModule`) could not be loaded or does not default-export job definitions. When the import
 * failed, the message includes the cause's name and message (e.g. the `SyntaxError`), which is also `cause`.
 */
export class JobModuleError extends SchedulerError {
  /** The module path. */
  readonly path: string;

  constructor(path: string, problem: string, cause?: unknown) {
    super(
      'CRAFT_SCHEDULER_INVALID_JOB_MODULE',
      `loadJobModule: ${show(path)} ${problem}${cause === undefined ? '.' : describeCause(cause)} ` +
        'The module must default-export an array of defineJob() results.',
      { ...(cause === undefined ? {} : { cause }), exitStatus: EXIT_STATUS.config },
    );
    this.path = path;
  }
}

/** The codes of {@link HttpJobError} (kept from when the job lived in `@craft/api`; runs already store them). */
export type HttpJobErrorCode = 'CRAFT_API_HTTP_UNEXPECTED_STATUS' | 'CRAFT_API_HTTP_REQUEST_FAILED';

/**
 * Recorded as an attempt's error by the built-in `http_request` job: the webhook answered a status other than
 * `expected_status` (`CRAFT_API_HTTP_UNEXPECTED_STATUS`), or the request failed or passed its `timeout_seconds`
 * (`CRAFT_API_HTTP_REQUEST_FAILED`). The codes keep the `CRAFT_API_` prefix they had when the job lived in
 * `@craft/api`, so stored runs, alerts and queries on `error.code` keep matching.
 */
export class HttpJobError extends SchedulerError {
  /** `CRAFT_API_HTTP_UNEXPECTED_STATUS` or `CRAFT_API_HTTP_REQUEST_FAILED`. */
  declare readonly code: HttpJobErrorCode;
  /** The response status, for `CRAFT_API_HTTP_UNEXPECTED_STATUS`. */
  readonly status: number | undefined;

  constructor(code: HttpJobErrorCode, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = options.status;
  }
}

/** Every error code this package defines (the README's Errors table lists exactly these). */
export const SCHEDULER_ERROR_CODES: readonly string[] = [
  'CRAFT_SCHEDULER_INVALID_FIELD',
  'CRAFT_SCHEDULER_INVALID_CRON',
  'CRAFT_SCHEDULER_INVALID_TIMEZONE',
  'CRAFT_SCHEDULER_UNKNOWN_JOB_TYPE',
  'CRAFT_SCHEDULER_INVALID_PARAMETERS',
  'CRAFT_SCHEDULER_CHAIN_UNKNOWN',
  'CRAFT_SCHEDULER_CHAIN_CYCLE',
  'CRAFT_SCHEDULER_SCHEDULE_EXISTS',
  'CRAFT_SCHEDULER_SCHEDULE_NOT_FOUND',
  'CRAFT_SCHEDULER_RUN_NOT_FOUND',
  'CRAFT_SCHEDULER_RUN_FINISHED',
  'CRAFT_SCHEDULER_BACKFILL_TOO_LARGE',
  'CRAFT_SCHEDULER_JOB_LOCKED',
  'CRAFT_SCHEDULER_VERSION_MISMATCH',
  'CRAFT_SCHEDULER_IDEMPOTENCY_KEY_REUSED',
  'CRAFT_SCHEDULER_STOPPED',
  'CRAFT_SCHEDULER_JOB_TIMEOUT',
  'CRAFT_SCHEDULER_LEASE_LOST',
  'CRAFT_SCHEDULER_LEASE_EXPIRED',
  'CRAFT_SCHEDULER_STORE_TIMEOUT',
  'CRAFT_SCHEDULER_SHUTDOWN',
  'CRAFT_SCHEDULER_RUN_ABANDONED',
  'CRAFT_SCHEDULER_RUN_CANCELLED',
  'CRAFT_SCHEDULER_INVALID_JOB_DEFINITION',
  'CRAFT_SCHEDULER_INVALID_JOB_MODULE',
  'CRAFT_API_HTTP_UNEXPECTED_STATUS',
  'CRAFT_API_HTTP_REQUEST_FAILED',
];

/** Serialises any thrown value into a {@link import('./model.js').RunError}. */
export function toRunError(error: unknown): { name: string; message: string; code?: string; stack?: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(error.stack ? { stack: error.stack } : {}),
    };
  }
  return { name: 'Error', message: typeof error === 'string' ? error : show(error) };
}
