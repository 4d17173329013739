// What the generated OpenAPI document cannot get from the route schemas alone: OpenAPI links (so a client, or a
// tool's stateful testing, follows a created schedule to every operation on it and a started run to its record) and
// the response headers the API sets (ETag, Location, Idempotent-Replayed, Retry-After, RateLimit-*).

type Json = Record<string, unknown>;
interface Operation {
  operationId?: string;
  responses?: Record<string, Json>;
}

/** Operations that answer a schedule and set its ETag. */
const SCHEDULE_ANSWERS: Record<string, string> = {
  createSchedule: '201',
  getSchedule: '200',
  replaceSchedule: '200',
  patchSchedule: '200',
  enableSchedule: '200',
  disableSchedule: '200',
};

/** Operations on one schedule (`{job_name}`), and whether they take `If-Match`. */
const ON_A_SCHEDULE: [string, boolean][] = [
  ['getSchedule', false],
  ['replaceSchedule', true],
  ['patchSchedule', true],
  ['deleteSchedule', true],
  ['enableSchedule', true],
  ['disableSchedule', true],
  ['getNextRuns', false],
  ['runSchedule', false],
  ['backfillSchedule', false],
];

/** Operations that start runs (their answers link to the run). */
const RUN_ANSWERS: Record<string, string[]> = { runSchedule: ['200', '202'], runJobType: ['200', '202'] };

const IDEMPOTENT = new Set([
  'createSchedule',
  'runSchedule',
  'runJobType',
  'checkSchedules',
  'backfillSchedule',
  'cancelRun',
]);
const NOT_RATE_LIMITED = new Set(['health', 'ready', 'metrics']);

const header = (description: string, schema: Json, required = false): Json => ({
  description,
  required,
  schema,
});

const ETAG = header(
  'The schedule\'s version as a strong entity tag ("3"): send it back in If-Match to edit what you read. It ' +
    'changes with the definition only (next_run_at and last_run_* can change under one ETag), so do not use it ' +
    'to cache GET answers',
  { type: 'string', pattern: '^"[0-9]+"$' },
  true,
);
const REPLAYED = header(
  'true when this is the stored answer of an earlier request with the same Idempotency-Key (or the run that ' +
    'request started): nothing new was done',
  { type: 'string', enum: ['true'] },
);
const RATE_LIMIT = {
  'RateLimit-Limit': header('Requests allowed per window for this client (RATE_LIMIT_MAX)', {
    type: 'integer',
  }),
  'RateLimit-Remaining': header('Requests left in the current window', { type: 'integer' }),
  'RateLimit-Reset': header('Seconds until the window resets', { type: 'integer' }),
};

function linksOf(operationId: string, status: string): Json | undefined {
  if (SCHEDULE_ANSWERS[operationId] === status) {
    const links: Json = {};
    for (const [target, conditional] of ON_A_SCHEDULE) {
      links[target] = {
        operationId: target,
        parameters: {
          'path.job_name': '$response.body#/job_name',
          ...(conditional ? { 'header.if-match': '$response.header.ETag' } : {}),
        },
        description: `The schedule just answered, by its job_name${conditional ? ' and ETag (If-Match)' : ''}`,
      };
    }
    return links;
  }
  if (RUN_ANSWERS[operationId]?.includes(status)) {
    return {
      getRun: {
        operationId: 'getRun',
        parameters: { 'path.id': '$response.body#/id' },
        description: 'The run',
      },
      cancelRun: {
        operationId: 'cancelRun',
        parameters: { 'path.run_id': '$response.body#/id' },
        description: 'Cancel the run just started',
      },
    };
  }
  if (operationId === 'listSchedules' && status === '200') {
    return {
      getSchedule: {
        operationId: 'getSchedule',
        parameters: { 'path.job_name': '$response.body#/items/0/job_name' },
        description: 'The first schedule of the page',
      },
    };
  }
  if ((operationId === 'listRuns' || operationId === 'checkSchedules') && status === '200') {
    const list = operationId === 'listRuns' ? 'items' : 'runs';
    return {
      getRun: {
        operationId: 'getRun',
        parameters: { 'path.id': `$response.body#/${list}/0/id` },
        description: 'The first run of the answer',
      },
    };
  }
  return undefined;
}

