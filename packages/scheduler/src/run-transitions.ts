// Every change of a run's status, in one place: start an attempt, succeed, fail, time out, retry later, hand back
// (requeue), abandon (recovery), adopt, fail before start, and the shutdown variants. Execution, recovery, manual
// runs and chains all call these, so "where is a run's final status written" has one answer: here.
//
// Each transition is one guarded write (guarded-writes.ts; spec section 11):
// - fenced: conditioned on the run's status, the lease owner and the fencing token of the lock lease held, and the
//   attempt it belongs to (`attemptCount`), so a stale holder, or a late copy of an earlier write, never lands;
// - bounded and retried: every call goes through the held lease's heartbeat (bounded by its call timeout and its
//   local deadline); a transient error is retried until that deadline, never turned into `abandoned`;
// - idempotent: when a retried write finds its condition gone, the run is read back, and "already exactly in the
//   state I wrote" (the first try landed, its acknowledgement was lost) counts as written.
// Then the transition emits its event and updates the schedule's `last_run_*` with a write fenced by the same
// token (a stale holder cannot move `last_run_status` back).
//
// Cancelled (spec section 10) is one more final status: `cancelRunning` (the holder, once the handler settled),
// `cancelPending` (a pending run we hold, before it starts), and recovery's `abandon` / `cancelExpired` when a cancel
// was requested; never retried, no chain.
//
// A run that holds its own lease (a run of an `allow` schedule: `ownsLease`) holds no schedule lock, so its
// `last_run_*` writes cannot be fenced by a lock token: its start moves `last_run_at` only forward
// (`lastRunAtNotAfter`), and its final status is written only while `last_run_at` is still its own start
// (`lastRunAt`), so `last_run_*` never goes back to an older run.
import type { StartHint } from './claim.js';
import { type EngineContext, ownsLease } from './engine.js';
import { RunCancelledError, toRunError } from './errors.js';
import { type Gone, readUnder, writeRun, writeSchedule, written } from './guarded-writes.js';
import type { Heartbeat } from './heartbeat.js';
import {
  type AttemptStatus,
  type JobRun,
  type JobSchedule,
  MAX_REASON_LENGTH,
  type RunAttempt,
  type RunError,
  type RunStatus,
} from './model.js';
import { runLogFields } from './run-log.js';
import type { RunCondition, ScheduleCondition } from './types.js';

/** The start of the run's last attempt (what its start wrote as `last_run_at`), or null before any. */
function lastStart(run: JobRun): Date | null {
  return run.attempts[run.attempts.length - 1]?.startedAt ?? null;
}

/**
 * Updates the schedule's `last_run_*`; a refused write is not an error (a newer holder wrote). Fenced by the lock
 * token held; for a run that holds its own lease, conditioned on `last_run_at` still being its own start (its last
 * attempt's start). A final outcome is counted in `consecutive_failures` in the same write (spec section 10:
 * `failed`, `timed_out` and a final `abandoned` count, a success resets, `cancelled` neither; the store counts each
 * run once, so a retry never counts twice), and a schedule whose count reached its `pause_after_failures` pauses
 * itself.
 */
async function setLastRun(
  ctx: EngineContext,
  hb: Heartbeat,
  run: JobRun,
  patch: { lastRunAt?: Date; lastRunStatus: RunStatus },
  outcome?: 'failure' | 'success',
): Promise<void> {
  if (!run.jobName) return;
  let condition: ScheduleCondition = {};
  if (ownsLease(run)) {
    const since = lastStart(run);
    if (since === null) return;
    condition = { lastRunAt: since };
  }
  const r = await writeSchedule(
    ctx,
    hb,
    run.jobName,
    patch,
    condition,
    () => false,
    outcome ? { countRun: { runId: run.id, outcome } } : undefined,
  );
  if (r === 'expired') {
    ctx.logger.warn(
      'could not update last_run_* of the schedule before the lease deadline',
      runLogFields(run),
    );
    return;
  }
  if (
    outcome === 'failure' &&
    r !== null &&
    r.isEnabled &&
    r.pauseAfterFailures !== null &&
    r.consecutiveFailures >= r.pauseAfterFailures
  ) {
    await pauseAfterFailures(ctx, hb, r, run);
  }
}

/**
 * The schedule disables itself (`paused_by: 'auto'`) after `pause_after_failures` consecutive failures. One more
 * fenced write, only when it pauses, conditioned on the schedule still being enabled with the count just written
 * (an operator's enable or disable in between wins).
 */
