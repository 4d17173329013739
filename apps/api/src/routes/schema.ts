// Schemas shared by several resources: the error body, schedules and runs as the API returns them. Field names
// are the snake_case names of spec section 1; dates are ISO 8601 UTC strings.
import { DST_GAP_POLICIES, DST_OVERLAP_POLICIES } from '@craft/cron';
import { MISSED_RUN_POLICIES, OVERLAP_POLICIES, RUN_STATUSES, RUN_TRIGGERS } from '@craft/scheduler';
import { type Static, type TSchema, Type } from 'typebox';

/** `T | null` as a JSON Schema type list (cheaper to serialise than `anyOf`, valid OpenAPI 3.1). */
export function nullable<T>(schema: { type: string; [k: string]: unknown }) {
  const { type, ...rest } = schema;
  return Type.Unsafe<T | null>({ ...rest, type: [type, 'null'] });
}

/** A nullable ISO 8601 UTC date-time string. */
export const NullableDateTime = nullable<string>({ type: 'string', format: 'date-time' });

/** Any JSON object. */
export const JsonObject = Type.Object({}, { additionalProperties: true });

/** The one error body of every 4xx/5xx answer. */
export const ErrorBody = Type.Object(
  {
    statusCode: Type.Integer({ description: 'The HTTP status, repeated' }),
    code: Type.String({ description: 'Stable machine-readable code (see the Errors table of the README)' }),
    error: Type.String({ description: 'The HTTP reason phrase' }),
    message: Type.String({ description: 'What is wrong and how to fix it' }),
    field: Type.Optional(
      Type.String({ description: 'The offending body field, query or path parameter (snake_case)' }),
    ),
    details: Type.Optional(
      Type.Object(
        {},
        {
          additionalProperties: true,
          description:
            'Code-specific data, e.g. for CRAFT_SCHEDULER_INVALID_CRON: cron_field, text, position, expression',
        },
      ),
    ),
  },
  { $id: 'ErrorBody', additionalProperties: false },
);

/** A reference to a shared schema (an OpenAPI component), typed as the schema it points at. */
function ref<T extends TSchema>(schema: T & { $id?: string }) {
  return Type.Unsafe<Static<T>>({ $ref: `${schema.$id}#` });
}

/** The error body as a reference. */
export const ErrorBodyRef = ref(ErrorBody);

/**
 * Responses for the given error statuses (400, 401, 403 and 429 always), all with the {@link ErrorBody}. 400 is
 * possible on every authenticated route: a broken URL encoding or an unknown query field (found by schemathesis:
 * tooling/fuzz); 429 is the rate limit (`RATE_LIMIT_MAX`).
 */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorBodyRef> {
  const out: Record<number, typeof ErrorBodyRef> = {};
  for (const s of [400, 401, 403, 429, ...statuses].sort()) out[s] = ErrorBodyRef;
  return out;
}

// Whitespace as String.prototype.trim() sees it, and control characters: a job_name neither starts nor ends with
// the first and never contains the second (@craft/scheduler's validation, as a pattern). Lone surrogates, which
// the scheduler refuses too, are left out of the pattern: JSON texts of well-formed UTF-8 cannot carry them, and a
// surrogate range is not portable across regex engines (schemathesis drops such a pattern).
const WS = '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';
const CTRL = '\\u0000-\\u001f\\u007f';

/** The pattern of a `job_name`: no control characters, no leading or trailing whitespace. */
export const JOB_NAME_PATTERN = `^[^${WS}${CTRL}](?:[^${CTRL}]*[^${WS}${CTRL}])?$`;

/** Longest `job_name`, in characters (code points), as the scheduler validates it. */
export const JOB_NAME_MAX_LENGTH = 200;

/** A `job_name` as a body field or path parameter. */
export function jobNameSchema(description: string) {
  return Type.String({
    minLength: 1,
    maxLength: JOB_NAME_MAX_LENGTH,
    pattern: JOB_NAME_PATTERN,
    description: `${description}: 1-${JOB_NAME_MAX_LENGTH} characters, no control characters or lone surrogates, no leading or trailing whitespace`,
  });
}

/** A registered job type: an enum of the types registered at startup (built-ins and `CRAFT_JOBS`). */
export function jobTypeSchema(jobTypes: readonly string[], description: string) {
  return Type.String({
    enum: [...jobTypes],
    description: `${description}. One of the job types registered at startup (GET /jobs/types); others are 400 CRAFT_SCHEDULER_UNKNOWN_JOB_TYPE`,
  });
}

const RunStatusEnum = Type.Enum([...RUN_STATUSES]);
const PolicyEnum = Type.Enum([...MISSED_RUN_POLICIES]);
const OverlapEnum = Type.Enum([...OVERLAP_POLICIES], {
  description:
    'What a due slot does while a run of the schedule still runs (defer, skip, allow, cancel_running)',
});

