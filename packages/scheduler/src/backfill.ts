// Backfill (spec section 10): every slot of a schedule in `[from, to)` (`to` <= now) becomes a run with trigger
// `backfill`, oldest first, one at a time under the schedule lock — under `overlap_policy: allow` up to `concurrency`
// at once, each holding its own lease. The missed-run policy and window do not apply; a disabled schedule can be
// backfilled.
//
// - Exactly once per slot, whoever races: each slot's record is inserted with the scheduler's run key for that slot
//   (`<job_name>@<slot ISO>`), so a slot that already has any record — run, pending, `skipped` — is reported and never
//   run twice, and a claim racing the backfill over the same slot finds the backfill's record (or the backfill finds
//   the claim's).
// - Nothing is recorded for a bad request: the range is checked and its slots counted first (over `max_slots`:
//   `BackfillTooLargeError` with the count).
// - All records are inserted first (the answer lists what was created and what was already recorded), `pending` and
//   unleased; then this replica drives them: for each, it takes the schedule lock (waiting while the schedule's own
//   runs hold it), adopts the record by a compare-and-set on its free lease, and executes it. A record this replica
//   does not reach (it stops, or dies) stays `pending` and unleased: any replica's recovery runs it, under the same
//   lock, one after another.
import { type EngineContext, type FollowUps, newRun, ownsLease, settleAll } from './engine.js';
import { BackfillTooLargeError, InvalidFieldError, toRunError } from './errors.js';
import { executeBatch, releaseLock } from './execute.js';
import { written } from './guarded-writes.js';
import { bounded, Heartbeat } from './heartbeat.js';
import { type JobRun, type JobSchedule, jobLockKey, slotRunKey } from './model.js';
import { executeOwnLease } from './own-lease.js';
import { runLogFields } from './run-log.js';
import { adopt } from './run-transitions.js';
import { slotOptions, slotsInRange } from './slots.js';

/** Default of {@link BackfillOptions.maxSlots}. */
export const DEFAULT_BACKFILL_MAX_SLOTS = 1000;
/** The largest {@link BackfillOptions.maxSlots}. */
export const MAX_BACKFILL_SLOTS = 10_000;
/** The largest {@link BackfillOptions.concurrency}. */
export const MAX_BACKFILL_CONCURRENCY = 10;

/** What to backfill (`JobScheduler.backfill`). */
export interface BackfillOptions {
  /** The first instant of the range (inclusive). */
  from: Date;
  /** The end of the range (exclusive); not after now. */
  to: Date;
  /**
   * The most slots the range may hold; a range with more is refused (`BackfillTooLargeError`), recording nothing.
   * An integer from 1 to 10,000.
   * @default 1000
   */
  maxSlots?: number | undefined;
  /**
   * How many backfill runs may run at once: an integer from 1 to 10, above 1 only for a schedule whose
   * `overlapPolicy` is `allow` (other schedules run one at a time under their lock).
   * @default 1
   */
  concurrency?: number | undefined;
  /**
   * `false`: only record the runs (`pending`, unleased) and leave them to a running scheduler, whose recovery runs
   * them one after another (the CLI without `--wait`).
   * @default true
   */
  execute?: boolean | undefined;
}

/** What a backfill did. */
export interface BackfillResult {
  /** The schedule. */
  jobName: string;
  /** Every slot in the range, oldest first. */
  slots: Date[];
  /** The runs this backfill recorded (`pending`, trigger `backfill`), oldest slot first. */
  created: JobRun[];
  /** Slots that already had a record (any status, `skipped` included), as found: reported, not run again. */
  alreadyRecorded: JobRun[];
  /**
   * Resolves once the created runs (and the runs they chained) finished here, with their final records; a run another
   * replica took over (this one stopped, or recovery elsewhere was quicker) is reported as it stood.
   */
  done: Promise<JobRun[]>;
}

const wording = {
  component: 'JobScheduler',
  noun: 'backfill option',
  fix: 'Fix the value and try again; nothing was recorded.',
};

