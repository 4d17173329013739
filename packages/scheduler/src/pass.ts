// One pass of the scheduler (spec section 5): recover runs of dead replicas, compute missing `next_run_at`, and for
// every due schedule read it, take its lock and claim its passed slots (claim.ts), then execute the runs it
// triggered (execute.ts) in the background. The overlap policy (spec section 10) decides what a schedule whose lock
// is held does: `defer` (the slot stays due), `skip` / `cancel_running` (overlap.ts, when a run of it is running);
// an `allow` schedule is claimed without its lock and its runs hold their own leases (own-lease.ts). While the
// replica runs as many handlers as its cap allows (`maxConcurrentRuns`), due schedules are left due (deferred).
import type { CronExpression } from '@craft/cron';
import { claimSchedule } from './claim.js';
import { type BatchLine, walkDue } from './due-walk.js';
import { type EngineContext, type FollowUps, settleAll } from './engine.js';
import { LeaseExpiredError, SchedulerStoppedError, toRunError } from './errors.js';
import { executeBatch, releaseLock } from './execute.js';
import { bounded, Heartbeat } from './heartbeat.js';
import { type JobRun, type JobSchedule, jobLockKey } from './model.js';
import { whileLocked } from './overlap.js';
import { executeOwnLease } from './own-lease.js';
import { recoverExpiredRuns } from './recovery.js';
import { dueInstant, scheduleCronOptions } from './slot-timing.js';
import { inSpan } from './tracing/spans.js';
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
  /** What the last pass left unread because the replica was full (see {@link DueCarry}); taken by the next pass. */
  carry: DueCarry | null;
  /** Where the last pass's walk stopped inside its stretch of the ring (due-walk.ts `WalkEnd`), or null. */
  frontier: number | null;
}

/**
 * The rest of a pass's due list, left unread because the replica ran as many handlers as it may, in walk order. The
 * next pass walks it on (its re-reads decide what is still due) instead of listing every due schedule again — one
 * listing per burst, not one per freed run slot — as long as the listing is at most {@link CARRY_MAX_AGE_MS} old, so
 * a schedule that fell due since waits at most that long behind the rest. Such a pass skips the search for expired
 * runs too (done by the pass that listed); it still reads the global pause.
 */
export interface DueCarry {
  schedules: JobSchedule[];
  /** When the due list was read (the engine clock). */
  listedAt: number;
}

/** How old a carried due list may be for the next pass to walk it on instead of listing again. */
export const CARRY_MAX_AGE_MS = 1000;

/** What a pass did with one due schedule (`contended`: deferred because its lock was held elsewhere). */
type ScheduleOutcome =
  | 'deferred'
  | 'contended'
  | 'initialized'
  | null
  | { created: JobRun[]; done: Promise<JobRun[]> };

/**
 * One pass. `startup`: the startup pass of `handleMissedRuns()` (recovers up to 10,000 runs instead of `maxDue`).
 * Returns the cycle result, the runs found abandoned, whether the pass took as many due schedules as it may (the
 * loop then runs the next pass at once), and whether it left due schedules unread because the replica was full
 * (the loop then runs the next pass as soon as a run slot frees).
 */
export async function runPass(
  ctx: EngineContext,
  settings: PassSettings,
  startup: boolean,
): Promise<{ result: CycleResult; abandoned: JobRun[]; full: boolean; atCap: boolean }> {
  if (ctx.softStop.aborted) throw new SchedulerStoppedError();
  const t0 = ctx.clock.now();
  const done: Promise<JobRun[]>[] = [];
  // A pass that walks on the rest of the last one's due list (see DueCarry) neither lists nor looks for expired runs
  // again: both were read at most CARRY_MAX_AGE_MS ago, which delays a recovery by no more than that.
  const carry = settings.carry;
  settings.carry = null;
  const carried = !startup && carry !== null && t0 - carry.listedAt <= CARRY_MAX_AGE_MS;
  const { abandoned, recovered } = carried
    ? { abandoned: [], recovered: [] }
    : await recoverExpiredRuns(ctx, startup ? 10_000 : settings.maxDue);
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
      atCap: false,
    };
  }
  const now = ctx.clock.now();
  const listedAt = carried ? carry.listedAt : now;
  const due = carried
    ? carry.schedules
    : await bounded(
        ctx,
        'listDueSchedules',
        ctx.lockTtlMs,
        ctx.store.listDueSchedules(new Date(now), settings.maxDue),
      );
  const outcomes: ScheduleOutcome[] = new Array(due.length).fill(null);
  // The walk (due-walk.ts): along a ring shared by the replicas, re-reading a few schedules per query, leaving another
  // replica's wake to it and parting from a walk in step with it. Results are reported in the list's order.
  const walked = await walkDue({
    due,
    // A carried list is in walk order already: it goes on where the last pass stopped; a new list is entered where
    // the last walk stopped inside its stretch (due-walk.ts).
    inOrder: carried,
    from: settings.frontier,
    concurrency: settings.concurrency,
    random: Math.random,
    stopped: () => ctx.softStop.aborted,
    room: () => ctx.slots.free,
    reread: (names) => rereadSchedules(ctx, names),
    // A schedule listed without next_run_at, or with a due instant to set right (both repaired by the visit), is
    // visited whatever the re-read says: such schedules never end a walk (they stay listed until repaired).
    stillDue: (listed, fresh) =>
      listed.nextRunAt === null || needsDueRepair(listed, now) || (fresh !== undefined && isDue(fresh, now)),
    onReadError: (error) =>
      ctx.logger.error('re-reading due schedules failed', { error: toRunError(error).message }),
    visit: async (index, fresh, line) => {
      const schedule = due[index] as JobSchedule;
      try {
        // One span per claim (tracing/spans.ts): the runs it starts are executed inside it, so their attempt spans
        // are its children.
        outcomes[index] = await inSpan(
          'craft.claim',
          { 'craft.schedule': schedule.jobName },
          () => processSchedule(ctx, settings, schedule, fresh, now, pause.windows, line),
          claimAttributes,
        );
      } catch (error) {
        ctx.logger.error('claiming a schedule failed', {
          jobName: schedule.jobName,
          error: toRunError(error).message,
        });
      }
      // The walk counts a batch's contended locks (a walk in step with another one leaps, due-walk.ts).
      return outcomes[index] === 'contended' ? 'contended' : undefined;
    },
  });
  const leftFull = walked.left;
  settings.frontier = walked.frontier;
  for (const index of leftFull) outcomes[index] = 'deferred';
  if (leftFull.length > 0)
    settings.carry = { schedules: leftFull.map((i) => due[i] as JobSchedule), listedAt };
  due.forEach((schedule, index) => {
    const r = outcomes[index];
    if (r === 'deferred' || r === 'contended') deferred.push(schedule.jobName);
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
    atCap: leftFull.length > 0,
  };
}

