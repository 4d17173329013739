import { RUN_STATUSES, RUN_TRIGGERS } from '@craft/scheduler';
import { Type } from 'typebox';
import { IdempotencyKeyHeaders } from '../../plugins/idempotency.js';
import { RunOverrideFields } from '../manual-run.js';
import { errorResponses, jobTypeSchema, nullable, RunRef, WaitQuery } from '../schema.js';

/** `GET /jobs/runs` query. */
export const ListRunsQuery = Type.Object(
  {
    job_name: Type.Optional(Type.String({ minLength: 1, description: 'Only runs of this schedule' })),
    job_type: Type.Optional(Type.String({ minLength: 1, description: 'Only runs of this job type' })),
    status: Type.Optional(
      Type.String({
        pattern: `^(${RUN_STATUSES.join('|')})(,(${RUN_STATUSES.join('|')}))*$`,
        description: `Only runs with one of these statuses, comma-separated (${RUN_STATUSES.join(', ')})`,
      }),
    ),
    trigger: Type.Optional(Type.Enum([...RUN_TRIGGERS], { description: 'Only runs with this trigger' })),
    parent_run_id: Type.Optional(Type.String({ minLength: 1, description: 'Only chained runs of this run' })),
    slot_from: Type.Optional(
      Type.String({
        format: 'date-time',
        description:
          'Only runs whose slot is at or after this instant (manual and chained runs have no slot: never matched)',
      }),
    ),
    slot_to: Type.Optional(
      Type.String({
        format: 'date-time',
        description:
          'Only runs whose slot is before this instant (manual and chained runs have no slot: never matched)',
      }),
    ),
    created_from: Type.Optional(
      Type.String({
        format: 'date-time',
        description:
          'Only runs created at or after this instant (every run, manual and chained ones included)',
      }),
    ),
    created_to: Type.Optional(
      Type.String({ format: 'date-time', description: 'Only runs created before this instant' }),
    ),
    order: Type.Enum(['desc', 'asc'], {
      default: 'desc',
      description: 'By creation time (default newest first)',
    }),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'Page size' }),
    offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0, description: 'Matches to skip' }),
  },
  { additionalProperties: false },
);

/** `GET /jobs/runs` answer. */
export const RunList = Type.Object({
  items: Type.Array(RunRef),
  total: Type.Integer({ description: 'Runs matching the filters' }),
  limit: Type.Integer(),
  offset: Type.Integer(),
  next_offset: nullable<number>({
    type: 'integer',
    description: 'offset of the next page; null on the last',
  }),
});

/** `POST /jobs/run/:job_type` body (optional): the parameters and the per-run overrides. */
export const RunJobBody = Type.Object(
  {
    parameters: Type.Optional(
      Type.Object({}, { additionalProperties: true, description: "Checked against the job type's schema" }),
    ),
    ...RunOverrideFields,
  },
  { additionalProperties: false },
);

/** Default of the `timeout_seconds` query of `POST /jobs/check-schedules?wait=true`. */
export const CHECK_WAIT_DEFAULT_SECONDS = 60;

/** `POST /jobs/check-schedules` query. */
export const CheckSchedulesQuery = Type.Object(
  {
    wait: Type.Optional(
      Type.Boolean({
        default: false,
        description:
          "true: wait for the cycle's runs and the runs they chain, and answer their final records " +
          '(chained, recovered, complete)',
      }),
    ),
    // No schema default: given without wait=true it is a 400, not silently ignored.
    timeout_seconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 3600,
        description:
          `With wait=true only: answer after at most this many seconds (default ${CHECK_WAIT_DEFAULT_SECONDS}); ` +
          'runs still going on then keep running, and the answer says complete: false',
      }),
    ),
  },
  { additionalProperties: false },
);

/** `POST /jobs/check-schedules` answer. */
export const CycleResult = Type.Object({
  runs: Type.Array(RunRef, {
    description:
      'Runs this cycle created: triggered ones (pending, or final with wait=true) and skipped slots',
  }),
  deferred: Type.Array(Type.String(), {
    description: 'Due schedules whose lock was held elsewhere (they stay due: deferred, not lost)',
  }),
  initialized: Type.Array(Type.String(), { description: 'Schedules whose missing next_run_at was computed' }),
  paused: Type.Boolean({
    description:
      'true: triggering is paused for every replica (POST /jobs/pause); this cycle claimed nothing',
  }),
  chained: Type.Optional(
    Type.Array(RunRef, {
      description:
        'wait=true only: the runs chained by runs and recovered (transitively; trigger chain, parent_run_id ' +
        'set): final (skipped included), or pending when their lock was held elsewhere. With complete: false, ' +
        'the ones created so far, as they stand',
    }),
  ),
  recovered: Type.Optional(
    Type.Array(RunRef, {
      description:
        'wait=true only: runs of dead replicas this cycle took over and ran, final. With complete: false, empty ' +
        '(they are known only once the cycle is complete)',
    }),
  ),
  complete: Type.Optional(
    Type.Boolean({
      description:
        'wait=true only: true when every run finished within timeout_seconds; false when the wait ended ' +
        'first (the records are then re-read as they stand, e.g. running; the runs go on)',
    }),
  ),
});

const tags = ['runs'];

/** Route schemas of the runs resource; `job_type` (path) lists `jobTypes` (the registry at startup). */
export function runSchemas(jobTypes: readonly string[]) {
  return {
    list: {
      tags,
      operationId: 'listRuns',
      summary: 'Run history, filtered and paginated',
      querystring: ListRunsQuery,
      response: { 200: RunList, ...errorResponses(400) },
    },
    get: {
      tags,
      operationId: 'getRun',
      summary: 'Read a run',
      params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 200, description: 'The run id' }) }),
      response: { 200: RunRef, ...errorResponses(404) },
    },
    cancel: {
      tags,
      operationId: 'cancelRun',
      summary:
        'Cancel a pending or running run: 200 with the run when it is cancelled now (a pending run no replica holds); ' +
        '202 with the run when the request is stored and the replica running it stops it (at its next lease renewal, ' +
        'LOCK_TTL_SECONDS/3 at the latest); 409 for a finished run. Idempotency-Key makes a retry answer the first ' +
        'request',
      params: Type.Object({
        run_id: Type.String({ minLength: 1, maxLength: 200, description: 'The run id' }),
      }),
      headers: IdempotencyKeyHeaders,
      response: { 200: RunRef, 202: RunRef, ...errorResponses(404, 409, 422, 503) },
    },
    runJob: {
      tags,
      operationId: 'runJobType',
      summary:
        'Run a registered job type now, optionally with max_attempts/timeout_seconds for this run (202 with the ' +
        'started run; ?wait=true: 200 with the finished run). Idempotency-Key makes a retry safe',
      params: Type.Object({ job_type: jobTypeSchema(jobTypes, 'The job type to run') }),
      headers: IdempotencyKeyHeaders,
      querystring: WaitQuery,
      body: RunJobBody,
      response: { 200: RunRef, 202: RunRef, ...errorResponses(400, 409, 413, 415, 422, 503) },
    },
    checkSchedules: {
      tags,
      operationId: 'checkSchedules',
      summary:
        'Run one scheduler cycle now and answer the runs it triggered (?wait=true: their final records, and the ' +
        'runs they chained, within timeout_seconds). Idempotency-Key makes a retry answer the first cycle',
      headers: IdempotencyKeyHeaders,
      querystring: CheckSchedulesQuery,
      response: { 200: CycleResult, ...errorResponses(400, 409, 422, 503) },
    },
  };
}
