import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Static, TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';
import Value from 'typebox/value';
import {
  InvalidJobDefinitionError,
  JobModuleError,
  type ParameterIssue,
  UnknownJobTypeError,
} from './errors.js';
import type { Logger } from './types.js';

/** Backoff between attempts: `min(maxMs, baseMs * 2^(attempt-1))`, reduced by up to `jitter` × itself at random. */
export interface BackoffOptions {
  /** Delay before the 2nd attempt, in ms. @default 1000 */
  baseMs: number;
  /** Upper bound of any delay, in ms. @default 60000 */
  maxMs: number;
  /** Fraction (0–1) of each delay that is randomised away ("equal jitter" at 0.5, "full jitter" at 1). @default 0.2 */
  jitter: number;
}

/** What a handler receives besides its parameters. */
export interface JobContext {
  /**
   * Aborts on timeout (`JobTimeoutError`), on the lease's loss — this replica's local lease deadline passed
   * (`LeaseExpiredError`) or a renewal found it taken over (`LeaseLostError`) — or on shutdown (`ShutdownError`).
   * Honour it: once it aborted, another replica may run this run again.
   */
  signal: AbortSignal;
  /** The run's id. */
  runId: string;
  /** 1-based attempt number. */
  attempt: number;
  /**
   * The run's idempotency key (spec section 11): its run key (`<job_name>@<slot ISO>`, `chain:<parent>:<name>`, or
   * the run id of a manual run), the same for every attempt and every re-execution of this run. Pass it downstream
   * (the built-in `http_request` sends it as `Idempotency-Key`) so a receiver can apply the effect once.
   */
  idempotencyKey: string;
  /**
   * This replica's local lease deadline, as an estimate on the scheduler's wall clock: the signal aborts then unless
   * the lease is renewed first (each renewal moves it later, so read it when you need it). Check it right before an
   * effect that must not happen after the lease is gone (the built-in `http_request` does, before it sends).
   */
  readonly leaseDeadline: Date;
  /** Milliseconds left before the local lease deadline, on the clock's monotonic time (<= 0 once it passed). */
  leaseTimeLeftMs(): number;
  /** The slot this run was scheduled for (null for manual runs). */
  scheduledAt: Date | null;
  /** The schedule's name (null for a run of a bare job type). */
  jobName: string | null;
  /** The job type. */
  jobType: string;
  /** A logger bound to this run. */
  logger: Logger;
  /**
   * The scheduler executing the run (typed loosely to keep this module free of the engine; built-in jobs use
   * it to reach the store). Cast to `JobScheduler` when needed.
   */
  scheduler: unknown;
}

/** A job handler: resolves with a JSON-serialisable result (stored on the run) or throws to fail the attempt. */
export type JobHandler<P = Record<string, unknown>> = (
  params: P,
  context: JobContext,
) => Promise<unknown> | unknown;

const DEFINITION = Symbol.for('@craft/scheduler.JobDefinition');

/** A registered job type (the normalized result of {@link defineJob}). */
export interface JobDefinition<P = Record<string, unknown>> {
  /** The job type name (`job_type` of schedules and runs). */
  readonly type: string;
  /** Free text shown by the API and CLI. */
  readonly description: string | null;
  /** The handler. */
  readonly handler: JobHandler<P>;
  /** Default attempt budget. */
  readonly maxAttempts: number;
  /** Default per-attempt timeout in seconds. */
  readonly timeoutSeconds: number;
  /** Backoff between attempts. */
  readonly backoff: Readonly<BackoffOptions>;
  /** JSON Schema (TypeBox) the parameters must satisfy; null accepts any object. */
  readonly parameters: TSchema | null;
  /** Brand set by {@link defineJob}. */
  readonly [DEFINITION]: true;
}

/** Options of {@link defineJob}. */
export interface DefineJobOptions<S extends TSchema | undefined> {
  /** The job type name: 1–200 characters, no whitespace. */
  type: string;
  /** Free text. @default null */
  description?: string;
  /** The handler; its parameters are typed from the schema. */
  handler: JobHandler<S extends TSchema ? Static<S> : Record<string, unknown>>;
  /** Default attempt budget (integer ≥ 1). @default 3 */
  maxAttempts?: number;
  /** Default per-attempt timeout in seconds (integer ≥ 1). @default 300 */
  timeoutSeconds?: number;
  /** Backoff between attempts. @default { baseMs: 1000, maxMs: 60000, jitter: 0.2 } */
  backoff?: Partial<BackoffOptions>;
  /**
   * Parameter schema: a TypeBox schema (`Type.Object({...})` from the `typebox` package) or any plain JSON
   * Schema object; checked with TypeBox's `Value` when a schedule is saved and when a run starts.
   * @default undefined (any object)
   */
  parameters?: S;
}