/** The span attributes of a claim's outcome. */
function claimAttributes(r: ScheduleOutcome): Record<string, string | number> {
  if (r === null) return { 'craft.outcome': 'not_claimed' };
  if (typeof r === 'string') return { 'craft.outcome': r === 'contended' ? 'deferred' : r };
  const skipped = r.created.filter((x) => x.status === 'skipped').length;
  const first = r.created[0];
  return {
    'craft.outcome': 'claimed',
    'craft.runs': r.created.length - skipped,
    'craft.skipped': skipped,
    ...(first?.slot ? { 'craft.slot': first.slot.toISOString(), 'craft.trigger': first.trigger } : {}),
  };
}

/** Whether the stored due instant of a listed schedule does not belong to its next_run_at (see processSchedule). */
function needsDueRepair(s: JobSchedule, now: number): boolean {
  if (s.nextRunAt === null) return false;
  const dueAt = dueInstant(s, s.nextRunAt).getTime();
  return s.nextDueAt?.getTime() !== dueAt && dueAt > now;
}

/** Whether `s` (as re-read) is enabled with a due instant (slot + jitter offset) at or before `now`. */
function isDue(s: JobSchedule, now: number): boolean {
  return s.isEnabled && s.nextRunAt !== null && dueInstant(s, s.nextRunAt).getTime() <= now;
}

/** The schedules named `names` as stored now (one query, bounded like the pass's other listing calls). */
async function rereadSchedules(ctx: EngineContext, names: string[]): Promise<Map<string, JobSchedule>> {
  const list = await bounded(
    ctx,
    'listSchedules',
    ctx.timing.callTimeoutMs,
    ctx.store.listSchedules({ jobNames: names }),
  );
  // Keyed by name, only the names asked for (a store that ignored the filter costs time, not correctness).
  const wanted = new Set(names);
  return new Map(list.filter((s) => wanted.has(s.jobName)).map((s) => [s.jobName, s]));
}

/**
 * One due schedule: `schedule` as listed, `fresh` as re-read just before (null: it is gone). Initialises a missing
 * next_run_at, or takes the lock and claims its passed slots (the runs then execute in the background).
 */
async function processSchedule(
  ctx: EngineContext,
  settings: PassSettings,
  schedule: JobSchedule,
  fresh: JobSchedule | null,
  now: number,
  pauses: readonly PauseWindow[],
  line: BatchLine,
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
    line.leave(); // writes without a lock: the batch's claims need not wait for it
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
  if (needsDueRepair(schedule, now)) {
    line.leave();
    const dueAt = dueInstant(schedule, schedule.nextRunAt);
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
  // Still due? (Another replica may have claimed it since the list was read; then it cost a share of the batch's
  // re-read, not a lock acquire and release.) The same read is the claim's input: a claim that races another one
  // after it is kept exactly-once by the run keys and the compare-and-set of next_run_at (see claim.ts).
  // Due means the due instant (slot + jitter offset) has passed, not merely the slot.
  if (!fresh || !isDue(fresh, now)) return null;
  const key = jobLockKey(schedule.jobName);
  // Every call from here on is bounded by the would-be lease's local deadline (counted from the acquire).
  const start = ctx.mono();
  const hb = new Heartbeat(ctx, key, start);
  try {
    if (fresh.overlapPolicy === 'allow') {
      line.leave(); // claimed without a lock, its runs inserted on their own
      return await claimWithoutLock(ctx, fresh, hb, start, now);
    }
    const basis = ctx.mono();
    // Sent with the acquires of the batch's other claims (one lock call, lock-batcher.ts).
    const lease = await hb.acquire(() => ctx.locks.acquire(key, ctx.replicaId, ctx.lockTtlMs));
    if (!lease) {
      line.leave();
      await hb.stop();
      ctx.emit('lock:contended', { key, jobName: schedule.jobName });
      const policy = fresh.overlapPolicy;
      return policy === 'skip' || policy === 'cancel_running'
        ? await whileLocked(ctx, fresh, now)
        : 'contended';
    }
    hb.attach(lease, basis);
    // Wait for the other claims of this batch to hold their locks (or give up), so that all insert their runs in one
    // store call. The lease is ours and renewed meanwhile; each of them waits at most its own bounded acquire.
    await line.arrive();
    if (hb.expired) throw new LeaseExpiredError(key);
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
