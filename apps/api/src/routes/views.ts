// The one mapping from the scheduler's models to the API's JSON (snake_case records, ISO 8601 UTC dates).
import {
  type JobRun,
  type JobSchedule,
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

/** Maps a schedule to its JSON record. */
export function scheduleView(schedule: JobSchedule): ScheduleJson {
  return recordDatesToJson(scheduleToRecord(schedule)) as ScheduleJson;
}

/** Maps a run to its JSON record (the response schema drops error stack traces). */
export function runView(run: JobRun): RunJson {
  return recordDatesToJson(runToRecord(run)) as RunJson;
}
