// Internal: the documents of `job_schedules` and `job_runs`, and the query fragments over them. Field names are
// the snake_case record names of `@craft/scheduler`'s model (one mapping per boundary: scheduleToRecord /
// runToRecord and back); this file adds only what MongoDB needs on top.
import {
  type JobRun,
  type JobRunRecord,
  type JobSchedule,
  type JobScheduleRecord,
  RUN_FIELD_TO_RECORD,
  type RunCondition,
  type RunQuery,
  runFromRecord,
  runToRecord,
  type ScheduleQuery,
  scheduleFromRecord,
} from '@craft/scheduler';
import type { Document, Filter, ObjectId } from 'mongodb';
import type { TimeSource } from './time.js';

/**
 * A `job_runs` document: the run's record plus `_id` (an ObjectId made by the inserting client: it breaks ties
 * between runs created in the same millisecond in insertion order) and the two fields of a store-clock lease. A
 * lease granted with `leaseForMs` is stored as `lease_renewed_at` (stamped with the store's now: the server's
 * clock by default) + `lease_ms`, and `lease_expires_at` is null; an absolute `leaseExpiresAt` written by the
 * engine is stored in `lease_expires_at` and the other two are null. The effective expiry is
 * `lease_renewed_at + lease_ms`, else `lease_expires_at`.
 */
export interface RunDocument extends JobRunRecord {
  _id: ObjectId;
  lease_ms: number | null;
  lease_renewed_at: Date | null;
}

/** A document whose `_id` is a string (fencing-token counters: the lock key). */
export type StringIdDocument = Document & { _id: string };

/** A `job_schedules` document (another program's document may lack every optional field). */
export type ScheduleDocument = JobScheduleRecord & { _id?: unknown };

/** The effective lease expiry of a run document, as an aggregation expression. */
export const RUN_LEASE_EXPIRY = {
  $ifNull: [{ $add: ['$lease_renewed_at', '$lease_ms'] }, '$lease_expires_at'],
};

export function scheduleFromDocument(doc: ScheduleDocument): JobSchedule {
  return scheduleFromRecord(doc);
}

export function runFromDocument(doc: RunDocument): JobRun {
  const run = runFromRecord(doc);
  if (doc.lease_renewed_at instanceof Date && typeof doc.lease_ms === 'number') {
    run.leaseExpiresAt = new Date(doc.lease_renewed_at.getTime() + doc.lease_ms);
  }
  return run;
}

/** `is_enabled` true, or missing (its default is true). Uses the `(is_enabled, next_run_at)` index. */
export const ENABLED: Filter<Document> = { is_enabled: { $in: [true, null] } };

export function scheduleQueryFilter(query: ScheduleQuery): Filter<Document> {
  const filter: Filter<Document> = {};
  if (query.enabled === true) Object.assign(filter, ENABLED);
  else if (query.enabled === false) filter['is_enabled'] = false;
  if (query.jobType !== undefined) filter['job_type'] = query.jobType;
  if (query.afterJobName !== undefined || query.jobNames !== undefined) {
    // Served by the unique job_name index (an $in of names is a set of point reads).
    filter['job_name'] = {
      ...(query.afterJobName !== undefined ? { $gt: query.afterJobName } : {}),
      ...(query.jobNames !== undefined ? { $in: [...query.jobNames] } : {}),
    };
  }
  if (query.lastRunStatus !== undefined) filter['last_run_status'] = { $in: [...query.lastRunStatus] };
  if (query.text !== undefined) {
    // A literal, case-insensitive substring: every pattern character of the user's text is escaped. No index
    // serves it (a scan of job_schedules); the other filters still narrow it first.
    const pattern = { $regex: query.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), $options: 'i' };
    filter['$or'] = [{ job_name: pattern }, { description: pattern }];
  }
  return filter;
}

/** The filter for "the run's lease is free" (`true`) or "held and unexpired" (`false`) at the store's now. */
export function leaseFilter(expired: boolean, time: TimeSource): Filter<Document> {
  if (expired) {
    return { $or: [{ lease_owner: null }, { $expr: { $lte: [RUN_LEASE_EXPIRY, time.nowExpr()] } }] };
  }
  return { lease_owner: { $ne: null }, $expr: { $gt: [RUN_LEASE_EXPIRY, time.nowExpr()] } };
}

