/**
 * Every error `@craft/mongo` throws. Each class has a stable `code` (`CRAFT_MONGO_*`), an `httpStatus` for the
 * API's single error handler, an `exitStatus` for the CLI, and (for wrapped driver failures) the driver's error as
 * `cause`.
 *
 * Expected conflicts (a duplicate key, a failed compare-and-set, a taken lock) are never errors: the store and
 * the lock report them through their return values, as the `@craft/scheduler` contracts require.
 *
 * @module
 */

/** Base class of every `@craft/mongo` error. */
export class MongoAdapterError extends Error {
  /** Stable machine-readable code, e.g. `CRAFT_MONGO_UNAVAILABLE`. */
  readonly code: string;
  /** The HTTP status an API should answer with. */
  readonly httpStatus: number;
  /**
   * The status a command-line program exits with: always 4, the CLI's "configuration" status (the database
   * cannot be reached or used as configured).
   */
  readonly exitStatus = 4;
  /** The adapter operation that failed, e.g. `MongoSchedulerStore.listDueSchedules`. */
  readonly operation: string;

  constructor(
    code: string,
    operation: string,
    message: string,
    options: { cause?: unknown; httpStatus?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.operation = operation;
    this.httpStatus = options.httpStatus ?? 500;
  }
}

function reason(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return String(cause);
}

/**
 * The database could not be reached: no server selectable, a connection closed or refused, a primary stepped
 * down, or the client was closed. Transient: the scheduler's loop logs it and retries on its next cycle (slot
 * claims are idempotent, so nothing is lost or duplicated).
 */
export class MongoUnavailableError extends MongoAdapterError {
  constructor(operation: string, cause: unknown) {
    super(
      'CRAFT_MONGO_UNAVAILABLE',
      operation,
      `${operation}: the MongoDB server is unavailable (${reason(cause)}). Check MONGODB_URI, the network and ` +
        'that the server (or a primary) is up; the scheduler retries on its next cycle.',
      { cause, httpStatus: 503 },
    );
  }
}

/**
 * An operation exceeded its time limit (a socket timeout, the server's `maxTimeMS`, or no answer within the adapter's
 * own bound, `operationTimeoutMs` + 1 s). Transient.
 */
export class MongoTimeoutError extends MongoAdapterError {
  constructor(operation: string, cause: unknown) {
    super(
      'CRAFT_MONGO_TIMEOUT',
      operation,
      `${operation}: the MongoDB operation timed out (${reason(cause)}). The server may be overloaded or the ` +
        'network slow; raise operationTimeoutMs if this is expected, else check the server and the network.',
      { cause, httpStatus: 504 },
    );
  }
}

/** Any other failure the server or driver reported (authorization, invalid document, unexpected server error). */
export class MongoOperationError extends MongoAdapterError {
  /** The server's numeric error code, when it gave one. */
  readonly serverCode: number | undefined;

  constructor(operation: string, cause: unknown) {
    const serverCode =
      typeof (cause as { code?: unknown })?.code === 'number' ? (cause as { code: number }).code : undefined;
    super(
      'CRAFT_MONGO_OPERATION_FAILED',
      operation,
      `${operation}: MongoDB rejected the operation${serverCode === undefined ? '' : ` (server code ${serverCode})`}: ` +
        `${reason(cause)}. Check the user's roles and the collection's documents; see the cause for details.`,
      { cause },
    );
    this.serverCode = serverCode;
  }
}

/**
 * `ensureIndexes()` cannot create an index the adapter relies on: an index on the same keys exists with
 * incompatible options (e.g. a non-unique `job_name` index), or existing documents violate a unique index
 * (duplicate `job_name`, `run_key` or `lock_key` values).
 */
export class MongoIndexConflictError extends MongoAdapterError {
  /** The collection. */
  readonly collection: string;
  /** The index the adapter needs, as `{ key, options }`. */
  readonly index: { key: Record<string, 1 | -1>; options: Record<string, unknown> };

  constructor(
    operation: string,
    collection: string,
    index: { key: Record<string, 1 | -1>; options: Record<string, unknown> },
    problem: string,
    fix: string,
    cause?: unknown,
  ) {
    super(
      'CRAFT_MONGO_INDEX_CONFLICT',
      operation,
      `${operation}: cannot create index ${JSON.stringify(index.key)} ${JSON.stringify(index.options)} on ` +
        `"${collection}": ${problem}. ${fix}`,
      cause === undefined ? {} : { cause },
    );
    this.collection = collection;
    this.index = index;
  }
}

/** An option or argument is invalid (a non-positive lease, a lease longer than the lock GC horizon, ...). */
export class MongoInvalidOptionError extends MongoAdapterError {
  /** The option or argument name, e.g. `ttlSeconds`. */
  readonly option: string;
  /** The offending value. */
  readonly value: unknown;

