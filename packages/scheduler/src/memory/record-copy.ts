// The memory store's copies of its two records (issue "Scale"): it hands out and keeps copies, never the caller's
// objects. A schedule or run copied field by field with `deepCopy` cost about 1.2 µs (a keyed loop over 30-odd
// fields); these spread the record and replace only the fields that hold objects, about 0.35 µs.
import type { JobRun, JobSchedule, RunAttempt } from '../model.js';
import { deepCopy } from './deep-copy.js';

/** The keys of `T` whose values can be objects (a Date, an array, a record, or `unknown`): each needs a copy. */
type ObjectFields<T> = {
  [K in keyof T]-?: unknown extends T[K] ? K : [Extract<T[K], object>] extends [never] ? never : K;
}[keyof T];

/** Compiles only when `Listed` names every key of `All`. */
type Covers<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : Exclude<All, Listed>;

/** Every field of a {@link JobSchedule} that holds an object; `copySchedule` replaces each (the test checks it). */
export const SCHEDULE_OBJECT_FIELDS = [
  'parameters',
  'chain',
  'lastRunAt',
  'nextRunAt',
  'createdAt',
  'updatedAt',
  'nextDueAt',
  'pausedAt',
] as const;

/** Every field of a {@link JobRun} that holds an object; `copyRun` replaces each (the test checks it). */
export const RUN_OBJECT_FIELDS = [
  'slot',
  'parameters',
  'attempts',
  'startedAt',
  'finishedAt',
  'result',
  'error',
  'leaseExpiresAt',
  'cancelRequestedAt',
  'createdAt',
  'updatedAt',
  'dueAt',
] as const;

/** Every field of a {@link RunAttempt} that holds an object. */
export const ATTEMPT_OBJECT_FIELDS = ['startedAt', 'finishedAt', 'error'] as const;

// A field added to JobSchedule or JobRun that can hold an object fails these lines until it is listed above (and
// copied below): a copy must never share an object with the record it came from.
const schedulesCovered: Covers<ObjectFields<JobSchedule>, (typeof SCHEDULE_OBJECT_FIELDS)[number]> = true;
const runsCovered: Covers<ObjectFields<JobRun>, (typeof RUN_OBJECT_FIELDS)[number]> = true;
const attemptsCovered: Covers<ObjectFields<RunAttempt>, (typeof ATTEMPT_OBJECT_FIELDS)[number]> = true;
void [schedulesCovered, runsCovered, attemptsCovered];

// A Date is copied; null (and a field a partial record lacks) stays as it is.
const copyDate = <T>(d: T): T => (d instanceof Date ? (new Date(d.getTime()) as T) : d);

/** A copy of a schedule that shares no object with it. */
export function copySchedule(s: JobSchedule): JobSchedule {
  const out = { ...s };
  out.parameters = deepCopy(s.parameters);
  out.chain = deepCopy(s.chain);
  out.lastRunAt = copyDate(s.lastRunAt);
  out.nextRunAt = copyDate(s.nextRunAt);
  out.createdAt = copyDate(s.createdAt);
  out.updatedAt = copyDate(s.updatedAt);
  out.nextDueAt = copyDate(s.nextDueAt);
  out.pausedAt = copyDate(s.pausedAt);
  return out;
}

const copyAttempt = (a: RunAttempt): RunAttempt => ({
  ...a,
  startedAt: copyDate(a.startedAt),
  finishedAt: copyDate(a.finishedAt),
  error: deepCopy(a.error),
});

/** A copy of a run (its attempts included) that shares no object with it. */
export function copyRun(r: JobRun): JobRun {
  const out = { ...r };
  out.slot = copyDate(r.slot);
  out.parameters = deepCopy(r.parameters);
  out.attempts = Array.isArray(r.attempts) ? r.attempts.map(copyAttempt) : r.attempts;
  out.startedAt = copyDate(r.startedAt);
  out.finishedAt = copyDate(r.finishedAt);
  out.result = deepCopy(r.result);
  out.error = deepCopy(r.error);
  out.leaseExpiresAt = copyDate(r.leaseExpiresAt);
  out.cancelRequestedAt = copyDate(r.cancelRequestedAt);
  out.createdAt = copyDate(r.createdAt);
  out.updatedAt = copyDate(r.updatedAt);
  // Optional: absent stays absent (the record's shape is kept).
  if (r.dueAt !== undefined) out.dueAt = copyDate(r.dueAt);
  return out;
}
