// Cancelling a run (spec section 10): `JobScheduler.cancelRun(id, { by })`, the API's `POST /jobs/runs/{id}/cancel`
// and `craft-jobs runs cancel` all come here, as does the `cancel_running` overlap policy (`requestCancel`).
//
// - A pending run that no replica holds (its lease is free or expired) becomes `cancelled` right here, by a
//   compare-and-set on its status, its free lease, its token and its attempts: whoever wins — this, or a replica
//   adopting it — decides, never both.
// - Otherwise the request is stored on the run (`cancel_requested_at`, `cancel_requested_by`; the first request
//   stands) and the run's holder records it `cancelled`, fenced, once its handler settled: it learns of it at its next
//   lease renewal at the latest (TTL/3), at once when the cancel is asked through the replica that runs it, and a
//   pending run's start refuses to start it. A holder that dies leaves it to recovery, which records it `cancelled`.
// - A finished run is refused (`RunFinishedError`, 409) and nothing changes — except a run already `cancelled`, which
//   is answered as it is (a retried cancel, e.g. after a lost answer, is not an error).
import type { EngineContext } from './engine.js';
import { RunCancelledError, RunFinishedError, RunNotFoundError, toRunError } from './errors.js';
import { FINAL_RUN_STATUSES, type JobRun } from './model.js';
import { runLogFields } from './run-log.js';

/** Options of {@link JobScheduler.cancelRun}. */
export interface CancelOptions {
  /**
   * Who asks (stored as `cancel_requested_by`): the API passes the token's `sub`, the CLI `cli`.
   * @default null
   */
  by?: string | null | undefined;
}

const FINAL = new Set(FINAL_RUN_STATUSES);

/**
 * Stores a cancel request on a live run that has none yet (the first request stands); tells this replica's executor
 * at once when it runs here. Returns the run as stored, or null when the run is not live any more or already had a
 * request (the caller reads it again).
 */
export async function requestCancel(
  ctx: EngineContext,
  run: JobRun,
  by: string | null,
): Promise<JobRun | null> {
  const r = await ctx.store.updateRun(
    run.id,
    { set: { cancelRequestedAt: new Date(ctx.clock.now()), cancelRequestedBy: by } },
    { status: ['pending', 'running'], cancelRequested: false },
  );
  if (r && ctx.active.has(r.id)) ctx.cancels.request(r.id, by);
  return r;
}

/** Cancels run `id` (see the file comment). Returns the run as it stands afterwards. */
export async function cancelRun(
  ctx: EngineContext,
  id: string,
  options: CancelOptions = {},
): Promise<JobRun> {
  const by = options.by ?? null;
  let run: JobRun | null = null;
  // A few rounds: each failed compare-and-set means the run changed in between (started, adopted, finished).
  for (let round = 0; round < 5; round++) {
    run = await ctx.store.getRun(id);
    if (!run) throw new RunNotFoundError(id);
    if (run.status === 'cancelled') return run;
    if (FINAL.has(run.status)) throw new RunFinishedError(id, run.status);
    const requestedAt = run.cancelRequestedAt ?? new Date(ctx.clock.now());
    const requestedBy = run.cancelRequestedAt ? run.cancelRequestedBy : by;
    if (run.status === 'pending') {
      // Nobody holds it: compare-and-set on its free (or expired) lease, token and attempts.
      const cancelled = await ctx.store.updateRun(
        id,
        {
          set: {
            status: 'cancelled',
            finishedAt: new Date(ctx.clock.now()),
            error: toRunError(new RunCancelledError(requestedBy)),
            leaseOwner: null,
            cancelRequestedAt: requestedAt,
            cancelRequestedBy: requestedBy,
          },
        },
        {
          status: ['pending'],
          leaseExpired: true,
          fencingToken: run.fencingToken,
          attemptCount: run.attempts.length,
        },
      );
      if (cancelled) {
        ctx.emit('run:cancelled', { run: cancelled, by: requestedBy });
        await lastRunCancelled(ctx, cancelled);
        return cancelled;
      }
    }
    if (run.cancelRequestedAt !== null) {
      if (ctx.active.has(id)) ctx.cancels.request(id, run.cancelRequestedBy);
      return run;
    }
    const requested = await requestCancel(ctx, run, by);
    if (requested) return requested;
  }
  return run as JobRun;
}

/**
 * A run cancelled while nobody held it, after an earlier attempt had started (it was handed back): the schedule
 * says `cancelled` for it, unless a later run started since (`last_run_at` is still that attempt's start).
 */
async function lastRunCancelled(ctx: EngineContext, run: JobRun): Promise<void> {
  const since = run.attempts[run.attempts.length - 1]?.startedAt;
  if (!run.jobName || !since) return;
  try {
    await ctx.store.updateSchedule(run.jobName, { lastRunStatus: 'cancelled' }, { lastRunAt: since });
  } catch (error) {
    ctx.logger.warn('could not update last_run_status of a cancelled run', {
      ...runLogFields(run),
      error: toRunError(error).message,
    });
  }
}
