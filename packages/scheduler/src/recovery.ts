// Recovery (spec section 5 `handleMissedRuns()`, and every pass): runs whose lease expired — their replica died,
// stalled past its lease, was cut off from the database, or left a chained run whose lock was taken — are taken
// over under their lock: a `running` one gets its attempt recorded `abandoned` and is retried here if attempts
// remain (else it ends `abandoned`); a `pending` one is adopted and executed here.
//
// - The lock is taken FIRST, so every recovery write is fenced by a fresh token (the schedule's `last_run_status`
//   too), and a run whose lock another replica holds (it is still executing that schedule) is left alone this pass.
// - Runs of a job type this replica does not know are left alone (a rolling deploy: a replica that knows it takes
//   them), logged once per type, like the claim path does for schedules.
// - A run that holds its own lease (an `allow` schedule's) takes no lock: the compare-and-set on its expired lease and
//   token is the takeover, and its restart writes a greater token (own-lease.ts).
// - A run whose cancel was requested ends `cancelled` instead (spec section 10): a running one with its attempt
//   recorded `abandoned`, a pending one without starting; neither is retried.
// - The runs found for one lock key are taken one after another: the first in the pass itself, the others (a
//   backfill leaves many pending runs behind one schedule lock) each after the one before it finished, taking the
//   lock again — so a pass (and `craft-jobs check`) works through them in order, and a key whose lock is held
//   elsewhere costs one acquire per pass, not one per run.
import { type EngineContext, type FollowUps, ownsLease, settleAll } from './engine.js';
import { RunAbandonedError, toRunError } from './errors.js';
import { executeBatch, releaseLock } from './execute.js';
import { written } from './guarded-writes.js';
import { bounded, Heartbeat } from './heartbeat.js';
import type { JobRun } from './model.js';
import { runLogFields } from './run-log.js';
import { abandon, adopt, cancelExpired } from './run-transitions.js';

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
  // The runs to take, per lock key, in the listing's order (oldest first).
  const byKey = new Map<string, JobRun[]>();
  for (const run of expired) {
    if (ctx.active.has(run.id)) continue;
    if (!ctx.jobs.get(run.jobType)) {
      ctx.warnOnce(
        `type:${run.jobType}`,
        'run has a job type this replica does not know; left for other replicas',
        runLogFields(run),
      );
      continue;
    }
    const list = byKey.get(run.lockKey);
    if (list) list.push(run);
    else byKey.set(run.lockKey, [run]);
  }
  for (const [, runs] of byKey) {
    if (ctx.softStop.aborted) break;
    const [first, ...rest] = runs as [JobRun, ...JobRun[]];
    const taken = await takeOver(ctx, first, abandoned);
    if (taken === null) continue;
    recovered.push(ctx.track(runInTurn(ctx, taken, rest)));
  }
  return { abandoned, recovered };
}

/** A run taken over, with the heartbeat of its lease, ready to execute. */
interface Taken {
  run: JobRun;
  hb: Heartbeat;
}

/**
 * Takes `run` over: its lock first (a run with its own lease needs none), then the abandon or adopt write (or the
 * cancel, when one was requested). Null when the lock is held elsewhere, a write found the run changed, or it ended.
 */
async function takeOver(ctx: EngineContext, run: JobRun, abandoned: JobRun[]): Promise<Taken | null> {
  const own = ownsLease(run);
  const basis = ctx.mono();
  const hb = new Heartbeat(ctx, run.lockKey, basis);
  if (!own) {
    let lease = null;
    try {
      lease = await hb.acquire(() => ctx.lock.acquire(run.lockKey, ctx.replicaId, ctx.lockTtlMs));
    } catch (error) {
      await hb.stop();
      ctx.logger.warn('recovery could not take a lock; the run is left for a later pass', {
        ...runLogFields(run),
        error: toRunError(error).message,
      });
      return null;
    }
    if (!lease) {
      await hb.stop();
      ctx.emit('lock:contended', { key: run.lockKey, jobName: run.jobName });
      return null;
    }
    hb.attach(lease, basis);
  }
  let taken: JobRun | null = null;
  if (run.status === 'running') {
    const r = await abandon(ctx, hb, run, toRunError(new RunAbandonedError(run.replicaId)));
    if (written(r)) {
      if (r.status !== 'cancelled') abandoned.push(r);
      ctx.emit('run:recovered', { run: r, previousStatus: 'running' });
      if (r.status === 'pending') taken = r;
    }
  } else if (run.cancelRequestedAt !== null) {
    await cancelExpired(ctx, hb, run);
  } else {
    const r = await adopt(ctx, hb, run);
    if (written(r)) {
      ctx.emit('run:recovered', { run: r, previousStatus: 'pending' });
      taken = r;
    }
  }
  if (!taken) {
    await releaseLock(ctx, hb);
    return null;
  }
  // A run with its own lease: its token is one more than the one its former holder started it with.
  if (own) hb.attachOwn((taken.fencingToken ?? 0) + 1, basis);
  return { run: taken, hb };
}

/**
 * Executes a taken run, then the other runs found for its lock key, one after another (each taken over again once
 * the one before it finished). Stops at the first that cannot be taken (its lock is held elsewhere: a later pass),
 * and when the scheduler stops. Resolves with every final record, the chained runs' included.
 */
async function runInTurn(ctx: EngineContext, first: Taken, rest: JobRun[]): Promise<JobRun[]> {
  const out: JobRun[] = [];
  let next: Taken | null = first;
  let i = 0;
  while (next !== null) {
    const followUps: Promise<JobRun[]>[] = [];
    const collector: FollowUps = { push: (p) => followUps.push(p) };
    out.push(...(await executeBatch(ctx, next.hb, [next.run], collector)), ...(await settleAll(followUps)));
    next = null;
    while (next === null && i < rest.length && !ctx.softStop.aborted) {
      const run = rest[i++] as JobRun;
      if (ctx.active.has(run.id)) continue;
      next = await takeOver(ctx, run, []);
      // A run of this key that another replica holds, or changed since the listing, is skipped; a lock held
      // elsewhere leaves the rest of the key to a later pass.
      if (next === null && !(await lockFree(ctx, run))) break;
    }
  }
  return out;
}

/** Whether `run`'s lock is free right now (diagnostics only: the next acquire decides). */
async function lockFree(ctx: EngineContext, run: JobRun): Promise<boolean> {
  if (ownsLease(run)) return true;
  try {
    return (await bounded(ctx, 'inspect', ctx.timing.callTimeoutMs, ctx.lock.inspect(run.lockKey))) === null;
  } catch {
    return false;
  }
}
