// Executing runs under a held lock lease: one after another, each attempt by attempt (with timeout and backoff),
// every status change through run-transitions.ts, the lock released only after the last handler settled and only
// while the lease is still ours.
import { type AttemptOutcome, backoffDelay, runAttempt } from './attempt.js';
import { dispatchChain, runChained } from './chain.js';
import type { StartHint } from './claim.js';
import { type EngineContext, type FollowUps, toJsonResult } from './engine.js';
import { InvalidParametersError, JobTimeoutError, ShutdownError, toRunError } from './errors.js';
import { type Gone, readUnder, written } from './guarded-writes.js';
import type { Heartbeat } from './heartbeat.js';
import type { JobRun } from './model.js';
import { checkParameters, type JobDefinition } from './registry.js';
import { runLogFields } from './run-log.js';
import {
  cancelPending,
  cancelRunning,
  fail,
  failBeforeStart,
  handBack,
  handBackRunning,
  requeue,
  retryLater,
  startAttempt,
  succeed,
  timeOut,
} from './run-transitions.js';

/**
 * Executes `runs` one after another under the lock lease of `hb` (their schedule's or job type's), then stops the
 * heartbeat and releases the lock. Returns the runs' final (or last known) records. Never throws for job failures.
 * `hint`: the claim already recorded the start of one of them on the schedule (see `ClaimResult.startHint`).
 */
export async function executeBatch(
  ctx: EngineContext,
  hb: Heartbeat,
  runs: JobRun[],
  followUps: FollowUps,
  hint: StartHint | null = null,
): Promise<JobRun[]> {
  for (const r of runs) {
    hb.cover(r.id);
    ctx.active.add(r.id);
  }
  const out: JobRun[] = [];
  try {
    for (const run of runs) {
      if (hb.expired) {
        // The lease is gone: nothing more is written for these runs (recovery elsewhere takes them).
        out.push(run);
        continue;
      }
      if (ctx.softStop.aborted) {
        // Shutting down before this run started: hand it to another replica, or end it (stop({ requeue: false })).
        out.push(await stopPending(ctx, hb, run));
        continue;
      }
      try {
        out.push(await executeRun(ctx, run, hb, followUps, hint?.runId === run.id ? hint : null));
      } catch (error) {
        ctx.logger.error('run execution failed', { ...runLogFields(run), error: toRunError(error).message });
        out.push(run);
      } finally {
        hb.runIds.delete(run.id);
        ctx.cancels.forget(run.id);
      }
    }
  } finally {
    for (const r of runs) ctx.active.delete(r.id);
    await releaseLock(ctx, hb);
  }
  return out;
}

/**
 * Releases the lock lease of `hb`, if it is still ours, then stops the heartbeat. Once the local deadline passed (or
 * the lease was taken over) nothing more is sent: the lease lapses on its own by the store's clock. The release goes
 * through the heartbeat, so it is bounded like every other call under the lease.
 */
export async function releaseLock(ctx: EngineContext, hb: Heartbeat): Promise<void> {
  const lease = hb.lease;
  if (lease && !hb.expired) {
    try {
      // Sent together with the releases of runs that end together (write-batchers.ts), else alone.
      await hb.call('release', () => ctx.releases.call(lease));
    } catch (error) {
      ctx.logger.warn('lock release failed (the lease lapses on its own)', {
        key: lease.key,
        error: toRunError(error).message,
      });
    }
  }
  await hb.stop();
}

/** A pending run we hold and will not start because we stop: released for another replica, or ended `failed`. */
export async function stopPending(ctx: EngineContext, hb: Heartbeat, run: JobRun): Promise<JobRun> {
  const r = ctx.shutdown.requeue
    ? await handBack(ctx, hb, run)
    : await failBeforeStart(ctx, hb, run, toRunError(new ShutdownError({ requeue: false, during: 'wait' })));
  return written(r) ? r : run;
}

/**
 * This replica stopped being responsible for `run` (its lease deadline passed, the lease was taken over, or a
 * fenced write found a newer holder): `run:lease_lost`, and nothing more is written.
 */