export function runQueryFilter(query: RunQuery, time: TimeSource): Filter<Document> {
  const and: Filter<Document>[] = [];
  const filter: Filter<Document> = {};
  if (query.jobName !== undefined) filter['job_name'] = query.jobName;
  if (query.jobType !== undefined) filter['job_type'] = query.jobType;
  if (query.status !== undefined) filter['status'] = { $in: [...query.status] };
  if (query.trigger !== undefined) filter['trigger'] = query.trigger;
  if (query.parentRunId !== undefined) filter['parent_run_id'] = query.parentRunId;
  if (query.runKeys !== undefined) filter['run_key'] = { $in: [...query.runKeys] };
  if (query.slotFrom !== undefined || query.slotTo !== undefined) {
    const slot: Record<string, Date> = {};
    if (query.slotFrom !== undefined) slot['$gte'] = query.slotFrom;
    if (query.slotTo !== undefined) slot['$lt'] = query.slotTo;
    filter['slot'] = slot;
  }
  if (query.createdFrom !== undefined || query.createdTo !== undefined) {
    const created: Record<string, Date> = {};
    if (query.createdFrom !== undefined) created['$gte'] = query.createdFrom;
    if (query.createdTo !== undefined) created['$lt'] = query.createdTo;
    filter['created_at'] = created;
  }
  if (query.leaseExpired !== undefined) and.push(leaseFilter(query.leaseExpired, time));
  if (and.length > 0) filter['$and'] = and;
  return filter;
}

export function runConditionFilter(id: string, condition: RunCondition, time: TimeSource): Filter<Document> {
  const filter: Filter<Document> = { id };
  if (condition.status !== undefined) filter['status'] = { $in: [...condition.status] };
  if (condition.leaseOwner !== undefined) filter['lease_owner'] = condition.leaseOwner;
  if (condition.fencingToken !== undefined) filter['fencing_token'] = condition.fencingToken;
  if (condition.leaseExpired !== undefined) filter['$and'] = [leaseFilter(condition.leaseExpired, time)];
  // The attempt a write belongs to: a late write of an earlier attempt no longer matches.
  if (condition.attemptCount !== undefined) filter['attempts'] = { $size: condition.attemptCount };
  // A cancel request (spec section 10): null also matches a document without the field (written before it existed).
  if (condition.cancelRequested !== undefined) {
    filter['cancel_requested_at'] = condition.cancelRequested ? { $ne: null } : null;
  }
  return filter;
}

// A complete run the partial `set` of an update is laid over, so runToRecord can map it (only the given fields
// are kept afterwards).
const BLANK_RUN: JobRun = {
  id: '',
  runKey: '',
  jobType: '',
  jobName: null,
  slot: null,
  trigger: 'manual',
  parameters: {},
  status: 'pending',
  attempts: [],
  maxAttempts: 1,
  timeoutSeconds: 1,
  startedAt: null,
  finishedAt: null,
  result: null,
  error: null,
  parentRunId: null,
  replicaId: null,
  lockKey: '',
  leaseOwner: null,
  leaseExpiresAt: null,
  fencingToken: null,
  cancelRequestedAt: null,
  cancelRequestedBy: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  dst: null,
  wallTime: null,
  dueAt: null,
};

const IMMUTABLE_RUN_FIELDS = new Set(['id', 'runKey', 'createdAt', 'updatedAt']);

/** The `$set` fields of a run patch (record names; only fields given and not `undefined`). */
export function runPatchToRecord(set: Partial<JobRun>): Record<string, unknown> {
  const full = runToRecord({ ...BLANK_RUN, ...set }) as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(set)) {
    if (value === undefined || IMMUTABLE_RUN_FIELDS.has(key)) continue;
    const recordKey = RUN_FIELD_TO_RECORD[key as keyof JobRun];
    if (recordKey !== undefined) out[recordKey] = full[recordKey];
  }
  return out;
}