function intOption(field: string, value: unknown, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidFieldError(field, value, `an integer from ${min} to ${max}`, wording);
  }
  return value;
}

function dateOption(field: string, value: unknown): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new InvalidFieldError(field, value, 'a valid date-time', wording);
  }
  return value;
}

/**
 * Checks a backfill request against `schedule` at `now` and lists its slots; throws `InvalidFieldError` (snake_case
 * field: `from`, `to`, `max_slots`, `concurrency`) or `BackfillTooLargeError`. Pure: nothing is read or written.
 */
export function planBackfill(
  ctx: Pick<EngineContext, 'cron' | 'timezone'>,
  schedule: JobSchedule,
  options: BackfillOptions,
  now: number,
): { slots: Date[]; concurrency: number } {
  const from = dateOption('from', options.from);
  const to = dateOption('to', options.to);
  if (to.getTime() > now) {
    throw new InvalidFieldError(
      'to',
      to.toISOString(),
      `an instant not after now (${new Date(now).toISOString()})`,
      {
        ...wording,
        fix: 'A backfill runs past slots only; nothing was recorded.',
      },
    );
  }
  if (from.getTime() >= to.getTime()) {
    throw new InvalidFieldError(
      'from',
      from.toISOString(),
      `an instant before "to" (${to.toISOString()})`,
      wording,
    );
  }
  const maxSlots = intOption(
    'max_slots',
    options.maxSlots,
    1,
    MAX_BACKFILL_SLOTS,
    DEFAULT_BACKFILL_MAX_SLOTS,
  );
  const concurrency = intOption('concurrency', options.concurrency, 1, MAX_BACKFILL_CONCURRENCY, 1);
  if (concurrency > 1 && schedule.overlapPolicy !== 'allow') {
    throw new InvalidFieldError(
      'concurrency',
      concurrency,
      `1: schedule "${schedule.jobName}" has overlap_policy ${schedule.overlapPolicy}, so its runs go one at a time`,
      {
        ...wording,
        fix: "Leave it out, or set the schedule's overlap_policy to allow first; nothing was recorded.",
      },
    );
  }
  const range = slotsInRange(
    ctx.cron(schedule.cronExpression),
    slotOptions(schedule, ctx.timezone),
    from,
    to,
    maxSlots,
  );
  if (range.count > maxSlots)
    throw new BackfillTooLargeError(schedule.jobName, range.count, maxSlots, range.exact);
  return { slots: range.slots, concurrency };
}

/** Records the backfill's runs and (unless `execute: false`) drives them; see the file comment. */
export async function startBackfill(
  ctx: EngineContext,
  schedule: JobSchedule,
  options: BackfillOptions,
): Promise<BackfillResult> {
  const { slots, concurrency } = planBackfill(ctx, schedule, options, ctx.clock.now());
  const def = ctx.jobs.get(schedule.jobType);
  const created: JobRun[] = [];
  const alreadyRecorded: JobRun[] = [];
  for (const slot of slots) {
    const run = newRun(ctx, {
      runKey: slotRunKey(schedule.jobName, slot),
      jobType: schedule.jobType,
      jobName: schedule.jobName,
      slot,
      trigger: 'backfill',
      parameters: schedule.parameters,
      maxAttempts: schedule.maxAttempts ?? def?.maxAttempts ?? 3,
      timeoutSeconds: schedule.timeoutSeconds ?? def?.timeoutSeconds ?? 300,
      lockKey: jobLockKey(schedule.jobName),
      ...(schedule.overlapPolicy === 'allow' ? { lease: 'own' as const } : {}),
      // Unleased: free for this replica to adopt now, or for any replica's recovery if this one stops.
      leased: false,
    });
    // The scheduler's run key of the slot: a slot with any record keeps it. Each call is bounded (TTL/6): a hanging
    // store fails the request; what was recorded stays (unleased: any replica's recovery runs it), and a retry of
    // the same backfill reports it and records the rest.
    if (await bounded(ctx, 'insertRun', ctx.timing.callTimeoutMs, ctx.store.insertRun(run))) {
      created.push(run);
      ctx.emit('run:created', { run });
      continue;
    }
    const existing = await bounded(
      ctx,
      'getRunByKey',
      ctx.timing.callTimeoutMs,
      ctx.store.getRunByKey(run.runKey),
    );
    if (existing) alreadyRecorded.push(existing);
  }
  const done =
    options.execute === false || created.length === 0
      ? Promise.resolve(created)
      : ctx.track(drive(ctx, created, concurrency));
  return { jobName: schedule.jobName, slots, created, alreadyRecorded, done };
}