async function pauseAfterFailures(
  ctx: EngineContext,
  hb: Heartbeat,
  schedule: JobSchedule,
  run: JobRun,
): Promise<void> {
  const count = schedule.consecutiveFailures;
  const last = run.error ? `${run.error.name}: ${run.error.message}` : `the run ended ${run.status}`;
  const reason = `paused after ${count} consecutive failures; last error: ${last}`.slice(
    0,
    MAX_REASON_LENGTH,
  );
  const now = new Date(ctx.clock.now());
  const paused = await writeSchedule(
    ctx,
    hb,
    schedule.jobName,
    {
      isEnabled: false,
      nextRunAt: null,
      nextDueAt: null,
      pausedAt: now,
      pausedBy: 'auto',
      pausedReason: reason,
      updatedAt: now,
      updatedBy: 'auto',
    },
    { isEnabled: true, consecutiveFailures: count },
    (s) => !s.isEnabled && s.pausedBy === 'auto' && s.pausedAt?.getTime() === now.getTime(),
  );
  if (paused !== null && paused !== 'expired') {
    ctx.logger.warn('schedule paused itself after consecutive failures', {
      jobName: schedule.jobName,
      reason,
    });
    ctx.emit('schedule:paused', {
      jobName: schedule.jobName,
      pausedBy: 'auto',
      reason,
      consecutiveFailures: count,
    });
  }
}

/** The condition of every write by the holder of a running run: ours, this token, this attempt. */
function heldCondition(ctx: EngineContext, hb: Heartbeat, run: JobRun): RunCondition {
  return {
    status: ['running'],
    leaseOwner: ctx.replicaId,
    fencingToken: hb.token,
    attemptCount: run.attempts.length,
  };
}

/**
 * A pending run's compare-and-set: still pending, with the token and attempts we read (and, for a run that holds its
 * own lease, still leased to us: no lock keeps another replica away from it).
 */
function pendingCondition(ctx: EngineContext, run: JobRun): RunCondition {
  return {
    status: ['pending'],
    fencingToken: run.fencingToken,
    attemptCount: run.attempts.length,
    ...(ownsLease(run) ? { leaseOwner: ctx.replicaId } : {}),
  };
}

function withLastAttempt(
  run: JobRun,
  status: AttemptStatus,
  finishedAt: Date,
  error: RunError | null,
): RunAttempt[] {
  const attempts = run.attempts.map((a) => ({ ...a }));
  const last = attempts[attempts.length - 1];
  if (last) {
    last.status = status;
    last.finishedAt = finishedAt;
    last.error = error;
  }
  return attempts;
}

/** What a started attempt knows: the run as started, and the schedule's chain as of this start (null: read later). */
export interface Started {
  run: JobRun;
  chain: string[] | null;
}

/**
 * Starts an attempt of a pending run (or the next attempt of our running one). The start is fenced by the lock
 * token: first the schedule's `last_run_*` (`running`) with a write fenced by it — refused once a newer holder
 * wrote, which means this replica must not start — unless the claim recorded it already (`recorded`); then the
 * run's own compare-and-set (still pending with the token we read, or ours and running), which also requires that
 * no cancel was requested: a run whose cancel was requested never starts (`lost`; the caller reads it back).
 * A run that holds its own lease writes `last_run_*` only forward (refused: a later run started; it still starts).
 */
export async function startAttempt(
  ctx: EngineContext,
  hb: Heartbeat,
  run: JobRun,
  startedAt: Date,
  recorded: StartHint | null,
): Promise<Started | Gone> {
  let chain: string[] | null = recorded ? recorded.chain : null;
  if (run.jobName && !recorded && ownsLease(run)) {
    const s = await writeSchedule(
      ctx,
      hb,
      run.jobName,
      { lastRunAt: startedAt, lastRunStatus: 'running' },
      { lastRunAtNotAfter: startedAt },
    );
    if (s === 'expired') return 'expired';
    if (s !== null) chain = s.chain;
  } else if (run.jobName && !recorded) {
    const s = await writeSchedule(ctx, hb, run.jobName, { lastRunAt: startedAt, lastRunStatus: 'running' });
    if (s === 'expired') return 'expired';
    if (s === null) {
      // Refused: a newer holder wrote (we must not start), or the schedule was deleted (its runs still run).
      const exists = await readUnder(ctx, hb, 'getSchedule', () =>
        ctx.store.getSchedule(run.jobName as string),
      );
      if (exists === 'expired') return 'expired';
      if (exists) return 'lost';
    } else chain = s.chain;
  }
  const attemptNo = run.attempts.length + 1;
  const started = await writeRun(
    ctx,
    hb,
    run,
    {
      set: {
        status: 'running',
        startedAt: run.startedAt ?? startedAt,
        replicaId: ctx.replicaId,
        leaseOwner: ctx.replicaId,
        fencingToken: hb.token,
        attempts: [
          ...run.attempts,
          {
            attempt: attemptNo,
            status: 'running',
            startedAt,
            finishedAt: null,
            error: null,
            replicaId: ctx.replicaId,
          },
        ],
      },
      leaseForMs: ctx.lockTtlMs,
    },
    {
      ...(run.status === 'pending' ? pendingCondition(ctx, run) : heldCondition(ctx, hb, run)),
      cancelRequested: false,
    },
  );
  if (!written(started)) return started;
  ctx.emit('run:started', { run: started, attempt: attemptNo });
  return { run: started, chain };
}

