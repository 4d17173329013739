import { MISSED_RUN_POLICIES, RUN_STATUSES } from '@craft/scheduler';
import { Type } from 'typebox';
import { RunOverrideFields } from '../manual-run.js';
import { PreviewFields, PreviewWindowFields } from '../preview.js';
import { errorResponses, JobNameParams, nullable, RunRef, ScheduleRef, WaitQuery } from '../schema.js';

/** `POST /jobs/schedules/:job_name/run` body (optional): per-run overrides; the schedule is unchanged. */
export const RunNowBody = Type.Object({ ...RunOverrideFields }, { additionalProperties: false });

const fields = {
  description: Type.Optional(nullable<string>({ type: 'string', maxLength: 2000, description: 'Free text' })),
  cron_expression: Type.String({
    minLength: 1,
    maxLength: 256,
    description: '5-field cron: minute hour day-of-month month day-of-week (0 = Monday … 6 = Sunday)',
    examples: ['0 3 * * *'],
  }),
  is_enabled: Type.Optional(Type.Boolean({ description: 'Disabled schedules never run (default true)' })),
  job_type: Type.String({
    minLength: 1,
    maxLength: 200,
    description: 'A registered job type (GET /jobs/types)',
  }),
  parameters: Type.Optional(
    Type.Object(
      {},
      { additionalProperties: true, description: 'Passed to the job; checked against its schema' },
    ),
  ),
  max_attempts: Type.Optional(
    nullable<number>({ type: 'integer', minimum: 1, description: "Overrides the job's default" }),
  ),
  timeout_seconds: Type.Optional(
    nullable<number>({
      type: 'integer',
      minimum: 1,
      description: "Per attempt; overrides the job's default",
    }),
  ),
  chain: Type.Optional(
    Type.Array(Type.String({ minLength: 1 }), {
      description: 'Schedules (else job types) to run, in order, after a successful run',
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
      description: 'Missed slots older than this are skipped',
    }),
  ),
  max_catch_up_runs: Type.Optional(
    Type.Integer({
      minimum: 1,
      description: 'With policy all, at most this many missed slots run (default 10)',
    }),
  ),
};

const jobName = Type.String({ minLength: 1, maxLength: 200, description: 'Unique name of the schedule' });

/** `POST /jobs/schedules` body. */
export const CreateScheduleBody = Type.Object(
  { job_name: jobName, ...fields },
  { additionalProperties: false },
);

/** `PUT /jobs/schedules/:job_name` body: every user field (omitted ones take their defaults). */
export const ReplaceScheduleBody = Type.Object(
  { job_name: Type.Optional(jobName), ...fields },
  { additionalProperties: false },
);

/** `PATCH /jobs/schedules/:job_name` body: only the fields to change. */
export const PatchScheduleBody = Type.Partial(Type.Object(fields), { additionalProperties: false });

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
      Type.String({ minLength: 1, maxLength: 1000, description: 'next_cursor of the previous page' }),
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

const tags = ['schedules'];

/** Route schemas of the schedules resource. */
export const schemas = {
  create: {
    tags,
    summary: 'Create a schedule',
    body: CreateScheduleBody,
    response: { 201: ScheduleRef, ...errorResponses(400, 409, 413, 415) },
  },
  list: {
    tags,
    summary: 'List schedules (sorted by name; cursor pagination)',
    querystring: ListSchedulesQuery,
    response: { 200: ScheduleList, ...errorResponses(400) },
  },
  get: {
    tags,
    summary: 'Read a schedule',
    params: JobNameParams,
    response: { 200: ScheduleRef, ...errorResponses(404) },
  },
  replace: {
    tags,
    summary: 'Replace a schedule (omitted optional fields take their defaults)',
    params: JobNameParams,
    body: ReplaceScheduleBody,
    response: { 200: ScheduleRef, ...errorResponses(400, 404, 413, 415) },
  },
  patch: {
    tags,
    summary: 'Change some fields of a schedule',
    params: JobNameParams,
    body: PatchScheduleBody,
    response: { 200: ScheduleRef, ...errorResponses(400, 404, 413, 415) },
  },
  remove: {
    tags,
    summary: 'Delete a schedule (its run history stays); answers the deleted schedule',
    params: JobNameParams,
    response: { 200: ScheduleRef, ...errorResponses(404) },
  },
  enable: {
    tags,
    summary: 'Enable a schedule (next_run_at is computed from now: no missed slots)',
    params: JobNameParams,
    response: { 200: ScheduleRef, ...errorResponses(404) },
  },
  disable: {
    tags,
    summary: 'Disable a schedule (next_run_at is cleared)',
    params: JobNameParams,
    response: { 200: ScheduleRef, ...errorResponses(404) },
  },
  nextRuns: {
    tags,
    summary: 'Preview the next runs (UTC and local) with the slots DST skips',
    params: JobNameParams,
    querystring: NextRunsQuery,
    response: { 200: NextRuns, ...errorResponses(400, 404) },
  },
  runNow: {
    tags: ['schedules', 'runs'],
    summary:
      'Run a schedule now (its job type, parameters and limits, optionally with max_attempts/timeout_seconds for ' +
      'this run; next_run_at unchanged)',
    params: JobNameParams,
    querystring: WaitQuery,
    body: RunNowBody,
    response: { 200: RunRef, 202: RunRef, ...errorResponses(400, 404, 409, 413, 415, 503) },
  },
};
