// Claiming a schedule's passed slots: insert one run record per slot (unique run_key), then compare-and-set
// next_run_at from the value read to the next future slot. No transaction is needed:
// - two claimers of the same slot cannot both insert its run_key, so a slot is triggered at most once;
// - a claimer that dies after inserting and before the compare-and-set leaves next_run_at unchanged, so the next
//   claimer re-plans the same slots, finds their keys taken (duplicates are skipped, pending ones adopted) and
//   advances next_run_at; a claimer that dies before inserting leaves the slot due. So no slot is lost either.
// - two claimers of the same gap (the same next_run_at read: one stalled or died with an expired lock) plan at
//   different instants, so their plans differ (a later one sees more slots, and may see a slot as missed that the
//   other saw as current). Slots are recorded oldest first and a collision reveals the other claimer's record, so
//   missed slots that already run (recorded by anyone) count against the policy's budget — one under `once`,
//   max_catch_up_runs under `all` — and a planned catch-up run beyond it is recorded skipped instead. Whichever
//   claimer records a slot first decides it; the gap never runs more missed slots than its policy allows.
// - the schedule is read just before the lock is taken (one read serves as "is it still due?" and as the claim's
//   input), so a claimer may plan from a next_run_at that another replica advanced meanwhile: its slots collide on
//   their run_key and its compare-and-set fails, exactly as for a stalled claimer above.
// - every write is made under the schedule lock's heartbeat (heartbeat.ts): the lock is renewed while a long claim
//   inserts its records (a year of minutely gaps), each call is bounded by the lease's local deadline, failed
//   inserts and the compare-and-set are retried until it (idempotently: an insert whose key holds our run id, or a
//   compare-and-set whose new next_run_at is in place, landed), and a claim that passes its deadline stops writing
//   (it throws `LeaseExpiredError`; the next claimer re-plans the same gap, as for a claimer that died);
// - the compare-and-set is fenced by the lock token (`ScheduleCondition.fencingToken`): once a newer holder wrote the
//   schedule, a stalled former holder's late compare-and-set is refused even if next_run_at came back to its value.
// - a schedule whose overlap_policy is `allow` is claimed without its lock (`hb` then holds no lease and only bounds
//   the calls): its runs hold their own leases (own-lease.ts), the compare-and-set is not fenced (next_run_at only
//   moves forward along slots), no start is hinted (each run writes its own, forward only), and pending records left
//   by a dead claimer are left to recovery (their lease expires) rather than adopted without a lock;
// - a `cancel_running` schedule counts a slot as current for the poll interval plus the lease TTL: such a slot may have
//   waited for the run it asked to stop (overlap.ts), and it must then run, whatever the missed-run policy.
// The records are written oldest first, in batches where the missed-run budget allows (claim-records.ts): a long
// catch-up is a few `insertRuns` calls, not one insert per slot.
// Round trips of a claim with one current slot: insert + compare-and-set (which also records the start of the run
// that executes first, see `startHint`). A duplicate current slot is looked up (to adopt a pending record left by a
// claimer that died before its compare-and-set) only when our compare-and-set succeeded; when it failed, another
// claimer advanced next_run_at and the record is in its hands, or recovery finds it once its lease expired.

import { recordSlots, runsByKey } from './claim-records.js';
import { type EngineContext, newRun } from './engine.js';
import { LeaseExpiredError } from './errors.js';
import { writeSchedule } from './guarded-writes.js';
import type { Heartbeat } from './heartbeat.js';
import { planSlots } from './missed-runs.js';
import { type JobRun, type JobSchedule, jobLockKey, slotRunKey } from './model.js';
import { checkParameters } from './registry.js';
import { dueInstant, scheduleCronOptions } from './slot-timing.js';
import type { PauseWindow } from './types.js';

/** What a claim did. */
export interface ClaimResult {
  /** Pending runs to execute now, oldest slot first (newly inserted, or adopted from a dead claimer). */
  toRun: JobRun[];
  /** Every run record this claim inserted (pending and skipped). */
  created: JobRun[];
  /** Whether `nextRunAt` moved (false when a concurrent edit changed it first; the edit wins). */
  advanced: boolean;
  /** The schedule's new `nextRunAt`. */
  next: Date | null;
  /**
   * Set when the compare-and-set also recorded the start of `toRun[0]` on the schedule (`lastRunAt` = `startedAt`,
   * `lastRunStatus: 'running'`): the executor then starts that run with this instant and skips its own write of
   * `last_run_*`. `chain` is the schedule's chain as the compare-and-set returned it.
   */
  startHint: StartHint | null;
}

/** A start already recorded on the schedule by the claim (see {@link ClaimResult.startHint}). */
export interface StartHint {
  runId: string;
  startedAt: Date;
  chain: string[];
}

/**
 * Claims every passed slot of `schedule` (read just before taking its lock, whose heartbeat is `hb`) at `now`. The
 * schedule's job type must be registered. Throws `LeaseExpiredError` when the lease's local deadline passes.
 */
