// The one mapping from the scheduler's models to the API's JSON (snake_case records, ISO 8601 UTC dates).
import {
  isoString,
  type JobRun,
  type JobSchedule,
  type JobScheduleRecord,
  recordDatesToJson,
  runToRecord,
  scheduleToRecord,
} from '@craft/scheduler';
import type { Static } from 'typebox';
import type { Run, Schedule } from './schema.js';

/** A schedule as JSON. */
export type ScheduleJson = Static<typeof Schedule>;
/** A run as JSON. */
export type RunJson = Static<typeof Run>;

const iso = (d: Date | null | undefined): string | null => (d ? isoString(d) : null);

/**
 * Maps a schedule to its JSON record. On every schedule answer (issue "Scale"), so its six dates are set in place on
 * the fresh record instead of copying it again (`recordDatesToJson`): the parameters are JSON already.
 */
export function scheduleView(schedule: JobSchedule): ScheduleJson {
  const record = scheduleToRecord(schedule) as unknown as Record<keyof JobScheduleRecord, unknown>;
  record.last_run_at = iso(schedule.lastRunAt);
  record.next_run_at = iso(schedule.nextRunAt);
  record.created_at = iso(schedule.createdAt);
  record.updated_at = iso(schedule.updatedAt);
  record.next_due_at = iso(schedule.nextDueAt);
  record.paused_at = iso(schedule.pausedAt);
  return record as ScheduleJson;
}

/** Maps a run to its JSON record (the response schema drops error stack traces). */
export function runView(run: JobRun): RunJson {
  return recordDatesToJson(runToRecord(run)) as RunJson;
}
