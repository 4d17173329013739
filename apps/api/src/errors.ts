/**
 * Every error `@craft/api` defines. Like the errors of the libraries (`@craft/scheduler`, `@craft/mongo`,
 * `@craft/cron`, `@craft/runtime`), each carries its HTTP status (`httpStatus`); the one error handler reads it from
 * whatever was thrown and keeps no table of other packages' codes. The API adds `CRAFT_API_*` codes for the HTTP
 * layer (auth, schema validation, body limits).
 *
 * @module
 */

/** Base class of the API's own errors: a stable `code`, the HTTP status, and optionally the offending field. */
export class ApiError extends Error {
  /** Stable machine-readable code, `CRAFT_API_*`. */
  readonly code: string;
  /** The HTTP status the error handler answers with. */
  readonly httpStatus: number;
  /** The same as {@link httpStatus}, under the name Fastify reads. */
  readonly statusCode: number;
  /** The offending request field (snake_case body field, query or path parameter), when there is one. */
  readonly field: string | undefined;
  /** Extra machine-readable information put in the error body's `details`. */
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ApiErrorCode,
    message: string,
    options: { field?: string; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.httpStatus = API_ERROR_STATUS[code];
    this.statusCode = this.httpStatus;
    this.field = options.field;
    this.details = options.details;
  }
}

/** No bearer token was sent (401). */
export class AuthMissingError extends ApiError {
  constructor(message: string) {
    super('CRAFT_API_AUTH_MISSING', message);
  }
}

/** The token is malformed, wrongly signed, uses another algorithm, or has the wrong issuer/audience (401). */
export class AuthInvalidError extends ApiError {
  constructor(message: string, cause?: unknown) {
    super('CRAFT_API_AUTH_INVALID', message, { cause });
  }
}

/** The token has expired (401). */
export class AuthExpiredError extends ApiError {
  constructor(message: string, cause?: unknown) {
    super('CRAFT_API_AUTH_EXPIRED', message, { cause });
  }
}

/** The token is valid but lacks the scope the route needs (403). */
export class ForbiddenError extends ApiError {
  /** The scope the route needs. */
  readonly scope: string;

  constructor(message: string, scope: string, granted: readonly string[]) {
    super('CRAFT_API_FORBIDDEN', message, {
      details: { required_scope: scope, granted_scopes: [...granted] },
    });
    this.scope = scope;
  }
}

/** The path exists but not with this method (405; the answer's `Allow` header lists the methods it has). */
export class MethodNotAllowedError extends ApiError {
  /** The methods the path has. */
  readonly allow: readonly string[];

  constructor(method: string, path: string, allow: readonly string[]) {
    super(
      'CRAFT_API_METHOD_NOT_ALLOWED',
      `${method} is not allowed on ${path}; it allows ${allow.join(', ')} (see /docs)`,
      { details: { allow: [...allow] } },
    );
    this.allow = allow;
  }
}

/**
 * The `Idempotency-Key` was first used for another request (another method, path, query or body): a key stands for
 * one request (422). Nothing was done.
 */
export class IdempotencyKeyReusedError extends ApiError {
  constructor() {
    super(
      'CRAFT_API_IDEMPOTENCY_KEY_REUSED',
      'Idempotency-Key: this key was already used for a different request (another method, path, query or ' +
        'body); nothing was done. Use a new key for a new request, and the same key only to retry the same one',
      { field: 'idempotency-key' },
    );
  }
}

/**
 * The first request with this `Idempotency-Key` is still being processed (409, with `Retry-After`): retry the same
 * request later to get its answer. Nothing was done.
 */
