// What the event log records: the event types and their small payloads, built from the scheduler's and the
// schedule service's own events. Payloads carry ids, status and timestamps, never parameters or results.

import { isoString } from '../iso-string.js';
import {
  type JobRun,
  type JobSchedule,
  type RunError,
  SCHEDULE_FIELD_TO_RECORD,
  SCHEDULE_VERSIONED_FIELDS,
} from '../model.js';

/**
 * The event types written today. The list is open (a later version adds e.g. `run:cancelled`): readers must skip
 * types they do not know.
 */
export const JOB_EVENT_TYPES = [
  'run:created',
  'run:started',
  'run:succeeded',
  'run:failed',
  'run:retrying',
  'run:timed_out',
  'run:skipped',
  'run:abandoned',
  'run:cancelled',
  'run:lease_lost',
  'schedule:created',
  'schedule:updated',
  'schedule:enabled',
  'schedule:disabled',
  'schedule:deleted',
] as const;

/** A type of {@link JOB_EVENT_TYPES}. */
export type JobEventType = (typeof JOB_EVENT_TYPES)[number];

/** Error messages in payloads are cut at this many characters (the run record keeps the whole error). */
export const EVENT_ERROR_MESSAGE_MAX = 300;

const iso = (d: Date | null | undefined) => (d ? isoString(d) : null);

/** `{ name, message, code? }` of a run error, the message cut at {@link EVENT_ERROR_MESSAGE_MAX}. */
export function errorData(error: RunError | null | undefined): Record<string, unknown> | null {
  if (!error) return null;
  const message =
    error.message.length > EVENT_ERROR_MESSAGE_MAX
      ? `${error.message.slice(0, EVENT_ERROR_MESSAGE_MAX - 1)}…`
      : error.message;
  return { name: error.name, message, ...(error.code === undefined ? {} : { code: error.code }) };
}

/**
 * The payload of a `run:*` event: `run_id`, `job_name`, `job_type`, `status`, `trigger`, `slot`, `attempt` (attempts
 * so far), `max_attempts`, `parent_run_id`, `replica_id`, `created_at`, `started_at`, `finished_at`, plus `extra`.
 */
export function runEventData(run: JobRun, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    run_id: run.id,
    job_name: run.jobName,
    job_type: run.jobType,
    status: run.status,
    trigger: run.trigger,
    slot: iso(run.slot),
    attempt: run.attempts.length,
    max_attempts: run.maxAttempts,
    parent_run_id: run.parentRunId,
    replica_id: run.replicaId,
    created_at: iso(run.createdAt),
    started_at: iso(run.startedAt),
    finished_at: iso(run.finishedAt),
    ...extra,
  };
}

/** The payload of a `schedule:*` event: `job_name`, `job_type`, `cron_expression`, `timezone`, `is_enabled`, `next_run_at`, plus `extra`. */
export function scheduleEventData(
  schedule: JobSchedule,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    job_name: schedule.jobName,
    job_type: schedule.jobType,
    cron_expression: schedule.cronExpression,
    timezone: schedule.timezone,
    is_enabled: schedule.isEnabled,
    next_run_at: iso(schedule.nextRunAt),
    ...extra,
  };
}

/** The snake_case names of the user fields that differ between two versions of a schedule. */
export function changedScheduleFields(previous: JobSchedule, next: JobSchedule): string[] {
  // The fields a user edits; the engine's own (next run, last run, timestamps) are not "changes" of a schedule.
  return SCHEDULE_VERSIONED_FIELDS.filter((k) => JSON.stringify(previous[k]) !== JSON.stringify(next[k])).map(
    (k) => SCHEDULE_FIELD_TO_RECORD[k],
  );
}

/**
 * The type of an update: `schedule:enabled` / `schedule:disabled` when `is_enabled` changed (other fields may have
 * changed with it; the payload's `changed` lists them all), else `schedule:updated`.
 */
export function scheduleUpdateType(previous: JobSchedule, next: JobSchedule): JobEventType {
  if (previous.isEnabled !== next.isEnabled) return next.isEnabled ? 'schedule:enabled' : 'schedule:disabled';
  return 'schedule:updated';
}