/** Default of {@link DefineJobOptions.maxAttempts}. */
export const DEFAULT_MAX_ATTEMPTS = 3;
/** Default of {@link DefineJobOptions.timeoutSeconds}. */
export const DEFAULT_TIMEOUT_SECONDS = 300;
/** Default of {@link DefineJobOptions.backoff}. */
export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({
  baseMs: 1000,
  maxMs: 60_000,
  jitter: 0.2,
});

function positiveInt(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new InvalidJobDefinitionError(`${name} must be an integer >= 1, got ${String(value)}.`);
  }
  return value;
}

/**
 * Defines a job type. The result goes into a {@link JobRegistry}, or into the default-exported array of a
 * `CRAFT_JOBS` module.
 *
 * @example
 * ```ts
 * export default [
 *   defineJob({
 *     type: 'cleanup_expired_tokens',
 *     parameters: Type.Object({ batch: Type.Integer({ minimum: 1 }) }),
 *     handler: async ({ batch }, { signal }) => deleteTokens(batch, signal),
 *   }),
 * ];
 * ```
 */
export function defineJob<S extends TSchema | undefined = undefined>(
  options: DefineJobOptions<S>,
): JobDefinition<S extends TSchema ? Static<S> : Record<string, unknown>> {
  if (!options || typeof options !== 'object')
    throw new InvalidJobDefinitionError('options must be an object.');
  const { type } = options;
  if (typeof type !== 'string' || type.length === 0 || type.length > 200 || /\s/.test(type)) {
    throw new InvalidJobDefinitionError(
      `type must be 1-200 characters without whitespace, got ${String(type)}.`,
    );
  }
  if (typeof options.handler !== 'function') {
    throw new InvalidJobDefinitionError(`job type "${type}" needs a handler function.`);
  }
  const backoff = { ...DEFAULT_BACKOFF, ...(options.backoff ?? {}) };
  if (
    !(backoff.baseMs >= 0 && backoff.maxMs >= backoff.baseMs && backoff.jitter >= 0 && backoff.jitter <= 1)
  ) {
    throw new InvalidJobDefinitionError(
      `job type "${type}": backoff needs 0 <= baseMs <= maxMs and 0 <= jitter <= 1, got ${JSON.stringify(backoff)}.`,
    );
  }
  const parameters = (options.parameters ?? null) as TSchema | null;
  if (parameters !== null && (typeof parameters !== 'object' || Array.isArray(parameters))) {
    throw new InvalidJobDefinitionError(`job type "${type}": parameters must be a JSON Schema object.`);
  }
  return Object.freeze({
    type,
    description: options.description ?? null,
    handler: options.handler as JobHandler<S extends TSchema ? Static<S> : Record<string, unknown>>,
    maxAttempts: positiveInt(`job type "${type}": maxAttempts`, options.maxAttempts, DEFAULT_MAX_ATTEMPTS),
    timeoutSeconds: positiveInt(
      `job type "${type}": timeoutSeconds`,
      options.timeoutSeconds,
      DEFAULT_TIMEOUT_SECONDS,
    ),
    backoff: Object.freeze(backoff),
    parameters,
    [DEFINITION]: true as const,
  });
}

/** True when `value` was made by {@link defineJob}. */
export function isJobDefinition(value: unknown): value is JobDefinition {
  return (
    typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[DEFINITION] === true
  );
}

/** Read access to job types (what the engine and validation need). */
export interface JobTypeLookup {
  /** The definition of `type`, or undefined. */
  get(type: string): JobDefinition | undefined;
  /** Every definition, sorted by type. */
  list(): JobDefinition[];
}

/** A set of job types. */
export class JobRegistry implements JobTypeLookup {
  readonly #jobs = new Map<string, JobDefinition>();

  /** @param definitions job types to register at once. */
  constructor(definitions: Iterable<JobDefinition<never>> = []) {
    for (const d of definitions) this.register(d);
  }

