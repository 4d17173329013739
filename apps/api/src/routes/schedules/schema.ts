import { DST_GAP_POLICIES, DST_OVERLAP_POLICIES } from '@craft/cron';
import {
  DEFAULT_BACKFILL_MAX_SLOTS,
  MAX_BACKFILL_CONCURRENCY,
  MAX_BACKFILL_SLOTS,
  MAX_JITTER_SECONDS,
  MAX_REASON_LENGTH,
  MISSED_RUN_POLICIES,
  OVERLAP_POLICIES,
  RUN_STATUSES,
} from '@craft/scheduler';
import { Type } from 'typebox';
import { IdempotencyKeyHeaders } from '../../plugins/idempotency.js';
import { CRON_EXPRESSION_PATTERN } from '../cron-pattern.js';
import { RunOverrideFields } from '../manual-run.js';
import { PreviewFields, PreviewWindowFields } from '../preview.js';
import {
  errorResponses,
  JobNameParams,
  jobNameSchema,
  jobTypeSchema,
  nullable,
  RunRef,
  ScheduleRef,
  WaitQuery,
} from '../schema.js';
import { IfMatchHeaders } from './preconditions.js';

/** `POST /jobs/schedules/:job_name/run` body (optional): per-run overrides; the schedule is unchanged. */
export const RunNowBody = Type.Object({ ...RunOverrideFields }, { additionalProperties: false });

/** The user fields of a schedule body, `job_type` an enum of the registered types. */
const fieldsFor = (jobTypes: readonly string[]) => ({
  description: Type.Optional(nullable<string>({ type: 'string', maxLength: 2000, description: 'Free text' })),
  cron_expression: Type.String({
    minLength: 1,
    maxLength: 256,
    pattern: CRON_EXPRESSION_PATTERN,
    description:
      '5-field cron: minute hour day-of-month month day-of-week (0 = Monday … 6 = Sunday), or a macro (@daily, …). ' +
      'The pattern is the syntax; a reversed range (5-3) or an expression that never fires (0 0 31 2 *) also ' +
      'matches it and is refused with 400 CRAFT_SCHEDULER_INVALID_CRON',
    examples: ['0 3 * * *'],
  }),
  is_enabled: Type.Optional(Type.Boolean({ description: 'Disabled schedules never run (default true)' })),
  job_type: jobTypeSchema(jobTypes, 'The job this schedule runs'),
  parameters: Type.Optional(
    Type.Object(
      {},
      { additionalProperties: true, description: 'Passed to the job; checked against its schema' },
    ),
  ),
  max_attempts: Type.Optional(
    nullable<number>({
      type: 'integer',
      minimum: 1,
      maximum: Number.MAX_SAFE_INTEGER,
      description: "Overrides the job's default",
    }),
  ),
  timeout_seconds: Type.Optional(
    nullable<number>({
      type: 'integer',
      minimum: 1,
      maximum: Number.MAX_SAFE_INTEGER,
      description: "Per attempt; overrides the job's default",
    }),
  ),
  chain: Type.Optional(
    Type.Array(Type.String({ minLength: 1 }), {
      uniqueItems: true,
      description:
        'Schedules (else job types) to run, in order, after a successful run; each name once, naming an existing ' +
        'schedule or job type, without a cycle back to this schedule (checked: 400)',
    }),
  ),
  timezone: Type.Optional(
    nullable<string>({
      type: 'string',
      description: "IANA zone; null uses the scheduler's (SCHEDULER_TIMEZONE)",
    }),
  ),
  missed_run_policy: Type.Optional(
    Type.Enum([...MISSED_RUN_POLICIES], { description: 'What happens to missed slots (default once)' }),
  ),
  catch_up_window_seconds: Type.Optional(
    nullable<number>({
      type: 'integer',
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'Missed slots older than this are skipped',
    }),
  ),
  max_catch_up_runs: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'With policy all, at most this many missed slots run (default 10)',
    }),
  ),
  // Per-schedule control (spec section 10).
  dst_gap: Type.Optional(
    Type.Enum([...DST_GAP_POLICIES], {
      description:
        'A matching wall time in a spring-forward gap: skip it that day (default), or shift: run once at the ' +
        'first instant after the gap',
    }),
  ),
  dst_overlap: Type.Optional(
    Type.Enum([...DST_OVERLAP_POLICIES], {
      description: 'A wall time that occurs twice (fall back): first (default), last, or both occurrences',
    }),
  ),
  jitter_seconds: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: MAX_JITTER_SECONDS,
      description:
        'Each run starts up to this many seconds after its slot (a fixed offset per name and slot; default 0); ' +
        'must be shorter than the smallest gap between consecutive slots',
    }),
  ),
  pause_after_failures: Type.Optional(
    nullable<number>({
      type: 'integer',
      minimum: 1,
      description:
        'Disable the schedule after this many consecutive failed/timed-out/abandoned runs; null: never',
    }),
  ),
  overlap_policy: Type.Optional(
    Type.Enum([...OVERLAP_POLICIES], {
      description:
        'What a due slot does while a run of this schedule still runs: defer (default: it waits for the lock), skip ' +
        '(recorded skipped, reason overlap), allow (runs overlap, each on its own lease), cancel_running (the ' +
        'running run is cancelled, then the slot runs)',
    }),
  ),
});