export async function claimSchedule(
  ctx: EngineContext,
  schedule: JobSchedule,
  hb: Heartbeat,
  now: number,
  pauses: readonly PauseWindow[] = [],
): Promise<ClaimResult> {
  const gone = () => new LeaseExpiredError(jobLockKey(schedule.jobName));
  const from = schedule.nextRunAt as Date;
  const options = scheduleCronOptions(schedule, ctx.timezone);
  const cron = ctx.cron(schedule.cronExpression);
  const def = ctx.jobs.get(schedule.jobType);
  const due = (slot: Date) => dueInstant(schedule, slot);
  const own = schedule.overlapPolicy === 'allow';
  const plan = planSlots({
    cron,
    ...options,
    due,
    pauses,
    from,
    now,
    pollIntervalMs: ctx.pollIntervalMs + (schedule.overlapPolicy === 'cancel_running' ? ctx.lockTtlMs : 0),
    policy: schedule.missedRunPolicy,
    catchUpWindowSeconds: schedule.catchUpWindowSeconds,
    maxCatchUpRuns: schedule.maxCatchUpRuns,
    maxSkipRecords: ctx.maxSkipRecords,
  });
  const recorded = await recordSlots(ctx, hb, schedule, plan.decisions, (d) => {
    // The DST marker and intended wall time of the slot (spec section 10), and when it was due.
    const info = cron.slotInfo(d.slot, options);
    return newRun(ctx, {
      dst: info?.dst ?? null,
      wallTime: info?.wallTime ?? null,
      dueAt: due(d.slot),
      runKey: slotRunKey(schedule.jobName, d.slot),
      jobType: schedule.jobType,
      jobName: schedule.jobName,
      slot: d.slot,
      trigger: d.trigger,
      parameters: schedule.parameters,
      maxAttempts: schedule.maxAttempts ?? def?.maxAttempts ?? 3,
      timeoutSeconds: schedule.timeoutSeconds ?? def?.timeoutSeconds ?? 300,
      lockKey: jobLockKey(schedule.jobName),
      ...(own ? { lease: 'own' as const } : { fencingToken: hb.token }),
      status: d.action === 'skip' ? 'skipped' : 'pending',
      result:
        d.action === 'skip'
          ? {
              reason: d.reason,
              ...(d.folded
                ? { folded_slots: d.folded.count, last_folded_slot: d.folded.lastSlot.toISOString() }
                : {}),
            }
          : null,
    });
  });
  if (recorded === 'expired') throw gone();
  const { toRun, created, duplicates } = recorded;
  // Record the start of the run that executes first in the same write, when it will start right away (its job
  // type is known and its parameters are valid; else the executor fails it and records that instead).
  const first = toRun[0];
  const startsNow =
    !own &&
    first !== undefined &&
    first.attempts.length === 0 &&
    first.startedAt === null &&
    ctx.jobs.get(first.jobType) !== undefined &&
    checkParameters(ctx.jobs, first.jobType, first.parameters).length === 0;
  const startedAt = new Date(ctx.clock.now());
  // Compare-and-set from the value read, fenced by our lock token; a retry after a lost acknowledgement recognises
  // its own landed write by the next_run_at it set.
  const updated = await writeSchedule(
    ctx,
    hb,
    schedule.jobName,
    startsNow
      ? { nextRunAt: plan.next, nextDueAt: plan.nextDue, lastRunAt: startedAt, lastRunStatus: 'running' }
      : { nextRunAt: plan.next, nextDueAt: plan.nextDue },
    { nextRunAt: schedule.nextRunAt },
    (s) => (s.nextRunAt?.getTime() ?? null) === (plan.next?.getTime() ?? null),
  );
  if (updated === 'expired') throw gone();
  if (updated === null) ctx.emit('claim:conflict', { jobName: schedule.jobName, reason: 'next_run_moved' });
  if (updated !== null && !own) {
    // We advanced next_run_at, so nobody else did: a pending record of a current slot was left by a claimer that
    // died (or stalled) before its compare-and-set. We hold the lock now, so we run it.
    const existing = duplicates.length > 0 ? await runsByKey(ctx, hb, duplicates) : new Map<string, JobRun>();
    if (existing === 'expired') throw gone();
    for (const run of existing.values()) {
      if (run.status === 'pending' && !ctx.active.has(run.id)) toRun.push(run);
    }
  }
  toRun.sort((a, b) => (a.slot?.getTime() ?? 0) - (b.slot?.getTime() ?? 0));
  // An adopted record of an older slot now runs first: the hinted run then records its own start when it starts.
  const startHint =
    updated !== null && startsNow && first && toRun[0] === first
      ? { runId: first.id, startedAt, chain: updated.chain }
      : null;
  return { toRun, created, advanced: updated !== null, next: plan.next, startHint };
}