/** A schedule as the API returns it. */
export const Schedule = Type.Object(
  {
    job_name: Type.String(),
    description: nullable<string>({ type: 'string' }),
    cron_expression: Type.String(),
    is_enabled: Type.Boolean(),
    job_type: Type.String(),
    parameters: JsonObject,
    max_attempts: nullable<number>({ type: 'integer' }),
    timeout_seconds: nullable<number>({ type: 'integer' }),
    chain: Type.Array(Type.String()),
    timezone: nullable<string>({ type: 'string' }),
    missed_run_policy: PolicyEnum,
    catch_up_window_seconds: nullable<number>({ type: 'integer' }),
    max_catch_up_runs: Type.Integer(),
    overlap_policy: OverlapEnum,
    last_run_at: NullableDateTime,
    last_run_status: nullable<string>({ type: 'string', enum: [...RUN_STATUSES, null] }),
    next_run_at: NullableDateTime,
    created_at: NullableDateTime,
    updated_at: NullableDateTime,
    version: Type.Integer({
      minimum: 0,
      description:
        'Version of the definition (the ETag, quoted): 1 at creation, +1 on every change of a user field; the ' +
        "scheduler's own writes (next_run_at, last_run_*) keep it. 0 for a schedule another program stored",
    }),
    // Per-schedule control (spec section 10).
    dst_gap: Type.Enum([...DST_GAP_POLICIES], {
      description:
        'A matching wall time in a spring-forward gap: skip it that day, or shift it to the end of the gap',
    }),
    dst_overlap: Type.Enum([...DST_OVERLAP_POLICIES], {
      description:
        'A wall time that occurs twice (fall back): run at the first occurrence, the last, or both',
    }),
    jitter_seconds: Type.Integer({ description: 'Each run starts up to this many seconds after its slot' }),
    next_due_at: nullable<string>({
      type: 'string',
      format: 'date-time',
      description: 'Planned start of next_run_at: the slot plus its jitter offset',
    }),
    pause_after_failures: nullable<number>({
      type: 'integer',
      description: 'The schedule disables itself after this many consecutive failures; null: never',
    }),
    consecutive_failures: Type.Integer({
      description: 'Runs in a row that ended failed, timed_out or abandoned (server-managed)',
    }),
    paused_reason: nullable<string>({ type: 'string', description: 'Why it was disabled (server-managed)' }),
    paused_at: nullable<string>({
      type: 'string',
      format: 'date-time',
      description: 'When it was disabled (server-managed)',
    }),
    paused_by: nullable<string>({
      type: 'string',
      description: "Who disabled it: a token's sub, cli, code, sync or auto (server-managed)",
    }),
    updated_by: nullable<string>({
      type: 'string',
      description: "Who last changed it: a token's sub, cli, code, sync or auto",
    }),
    managed_by: nullable<string>({
      type: 'string',
      description: 'sync: created or adopted by schedules apply / syncSchedules (prune may delete it)',
    }),
  },
  { $id: 'Schedule', additionalProperties: false },
);

/** A schedule as a reference. */
export const ScheduleRef = ref(Schedule);

/** The error of an attempt or run (stack traces stay in the database and the logs). */
export const RunError = nullable<{ name: string; message: string; code?: string }>({
  type: 'object',
  properties: { name: { type: 'string' }, message: { type: 'string' }, code: { type: 'string' } },
  required: ['name', 'message'],
  additionalProperties: false,
});

/** A run as the API returns it. */
export const Run = Type.Object(
  {
    id: Type.String(),
    run_key: Type.String(),
    job_type: Type.String(),
    job_name: nullable<string>({ type: 'string' }),
    slot: NullableDateTime,
    trigger: Type.Enum([...RUN_TRIGGERS]),
    parameters: JsonObject,
    status: RunStatusEnum,
    attempts: Type.Array(
      Type.Object({
        attempt: Type.Integer(),
        status: Type.String(),
        started_at: Type.String({ format: 'date-time' }),
        finished_at: NullableDateTime,
        error: RunError,
        replica_id: Type.String(),
      }),
    ),
    max_attempts: Type.Integer(),
    timeout_seconds: Type.Integer(),
    started_at: NullableDateTime,
    finished_at: NullableDateTime,
    result: Type.Unknown({ description: "The handler's resolved value (any JSON), or null" }),
    error: RunError,
    parent_run_id: nullable<string>({ type: 'string' }),
    replica_id: nullable<string>({ type: 'string' }),
    lock_key: Type.String(),
    lease_owner: nullable<string>({ type: 'string' }),
    lease_expires_at: NullableDateTime,
    fencing_token: nullable<number>({ type: 'integer' }),
    cancel_requested_at: nullable<string>({
      type: 'string',
      format: 'date-time',
      description: 'When a cancel was requested (POST /jobs/runs/{run_id}/cancel); null when none was',
    }),
    cancel_requested_by: nullable<string>({
      type: 'string',
      description: "Who requested the cancel: the token's sub, cli, or overlap (the cancel_running policy)",
    }),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
    // Per-schedule control (spec section 10).
    dst: nullable<string>({
      type: 'string',
      enum: ['shifted', 'first', 'second', null],
      description:
        'DST marker of the slot: shifted (first instant after a gap), first/second (a repeated wall time), or null',
    }),
    wall_time: nullable<string>({
      type: 'string',
      description: "The wall time the slot stands for, YYYY-MM-DDTHH:mm in the schedule's zone",
    }),
    due_at: nullable<string>({
      type: 'string',
      format: 'date-time',
      description: 'When the run was due: the slot plus its jitter offset (trigger lag counts from it)',
    }),
  },
  { $id: 'Run', additionalProperties: false },
);

/** A run as a reference. */
export const RunRef = ref(Run);

/** The shared schemas (OpenAPI components), added to the app before the routes. */
export const SHARED_SCHEMAS: readonly TSchema[] = [ErrorBody, Schedule, Run];

/** Path parameter `job_name`. */
export const JobNameParams = Type.Object({ job_name: jobNameSchema('The schedule name') });

/** Query `?wait=true`. */
export const WaitQuery = Type.Object(
  {
    wait: Type.Optional(
      Type.Boolean({
        default: false,
        description: 'true: answer 200 with the finished run(s) instead of 202 with the started one(s)',
      }),
    ),
  },
  { additionalProperties: false },
);

/** Re-exported for route files. */
export type { TSchema };