  /**
   * Registers a job type. Throws `InvalidJobDefinitionError` when `definition` was not made by
   * {@link defineJob} or its type is already registered.
   */
  register(definition: JobDefinition<never>): this {
    if (!isJobDefinition(definition)) {
      throw new InvalidJobDefinitionError('register() takes the result of defineJob().');
    }
    if (this.#jobs.has(definition.type)) {
      throw new InvalidJobDefinitionError(`job type "${definition.type}" is registered twice.`);
    }
    this.#jobs.set(definition.type, definition as unknown as JobDefinition);
    return this;
  }

  get(type: string): JobDefinition | undefined {
    return this.#jobs.get(type);
  }

  /** True when `type` is registered. */
  has(type: string): boolean {
    return this.#jobs.has(type);
  }

  list(): JobDefinition[] {
    return [...this.#jobs.values()].sort((a, b) => (a.type < b.type ? -1 : 1));
  }
}

/** A lookup that consults `layers` in order (the engine puts built-in jobs under the user's registry). */
export function layeredJobs(...layers: JobTypeLookup[]): JobTypeLookup {
  return {
    get(type) {
      for (const l of layers) {
        const d = l.get(type);
        if (d) return d;
      }
      return undefined;
    },
    list() {
      const seen = new Map<string, JobDefinition>();
      for (const l of layers) for (const d of l.list()) if (!seen.has(d.type)) seen.set(d.type, d);
      return [...seen.values()].sort((a, b) => (a.type < b.type ? -1 : 1));
    },
  };
}

// Each job type's parameter schema compiled once, on first use (issue "Scale": `Value.Check` interprets the schema on
// every call, the larger part of validating a schedule in the API's profile). Errors, rare, still come from `Value`.
// A schema the compiler refuses (a plain JSON Schema it cannot build code for) is checked by `Value` as before.
const validators = new WeakMap<TSchema, (value: unknown) => boolean>();

function validatorOf(schema: TSchema): (value: unknown) => boolean {
  const known = validators.get(schema);
  if (known) return known;
  let check: (value: unknown) => boolean;
  try {
    const compiled: Validator = Compile(schema);
    check = (value) => compiled.Check(value);
  } catch {
    check = (value) => Value.Check(schema, value);
  }
  validators.set(schema, check);
  return check;
}

/**
 * Checks `params` against the job type's schema. Returns the problems found (empty when valid). Throws
 * `UnknownJobTypeError` for an unregistered type.
 */
export function checkParameters(jobs: JobTypeLookup, jobType: string, params: unknown): ParameterIssue[] {
  const def = jobs.get(jobType);
  if (!def)
    throw new UnknownJobTypeError(
      jobType,
      jobs.list().map((d) => d.type),
    );
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    return [{ path: '', message: 'must be an object' }];
  }
  if (!def.parameters) return [];
  if (validatorOf(def.parameters)(params)) return [];
  const issues = Value.Errors(def.parameters, params).map((e) => ({
    path: e.instancePath,
    message: e.message,
  }));
  // TypeBox reports `additionalProperties: false` twice (once as "schema is false"); keep the readable one.
  const readable = issues.filter((i) => i.message !== 'schema is false');
  return readable.length > 0 ? readable : issues;
}

/**
 * Imports a `CRAFT_JOBS` module (a path relative to the working directory, an absolute path or a file URL) and
 * returns its default-exported job definitions. Shared by the API and the CLI so both accept the same modules.
 * Throws `JobModuleError` when the import fails or the default export is not an array of `defineJob()` results.
 */
export async function loadJobModule(path: string): Promise<JobDefinition[]> {
  const url = path.startsWith('file:') ? path : pathToFileURL(isAbsolute(path) ? path : resolve(path)).href;
  let mod: { default?: unknown };
  try {
    mod = (await import(url)) as { default?: unknown };
  } catch (error) {
    throw new JobModuleError(path, 'could not be imported', error);
  }
  const list = mod.default;
  if (!Array.isArray(list)) throw new JobModuleError(path, 'has no default-exported array');
  list.forEach((item, i) => {
    if (!isJobDefinition(item))
      throw new JobModuleError(path, `default export item ${i} is not a job definition`);
  });
  return list as JobDefinition[];
}