function headersOf(operationId: string, status: string): Json {
  const out: Json = {};
  const code = Number(status);
  if (!NOT_RATE_LIMITED.has(operationId)) Object.assign(out, RATE_LIMIT);
  if (SCHEDULE_ANSWERS[operationId] === status) out['ETag'] = ETAG;
  if ((operationId === 'createSchedule' && status === '201') || RUN_ANSWERS[operationId]?.includes('202')) {
    if (status === '201' || status === '202') {
      out['Location'] = header('The URL of what was created or started', { type: 'string' }, true);
    }
  }
  if (IDEMPOTENT.has(operationId)) out['Idempotent-Replayed'] = REPLAYED;
  if (code === 429) {
    out['Retry-After'] = header(
      'Seconds until the rate limit lets this client in again',
      { type: 'integer' },
      true,
    );
  }
  if (code === 409 && IDEMPOTENT.has(operationId)) {
    out['Retry-After'] = header(
      'With CRAFT_API_IDEMPOTENCY_IN_PROGRESS: seconds to wait before retrying the same request',
      { type: 'integer' },
    );
  }
  return out;
}

/** Operations whose body holds `job_type` and `parameters` (the parameters depend on the job type). */
const BODY_WITH_JOB_TYPE = new Set(['createSchedule', 'replaceSchedule', 'patchSchedule']);

/**
 * `if job_type is T then parameters follow T's schema`, for every registered type that has a parameter schema:
 * the rule the server checks (400 CRAFT_SCHEDULER_INVALID_PARAMETERS), declared so that a client or tool knows
 * which parameters a job type takes. It is declared in the document only: the server's own check (one JSON
 * Schema validator per job type, in @craft/scheduler) keeps its error code and issue list.
 */
function parameterRules(parameterSchemas: Record<string, unknown>): Json[] {
  return Object.entries(parameterSchemas)
    .filter(([, schema]) => schema !== null && typeof schema === 'object')
    .map(([type, schema]) => {
      // Omitted parameters are `{}`: a job type whose schema requires some needs them in the body.
      const needed = ((schema as { required?: unknown[] }).required ?? []).length > 0;
      return {
        if: { properties: { job_type: { const: type } }, required: ['job_type'] },
        // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, not a thenable
        then: { properties: { parameters: schema }, ...(needed ? { required: ['parameters'] } : {}) },
      };
    });
}

/**
 * Adds links and response headers to every operation of a generated OpenAPI document (in place), and the
 * parameters each job type takes (`parameterSchemas`: job type → JSON Schema of its parameters, or null).
 */
export function decorateOpenApi(
  document: { paths?: Record<string, Record<string, unknown>> },
  parameterSchemas: Record<string, unknown> = {},
): void {
  const rules = parameterRules(parameterSchemas);
  for (const ops of Object.values(document.paths ?? {})) {
    for (const op of Object.values(ops ?? {}) as Operation[]) {
      if (!op?.operationId || !op.responses) continue;
      if (BODY_WITH_JOB_TYPE.has(op.operationId) && rules.length > 0) {
        const body = (op as { requestBody?: { content?: Record<string, { schema?: Json }> } }).requestBody;
        const schema = body?.content?.['application/json']?.schema;
        if (schema) schema['allOf'] = rules;
      }
      for (const [status, response] of Object.entries(op.responses)) {
        const links = linksOf(op.operationId, status);
        if (links) response['links'] = links;
        const headers = headersOf(op.operationId, status);
        if (Object.keys(headers).length > 0) {
          response['headers'] = { ...(response['headers'] as Json | undefined), ...headers };
        }
      }
    }
  }
}
