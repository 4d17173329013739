// Executing runs under a held lock lease: one after another, each attempt by attempt (with timeout and backoff),
// every status change through run-transitions.ts, the lock released only after the last handler settled and only
// while the lease is still ours.
import { backoffDelay, runAttempt } from './attempt.js';
import { dispatchChain, runChained } from './chain.js';
import type { StartHint } from './claim.js';
import { type EngineContext, type FollowUps, toJsonResult } from './engine.js';
import { InvalidParametersError, JobTimeoutError, ShutdownError, toRunError } from './errors.js';
import { type Gone, readUnder, written } from './guarded-writes.js';
import type { Heartbeat } from './heartbeat.js';
import type { JobRun } from './model.js';
import { checkParameters } from './registry.js';
import { runLogFields } from './run-log.js';
import {
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
      await hb.call('release', () => ctx.lock.release(lease));
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

/**
 * Executes one pending run to a final status, attempt after attempt. Every write is a transition of
 * run-transitions.ts (fenced by the lease's token, retried until its deadline).
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
  for (;;) {
    if (hb.expired) return leaseGone(ctx, hb, current, 'expired', 'write');
    const startedAt = recorded ? recorded.startedAt : new Date(ctx.clock.now());
    const started = await startAttempt(ctx, hb, current, startedAt, recorded);
    recorded = null;
    if (started === 'expired') return leaseGone(ctx, hb, current, started, 'write');
    if (started === 'lost') {
      // Another replica started (or adopted) it first, or a newer lock holder wrote the schedule: not ours to run.
      const seen = await readUnder(ctx, hb, 'getRun', () => ctx.store.getRun(current.id));
      return seen !== 'expired' && seen ? seen : current;
    }
    current = started.run;
    const attemptNo = current.attempts.length;
    const outcome = await runAttempt(ctx, def, current, attemptNo, hb);
    const finishedAt = new Date(ctx.clock.now());

    if (outcome.kind === 'lease') {
      // Aborted at the local lease deadline (or taken over): the execution ends here; nothing more is written.
      return leaseGone(ctx, hb, current, 'expired', 'attempt');
    }
    if (outcome.kind === 'shutdown') {
      await settledOrGone(outcome.settled, hb);
      const r = ctx.shutdown.requeue
        ? await requeue(ctx, hb, current, toRunError(new ShutdownError()), finishedAt)
        : // stop({ requeue: false }): the interrupted attempt and the run end here, failed; nothing is retried.
          await fail(ctx, hb, current, toRunError(new ShutdownError({ requeue: false })), finishedAt);
      return written(r) ? r : leaseGone(ctx, hb, current, r, 'write');
    }
    if (outcome.kind === 'ok') {
      const result = toJsonResult(outcome.value);
      // Insert the chained runs BEFORE marking success: if we die in between, the run is recovered and retried,
      // and the chained runs' unique keys keep them exactly-once per (parent run, name).
      const chain = await dispatchChain(ctx, hb, current, started.chain);
      if (!written(chain)) return leaseGone(ctx, hb, current, chain, 'write');
      const done = await succeed(ctx, hb, current, result, finishedAt);
      if (!written(done)) {
        await chain.queue?.stop();
        return leaseGone(ctx, hb, current, done, 'write');
      }
      const pending = chain.children.filter((c) => c.status === 'pending' && c.leaseOwner === ctx.replicaId);
      // Chained runs recorded skipped, or found already present (a retried parent): reported as they are.
      const others = chain.children.filter((c) => !pending.includes(c));
      if (others.length > 0) followUps.push(Promise.resolve(others));
      if (chain.queue) followUps.push(ctx.track(runChained(ctx, chain.queue, pending, followUps)));
      return done;
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
      return written(r) ? r : leaseGone(ctx, hb, current, r, 'write');
    }
    const delayMs = backoffDelay(def, attemptNo, ctx.random);
    const noted = await retryLater(ctx, hb, current, {
      attempt: timedOut ? 'timed_out' : 'failed',
      error,
      finishedAt,
      delayMs,
    });
    if (timedOut) await settledOrGone(outcome.settled, hb);
    if (!written(noted)) return leaseGone(ctx, hb, current, noted, 'write');
    current = noted;
    await ctx.clock.sleep(delayMs, AbortSignal.any([ctx.softStop, hb.signal]));
    if (hb.expired) return leaseGone(ctx, hb, current, 'expired', 'write');
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
