import { STATUS_CODES } from 'node:http';
import { parseCron } from '@craft/cron';
import { withJobsHint } from '@craft/runtime';
import {
  BackfillTooLargeError,
  ChainCycleError,
  InvalidCronExpressionError,
  InvalidParametersError,
  JobLockedError,
  RunFinishedError,
  ScheduleValidationError,
  SERVER_MANAGED_FIELDS,
  UnknownChainTargetError,
  UnknownJobTypeError,
} from '@craft/scheduler';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { API_ERROR_STATUS, ApiError, type ApiErrorCode, MethodNotAllowedError } from '../errors.js';

/** The one error body of every 4xx/5xx answer. */
export interface ErrorBody {
  /** The HTTP status. */
  statusCode: number;
  /** Stable code (`CRAFT_API_*`, `CRAFT_SCHEDULER_*`). */
  code: string;
  /** The HTTP reason phrase. */
  error: string;
  /** What is wrong and how to fix it. */
  message: string;
  /** The offending field (snake_case), when there is one. */
  field?: string;
  /** Code-specific data. */
  details?: Record<string, unknown>;
}

interface AjvError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
  parentSchema?: { properties?: Record<string, unknown> };
  /** The offending value (the validators run with `verbose`). */
  data?: unknown;
}

const PART: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'header',
};

function body(
  statusCode: number,
  code: string,
  message: string,
  extra: { field?: string | undefined; details?: Record<string, unknown> | undefined } = {},
): ErrorBody {
  return {
    statusCode,
    code,
    error: STATUS_CODES[statusCode] ?? 'Error',
    message,
    ...(extra.field !== undefined ? { field: extra.field } : {}),
    ...(extra.details !== undefined ? { details: extra.details } : {}),
  };
}

function api(code: ApiErrorCode, message: string, field?: string, details?: Record<string, unknown>) {
  return body(API_ERROR_STATUS[code], code, message, { field, details });
}

/**
 * The HTTP status a thrown error carries: every `@craft` error (`@craft/scheduler`, `@craft/mongo`, `@craft/cron`,
 * `@craft/runtime`, this package) has a stable `CRAFT_*` code and its `httpStatus` (house convention §4).
 */
function carriedStatus(error: unknown): number | undefined {
  const e = error as { code?: unknown; httpStatus?: unknown } | null;
  if (!(error instanceof Error) || typeof e?.code !== 'string' || !e.code.startsWith('CRAFT_'))
    return undefined;
  const status = e.httpStatus;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599
    ? status
    : undefined;
}

/** Maps a schema-validation failure (Ajv) to the error body, naming the field. */
function validationBody(errors: AjvError[], context: string): ErrorBody {
  const part = PART[context] ?? context;
  const e = errors[0];
  if (!e) return api('CRAFT_API_VALIDATION', `Request ${part} is invalid`);
  const path = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  // `cron_expression` has the syntax as a pattern in the schema; a mismatch keeps the scheduler's code and details
  // (the cron field, the offending text and its position), which the parser tells and a pattern cannot.
  if (e.keyword === 'pattern' && path === 'cron_expression' && typeof e.data === 'string') {
    try {
      parseCron(e.data);
    } catch (cause) {
      return toErrorBody(new InvalidCronExpressionError(e.data, cause), '');
    }
  }
  // `job_type` is an enum of the registered types in the schema; an unknown one keeps the scheduler's code and
  // message (where job types come from), as before the enum.
  if (e.keyword === 'enum' && path === 'job_type' && typeof e.data === 'string') {
    const allowed = (e.params['allowedValues'] as unknown[] | undefined)?.map(String) ?? [];
    const error = new UnknownJobTypeError(e.data, allowed);
    return body(error.httpStatus, error.code, withJobsHint(error) ?? error.message, {
      field: 'job_type',
      details: { job_type: e.data, location: part },
    });
  }
  if (e.keyword === 'additionalProperties') {
    const name = String(e.params['additionalProperty']);
    const field = path ? `${path}.${name}` : name;
    const allowed = Object.keys(e.parentSchema?.properties ?? {});
    if (part === 'body' && !path && SERVER_MANAGED_FIELDS.includes(name)) {
      // Spec section 10: the pause and the failure count are set by the server only.
      return api(
        'CRAFT_API_UNKNOWN_FIELD',
        `Request body: "${field}" is managed by the server and cannot be set; disable the schedule (with a ` +
          'reason) or enable it to change the pause; the scheduler counts failures',
        field,
        { location: part },
      );
    }
    return api(
      'CRAFT_API_UNKNOWN_FIELD',
      `Request ${part}: unknown field "${field}"${allowed.length ? `; allowed fields: ${allowed.join(', ')}` : ''}`,
      field,
      { location: part },
    );
  }
  const field =
    e.keyword === 'required' ? [path, String(e.params['missingProperty'])].filter(Boolean).join('.') : path;
  const problem = e.keyword === 'required' ? 'is required' : (e.message ?? 'is invalid');
  return api(
    'CRAFT_API_VALIDATION',
    `Request ${part}: ${field ? `"${field}" ` : ''}${problem}. See /docs for the schema.`,
    field || undefined,
    { location: part, keyword: e.keyword, params: e.params },
  );
}