  constructor(operation: string, option: string, value: unknown, expected: string) {
    super(
      'CRAFT_MONGO_INVALID_OPTION',
      operation,
      `${operation}: option "${option}" is ${JSON.stringify(value) ?? String(value)}, expected ${expected}.`,
      { httpStatus: 500 },
    );
    this.option = option;
    this.value = value;
  }
}

/** `connectMongo()` was given a connection string the driver cannot parse. Credentials are redacted. */
export class MongoInvalidUriError extends MongoAdapterError {
  /** The connection string with any password replaced by `****`. */
  readonly uri: string;

  constructor(uri: string, cause: unknown) {
    const shown = redactUri(uri);
    super(
      'CRAFT_MONGO_INVALID_URI',
      'connectMongo',
      `connectMongo: the connection string ${JSON.stringify(shown)} is invalid (${reason(cause)}). Use ` +
        '"mongodb://host:port/db" or "mongodb+srv://host/db" and URL-encode special characters in credentials.',
      { cause },
    );
    this.uri = shown;
  }
}

/** Every code this package uses, for the API's error map and the README catalog test. */
export const MONGO_ERROR_CODES = [
  'CRAFT_MONGO_UNAVAILABLE',
  'CRAFT_MONGO_TIMEOUT',
  'CRAFT_MONGO_OPERATION_FAILED',
  'CRAFT_MONGO_INDEX_CONFLICT',
  'CRAFT_MONGO_INVALID_OPTION',
  'CRAFT_MONGO_INVALID_URI',
] as const;

/** One of {@link MONGO_ERROR_CODES}. */
export type MongoErrorCode = (typeof MONGO_ERROR_CODES)[number];

/** Replaces the password of a `mongodb://user:pass@host` connection string by `****`. */
export function redactUri(uri: string): string {
  return uri.replace(/^(mongodb(?:\+srv)?:\/\/[^:/@]*:)[^@]*@/i, '$1****@');
}

// Server error codes meaning "the server (or primary) is not there right now".
const UNAVAILABLE_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);
const TIMEOUT_CODES = new Set([
  50, // MaxTimeMSExpired
  89, // NetworkTimeout
  202, // NetworkInterfaceExceededTimeLimit
  262, // ExceededTimeLimit
]);

/**
 * Wraps a driver failure in the matching typed error (an error that already is a {@link MongoAdapterError} is
 * returned as is). Classification uses the driver's error class names, so it works whichever copy of the
 * driver threw.
 */
export function toAdapterError(operation: string, error: unknown): MongoAdapterError {
  if (error instanceof MongoAdapterError) return error;
  // A bulkWrite that failed for a driver reason (a dropped connection, a timeout) throws a MongoBulkWriteError that
  // wraps that error as its `errorResponse`: classify by the wrapped error (unavailable, timed out), not as an
  // operation the server rejected. The cause stays the error thrown.
  const wrapped = (error as { errorResponse?: unknown } | null)?.errorResponse;
  const kind =
    errorClassNames(error).has('MongoBulkWriteError') && wrapped instanceof Error ? wrapped : error;
  const names = errorClassNames(kind);
  const code = (kind as { code?: unknown })?.code;
  if (names.has('MongoOperationTimeoutError') || names.has('MongoNetworkTimeoutError')) {
    return new MongoTimeoutError(operation, error);
  }
  if (typeof code === 'number' && TIMEOUT_CODES.has(code)) return new MongoTimeoutError(operation, error);
  if (
    names.has('MongoNetworkError') ||
    names.has('MongoServerSelectionError') ||
    names.has('MongoTopologyClosedError') ||
    names.has('MongoNotConnectedError') ||
    names.has('MongoServerClosedError') ||
    names.has('MongoPoolClosedError') ||
    (typeof code === 'number' && UNAVAILABLE_CODES.has(code))
  ) {
    return new MongoUnavailableError(operation, error);
  }
  return new MongoOperationError(operation, error);
}

function errorClassNames(error: unknown): Set<string> {
  const names = new Set<string>();
  let proto = error !== null && typeof error === 'object' ? Object.getPrototypeOf(error) : null;
  while (proto && proto !== Object.prototype) {
    const name = (proto.constructor as { name?: string } | undefined)?.name;
    if (name) names.add(name);
    proto = Object.getPrototypeOf(proto);
  }
  return names;
}

/** Whether `error` is a duplicate-key error (code 11000), which the adapter turns into a `false`/`null` result. */
export function isDuplicateKeyError(error: unknown): boolean {
  const e = error as { code?: unknown; writeErrors?: { code?: unknown }[] } | null;
  return e?.code === 11000 || e?.code === 11001 || e?.writeErrors?.some((w) => w.code === 11000) === true;
}
