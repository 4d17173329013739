import Type from 'typebox';
import { httpRequestJob } from './builtins/http-request.js';
import { EVENT_RETENTION_MS } from './events/constants.js';
import { isEventLogStore } from './events/cursor.js';
import { defineJob, type JobDefinition } from './registry.js';
import type { ScheduleService } from './service.js';
import type { SchedulerStore } from './types.js';

/** Name of the built-in job that repairs `next_run_at` (spec section 5). */
export const CALCULATE_NEXT_SCHEDULES = 'calculate_next_schedules';
/** Name of the built-in retention job. */
export const CLEANUP_RUN_HISTORY = 'cleanup_run_history';

/** Default age of {@link CLEANUP_RUN_HISTORY}: runs that finished more than 30 days ago are deleted. */
export const DEFAULT_RUN_RETENTION_DAYS = 30;

interface HasSchedules {
  schedules: ScheduleService;
  store: SchedulerStore;
  clock: { now(): number };
}

/**
 * The built-in job definitions, registered by `JobScheduler` unless `builtins: false`:
 * - `calculate_next_schedules` (no parameters): `ScheduleService.repairNextRuns()`; result
 *   `{ checked, repaired: [{ job_name, previous, next_run_at }], invalid }`.
 * - `cleanup_run_history` (`{ older_than_days?: integer ≥ 0, older_than_seconds?: integer ≥ 0 }`, default 30
 *   days; seconds win when both are given): deletes finished runs older than that; result `{ deleted, before }`.
 *   When the store keeps an event log, it also deletes events past its 7-day retention (`events_deleted`).
 * - `http_request` (`{ url, method?, headers?, body?, expected_status?, timeout_seconds? }`): calls a webhook with
 *   the global fetch; result `{ status, duration_ms, body }`; see {@link httpRequestJob}. It calls any URL the
 *   process can reach: whoever may create schedules or runs can make the service send requests (SSRF).
 */
export function builtinJobs(): JobDefinition[] {
  return [
    defineJob({
      type: CALCULATE_NEXT_SCHEDULES,
      description:
        'Repairs next_run_at of every enabled schedule where it is missing or not a slot of its cron',
      maxAttempts: 3,
      timeoutSeconds: 300,
      parameters: Type.Object({}, { additionalProperties: false }),
      handler: async (_params, ctx) => {
        const { schedules } = ctx.scheduler as HasSchedules;
        const r = await schedules.repairNextRuns();
        return {
          checked: r.checked,
          repaired: r.repaired.map((x) => ({
            job_name: x.jobName,
            previous: x.previous?.toISOString() ?? null,
            next_run_at: x.nextRunAt?.toISOString() ?? null,
          })),
          invalid: r.invalid,
        };
      },
    }) as unknown as JobDefinition,
    defineJob({
      type: CLEANUP_RUN_HISTORY,
      description: `Deletes finished runs older than older_than_seconds or older_than_days (default ${DEFAULT_RUN_RETENTION_DAYS})`,
      maxAttempts: 3,
      timeoutSeconds: 600,
      parameters: Type.Object(
        {
          older_than_days: Type.Optional(Type.Integer({ minimum: 0 })),
          older_than_seconds: Type.Optional(Type.Integer({ minimum: 0 })),
        },
        { additionalProperties: false },
      ),
      handler: async (params, ctx) => {
        const { store, clock } = ctx.scheduler as HasSchedules;
        const seconds =
          params.older_than_seconds ?? (params.older_than_days ?? DEFAULT_RUN_RETENTION_DAYS) * 86_400;
        const before = new Date(clock.now() - seconds * 1000);
        const deleted = await store.deleteRuns({ finishedBefore: before });
        // The event log has its own fixed retention (spec section 12), whatever the run history keeps.
        if (!isEventLogStore(store)) return { deleted, before: before.toISOString() };
        const eventsDeleted = await store.deleteEvents({ olderThanMs: EVENT_RETENTION_MS });
        return { deleted, before: before.toISOString(), events_deleted: eventsDeleted };
      },
    }) as unknown as JobDefinition,
    httpRequestJob(),
  ];
}