/** Details a scheduler validation error carries beyond code, field and message. */
function schedulerDetails(error: unknown): Record<string, unknown> | undefined {
  if (error instanceof InvalidCronExpressionError) {
    return {
      expression: error.expression,
      cron_code: error.cronCode ?? null,
      cron_field: error.cronField ?? null,
      text: error.text ?? null,
      position: error.position ?? null,
    };
  }
  if (error instanceof InvalidParametersError) return { job_type: error.jobType, issues: error.issues };
  if (error instanceof ChainCycleError) return { cycle: error.cycle };
  if (error instanceof UnknownChainTargetError) return { target: error.target };
  if (error instanceof UnknownJobTypeError) return { job_type: error.jobType };
  if (error instanceof JobLockedError) return { lock_key: error.lockKey };
  if (error instanceof BackfillTooLargeError) {
    return { slot_count: error.slotCount, max_slots: error.maxSlots, count_is_exact: error.countIsExact };
  }
  if (error instanceof RunFinishedError) return { run_id: error.runId, status: error.status };
  return undefined;
}

/**
 * Maps any thrown value to the error body. The status is the one the error carries (`httpStatus`), never looked up
 * by code. A 4xx shows the error's message; a 5xx other than 500 (a storage error: `CRAFT_MONGO_UNAVAILABLE` is 503,
 * `CRAFT_MONGO_TIMEOUT` 504; `CRAFT_SCHEDULER_STOPPED` 503) keeps its code but not its message, which may name
 * internal hosts; a 500 and anything unknown become `CRAFT_API_INTERNAL`, revealing nothing but the request id.
 */