export function leaseGone(
  ctx: EngineContext,
  hb: Heartbeat,
  run: JobRun,
  why: Gone,
  during: 'attempt' | 'write' | 'queued',
): JobRun {
  const reason = hb.lostBy ?? (why === 'expired' ? 'deadline' : 'taken_over');
  ctx.emit('run:lease_lost', { run, reason, deadline: hb.deadlineDate(), during });
  return run;
}

/** Resolves when `settled` does, or as soon as the lease is gone (then the lock is not ours to keep). */
function settledOrGone(settled: Promise<unknown>, hb: Heartbeat): Promise<unknown> {
  const signal = hb.signal;
  if (signal.aborted) return Promise.resolve();
  return Promise.race([
    settled,
    new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true })),
  ]);
}

/** Why waiting for a run slot ended without one. */
type NoSlot = 'expired' | 'stopping' | 'cancelled';

/**
 * Takes one of the replica's run slots (`maxConcurrentRuns`) for `runId`'s next attempt: at once when one is free
 * (`'now'`), else after waiting in line (`'waited'`) while the lease keeps being renewed; the wait ends early when the
 * lease is gone, the scheduler stops, or the run's cancel is requested.
 */
async function takeSlot(
  ctx: EngineContext,
  hb: Heartbeat,
  runId: string,
): Promise<'now' | 'waited' | NoSlot> {
  if (ctx.slots.tryAcquire()) return 'now';
  const cancel = ctx.cancels.signal(runId);
  try {
    const got = await ctx.slots.acquire(AbortSignal.any([hb.signal, ctx.softStop, cancel.signal]));
    if (got) return 'waited';
    return hb.expired ? 'expired' : cancel.signal.aborted ? 'cancelled' : 'stopping';
  } finally {
    cancel.dispose();
  }
}

/**
 * Executes one pending run to a final status, attempt after attempt. Every write is a transition of
 * run-transitions.ts (fenced by the lease's token, retried until its deadline). Each attempt first takes a run slot
 * (the replica's cap); a cancel request seen before an attempt ends the run `cancelled` without starting it, one
 * seen during an attempt aborts the handler's signal and ends the run `cancelled` once the handler settled.
 */