const jobName = jobNameSchema('Unique name of the schedule');

/** `POST /jobs/schedules` body. */
export const createScheduleBody = (jobTypes: readonly string[]) =>
  Type.Object({ job_name: jobName, ...fieldsFor(jobTypes) }, { additionalProperties: false });

/** `PUT /jobs/schedules/:job_name` body: every user field (omitted ones take their defaults). */
export const replaceScheduleBody = (jobTypes: readonly string[]) =>
  Type.Object({ job_name: Type.Optional(jobName), ...fieldsFor(jobTypes) }, { additionalProperties: false });

/** `PATCH /jobs/schedules/:job_name` body: only the fields to change. */
export const patchScheduleBody = (jobTypes: readonly string[]) =>
  Type.Partial(Type.Object(fieldsFor(jobTypes)), { additionalProperties: false });

const LAST_STATUSES = [...RUN_STATUSES, 'none'];

/** `GET /jobs/schedules` query. */
export const ListSchedulesQuery = Type.Object(
  {
    enabled: Type.Optional(
      Type.Boolean({ description: 'Only enabled (true) or disabled (false) schedules' }),
    ),
    job_type: Type.Optional(Type.String({ minLength: 1, description: 'Only schedules of this job type' })),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description:
          'Only schedules whose job_name or description contains this text (case-insensitive, literal)',
      }),
    ),
    last_status: Type.Optional(
      Type.String({
        pattern: `^(${LAST_STATUSES.join('|')})(,(${LAST_STATUSES.join('|')}))*$`,
        description:
          'Only schedules whose last_run_status is one of these, comma-separated; none: never ran ' +
          `(${LAST_STATUSES.join(', ')})`,
      }),
    ),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'Page size' }),
    cursor: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1000,
        pattern: '^[A-Za-z0-9_-]+$',
        description:
          'next_cursor of the previous page (base64url of the last name listed: the page starts after that name)',
      }),
    ),
  },
  { additionalProperties: false },
);

/** `GET /jobs/schedules` answer. */
export const ScheduleList = Type.Object({
  items: Type.Array(ScheduleRef),
  next_cursor: nullable<string>({
    type: 'string',
    description: 'Pass as cursor for the next page; null on the last page',
  }),
});

/** `GET /jobs/schedules/:job_name/next-runs` query. */
export const NextRunsQuery = Type.Object({ ...PreviewWindowFields }, { additionalProperties: false });