/**
 * A fenced write that proves the run is still ours under this token and this attempt, right before effects that
 * must not come from a stale holder (the chained runs' inserts); it also renews the run's lease.
 */
export function proveHeld(ctx: EngineContext, hb: Heartbeat, run: JobRun): Promise<JobRun | Gone> {
  return writeRun(
    ctx,
    hb,
    run,
    { set: { leaseOwner: ctx.replicaId, fencingToken: hb.token }, leaseForMs: ctx.lockTtlMs },
    heldCondition(ctx, hb, run),
  );
}

/** How a run ends (a final status). */
export interface RunEnd {
  status: RunStatus;
  /** The status of the last attempt (when the run is in one). */
  attempt?: AttemptStatus;
  error: RunError | null;
  result?: unknown;
  finishedAt: Date;
}

/**
 * The guarded final write of a running run (ours, this token, this attempt). `succeed`, `fail` and `timeOut` are this
 * plus their event and `last_run_status`; it is also the cancel-ready hook: a cancelled run is
 * `endRun(ctx, hb, run, { status: 'cancelled', attempt: 'cancelled', error, finishedAt })` with its event.
 */
export async function endRun(
  ctx: EngineContext,
  hb: Heartbeat,
  run: JobRun,
  end: RunEnd,
): Promise<JobRun | Gone> {
  const set: Partial<JobRun> = {
    status: end.status,
    finishedAt: end.finishedAt,
    error: end.error,
    leaseOwner: null,
    ...(end.result !== undefined ? { result: end.result } : {}),
    ...(end.attempt ? { attempts: withLastAttempt(run, end.attempt, end.finishedAt, end.error) } : {}),
  };
  return writeRun(ctx, hb, run, { set }, heldCondition(ctx, hb, run));
}

/** The attempt succeeded: the run ends `succeeded` with its result. */
export async function succeed(
  ctx: EngineContext,
  hb: Heartbeat,
  run: JobRun,
  result: unknown,
  finishedAt: Date,
): Promise<JobRun | Gone> {
  const done = await endRun(ctx, hb, run, {
    status: 'succeeded',
    attempt: 'succeeded',
    error: null,
    result,
    finishedAt,
  });
  if (!written(done)) return done;
  const startedAt = done.startedAt ?? run.attempts[run.attempts.length - 1]?.startedAt ?? finishedAt;
  ctx.emit('run:succeeded', { run: done, durationMs: finishedAt.getTime() - startedAt.getTime() });
  await setLastRun(ctx, hb, done, { lastRunStatus: 'succeeded' }, 'success');
  return done;
}

/** The last attempt failed (or a shutdown with `requeue: false` interrupted it): the run ends `failed`. */
export async function fail(
  ctx: EngineContext,
  hb: Heartbeat,
  run: JobRun,
  error: RunError,
  finishedAt: Date,
  inAttempt = true,
): Promise<JobRun | Gone> {
  const ended = await endRun(ctx, hb, run, {
    status: 'failed',
    ...(inAttempt ? { attempt: 'failed' as const } : {}),
    error,
    finishedAt,
  });
  if (!written(ended)) return ended;
  ctx.emit('run:failed', { run: ended, error });
  await setLastRun(ctx, hb, ended, { lastRunStatus: 'failed' }, 'failure');
  return ended;
}

/** The last attempt exceeded its timeout: the run ends `timed_out`. */
export async function timeOut(
  ctx: EngineContext,
  hb: Heartbeat,
  run: JobRun,
  error: RunError,
  finishedAt: Date,
): Promise<JobRun | Gone> {
  const ended = await endRun(ctx, hb, run, { status: 'timed_out', attempt: 'timed_out', error, finishedAt });
  if (!written(ended)) return ended;
  ctx.emit('run:timed_out', { run: ended });
  await setLastRun(ctx, hb, ended, { lastRunStatus: 'timed_out' }, 'failure');
  return ended;
}