async function executeRun(
  ctx: EngineContext,
  run: JobRun,
  hb: Heartbeat,
  followUps: FollowUps,
  hint: StartHint | null,
): Promise<JobRun> {
  const def = ctx.jobs.get(run.jobType);
  if (!def) {
    // A rolling deploy: a replica that does not know the job type leaves the run to one that does.
    ctx.warnOnce(
      `type:${run.jobType}`,
      'run has a job type this replica does not know; left for other replicas',
      runLogFields(run),
    );
    const r = await handBack(ctx, hb, run);
    return written(r) ? r : run;
  }
  // A run the claim hinted was checked there, a moment ago.
  const issues = hint ? [] : checkParameters(ctx.jobs, run.jobType, run.parameters);
  if (issues.length > 0) {
    const r = await failBeforeStart(
      ctx,
      hb,
      run,
      toRunError(new InvalidParametersError(run.jobType, issues)),
    );
    return written(r) ? r : run;
  }

  let current = run;
  // The claim recorded this start on the schedule already (first attempt of the run it claimed first).
  let recorded = hint !== null && run.attempts.length === 0 && run.startedAt === null ? hint : null;
  // A `last_run_at` written for a start of this run that did not happen (yet): a cancel then says so there.
  let recordedStart: Date | null = recorded ? recorded.startedAt : null;
  for (;;) {
    if (hb.expired) return leaseGone(ctx, hb, current, 'expired', 'write');
    if (ctx.cancels.has(current.id)) return await endCancelled(ctx, hb, current, recordedStart);
    const slot = await takeSlot(ctx, hb, current.id);
    if (slot === 'expired') return leaseGone(ctx, hb, current, 'expired', 'write');
    if (slot === 'cancelled') return await endCancelled(ctx, hb, current, recordedStart);
    if (slot === 'stopping') {
      const r =
        current.status === 'pending'
          ? await stopPending(ctx, hb, current)
          : ctx.shutdown.requeue
            ? await handBackRunning(ctx, hb, current)
            : await fail(
                ctx,
                hb,
                current,
                toRunError(new ShutdownError({ requeue: false, during: 'wait' })),
                new Date(ctx.clock.now()),
                false,
              );
      return written(r) ? r : leaseGone(ctx, hb, current, r, 'write');
    }
    // The claim's start instant is stale once the run waited for a slot: its start is written again, now.
    if (slot === 'waited') recorded = null;
    let outcome: AttemptOutcome | null = null;
    try {
      const startedAt = recorded ? recorded.startedAt : new Date(ctx.clock.now());
      const started = await startAttempt(ctx, hb, current, startedAt, recorded);
      if (!recorded) recordedStart = current.jobName ? startedAt : null;
      recorded = null;
      if (started === 'expired') return leaseGone(ctx, hb, current, started, 'write');
      if (started === 'lost') {
        // Another replica started (or adopted) it first, a newer lock holder wrote the schedule, or its cancel was
        // requested (the start requires none): read it back to tell.
        const seen = await readUnder(ctx, hb, 'getRun', () => ctx.store.getRun(current.id));
        if (seen === 'expired') return current;
        if (seen && isOursToCancel(ctx, hb, seen)) {
          ctx.cancels.request(seen.id, seen.cancelRequestedBy);
          current = seen;
          continue;
        }
        return seen ?? current;
      }
      recordedStart = null;
      current = started.run;
      const attemptNo = current.attempts.length;
      outcome = await runAttempt(ctx, def, current, attemptNo, hb);
      const finishedAt = new Date(ctx.clock.now());
      const next = await afterAttempt(ctx, hb, def, current, started.chain, outcome, finishedAt, followUps);
      if (next.done) return next.run;
      current = next.run;
    } finally {
      // The slot is given back when the handler really returned (one that ignores its aborted signal still runs).
      if (outcome && 'settled' in outcome) outcome.settled.then(release(ctx), release(ctx));
      else ctx.slots.release();
    }
    const cancel = ctx.cancels.signal(current.id);
    const delayMs = current.status === 'running' ? retryDelayOf(current) : 0;
    await ctx.clock.sleep(delayMs, AbortSignal.any([ctx.softStop, hb.signal, cancel.signal]));
    cancel.dispose();
    if (hb.expired) return leaseGone(ctx, hb, current, 'expired', 'write');
    if (ctx.cancels.has(current.id)) continue;
    if (ctx.softStop.aborted) {
      const r = ctx.shutdown.requeue
        ? // Stopping: hand the remaining attempts to another replica.
          await handBackRunning(ctx, hb, current)
        : // stop({ requeue: false }) while waiting to retry: the run ends failed; its remaining attempts are dropped.
          await fail(
            ctx,
            hb,
            current,
            toRunError(new ShutdownError({ requeue: false, during: 'wait' })),
            new Date(ctx.clock.now()),
            false,
          );
      return written(r) ? r : leaseGone(ctx, hb, current, r, 'write');
    }
  }
}

const release = (ctx: EngineContext) => () => ctx.slots.release();

// The backoff chosen for the retry that follows an attempt (kept with the run between afterAttempt and the sleep).
const retryDelays = new WeakMap<JobRun, number>();
function retryDelayOf(run: JobRun): number {
  return retryDelays.get(run) ?? 0;
}

/** Whether `seen` (read back after a refused start) is a live run of ours whose cancel was requested. */
function isOursToCancel(ctx: EngineContext, hb: Heartbeat, seen: JobRun): boolean {
  if (seen.cancelRequestedAt === null) return false;
  if (seen.status === 'running') return seen.leaseOwner === ctx.replicaId && seen.fencingToken === hb.token;
  return seen.status === 'pending' && (seen.leaseOwner === ctx.replicaId || seen.leaseOwner === null);
}

/** A cancel was requested before an attempt: a pending run ends without starting, a running one between attempts. */
async function endCancelled(
  ctx: EngineContext,
  hb: Heartbeat,
  run: JobRun,
  recordedStart: Date | null,
): Promise<JobRun> {
  const r =
    run.status === 'pending'
      ? await cancelPending(
          ctx,
          hb,
          { ...run, cancelRequestedBy: run.cancelRequestedBy ?? ctx.cancels.by(run.id) },
          recordedStart,
        )
      : await cancelRunning(ctx, hb, run, ctx.cancels.by(run.id), new Date(ctx.clock.now()), false);
  return written(r) ? r : leaseGone(ctx, hb, run, r, 'write');
}

