// `POST /jobs/schedules/{job_name}/backfill` (spec section 10): a thin layer over `JobScheduler.backfill`. 202 with
// what was recorded (and what already was); `?wait=true`: 200 once the runs finished, bounded by `timeout_seconds`
// (the answer then says `complete: false` and the runs go on), as `POST /jobs/check-schedules?wait=true` does.
import { FINAL_RUN_STATUSES, type JobRun } from '@craft/scheduler';
import { ApiError } from '../../errors.js';
import type { CraftApp } from '../../types.js';
import { runView } from '../views.js';
import { BACKFILL_WAIT_DEFAULT_SECONDS, scheduleSchemas } from './schema.js';

const FINAL = new Set<string>(FINAL_RUN_STATUSES);
const TIMED_OUT: unique symbol = Symbol('timed out');

/** `promise`'s value, or {@link TIMED_OUT} once `ms` passed on the scheduler's clock (the one runs time out by). */
async function waitAtMost<T>(app: CraftApp, promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  const cancel = new AbortController();
  const timer = app.scheduler.clock.sleep(ms, cancel.signal).then((): typeof TIMED_OUT => TIMED_OUT);
  try {
    return await Promise.race([promise, timer]);
  } finally {
    cancel.abort();
  }
}

/** The backfill route. */
export async function backfillRoute(app: CraftApp): Promise<void> {
  const schemas = scheduleSchemas(app.scheduler.jobs.list().map((d) => d.type));
  app.post(
    '/jobs/schedules/:job_name/backfill',
    { schema: schemas.backfill, config: { auth: 'jobs:run', idempotent: true } },
    async (req, reply) => {
      const { wait, timeout_seconds } = req.query;
      if (!wait && timeout_seconds !== undefined) {
        throw new ApiError(
          'CRAFT_API_VALIDATION',
          'Request query: "timeout_seconds" bounds the wait and applies with wait=true only; add wait=true or ' +
            'leave it out',
          { field: 'timeout_seconds' },
        );
      }
      const { from, to, max_slots, concurrency } = req.body;
      const result = await app.schedules.backfill(req.params.job_name, {
        from: new Date(from),
        to: new Date(to),
        maxSlots: max_slots,
        concurrency,
      });
      const answer = {
        job_name: result.jobName,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        slot_count: result.slots.length,
        already_recorded: result.alreadyRecorded.map(runView),
      };
      if (!wait) {
        result.done.catch((error: unknown) => req.log.error({ err: error }, 'backfill runs failed'));
        return reply.code(202).send({ ...answer, created: result.created.map(runView) });
      }
      const waited = await waitAtMost(
        app,
        result.done,
        (timeout_seconds ?? BACKFILL_WAIT_DEFAULT_SECONDS) * 1000,
      );
      if (waited === TIMED_OUT) {
        result.done.catch((error: unknown) => req.log.error({ err: error }, 'backfill runs failed'));
      }
      // Re-read: a run another replica took over (recovery) is answered as it stands.
      const runs: JobRun[] = await Promise.all(
        result.created.map((r) => app.schedules.getRun(r.id).catch(() => r)),
      );
      return reply.code(200).send({
        ...answer,
        created: runs.map(runView),
        complete: waited !== TIMED_OUT && runs.every((r) => FINAL.has(r.status)),
      });
    },
  );
}