export class IdempotencyInProgressError extends ApiError {
  /** Seconds to wait before retrying (the `Retry-After` header). */
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super(
      'CRAFT_API_IDEMPOTENCY_IN_PROGRESS',
      'Idempotency-Key: the first request with this key is still being processed; nothing was done. Retry the ' +
        `same request in ${retryAfterSeconds} s to get its answer`,
      { field: 'idempotency-key', details: { retry_after_seconds: retryAfterSeconds } },
    );
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** `If-Match` names none of the schedule's current version (412). Nothing was changed. */
export class PreconditionFailedError extends ApiError {
  constructor(jobName: string, ifMatch: string, currentVersion: number) {
    const quoted = /^\s*(?:W\/)?"/.test(ifMatch);
    super(
      'CRAFT_API_PRECONDITION_FAILED',
      `If-Match: schedule ${JSON.stringify(jobName)} is at ETag "${currentVersion}", not ${ifMatch}: ` +
        (quoted
          ? 'it was changed since you read it, and nothing was changed now. GET it again (its ETag header) and redo the edit'
          : `that is not an entity tag, so nothing was changed; send the ETag as it was answered, quoted (If-Match: "${currentVersion}")`),
      {
        field: 'if-match',
        details: { current_etag: `"${currentVersion}"`, current_version: currentVersion },
      },
    );
  }
}

/** The client made more requests than `RATE_LIMIT_MAX` per `RATE_LIMIT_WINDOW_SECONDS` (429). Nothing was done. */
export class RateLimitedError extends ApiError {
  constructor(max: number, windowSeconds: number, retryAfterSeconds: number) {
    super(
      'CRAFT_API_RATE_LIMITED',
      `Too many requests: at most ${max} per ${windowSeconds} s for each client; nothing was done. Retry in ` +
        `${retryAfterSeconds} s (Retry-After)`,
      { details: { limit: max, window_seconds: windowSeconds, retry_after_seconds: retryAfterSeconds } },
    );
  }
}

/**
 * The `http_request` job's error (codes `CRAFT_API_HTTP_UNEXPECTED_STATUS`, `CRAFT_API_HTTP_REQUEST_FAILED`):
 * recorded in a run's `error.code`, never an HTTP answer of the API. The job is a built-in of `@craft/scheduler`,
 * which defines this class; it is re-exported here so existing imports keep working.
 */
export { HttpJobError } from '@craft/scheduler';

/**
 * The HTTP status of each `CRAFT_API_*` code, which {@link ApiError} carries as `httpStatus` (fastify's
 * `createError(code, message, statusCode)` registry). The `CRAFT_API_HTTP_*` job codes are never HTTP answers and
 * are listed in {@link API_ERROR_CODES} only.
 */
export const API_ERROR_STATUS = {
  CRAFT_API_AUTH_MISSING: 401,
  CRAFT_API_AUTH_INVALID: 401,
  CRAFT_API_AUTH_EXPIRED: 401,
  CRAFT_API_FORBIDDEN: 403,
  CRAFT_API_VALIDATION: 400,
  CRAFT_API_UNKNOWN_FIELD: 400,
  CRAFT_API_INVALID_JSON: 400,
  CRAFT_API_BAD_REQUEST: 400,
  CRAFT_API_ROUTE_NOT_FOUND: 404,
  CRAFT_API_METHOD_NOT_ALLOWED: 405,
  CRAFT_API_IDEMPOTENCY_IN_PROGRESS: 409,
  CRAFT_API_PRECONDITION_FAILED: 412,
  CRAFT_API_BODY_TOO_LARGE: 413,
  CRAFT_API_UNSUPPORTED_MEDIA_TYPE: 415,
  CRAFT_API_IDEMPOTENCY_KEY_REUSED: 422,
  CRAFT_API_RATE_LIMITED: 429,
  CRAFT_API_EVENTS_UNAVAILABLE: 501,
  CRAFT_API_NOT_READY: 503,
  CRAFT_API_INTERNAL: 500,
} as const;

/** A `CRAFT_API_*` code with an HTTP status. */
export type ApiErrorCode = keyof typeof API_ERROR_STATUS;

/**
 * Every code this package defines, plus the `http_request` job's `CRAFT_API_HTTP_*` codes, which kept their names
 * when the job moved to `@craft/scheduler` (the README's Errors table lists exactly these).
 */
export const API_ERROR_CODES: readonly string[] = [
  ...Object.keys(API_ERROR_STATUS),
  'CRAFT_API_HTTP_UNEXPECTED_STATUS',
  'CRAFT_API_HTTP_REQUEST_FAILED',
];