/**
 * Records what an attempt's outcome means. `done`: the run reached a final status (or is no longer ours) and `run`
 * is what to report; otherwise `run` is the running run that waits for its next attempt (its backoff noted).
 */
async function afterAttempt(
  ctx: EngineContext,
  hb: Heartbeat,
  def: JobDefinition,
  current: JobRun,
  knownChain: string[] | null,
  outcome: AttemptOutcome,
  finishedAt: Date,
  followUps: FollowUps,
): Promise<{ done: boolean; run: JobRun }> {
  const attemptNo = current.attempts.length;
  if (outcome.kind === 'lease') {
    // Aborted at the local lease deadline (or taken over): the execution ends here; nothing more is written.
    return { done: true, run: leaseGone(ctx, hb, current, 'expired', 'attempt') };
  }
  if (outcome.kind === 'cancelled') {
    // Cancelled: recorded once the handler settled (the lease, and a schedule lock, are kept until then).
    await settledOrGone(outcome.settled, hb);
    const r = await cancelRunning(ctx, hb, current, outcome.by, new Date(ctx.clock.now()), true);
    return { done: true, run: written(r) ? r : leaseGone(ctx, hb, current, r, 'write') };
  }
  if (outcome.kind === 'shutdown') {
    await settledOrGone(outcome.settled, hb);
    const r = ctx.shutdown.requeue
      ? await requeue(ctx, hb, current, toRunError(new ShutdownError()), finishedAt)
      : // stop({ requeue: false }): the interrupted attempt and the run end here, failed; nothing is retried.
        await fail(ctx, hb, current, toRunError(new ShutdownError({ requeue: false })), finishedAt);
    return { done: true, run: written(r) ? r : leaseGone(ctx, hb, current, r, 'write') };
  }
  if (outcome.kind === 'ok') {
    const result = toJsonResult(outcome.value);
    // Insert the chained runs BEFORE marking success: if we die in between, the run is recovered and retried,
    // and the chained runs' unique keys keep them exactly-once per (parent run, name).
    const chain = await dispatchChain(ctx, hb, current, knownChain);
    if (!written(chain)) return { done: true, run: leaseGone(ctx, hb, current, chain, 'write') };
    const done = await succeed(ctx, hb, current, result, finishedAt);
    if (!written(done)) {
      await chain.queue?.stop();
      return { done: true, run: leaseGone(ctx, hb, current, done, 'write') };
    }
    const pending = chain.children.filter((c) => c.status === 'pending' && c.leaseOwner === ctx.replicaId);
    // Chained runs recorded skipped, or found already present (a retried parent): reported as they are.
    const others = chain.children.filter((c) => !pending.includes(c));
    if (others.length > 0) followUps.push(Promise.resolve(others));
    if (chain.queue) followUps.push(ctx.track(runChained(ctx, chain.queue, pending, followUps)));
    return { done: true, run: done };
  }

  // Failed or timed out.
  const timedOut = outcome.kind === 'timeout';
  const error = toRunError(
    timedOut ? new JobTimeoutError(current.jobType, current.timeoutSeconds) : outcome.error,
  );
  const retry = attemptNo < current.maxAttempts && !ctx.softStop.aborted;
  if (!retry) {
    const r = timedOut
      ? await timeOut(ctx, hb, current, error, finishedAt)
      : await fail(ctx, hb, current, error, finishedAt);
    // The lock stays held until a timed-out handler settles, whatever the write did, so executions never overlap
    // (unless the lease itself is gone: then it is not ours to hold).
    if (timedOut) await settledOrGone(outcome.settled, hb);
    return { done: true, run: written(r) ? r : leaseGone(ctx, hb, current, r, 'write') };
  }
  const delayMs = backoffDelay(def, attemptNo, ctx.random);
  const noted = await retryLater(ctx, hb, current, {
    attempt: timedOut ? 'timed_out' : 'failed',
    error,
    finishedAt,
    delayMs,
  });
  if (timedOut) await settledOrGone(outcome.settled, hb);
  if (!written(noted)) return { done: true, run: leaseGone(ctx, hb, current, noted, 'write') };
  retryDelays.set(noted, delayMs);
  return { done: false, run: noted };
}