/** An attempt failed or timed out and another follows after `delayMs`: the attempt is recorded, the run stays ours. */
export async function retryLater(
  ctx: EngineContext,
  hb: Heartbeat,
  run: JobRun,
  o: { attempt: 'failed' | 'timed_out'; error: RunError; finishedAt: Date; delayMs: number },
): Promise<JobRun | Gone> {
  const attempts = withLastAttempt(run, o.attempt, o.finishedAt, o.error);
  const r = await writeRun(ctx, hb, run, { set: { attempts, error: o.error } }, heldCondition(ctx, hb, run));
  if (written(r))
    ctx.emit('run:retrying', { run: r, attempt: run.attempts.length, delayMs: o.delayMs, error: o.error });
  return r;
}

/**
 * Hands an interrupted attempt back (shutdown with requeue): the attempt is recorded `abandoned` and the run goes
 * back to `pending` for any replica, or ends `abandoned` when no attempt is left.
 */
export async function requeue(
  ctx: EngineContext,
  hb: Heartbeat,
  run: JobRun,
  error: RunError,
  finishedAt: Date,
): Promise<JobRun | Gone> {
  const retry = run.attempts.length < run.maxAttempts;
  const r = await writeRun(
    ctx,
    hb,
    run,
    {
      set: {
        status: retry ? 'pending' : 'abandoned',
        attempts: withLastAttempt(run, 'abandoned', finishedAt, error),
        error,
        leaseOwner: null,
        ...(retry ? {} : { finishedAt }),
      },
    },
    heldCondition(ctx, hb, run),
  );
  if (!written(r)) return r;
  ctx.emit('run:abandoned', { run: r, retried: retry });
  if (!retry) await setLastRun(ctx, hb, r, { lastRunStatus: 'abandoned' }, 'failure');
  return r;
}

/** Our running run between attempts goes back to `pending` for any replica (shutdown while waiting to retry). */
export function handBackRunning(ctx: EngineContext, hb: Heartbeat, run: JobRun): Promise<JobRun | Gone> {
  return writeRun(
    ctx,
    hb,
    run,
    { set: { status: 'pending', leaseOwner: null } },
    heldCondition(ctx, hb, run),
  );
}

/**
 * A pending run we hold but will not start (its lock is taken, the scheduler stops, this replica does not know its
 * job type) is released for any replica: recovery elsewhere picks it up.
 */
export function handBack(ctx: EngineContext, hb: Heartbeat, run: JobRun): Promise<JobRun | Gone> {
  return writeRun(ctx, hb, run, { set: { leaseOwner: null } }, pendingCondition(ctx, run));
}

/** A pending run that cannot start (invalid parameters, or a shutdown with `requeue: false`) ends `failed`. */
export async function failBeforeStart(
  ctx: EngineContext,
  hb: Heartbeat,
  run: JobRun,
  error: RunError,
): Promise<JobRun | Gone> {
  const finishedAt = new Date(ctx.clock.now());
  const r = await writeRun(
    ctx,
    hb,
    run,
    { set: { status: 'failed', finishedAt, error, leaseOwner: null, replicaId: ctx.replicaId } },
    pendingCondition(ctx, run),
  );
  if (!written(r)) return r;
  ctx.emit('run:failed', { run: r, error });
  await setLastRun(ctx, hb, r, { lastRunStatus: 'failed' }, 'failure');
  return r;
}

/**
 * Recovery, under the run's lock (`hb`): a `running` run whose lease expired (its replica died or stalled) gets its
 * attempt recorded `abandoned`, and is adopted by this replica (`pending`, our lease) when attempts remain, or ends
 * `abandoned` — or `cancelled` when a cancel was requested (never retried). Fenced by the token the dead holder
 * left, and by the lease still being expired.
 */
export async function abandon(
  ctx: EngineContext,
  hb: Heartbeat,
  run: JobRun,
  error: RunError,
): Promise<JobRun | Gone> {
  const now = new Date(ctx.clock.now());
  const attempts = run.attempts.map((a) => ({ ...a }));
  const last = attempts[attempts.length - 1];
  if (last && last.status === 'running') {
    last.status = 'abandoned';
    last.finishedAt = now;
    last.error = error;
  }
  const cancelled = run.cancelRequestedAt !== null;
  const retry = !cancelled && attempts.length < run.maxAttempts;
  const cancelError = toRunError(new RunCancelledError(run.cancelRequestedBy));
  const r = await writeRun(
    ctx,
    hb,
    run,
    retry
      ? { set: { status: 'pending', attempts, error, leaseOwner: ctx.replicaId }, leaseForMs: ctx.lockTtlMs }
      : cancelled
        ? { set: { status: 'cancelled', attempts, error: cancelError, leaseOwner: null, finishedAt: now } }
        : { set: { status: 'abandoned', attempts, error, leaseOwner: null, finishedAt: now } },
    {
      status: ['running'],
      fencingToken: run.fencingToken,
      leaseExpired: true,
      attemptCount: run.attempts.length,
    },
  );
  if (!written(r)) return r;
  if (cancelled) {
    ctx.emit('run:cancelled', { run: r, by: r.cancelRequestedBy });
    await setLastRun(ctx, hb, r, { lastRunStatus: 'cancelled' });
    return r;
  }
  ctx.emit('run:abandoned', { run: r, retried: retry });
  if (!retry) await setLastRun(ctx, hb, r, { lastRunStatus: 'abandoned' }, 'failure');
  return r;
}