/** Runs the backfill's records here, oldest first, `concurrency` at a time. */
async function drive(ctx: EngineContext, runs: JobRun[], concurrency: number): Promise<JobRun[]> {
  const out: JobRun[] = [...runs];
  // Our own recovery leaves them to this driver (another replica's may take one: then it is reported as it stands).
  for (const r of runs) ctx.active.add(r.id);
  const followUps: Promise<JobRun[]>[] = [];
  const collector: FollowUps = { push: (p) => followUps.push(p) };
  let next = 0;
  const worker = async () => {
    while (next < runs.length) {
      const i = next++;
      const run = runs[i] as JobRun;
      try {
        if (!ctx.softStop.aborted) out[i] = await executeOne(ctx, run, collector);
      } catch (error) {
        ctx.logger.error('backfill run failed to execute; left for recovery', {
          ...runLogFields(run),
          error: toRunError(error).message,
        });
      } finally {
        ctx.active.delete(run.id);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, runs.length) }, worker));
  return [...out, ...(await settleAll(followUps))];
}

/** Adopts one unleased backfill record (under the schedule lock, unless it holds its own lease) and executes it. */
async function executeOne(ctx: EngineContext, run: JobRun, followUps: FollowUps): Promise<JobRun> {
  if (ownsLease(run)) {
    const basis = ctx.mono();
    const hb = new Heartbeat(ctx, run.lockKey, basis);
    const taken = await adopt(ctx, hb, run);
    await hb.stop();
    if (!written(taken)) return (await read(ctx, run.id)) ?? run;
    return (await executeOwnLease(ctx, taken, basis, followUps))[0] ?? taken;
  }
  let pauseMs = Math.min(1000, ctx.pollIntervalMs);
  for (;;) {
    if (ctx.softStop.aborted) return run;
    const current = await read(ctx, run.id);
    // Cancelled, or taken by another replica (its recovery, or a claim of the same slot): reported as it stands.
    if (current?.status !== 'pending' || current.leaseOwner !== null) return current ?? run;
    const basis = ctx.mono();
    const hb = new Heartbeat(ctx, run.lockKey, basis);
    let lease = null;
    try {
      lease = await hb.call('acquire', () => ctx.lock.acquire(run.lockKey, ctx.replicaId, ctx.lockTtlMs));
    } catch (error) {
      ctx.logger.warn('backfill could not take the schedule lock; retrying', {
        runId: run.id,
        error: toRunError(error).message,
      });
    }
    if (!lease) {
      await hb.stop();
      // The schedule's own run (or another execution) holds it: wait for it, ever less often (up to 15 s).
      await ctx.clock.sleep(pauseMs, ctx.softStop);
      pauseMs = Math.min(pauseMs * 2, 15_000);
      continue;
    }
    hb.attach(lease, basis);
    const taken = await adopt(ctx, hb, current);
    if (!written(taken)) {
      await releaseLock(ctx, hb);
      return (await read(ctx, run.id)) ?? current;
    }
    return (await executeBatch(ctx, hb, [taken], followUps))[0] ?? taken;
  }
}

/** A read of the driver (outside any lease), bounded like the pass's calls. */
function read(ctx: EngineContext, id: string): Promise<JobRun | null> {
  return bounded(ctx, 'getRun', ctx.timing.callTimeoutMs, ctx.store.getRun(id));
}
