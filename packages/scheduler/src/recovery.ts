// Recovery (spec section 5 `handleMissedRuns()`, and every pass): runs whose lease expired — their replica died,
// stalled past its lease, was cut off from the database, or left a chained run whose lock was taken — are taken
// over under their lock: a `running` one gets its attempt recorded `abandoned` and is retried here if attempts
// remain (else it ends `abandoned`); a `pending` one is adopted and executed here.
//
// - The lock is taken FIRST, so every recovery write is fenced by a fresh token (the schedule's `last_run_status`
//   too), and a run whose lock another replica holds (it is still executing that schedule) is left alone this pass.
// - Runs of a job type this replica does not know are left alone (a rolling deploy: a replica that knows it takes
//   them), logged once per type, like the claim path does for schedules.
import { type EngineContext, type FollowUps, settleAll } from './engine.js';
import { RunAbandonedError, toRunError } from './errors.js';
import { executeBatch, releaseLock } from './execute.js';
import { written } from './guarded-writes.js';
import { bounded, Heartbeat } from './heartbeat.js';
import type { JobRun } from './model.js';
import { runLogFields } from './run-log.js';
import { abandon, adopt } from './run-transitions.js';

/** What one recovery pass did. */
export interface Recovered {
  /** Runs found `running` with an expired lease and recorded (an attempt) abandoned. */
  abandoned: JobRun[];
  /** One entry per run executed here: resolves with its final record and those of the runs it chained. */
  recovered: Promise<JobRun[]>[];
}

/** Finds runs whose lease expired (at most `limit`, oldest first) and takes them over; see the file comment. */
export async function recoverExpiredRuns(ctx: EngineContext, limit: number): Promise<Recovered> {
  const abandoned: JobRun[] = [];
  const recovered: Promise<JobRun[]>[] = [];
  const expired = await bounded(
    ctx,
    'listRuns',
    ctx.lockTtlMs,
    ctx.store.listRuns({ status: ['pending', 'running'], leaseExpired: true, order: 'asc', limit }),
  );
  for (const run of expired) {
    if (ctx.softStop.aborted) break;
    if (ctx.active.has(run.id)) continue;
    if (!ctx.jobs.get(run.jobType)) {
      ctx.warnOnce(
        `type:${run.jobType}`,
        'run has a job type this replica does not know; left for other replicas',
        runLogFields(run),
      );
      continue;
    }
    const basis = ctx.mono();
    const hb = new Heartbeat(ctx, run.lockKey, basis);
    let lease = null;
    try {
      lease = await hb.call('acquire', () => ctx.lock.acquire(run.lockKey, ctx.replicaId, ctx.lockTtlMs));
    } catch (error) {
      await hb.stop();
      ctx.logger.warn('recovery could not take a lock; the run is left for a later pass', {
        ...runLogFields(run),
        error: toRunError(error).message,
      });
      continue;
    }
    if (!lease) {
      await hb.stop();
      ctx.emit('lock:contended', { key: run.lockKey, jobName: run.jobName });
      continue;
    }
    hb.attach(lease, basis);
    let taken: JobRun | null = null;
    if (run.status === 'running') {
      const r = await abandon(ctx, hb, run, toRunError(new RunAbandonedError(run.replicaId)));
      if (written(r)) {
        abandoned.push(r);
        ctx.emit('run:recovered', { run: r, previousStatus: 'running' });
        if (r.status === 'pending') taken = r;
      }
    } else {
      const r = await adopt(ctx, hb, run);
      if (written(r)) {
        ctx.emit('run:recovered', { run: r, previousStatus: 'pending' });
        taken = r;
      }
    }
    if (!taken) {
      await releaseLock(ctx, hb);
      continue;
    }
    const followUps: Promise<JobRun[]>[] = [];
    const collector: FollowUps = { push: (p) => followUps.push(p) };
    const batch = ctx.track(executeBatch(ctx, hb, [taken], collector));
    recovered.push(batch.then(async (r) => [...r, ...(await settleAll(followUps))]));
  }
  return { abandoned, recovered };
}