/** `GET /jobs/schedules/:job_name/next-runs` answer. */
export const NextRuns = Type.Object({
  job_name: Type.String(),
  cron_expression: Type.String(),
  is_enabled: Type.Boolean({ description: 'false: the schedule is disabled and these runs will not happen' }),
  ...PreviewFields,
});

/** `POST /jobs/schedules/:job_name/disable` body (optional). */
export const DisableBody = Type.Object(
  {
    reason: Type.Optional(
      nullable<string>({
        type: 'string',
        maxLength: MAX_REASON_LENGTH,
        description: 'Why it is disabled (stored as paused_reason; cleared on enable)',
      }),
    ),
  },
  { additionalProperties: false },
);

/** Default of the `timeout_seconds` query of `POST /jobs/schedules/{job_name}/backfill?wait=true`. */
export const BACKFILL_WAIT_DEFAULT_SECONDS = 60;

/** `POST /jobs/schedules/:job_name/backfill` body. */
export const BackfillBody = Type.Object(
  {
    from: Type.String({ format: 'date-time', description: 'The first instant of the range (inclusive)' }),
    to: Type.String({
      format: 'date-time',
      description: 'The end of the range (exclusive); not after now: a backfill runs past slots only',
    }),
    max_slots: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_BACKFILL_SLOTS,
        description:
          `The most slots the range may hold (default ${DEFAULT_BACKFILL_MAX_SLOTS}); a range with more is a 400 ` +
          '(CRAFT_SCHEDULER_BACKFILL_TOO_LARGE, details.slot_count) and records nothing',
      }),
    ),
    concurrency: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_BACKFILL_CONCURRENCY,
        description:
          'Backfill runs at once (default 1); above 1 only for a schedule whose overlap_policy is allow (others run ' +
          'one at a time under their lock)',
      }),
    ),
  },
  { additionalProperties: false },
);

/** `POST /jobs/schedules/:job_name/backfill` query. */
export const BackfillQuery = Type.Object(
  {
    wait: Type.Optional(
      Type.Boolean({
        default: false,
        description: "true: wait for the backfill's runs and answer their final records (complete)",
      }),
    ),
    // No schema default: given without wait=true it is a 400, not silently ignored.
    timeout_seconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 3600,
        description:
          `With wait=true only: answer after at most this many seconds (default ${BACKFILL_WAIT_DEFAULT_SECONDS}); ` +
          'runs still going on then keep running, and the answer says complete: false',
      }),
    ),
  },
  { additionalProperties: false },
);

/** `POST /jobs/schedules/:job_name/backfill` answer. */
export const BackfillResult = Type.Object({
  job_name: Type.String(),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  slot_count: Type.Integer({ description: 'Slots of the schedule in [from, to)' }),
  created: Type.Array(RunRef, {
    description:
      'The runs this backfill recorded (trigger backfill), oldest slot first: pending, or (wait=true) final, or as ' +
      'they stand when the wait ended first',
  }),
  already_recorded: Type.Array(RunRef, {
    description: 'Slots that already had a record (any status, skipped included): reported, not run again',
  }),
  complete: Type.Optional(
    Type.Boolean({
      description:
        'wait=true only: true when every created run finished within timeout_seconds; false when the wait ended ' +
        'first (the runs go on)',
    }),
  ),
});

const tags = ['schedules'];

