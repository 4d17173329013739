// One pass of the scheduler (spec section 5): recover runs of dead replicas, compute missing `next_run_at`, and for
// every due schedule read it, take its lock and claim its passed slots (claim.ts), then execute the runs it
// triggered (execute.ts) in the background. The overlap policy (spec section 10) decides what a schedule whose lock
// is held does: `defer` (the slot stays due), `skip` / `cancel_running` (overlap.ts, when a run of it is running);
// an `allow` schedule is claimed without its lock and its runs hold their own leases (own-lease.ts). While the
// replica runs as many handlers as its cap allows (`maxConcurrentRuns`), due schedules are left due (deferred).
import type { CronExpression } from '@craft/cron';
import { claimSchedule } from './claim.js';
import { type EngineContext, type FollowUps, settleAll } from './engine.js';
import { SchedulerStoppedError, toRunError } from './errors.js';
import { executeBatch, releaseLock } from './execute.js';
import { bounded, Heartbeat } from './heartbeat.js';
import { type JobRun, type JobSchedule, jobLockKey } from './model.js';
import { whileLocked } from './overlap.js';
import { executeOwnLease } from './own-lease.js';
import { recoverExpiredRuns } from './recovery.js';
import { dueInstant, scheduleCronOptions } from './slot-timing.js';
import type { PauseWindow } from './types.js';

/** The outcome of one pass. */
export interface CycleResult {
  /** Every run record this pass created (pending runs it triggered, and slots it recorded as skipped). */
  runs: JobRun[];
  /**
   * Resolves once the runs this pass triggered or recovered have finished, and the runs they chained too
   * (transitively: chained runs chain further), with the final records of all of them: `runs` (skipped slots as
   * recorded), runs of dead replicas recovered and executed in this pass, and every chained run they triggered
   * (`trigger: 'chain'`, `parentRunId` set; including chained runs recorded `skipped`, and ones left `pending`
   * because their lock was held elsewhere or the scheduler stopped with requeue). Each run appears once.
   */
  done: Promise<JobRun[]>;
  /** Names of due schedules whose lock was taken (deferred to a later pass, not lost). */
  deferred: string[];
  /** Names of schedules whose missing `nextRunAt` (or `nextDueAt`) was computed. */
  initialized: string[];
  /** True when triggering is paused for every replica (the global pause): nothing was claimed. */
  paused: boolean;
}

/** What a pass needs besides the engine context. */
export interface PassSettings {
  /** Due schedules claimed per pass. */
  maxDue: number;
  /** Schedules claimed concurrently. */
  concurrency: number;
  /** (expression, zone) pairs already checked by computing a next run: the check is not repeated every pass. */
  validCronZones: Set<string>;
}

/** What a pass did with one due schedule. */
type ScheduleOutcome = 'deferred' | 'initialized' | null | { created: JobRun[]; done: Promise<JobRun[]> };

/** `0 … n-1` in a random order (Fisher–Yates). */
function shuffledIndexes(n: number): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    const t = out[i] as number;
    out[i] = out[j] as number;
    out[j] = t;
  }
  return out;
}

/**
 * One pass. `startup`: the startup pass of `handleMissedRuns()` (recovers up to 10,000 runs instead of `maxDue`).
 * Returns the cycle result, the runs found abandoned, and whether the pass took as many due schedules as it may
 * (the loop then runs the next pass at once).
 */
