// The overlap policies `skip` and `cancel_running` (spec section 10), for a due schedule whose lock another execution
// holds. They act only when the run ledger shows an unexpired `running` run of the schedule: a lock held by a
// replica that is only claiming (or between runs) means defer, as under `defer`.
//
// - `skip`: every slot that would run is recorded `skipped` with reason `overlap` (slots the missed-run policy skips
//   keep their own reason), and `next_run_at` moves on by a compare-and-set from the value read. No lock is needed:
//   each record's run key is the slot's, so a slot recorded here is never recorded (or run) again by a claimer, and
//   a claimer's record of it makes the insert here a no-op; the compare-and-set fails if a claimer advanced first.
// - `cancel_running`: the running run(s) of the schedule's own slots (trigger `schedule` or `catch_up`; a manual,
//   chained or backfill run is waited for instead) are asked to stop (`cancel_requested_by: 'overlap'`), and the slot
//   stays due: the next pass claims it once the old handler settled and its holder released the lock. The claim of a
//   `cancel_running` schedule counts a slot as current for the poll interval plus the lease TTL (the longest a holder
//   takes to learn of the request and stop), so the new slot runs whatever the missed-run policy (claim.ts).
import { requestCancel } from './cancel.js';
import { type EngineContext, newRun } from './engine.js';
import { bounded } from './heartbeat.js';
import { planSlots } from './missed-runs.js';
import { type JobRun, type JobSchedule, jobLockKey, slotRunKey } from './model.js';
import { dueInstant, scheduleCronOptions } from './slot-timing.js';

/** What the pass reports for a schedule handled here. */
export type OverlapOutcome = 'deferred' | { created: JobRun[]; done: Promise<JobRun[]> };

/** Handles a due `skip` or `cancel_running` schedule whose lock is held elsewhere (see the file comment). */
export async function whileLocked(
  ctx: EngineContext,
  schedule: JobSchedule,
  now: number,
): Promise<OverlapOutcome> {
  const running = await bounded(
    ctx,
    'listRuns',
    ctx.timing.callTimeoutMs,
    ctx.store.listRuns({
      jobName: schedule.jobName,
      status: ['running'],
      leaseExpired: false,
      order: 'desc',
      limit: 20,
    }),
  );
  // A run of a slot at or after the next_run_at read is the due slot itself, claimed by another replica since that
  // read: not an overlap (its claimer advanced next_run_at; this replica's view is stale).
  const due = (schedule.nextRunAt as Date).getTime();
  const older = running.filter((r) => r.slot === null || r.slot.getTime() < due);
  if (older.length === 0) return 'deferred';
  if (schedule.overlapPolicy === 'skip') return await skipOverlapping(ctx, schedule, now);
  const own = older.filter((r) => r.trigger === 'schedule' || r.trigger === 'catch_up');
  for (const r of own) {
    if (r.cancelRequestedAt === null) await requestCancel(ctx, r, 'overlap');
  }
  return 'deferred';
}

/** `skip`: records the due slots `skipped` (reason `overlap`) and compare-and-sets `next_run_at` past them. */
async function skipOverlapping(
  ctx: EngineContext,
  schedule: JobSchedule,
  now: number,
): Promise<OverlapOutcome> {
  const from = schedule.nextRunAt as Date;
  // The same slots, DST choices and due instants (slot + jitter) as the claim would plan.
  const plan = planSlots({
    cron: ctx.cron(schedule.cronExpression),
    ...scheduleCronOptions(schedule, ctx.timezone),
    due: (slot: Date) => dueInstant(schedule, slot),
    from,
    now,
    pollIntervalMs: ctx.pollIntervalMs,
    policy: schedule.missedRunPolicy,
    catchUpWindowSeconds: schedule.catchUpWindowSeconds,
    maxCatchUpRuns: schedule.maxCatchUpRuns,
    maxSkipRecords: ctx.maxSkipRecords,
  });
  const created: JobRun[] = [];
  for (const d of plan.decisions) {
    const reason = d.action === 'run' ? 'overlap' : (d.reason as string);
    const run = newRun(ctx, {
      runKey: slotRunKey(schedule.jobName, d.slot),
      jobType: schedule.jobType,
      jobName: schedule.jobName,
      slot: d.slot,
      trigger: d.trigger,
      parameters: schedule.parameters,
      maxAttempts: schedule.maxAttempts ?? ctx.jobs.get(schedule.jobType)?.maxAttempts ?? 3,
      timeoutSeconds: schedule.timeoutSeconds ?? ctx.jobs.get(schedule.jobType)?.timeoutSeconds ?? 300,
      lockKey: jobLockKey(schedule.jobName),
      status: 'skipped',
      result: {
        reason,
        ...(d.folded
          ? { folded_slots: d.folded.count, last_folded_slot: d.folded.lastSlot.toISOString() }
          : {}),
      },
    });
    // The slot's run key: a slot another replica recorded (or runs) is left as it is.
    if (await bounded(ctx, 'insertRun', ctx.timing.callTimeoutMs, ctx.store.insertRun(run))) {
      created.push(run);
      ctx.emit('run:skipped', { run, reason });
    }
  }
  // Compare-and-set from the value read (no lock, no fencing token: next_run_at only moves forward along slots).
  await bounded(
    ctx,
    'updateSchedule',
    ctx.timing.callTimeoutMs,
    ctx.store.updateSchedule(
      schedule.jobName,
      { nextRunAt: plan.next, nextDueAt: plan.nextDue },
      { nextRunAt: from },
    ),
  );
  return { created, done: Promise.resolve([]) };
}