/** Route schemas of the schedules resource; `job_type` lists `jobTypes` (the registry at startup). */
export function scheduleSchemas(jobTypes: readonly string[]) {
  return {
    create: {
      tags,
      operationId: 'createSchedule',
      summary: 'Create a schedule (ETag: its version; Idempotency-Key makes a retry safe)',
      headers: IdempotencyKeyHeaders,
      body: createScheduleBody(jobTypes),
      response: { 201: ScheduleRef, ...errorResponses(400, 409, 413, 415, 422) },
    },
    list: {
      tags,
      operationId: 'listSchedules',
      summary: 'List schedules (sorted by name; cursor pagination)',
      querystring: ListSchedulesQuery,
      response: { 200: ScheduleList, ...errorResponses(400) },
    },
    get: {
      tags,
      operationId: 'getSchedule',
      summary: 'Read a schedule (ETag: its version)',
      params: JobNameParams,
      response: { 200: ScheduleRef, ...errorResponses(404) },
    },
    replace: {
      tags,
      operationId: 'replaceSchedule',
      summary:
        'Replace a schedule (omitted optional fields take their defaults); If-Match makes it conditional',
      params: JobNameParams,
      headers: IfMatchHeaders,
      body: replaceScheduleBody(jobTypes),
      response: { 200: ScheduleRef, ...errorResponses(400, 404, 412, 413, 415) },
    },
    patch: {
      tags,
      operationId: 'patchSchedule',
      summary: 'Change some fields of a schedule; If-Match makes it conditional',
      params: JobNameParams,
      headers: IfMatchHeaders,
      body: patchScheduleBody(jobTypes),
      response: { 200: ScheduleRef, ...errorResponses(400, 404, 412, 413, 415) },
    },
    remove: {
      tags,
      operationId: 'deleteSchedule',
      summary:
        'Delete a schedule (its run history stays); answers the deleted schedule; If-Match makes it conditional',
      params: JobNameParams,
      headers: IfMatchHeaders,
      response: { 200: ScheduleRef, ...errorResponses(404, 412) },
    },
    enable: {
      tags,
      operationId: 'enableSchedule',
      summary:
        'Enable a schedule (next_run_at is computed from now: no missed slots; the pause is cleared and ' +
        'consecutive_failures reset); If-Match makes it conditional',
      params: JobNameParams,
      headers: IfMatchHeaders,
      response: { 200: ScheduleRef, ...errorResponses(404, 412) },
    },
    disable: {
      tags,
      operationId: 'disableSchedule',
      summary:
        'Disable a schedule, optionally with a reason (next_run_at is cleared; paused_reason, paused_at and paused_by ' +
        'record why, when and who); If-Match makes it conditional',
      params: JobNameParams,
      headers: IfMatchHeaders,
      body: DisableBody,
      response: { 200: ScheduleRef, ...errorResponses(404, 412, 413, 415) },
    },
    nextRuns: {
      tags,
      operationId: 'getNextRuns',
      summary:
        "Preview the next runs (UTC and local) under the schedule's DST choices and jitter: DST markers, skipped and " +
        'shifted wall times, planned starts',
      params: JobNameParams,
      querystring: NextRunsQuery,
      response: { 200: NextRuns, ...errorResponses(400, 404) },
    },
    runNow: {
      tags: ['schedules', 'runs'],
      operationId: 'runSchedule',
      summary:
        'Run a schedule now (its job type, parameters and limits, optionally with max_attempts/timeout_seconds for ' +
        'this run; next_run_at unchanged). Idempotency-Key makes a retry safe',
      params: JobNameParams,
      headers: IdempotencyKeyHeaders,
      querystring: WaitQuery,
      body: RunNowBody,
      response: { 200: RunRef, 202: RunRef, ...errorResponses(400, 404, 409, 413, 415, 422, 503) },
    },
    backfill: {
      tags: ['schedules', 'runs'],
      operationId: 'backfillSchedule',
      summary:
        'Backfill: run every slot of the schedule in [from, to) once, oldest first, one at a time (under allow, up to ' +
        'concurrency); slots already recorded are reported, not run again (202; ?wait=true: 200 with final records). ' +
        'Idempotency-Key makes a retry answer the first request',
      params: JobNameParams,
      headers: IdempotencyKeyHeaders,
      querystring: BackfillQuery,
      body: BackfillBody,
      response: {
        200: BackfillResult,
        202: BackfillResult,
        ...errorResponses(400, 404, 409, 413, 415, 422, 503),
      },
    },
  };
}