export function toErrorBody(error: unknown, requestId: string): ErrorBody {
  if (error instanceof ApiError) {
    return body(error.httpStatus, error.code, error.message, { field: error.field, details: error.details });
  }
  const e = error as Partial<FastifyError> & { code?: unknown; field?: unknown };
  if (Array.isArray(e.validation)) {
    return validationBody(e.validation as unknown as AjvError[], e.validationContext ?? 'body');
  }
  const status = carriedStatus(error);
  if (status !== undefined && status < 500) {
    const field =
      error instanceof ScheduleValidationError
        ? error.field
        : typeof e.field === 'string'
          ? e.field
          : undefined;
    return body(status, e.code as string, withJobsHint(error) ?? String(e.message), {
      field,
      details: schedulerDetails(error),
    });
  }
  if (status !== undefined && status !== 500) {
    return body(
      status,
      e.code as string,
      `The service cannot answer right now (${String(e.code)}); retry later. The server log has the details ` +
        `(request id ${requestId})`,
    );
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return api('CRAFT_API_BODY_TOO_LARGE', 'Request body is larger than the limit (BODY_LIMIT)');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return api(
        'CRAFT_API_UNSUPPORTED_MEDIA_TYPE',
        'Request body must be JSON: send "Content-Type: application/json"',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return api('CRAFT_API_INVALID_JSON', 'Request body is empty but Content-Type is application/json');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return api('CRAFT_API_INVALID_JSON', `Request body is not valid JSON: ${e.message}`);
  }
  if (error instanceof SyntaxError && e.statusCode === 400) {
    return api('CRAFT_API_INVALID_JSON', `Request body is not valid JSON: ${error.message}`);
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return api('CRAFT_API_BAD_REQUEST', `Bad request: ${String(e.message)}`, undefined, {
      original_code: typeof e.code === 'string' ? e.code : null,
    });
  }
  return api(
    'CRAFT_API_INTERNAL',
    `Internal error; the server log has the details (request id ${requestId})`,
  );
}

/** A route pattern as a matcher of concrete paths (`:param` is one segment, `*` the rest). */
function pathMatcher(url: string): RegExp {
  const parts = url.split('/').map((segment) => {
    if (segment === '*') return '.*';
    if (segment.startsWith(':')) return '[^/]+';
    return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${parts.join('/')}$`);
}

async function errors(app: FastifyInstance): Promise<void> {
  // Every route's path and methods, to tell "no such path" (404) from "not with this method" (405 + Allow).
  const routes = new Map<string, { match: RegExp; methods: Set<string> }>();
  app.addHook('onRoute', (route) => {
    let entry = routes.get(route.url);
    if (!entry) {
      entry = { match: pathMatcher(route.url), methods: new Set() };
      routes.set(route.url, entry);
    }
    for (const m of [route.method].flat()) entry.methods.add(m.toUpperCase());
  });
  const allowedMethods = (path: string): string[] => {
    const out = new Set<string>();
    for (const { match, methods } of routes.values())
      if (match.test(path)) for (const m of methods) out.add(m);
    return [...out].sort();
  };

  // No route for this method and path: 405 with Allow when the path has other methods (RFC 9110), else 404.
  const noRoute = (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '/';
    const allow = allowedMethods(path);
    if (allow.length > 0) {
      const error = new MethodNotAllowedError(request.method, path, allow);
      return reply.code(405).header('allow', allow.join(', ')).send(toErrorBody(error, request.id));
    }
    return reply
      .code(404)
      .send(
        api('CRAFT_API_ROUTE_NOT_FOUND', `No route ${request.method} ${path}; see /docs for the endpoints`),
      );
  };

  app.setErrorHandler((error, request, reply) => {
    const out = toErrorBody(error, request.id);
    // A request no route takes can still fail on its body first (a QUERY without Content-Type, a body over the
    // limit): what it is told is that the route does not exist, as the not-found handler says.
    if (
      request.is404 &&
      out.statusCode !== 401 &&
      out.statusCode !== 403 &&
      out.statusCode !== 429 &&
      out.statusCode < 500
    ) {
      return noRoute(request, reply);
    }
    if (out.statusCode >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: out.code, statusCode: out.statusCode }, out.message);
    if (out.statusCode === 401) {
      reply.header(
        'www-authenticate',
        out.code === 'CRAFT_API_AUTH_MISSING' ? 'Bearer' : 'Bearer error="invalid_token"',
      );
    }
    return reply.code(out.statusCode).send(out);
  });
  // The auth hook runs for unknown routes too: without a valid token the answer is 401, not 404 or 405.
  app.setNotFoundHandler(noRoute);
}

/** The error-handling plugin: one error handler and one not-found handler for the whole app. */
export const errorsPlugin = fp(errors, { name: '@craft/api-errors', fastify: '5.x' });