export async function runPass(
  ctx: EngineContext,
  settings: PassSettings,
  startup: boolean,
): Promise<{ result: CycleResult; abandoned: JobRun[]; full: boolean }> {
  if (ctx.softStop.aborted) throw new SchedulerStoppedError();
  const t0 = ctx.clock.now();
  const done: Promise<JobRun[]>[] = [];
  const { abandoned, recovered } = await recoverExpiredRuns(ctx, startup ? 10_000 : settings.maxDue);
  done.push(...recovered);
  const runs: JobRun[] = [];
  const deferred: string[] = [];
  const initialized: string[] = [];
  let skipped = 0;
  // The global pause (spec section 10), read once per pass: while set, nothing is triggered on any replica (runs
  // already in flight, and the recovery of runs that were, go on).
  const pause = await bounded(ctx, 'getGlobalPause', ctx.lockTtlMs, ctx.store.getGlobalPause());
  if (pause.paused) {
    ctx.emit('cycle:completed', { triggered: 0, skipped: 0, deferred: 0, durationMs: ctx.clock.now() - t0 });
    const all = Promise.all(done).then((lists) => lists.flat());
    return {
      result: { runs, done: all, deferred, initialized, paused: true },
      abandoned,
      full: false,
    };
  }
  const now = ctx.clock.now();
  const due = await bounded(
    ctx,
    'listDueSchedules',
    ctx.lockTtlMs,
    ctx.store.listDueSchedules(new Date(now), settings.maxDue),
  );
  // Each pass walks the due list in its own random order, so replicas passing at the same moment spread over
  // different schedules instead of contending for the same locks one after another. Results are reported in
  // the list's order.
  const order = shuffledIndexes(due.length);
  const outcomes: ScheduleOutcome[] = new Array(due.length).fill(null);
  let next = 0;
  const worker = async () => {
    while (next < order.length && !ctx.softStop.aborted) {
      const index = order[next++] as number;
      const schedule = due[index] as JobSchedule;
      try {
        outcomes[index] = await processSchedule(ctx, settings, schedule, now, pause.windows);
      } catch (error) {
        ctx.logger.error('claiming a schedule failed', {
          jobName: schedule.jobName,
          error: toRunError(error).message,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(settings.concurrency, due.length) }, worker));
  due.forEach((schedule, index) => {
    const r = outcomes[index];
    if (r === 'deferred') deferred.push(schedule.jobName);
    else if (r === 'initialized') initialized.push(schedule.jobName);
    else if (r) {
      runs.push(...r.created);
      skipped += r.created.filter((x) => x.status === 'skipped').length;
      done.push(r.done);
    }
  });
  const skippedRuns = runs.filter((r) => r.status === 'skipped');
  const all = Promise.all(done).then((lists) => {
    const byId = new Map<string, JobRun>();
    for (const r of skippedRuns) byId.set(r.id, r);
    for (const list of lists) for (const r of list) byId.set(r.id, r);
    return [...byId.values()];
  });
  ctx.emit('cycle:completed', {
    triggered: runs.length - skipped,
    skipped,
    deferred: deferred.length,
    durationMs: ctx.clock.now() - t0,
  });
  return {
    result: { runs, done: all, deferred, initialized, paused: false },
    abandoned,
    full: due.length >= settings.maxDue,
  };
}

async function processSchedule(
  ctx: EngineContext,
  settings: PassSettings,
  schedule: JobSchedule,
  now: number,
  pauses: readonly PauseWindow[],
): Promise<ScheduleOutcome> {
  if (!ctx.jobs.get(schedule.jobType)) {
    ctx.warnOnce(
      `type:${schedule.jobType}`,
      'schedule has a job type this replica does not know; left for other replicas',
      { jobName: schedule.jobName, jobType: schedule.jobType },
    );
    return null;
  }
  const options = scheduleCronOptions(schedule, ctx.timezone);
  let cron: CronExpression;
  try {
    cron = ctx.cron(schedule.cronExpression);
    const pair = `${options.timezone}\u0000${options.dstGap}\u0000${options.dstOverlap}\u0000${schedule.cronExpression}`;
    if (!settings.validCronZones.has(pair)) {
      cron.next(now, options); // validates the zone and the DST choices
      if (settings.validCronZones.size > 10_000) settings.validCronZones.clear();
      settings.validCronZones.add(pair);
    }
  } catch (error) {
    ctx.logger.error('schedule has an invalid cron expression or timezone; not triggered', {
      jobName: schedule.jobName,
      error: toRunError(error).message,
    });
    return null;
  }
  if (schedule.nextRunAt === null) {
    const nextRunAt = cron.next(now, options);
    const nextDueAt = nextRunAt && dueInstant(schedule, nextRunAt);
    const updated = await bounded(
      ctx,
      'updateSchedule',
      ctx.timing.callTimeoutMs,
      ctx.store.updateSchedule(schedule.jobName, { nextRunAt, nextDueAt }, { nextRunAt: null }),
    );
    if (updated) ctx.emit('schedule:repaired', { jobName: schedule.jobName, previous: null, nextRunAt });
    return 'initialized';
  }
  // A stored due instant that does not belong to next_run_at (a document written without it by another program or
  // an older version, or an edit straight in the database) is set right, so the due query and the loop's wake-up
  // see the real one. A slot already due is claimed now (the claim writes it too).
  const dueAt = dueInstant(schedule, schedule.nextRunAt);
  if (schedule.nextDueAt?.getTime() !== dueAt.getTime() && dueAt.getTime() > now) {
    await bounded(
      ctx,
      'updateSchedule',
      ctx.timing.callTimeoutMs,
      ctx.store.updateSchedule(schedule.jobName, { nextDueAt: dueAt }, { nextRunAt: schedule.nextRunAt }),
    );
    return 'initialized';
  }
  // The replica runs as many handlers as it may: the slot stays due (deferred), for a later pass or another replica.
  if (ctx.slots.full) return 'deferred';
  const key = jobLockKey(schedule.jobName);
  // Every call from here on is bounded by the would-be lease's local deadline (counted from the acquire).
  const start = ctx.mono();
  const hb = new Heartbeat(ctx, key, start);
  try {
    // Still due? (Another replica may have claimed it since the list was read; then this costs one read, not a
    // lock acquire and release.) The same read is the claim's input: a claim that races another one after it is
    // kept exactly-once by the run keys and the compare-and-set of next_run_at (see claim.ts).
    const fresh = await hb.call('getSchedule', () => ctx.store.getSchedule(schedule.jobName));
    // Due means the due instant (slot + jitter offset) has passed, not merely the slot.
    if (!fresh?.isEnabled || fresh.nextRunAt === null || dueInstant(fresh, fresh.nextRunAt).getTime() > now) {
      await hb.stop();
      return null;
    }
    if (fresh.overlapPolicy === 'allow') return await claimWithoutLock(ctx, fresh, hb, start, now);
    const basis = ctx.mono();
    const lease = await hb.call('acquire', () => ctx.lock.acquire(key, ctx.replicaId, ctx.lockTtlMs));
    if (!lease) {
      await hb.stop();
      ctx.emit('lock:contended', { key, jobName: schedule.jobName });
      const policy = fresh.overlapPolicy;
      return policy === 'skip' || policy === 'cancel_running'
        ? await whileLocked(ctx, fresh, now)
        : 'deferred';
    }
    hb.attach(lease, basis);
    const claim = await claimSchedule(ctx, fresh, hb, now, pauses);
    if (claim.toRun.length === 0) {
      await releaseLock(ctx, hb);
      return { created: claim.created, done: Promise.resolve([]) };
    }
    const followUps: Promise<JobRun[]>[] = [];
    const collector: FollowUps = { push: (p) => followUps.push(p) };
    const batch = ctx.track(executeBatch(ctx, hb, claim.toRun, collector, claim.startHint));
    return {
      created: claim.created,
      done: batch.then(async (r) => [...r, ...(await settleAll(followUps))]),
    };
  } catch (error) {
    await releaseLock(ctx, hb);
    throw error;
  }
}

/**
 * Claims an `allow` schedule without its lock (`hb` holds no lease: it bounds the claim's calls by a deadline from
 * `basis`), then executes each claimed run under its own lease, concurrently (the run cap bounds the handlers).
 */
async function claimWithoutLock(
  ctx: EngineContext,
  schedule: JobSchedule,
  hb: Heartbeat,
  basis: number,
  now: number,
): Promise<ScheduleOutcome> {
  let claim: Awaited<ReturnType<typeof claimSchedule>>;
  try {
    claim = await claimSchedule(ctx, schedule, hb, now);
  } finally {
    await hb.stop();
  }
  const followUps: Promise<JobRun[]>[] = [];
  const collector: FollowUps = { push: (p) => followUps.push(p) };
  const runs = claim.toRun.map((run) => ctx.track(executeOwnLease(ctx, run, basis, collector)));
  return {
    created: claim.created,
    done: Promise.all(runs).then(async (lists) => [...lists.flat(), ...(await settleAll(followUps))]),
  };
}
