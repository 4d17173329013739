/**
 * Idempotency keys of manual runs and schedule creations (one place, so the lead can re-apply it over a reworked
 * manual-run module): the run key a keyed manual run gets, the digest a keyed creation stores, canonical JSON for
 * fingerprints, and the `IdempotencyStore` type guard.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { IdempotencyKeyReusedError, InvalidFieldError } from './errors.js';
import { FINAL_RUN_STATUSES, type JobRun } from './model.js';
import type { Clock, IdempotencyStore, RunStore } from './types.js';

/** Longest idempotency key accepted (characters). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** The key and its scope, as `RunOptions` and `ScheduleService.create` take them. */
export interface IdempotencyOptions {
  /**
   * A client-chosen key (1–255 characters) that makes the call idempotent: a retry with the same key (and scope)
   * does nothing new and answers what the first call made. @default undefined (not idempotent)
   */
  idempotencyKey?: string | undefined;
  /**
   * Whose key it is: keys of different scopes never meet (the API passes the token's subject, the CLI `cli`).
   * @default ''
   */
  idempotencyScope?: string | undefined;
}

/** JSON with object keys sorted (recursively) and Dates as ISO strings: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null';
}

function sortKeys(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}

const FINAL = new Set<string>(FINAL_RUN_STATUSES);

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Checks an idempotency key option; returns it (or undefined when not given). */
export function checkIdempotencyKey(key: unknown): string | undefined {
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new InvalidFieldError(
      'idempotency_key',
      key,
      `a string of 1-${MAX_IDEMPOTENCY_KEY_LENGTH} characters`,
      { component: 'JobScheduler', noun: 'option', fix: 'Pass another key.' },
    );
  }
  return key;
}

/** The digest of a scoped key (`sha256` of `[scope, key]` as JSON). */
export function scopedKeyDigest(scope: string, key: string): string {
  return sha256(JSON.stringify([scope, key]));
}

/**
 * The run key of a manual run made with an idempotency key: `manual:<sha256 of [scope, key]>`. The run ledger's
 * unique run key makes the trigger itself exactly-once: a retry — even after the caller died between triggering
 * and answering — finds the run instead of starting another.
 */
export function manualRunKey(scope: string, key: string): string {
  return `manual:${scopedKeyDigest(scope, key)}`;
}

/** What a keyed manual run was asked for, to tell a retry from a reuse of the key. */
export interface ManualRunRequest {
  jobType: string;
  jobName: string | null;
  /** Compared for runs of a bare job type only (a schedule's parameters may change between retries). */
  parameters: Record<string, unknown> | null;
  /** Overrides given by the caller (absent ones are not compared: defaults may have changed). */
  maxAttempts?: number | undefined;
  timeoutSeconds?: number | undefined;
}

/** Throws `IdempotencyKeyReusedError` unless `run` is what `request` asks for. */
export function checkSameManualRun(run: JobRun, request: ManualRunRequest): void {
  const firstUse =
    run.jobName !== null
      ? `run schedule ${JSON.stringify(run.jobName)}`
      : `run job type ${JSON.stringify(run.jobType)}`;
  const same =
    run.trigger === 'manual' &&
    run.jobType === request.jobType &&
    run.jobName === request.jobName &&
    (request.parameters === null || canonicalJson(run.parameters) === canonicalJson(request.parameters)) &&
    (request.maxAttempts === undefined || run.maxAttempts === request.maxAttempts) &&
    (request.timeoutSeconds === undefined || run.timeoutSeconds === request.timeoutSeconds);
  if (!same) throw new IdempotencyKeyReusedError(firstUse);
}

/**
 * The `creationKey` a schedule created with an idempotency key stores: the digest of the scoped key, a colon, and
 * the digest of the validated input.
 */
export function creationKey(scope: string, key: string, input: unknown): string {
  return `${scopedKeyDigest(scope, key)}:${sha256(canonicalJson(input))}`;
}

/** Whether a store also implements the `IdempotencyStore` contract (`MemoryStore` and `@craft/mongo`'s do). */
export function isIdempotencyStore(value: unknown): value is IdempotencyStore {
  const v = value as Partial<Record<keyof IdempotencyStore, unknown>> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.reserveIdempotencyKey === 'function' &&
    typeof v.renewIdempotencyKey === 'function' &&
    typeof v.completeIdempotencyKey === 'function' &&
    typeof v.releaseIdempotencyKey === 'function' &&
    typeof v.getIdempotencyKey === 'function'
  );
}

/**
 * The answer to a retry of a keyed manual run: the run found by its key, and a `done` that resolves with its final
 * record, read from the store every `pollMs` of `clock` time (the run may be executed by another process), or with
 * the record as it stands once `signal` aborts (the scheduler stopped).
 */
export function replayManualRun(
  store: Pick<RunStore, 'getRun'>,
  clock: Clock,
  signal: AbortSignal,
  run: JobRun,
  pollMs = 1000,
): { run: JobRun; done: Promise<JobRun>; replayed: true } {
  const done = (async () => {
    let current = run;
    while (!FINAL.has(current.status) && !signal.aborted) {
      await clock.sleep(pollMs, signal);
      current = (await store.getRun(run.id)) ?? current;
    }
    return current;
  })();
  return { run, done, replayed: true };
}
