// Claiming a schedule's passed slots: insert one run record per slot (unique run_key), then compare-and-set
// next_run_at from the value read to the next future slot. No transaction is needed:
// - two claimers of the same slot cannot both insert its run_key, so a slot is triggered at most once;
// - a claimer that dies after inserting and before the compare-and-set leaves next_run_at unchanged, so the next
//   claimer re-plans the same slots, finds their keys taken (duplicates are skipped, pending ones adopted) and
//   advances next_run_at; a claimer that dies before inserting leaves the slot due. So no slot is lost either.
import { type EngineContext, newRun } from './engine.js';
import { planSlots } from './missed-runs.js';
import { type JobRun, type JobSchedule, jobLockKey, slotRunKey } from './model.js';
import type { Lease } from './types.js';

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
}

/**
 * Claims every passed slot of `schedule` (read after taking its lock `lease`) at `now`. The schedule's job type
 * must be registered.
 */
export async function claimSchedule(
  ctx: EngineContext,
  schedule: JobSchedule,
  lease: Lease,
  now: number,
): Promise<ClaimResult> {
  const from = schedule.nextRunAt as Date;
  const timezone = schedule.timezone ?? ctx.timezone;
  const def = ctx.jobs.get(schedule.jobType);
  const plan = planSlots({
    cron: ctx.cron(schedule.cronExpression),
    timezone,
    from,
    now,
    pollIntervalMs: ctx.pollIntervalMs,
    policy: schedule.missedRunPolicy,
    catchUpWindowSeconds: schedule.catchUpWindowSeconds,
    maxCatchUpRuns: schedule.maxCatchUpRuns,
    maxSkipRecords: ctx.maxSkipRecords,
  });
  const toRun: JobRun[] = [];
  const created: JobRun[] = [];
  for (const d of plan.decisions) {
    const run = newRun(ctx, {
      runKey: slotRunKey(schedule.jobName, d.slot),
      jobType: schedule.jobType,
      jobName: schedule.jobName,
      slot: d.slot,
      trigger: d.trigger,
      parameters: schedule.parameters,
      maxAttempts: schedule.maxAttempts ?? def?.maxAttempts ?? 3,
      timeoutSeconds: schedule.timeoutSeconds ?? def?.timeoutSeconds ?? 300,
      lockKey: jobLockKey(schedule.jobName),
      fencingToken: lease.token,
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
    if (await ctx.store.insertRun(run, { leaseForMs: ctx.lockTtlMs })) {
      created.push(run);
      if (run.status === 'pending') toRun.push(run);
      else ctx.emit('run:skipped', { run, reason: String(d.reason) });
      if (run.status === 'pending') ctx.emit('run:created', { run });
      continue;
    }
    // Already claimed. A pending record was left by a claimer that lost its lock (it died or stalled): we hold
    // the lock now, so we run it; anything else is done or in someone else's hands.
    const existing = await ctx.store.getRunByKey(run.runKey);
    if (existing && existing.status === 'pending' && !ctx.active.has(existing.id)) toRun.push(existing);
  }
  const updated = await ctx.store.updateSchedule(
    schedule.jobName,
    { nextRunAt: plan.next },
    { nextRunAt: schedule.nextRunAt },
  );
  return { toRun, created, advanced: updated !== null, next: plan.next };
}