/** Recovery, under the run's lock: a `pending` run whose lease expired becomes ours (our lease). */
export function adopt(ctx: EngineContext, hb: Heartbeat, run: JobRun): Promise<JobRun | Gone> {
  return writeRun(
    ctx,
    hb,
    run,
    { set: { leaseOwner: ctx.replicaId }, leaseForMs: ctx.lockTtlMs },
    { status: ['pending'], leaseExpired: true, fencingToken: run.fencingToken },
  );
}

/**
 * Our running run ends `cancelled` (spec section 10), once its handler settled (the caller waits for it): the attempt
 * is recorded `cancelled` when the run was in one (`inAttempt`), else (between attempts) only the run. Not retried;
 * its chain does not fire. Then `run:cancelled` and `last_run_status: cancelled`.
 */
export async function cancelRunning(
  ctx: EngineContext,
  hb: Heartbeat,
  run: JobRun,
  by: string | null,
  finishedAt: Date,
  inAttempt: boolean,
): Promise<JobRun | Gone> {
  const error = toRunError(new RunCancelledError(by));
  const ended = await endRun(ctx, hb, run, {
    status: 'cancelled',
    ...(inAttempt ? { attempt: 'cancelled' as const } : {}),
    error,
    finishedAt,
  });
  if (!written(ended)) return ended;
  ctx.emit('run:cancelled', { run: ended, by: ended.cancelRequestedBy ?? by });
  await setLastRun(ctx, hb, ended, { lastRunStatus: 'cancelled' });
  return ended;
}

/**
 * A pending run we hold whose cancel was requested ends `cancelled` without starting (fenced like its start would
 * have been). `recordedStart`: the `last_run_at` already written for a start that then did not happen (the claim's
 * compare-and-set, or a start refused by the cancel): the schedule then says `cancelled` for it.
 */
export async function cancelPending(
  ctx: EngineContext,
  hb: Heartbeat,
  run: JobRun,
  recordedStart: Date | null,
): Promise<JobRun | Gone> {
  const finishedAt = new Date(ctx.clock.now());
  const error = toRunError(new RunCancelledError(run.cancelRequestedBy));
  const r = await writeRun(
    ctx,
    hb,
    run,
    { set: { status: 'cancelled', finishedAt, error, leaseOwner: null, replicaId: ctx.replicaId } },
    pendingCondition(ctx, run),
  );
  if (!written(r)) return r;
  ctx.emit('run:cancelled', { run: r, by: r.cancelRequestedBy });
  if (recordedStart !== null) {
    // Only while the schedule still shows that start as its last run (and, for a lock holder, fenced as well).
    if (!r.jobName) return r;
    const w = await writeSchedule(
      ctx,
      hb,
      r.jobName,
      { lastRunStatus: 'cancelled' },
      { lastRunAt: recordedStart },
    );
    if (w === 'expired') ctx.logger.warn('could not update last_run_status before the lease deadline', {});
  }
  return r;
}

/**
 * Recovery: a `pending` run whose lease expired and whose cancel was requested ends `cancelled` (nobody holds it:
 * the compare-and-set on its expired lease and token decides).
 */
export async function cancelExpired(ctx: EngineContext, hb: Heartbeat, run: JobRun): Promise<JobRun | Gone> {
  const finishedAt = new Date(ctx.clock.now());
  const error = toRunError(new RunCancelledError(run.cancelRequestedBy));
  const r = await writeRun(
    ctx,
    hb,
    run,
    { set: { status: 'cancelled', finishedAt, error, leaseOwner: null } },
    {
      status: ['pending'],
      leaseExpired: true,
      fencingToken: run.fencingToken,
      attemptCount: run.attempts.length,
    },
  );
  if (written(r)) ctx.emit('run:cancelled', { run: r, by: r.cancelRequestedBy });
  return r;
}
