// Executing runs under a lock lease: heartbeat (lock + run leases), attempts with timeout and backoff, fenced
// result writes, chains.
import type { StartHint } from './claim.js';
import { DONE, type EngineContext, newRun, toJsonResult } from './engine.js';
import {
  InvalidParametersError,
  JobTimeoutError,
  LeaseLostError,
  ShutdownError,
  toRunError,
  UnknownJobTypeError,
} from './errors.js';
import {
  type AttemptStatus,
  chainRunKey,
  type JobRun,
  type JobSchedule,
  jobLockKey,
  type RunAttempt,
  type RunError,
  type RunStatus,
} from './model.js';
import { checkParameters, type JobDefinition } from './registry.js';
import type { Lease, Logger } from './types.js';

/** Renews the lock lease (and the leases of the runs it covers) every ttl/3; aborts `signal` when lost. */
class Heartbeat {
  lease: Lease;
  readonly runIds = new Set<string>();
  readonly #lost = new AbortController();
  readonly #stop = new AbortController();
  readonly #loop: Promise<void>;

  constructor(
    private readonly ctx: EngineContext,
    lease: Lease,
  ) {
    this.lease = lease;
    this.#loop = this.#run();
  }

  get lost(): boolean {
    return this.#lost.signal.aborted;
  }

  get signal(): AbortSignal {
    return this.#lost.signal;
  }

  async #run(): Promise<void> {
    const { ctx } = this;
    const every = Math.max(1, Math.floor(ctx.lockTtlMs / 3));
    while (!this.#stop.signal.aborted) {
      await ctx.clock.sleep(every, this.#stop.signal);
      if (this.#stop.signal.aborted) return;
      let renewed: Lease | null = null;
      try {
        renewed = await ctx.lock.renew(this.lease, ctx.lockTtlMs);
      } catch (error) {
        ctx.logger.warn('lock renewal failed', { key: this.lease.key, error: toRunError(error).message });
      }
      if (this.#stop.signal.aborted) return;
      if (!renewed) {
        this.#lost.abort(new LeaseLostError(this.lease.key));
        return;
      }
      this.lease = renewed;
      for (const id of this.runIds) {
        await ctx.store
          .updateRun(
            id,
            { leaseForMs: ctx.lockTtlMs },
            { leaseOwner: ctx.replicaId, status: ['pending', 'running'] },
          )
          .catch((error: unknown) =>
            ctx.logger.warn('run lease renewal failed', { id, error: String(error) }),
          );
      }
    }
  }

  async stop(): Promise<void> {
    this.#stop.abort(DONE);
    await this.#loop;
  }
}

/**
 * Collects the chained runs a batch triggers (and the runs they chain in turn) so `done` can wait for them and
 * report them: each entry resolves with the records of chained runs (final, or as last known).
 */
export interface FollowUps {
  push(promise: Promise<JobRun[]>): void;
}

/**
 * Executes `runs` one after another under `lease` (the lock of their schedule or job type), then releases the
 * lease. Returns the runs' final (or last known) records. Never throws for job failures. `hint`: the claim already
 * recorded the start of one of them on the schedule (see `ClaimResult.startHint`).
 */
export async function executeBatch(
  ctx: EngineContext,
  lease: Lease,
  runs: JobRun[],
  followUps: FollowUps,
  hint: StartHint | null = null,
): Promise<JobRun[]> {
  const hb = new Heartbeat(ctx, lease);
  for (const r of runs) {
    hb.runIds.add(r.id);
    ctx.active.add(r.id);
  }
  const out: JobRun[] = [];
  try {
    for (const run of runs) {
      if (hb.lost) {
        out.push(run);
        continue;
      }
      if (ctx.softStop.aborted) {
        // Shutting down before this run started: hand it to another replica, or end it (stop({ requeue: false })).
        out.push(await stopPending(ctx, run));
        continue;
      }
      try {
        out.push(await executeRun(ctx, run, hb, followUps, hint?.runId === run.id ? hint : null));
      } catch (error) {
        ctx.logger.error('run execution failed', { runId: run.id, error: toRunError(error).message });
        out.push(run);
      } finally {
        hb.runIds.delete(run.id);
      }
    }
  } finally {
    await hb.stop();
    for (const r of runs) ctx.active.delete(r.id);
    if (!hb.lost) {
      await ctx.lock.release(hb.lease).catch((error: unknown) => {
        ctx.logger.warn('lock release failed', { key: lease.key, error: String(error) });
      });
    }
  }
  return out;
}

async function releasePending(ctx: EngineContext, run: JobRun): Promise<JobRun | null> {
  return ctx.store.updateRun(run.id, { set: { leaseOwner: null } }, { status: ['pending'] });
}

/**
 * A pending run this instance holds but will not start because it is stopping: released for another replica
 * (the default), or recorded failed with a `ShutdownError` (`stop({ requeue: false })`).
 */
async function stopPending(ctx: EngineContext, run: JobRun): Promise<JobRun> {
  if (ctx.shutdown.requeue) return (await releasePending(ctx, run)) ?? run;
  return failBeforeStart(ctx, run, toRunError(new ShutdownError({ requeue: false, during: 'wait' })));
}

/** `min(maxMs, baseMs * 2^(attempt-1))`, minus up to `jitter` of itself. */
export function backoffDelay(def: JobDefinition, attempt: number, random: () => number): number {
  const { baseMs, maxMs, jitter } = def.backoff;
  const raw = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(0, Math.round(raw * (1 - jitter * random())));
}

type AttemptOutcome =
  | { kind: 'ok'; value: unknown }
  | { kind: 'error'; error: unknown }
  | { kind: 'timeout'; settled: Promise<unknown> }
  | { kind: 'lease_lost'; settled: Promise<unknown> }
  | { kind: 'shutdown'; settled: Promise<unknown> };

function runLogger(base: Logger, run: JobRun, attempt: number): Logger {
  const extra = { runId: run.id, jobType: run.jobType, jobName: run.jobName, attempt };
  return {
    debug: (m, d) => base.debug(m, { ...extra, ...d }),
    info: (m, d) => base.info(m, { ...extra, ...d }),
    warn: (m, d) => base.warn(m, { ...extra, ...d }),
    error: (m, d) => base.error(m, { ...extra, ...d }),
  };
}

async function runAttempt(
  ctx: EngineContext,
  def: JobDefinition,
  run: JobRun,
  attempt: number,
  hb: Heartbeat,
): Promise<AttemptOutcome> {
  const controller = new AbortController();
  const onLost = () => controller.abort(hb.signal.reason);
  const onHardStop = () => controller.abort(new ShutdownError({ requeue: ctx.shutdown.requeue }));
  hb.signal.addEventListener('abort', onLost, { once: true });
  ctx.hardStop.addEventListener('abort', onHardStop, { once: true });
  if (hb.lost) onLost();
  if (ctx.hardStop.aborted) onHardStop();
  const context = {
    signal: controller.signal,
    runId: run.id,
    attempt,
    scheduledAt: run.slot,
    jobName: run.jobName,
    jobType: run.jobType,
    logger: runLogger(ctx.logger, run, attempt),
    scheduler: ctx.self,
  };
  const settled: Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> = (async () =>
    def.handler(run.parameters, context))().then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  const cancelTimer = new AbortController();
  const timer = ctx.clock.sleep(run.timeoutSeconds * 1000, cancelTimer.signal).then(() => 'timeout' as const);
  const aborted = new Promise<'aborted'>((resolve) => {
    if (controller.signal.aborted) resolve('aborted');
    controller.signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  try {
    const first = await Promise.race([settled, timer, aborted]);
    if (first === 'timeout' && !controller.signal.aborted) {
      controller.abort(new JobTimeoutError(run.jobType, run.timeoutSeconds));
      return { kind: 'timeout', settled };
    }
    if (first === 'timeout' || first === 'aborted' || controller.signal.aborted) {
      const reason = controller.signal.reason;
      if (reason instanceof JobTimeoutError) return { kind: 'timeout', settled };
      if (reason instanceof ShutdownError) return { kind: 'shutdown', settled };
      return { kind: 'lease_lost', settled };
    }
    return first.ok ? { kind: 'ok', value: first.value } : { kind: 'error', error: first.error };
  } finally {
    cancelTimer.abort(DONE);
    hb.signal.removeEventListener('abort', onLost);
    ctx.hardStop.removeEventListener('abort', onHardStop);
  }
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

/** Updates the schedule's `last_run_*`; returns the updated schedule (null: none, or the write failed). */
async function setLastRun(
  ctx: EngineContext,
  run: JobRun,
  patch: { lastRunAt?: Date; lastRunStatus: RunStatus },
): Promise<JobSchedule | null> {
  if (!run.jobName) return null;
  return ctx.store.updateSchedule(run.jobName, patch).catch((error: unknown) => {
    ctx.logger.warn('could not update last_run_* of the schedule', {
      jobName: run.jobName,
      error: String(error),
    });
    return null;
  });
}

/** Marks a run that cannot start (unknown type, invalid parameters) as failed. */
async function failBeforeStart(ctx: EngineContext, run: JobRun, error: RunError): Promise<JobRun> {
  const now = new Date(ctx.clock.now());
  const updated = await ctx.store.updateRun(
    run.id,
    {
      set: {
        status: 'failed',
        finishedAt: now,
        error,
        leaseOwner: null,
        replicaId: ctx.replicaId,
      },
    },
    { status: ['pending'] },
  );
  if (!updated) return (await ctx.store.getRun(run.id)) ?? run;
  ctx.emit('run:failed', { run: updated, error });
  await setLastRun(ctx, updated, { lastRunStatus: 'failed' });
  return updated;
}

/**
 * Executes one pending run (or continues a running one of ours) to a final status. Writes are conditioned on
 * this replica's lease owner and fencing token, so a stale holder never overwrites a newer holder's record.
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
    const known = ctx.jobs.list().map((d) => d.type);
    return failBeforeStart(ctx, run, toRunError(new UnknownJobTypeError(run.jobType, known)));
  }
  // A run the claim hinted was checked there, a moment ago.
  const issues = hint ? [] : checkParameters(ctx.jobs, run.jobType, run.parameters);
  if (issues.length > 0)
    return failBeforeStart(ctx, run, toRunError(new InvalidParametersError(run.jobType, issues)));

  let current = run;
  // The schedule's chain as of the start of the latest attempt (read with its last_run_* write), or null: read it
  // after the success.
  let chain: string[] | null = null;
  for (;;) {
    if (hb.lost) return current;
    const attemptNo = current.attempts.length + 1;
    // The claim recorded this start on the schedule already (first attempt of the run it claimed first).
    const recorded = hint !== null && attemptNo === 1 && current.startedAt === null ? hint : null;
    hint = null;
    const startedAt = recorded ? recorded.startedAt : new Date(ctx.clock.now());
    const fenced = {
      status: ['running' as RunStatus],
      leaseOwner: ctx.replicaId,
      fencingToken: hb.lease.token,
    };
    const started = await ctx.store.updateRun(
      current.id,
      {
        set: {
          status: 'running',
          startedAt: current.startedAt ?? startedAt,
          replicaId: ctx.replicaId,
          leaseOwner: ctx.replicaId,
          fencingToken: hb.lease.token,
          attempts: [
            ...current.attempts,
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
      current.status === 'pending' ? { status: ['pending'] } : fenced,
    );
    if (!started) return (await ctx.store.getRun(current.id)) ?? current;
    current = started;
    if (recorded) chain = recorded.chain;
    else {
      const schedule = await setLastRun(ctx, current, { lastRunAt: startedAt, lastRunStatus: 'running' });
      chain = schedule ? schedule.chain : null;
    }
    ctx.emit('run:started', { run: current, attempt: attemptNo });

    const outcome = await runAttempt(ctx, def, current, attemptNo, hb);
    const finishedAt = new Date(ctx.clock.now());

    if (outcome.kind === 'lease_lost') {
      await outcome.settled;
      ctx.emit('run:lease_lost', { run: current });
      return current;
    }
    if (outcome.kind === 'shutdown') {
      await outcome.settled;
      if (!ctx.shutdown.requeue) {
        // stop({ requeue: false }): the interrupted attempt and the run end here, failed; nothing is retried.
        const error = toRunError(new ShutdownError({ requeue: false }));
        const ended = await ctx.store.updateRun(
          current.id,
          {
            set: {
              status: 'failed',
              attempts: withLastAttempt(current, 'failed', finishedAt, error),
              error,
              leaseOwner: null,
              finishedAt,
            },
          },
          fenced,
        );
        if (ended) {
          ctx.emit('run:failed', { run: ended, error });
          await setLastRun(ctx, ended, { lastRunStatus: 'failed' });
        }
        return ended ?? current;
      }
      const error = toRunError(new ShutdownError());
      const retry = attemptNo < current.maxAttempts;
      const updated = await ctx.store.updateRun(
        current.id,
        {
          set: {
            status: retry ? 'pending' : 'abandoned',
            attempts: withLastAttempt(current, 'abandoned', finishedAt, error),
            error,
            leaseOwner: null,
            ...(retry ? {} : { finishedAt }),
          },
        },
        fenced,
      );
      if (updated) {
        ctx.emit('run:abandoned', { run: updated, retried: retry });
        if (!retry) await setLastRun(ctx, updated, { lastRunStatus: 'abandoned' });
      }
      return updated ?? current;
    }
    if (outcome.kind === 'ok') {
      const result = toJsonResult(outcome.value);
      // Insert the chained runs BEFORE marking success: if we die in between, the run is recovered and retried,
      // and the chained runs' unique keys keep them exactly-once per (parent run, name).
      const children = await dispatchChain(ctx, current, chain);
      const done = await ctx.store.updateRun(
        current.id,
        {
          set: {
            status: 'succeeded',
            finishedAt,
            result,
            error: null,
            leaseOwner: null,
            attempts: withLastAttempt(current, 'succeeded', finishedAt, null),
          },
        },
        fenced,
      );
      if (!done) {
        ctx.emit('run:lease_lost', { run: current });
        return (await ctx.store.getRun(current.id)) ?? current;
      }
      ctx.emit('run:succeeded', {
        run: done,
        durationMs: finishedAt.getTime() - (done.startedAt ?? startedAt).getTime(),
      });
      await setLastRun(ctx, done, { lastRunStatus: 'succeeded' });
      const pending = children.filter((c) => c.status === 'pending' && c.leaseOwner === ctx.replicaId);
      // Chained runs recorded skipped, or found already present (a retried parent): reported as they are.
      const others = children.filter((c) => !pending.includes(c));
      if (others.length > 0) followUps.push(Promise.resolve(others));
      if (pending.length > 0) followUps.push(ctx.track(runChained(ctx, pending, followUps)));
      return done;
    }

    // Failed or timed out.
    const timedOut = outcome.kind === 'timeout';
    const error = toRunError(
      timedOut ? new JobTimeoutError(current.jobType, current.timeoutSeconds) : outcome.error,
    );
    const attemptStatus: AttemptStatus = timedOut ? 'timed_out' : 'failed';
    const retry = attemptNo < current.maxAttempts && !ctx.softStop.aborted;
    const attempts = withLastAttempt(current, attemptStatus, finishedAt, error);
    const finalStatus: RunStatus = timedOut ? 'timed_out' : 'failed';
    const written = await ctx.store.updateRun(
      current.id,
      retry
        ? { set: { attempts, error } }
        : { set: { status: finalStatus, finishedAt, attempts, error, leaseOwner: null } },
      fenced,
    );
    if (!written) {
      if (timedOut) await outcome.settled;
      ctx.emit('run:lease_lost', { run: current });
      return (await ctx.store.getRun(current.id)) ?? current;
    }
    current = written;
    if (!retry) {
      if (timedOut) ctx.emit('run:timed_out', { run: current });
      else ctx.emit('run:failed', { run: current, error });
      await setLastRun(ctx, current, { lastRunStatus: finalStatus });
      // The lock stays held until the handler settles, so executions never overlap.
      if (timedOut) await outcome.settled;
      return current;
    }
    const delayMs = backoffDelay(def, attemptNo, ctx.random);
    ctx.emit('run:retrying', { run: current, attempt: attemptNo, delayMs, error });
    if (timedOut) await outcome.settled;
    await ctx.clock.sleep(delayMs, ctx.softStop);
    if (ctx.softStop.aborted && !hb.lost && !ctx.shutdown.requeue) {
      // stop({ requeue: false }) while waiting to retry: the run ends failed; its remaining attempts are dropped.
      const error = toRunError(new ShutdownError({ requeue: false, during: 'wait' }));
      const ended = await ctx.store.updateRun(
        current.id,
        { set: { status: 'failed', finishedAt: new Date(ctx.clock.now()), error, leaseOwner: null } },
        fenced,
      );
      if (ended) {
        ctx.emit('run:failed', { run: ended, error });
        await setLastRun(ctx, ended, { lastRunStatus: 'failed' });
      }
      return ended ?? current;
    }
    if (ctx.softStop.aborted || hb.lost) {
      // Stopping: hand the remaining attempts to another replica.
      const handed = await ctx.store.updateRun(
        current.id,
        { set: { status: 'pending', leaseOwner: null } },
        fenced,
      );
      return handed ?? current;
    }
  }
}

/**
 * Inserts the chained runs of a successful run (its schedule's `chain`, in order: as of the start of its last
 * attempt when `known`, else read now). Each name resolves to a schedule (disabled: recorded as skipped) or else a
 * registered job type (empty parameters); an unknown name is recorded as skipped. Returns the chained run records
 * (new or already present).
 */
async function dispatchChain(ctx: EngineContext, parent: JobRun, known: string[] | null): Promise<JobRun[]> {
  if (!parent.jobName) return [];
  const names = known ?? (await ctx.store.getSchedule(parent.jobName))?.chain ?? [];
  if (names.length === 0) return [];
  const out: JobRun[] = [];
  for (const name of names) {
    const runKey = chainRunKey(parent.id, name);
    const target = await ctx.store.getSchedule(name);
    const def = ctx.jobs.get(target ? target.jobType : name);
    const base = {
      runKey,
      slot: parent.slot,
      trigger: 'chain' as const,
      parentRunId: parent.id,
      lockKey: jobLockKey(name),
    };
    const run = target
      ? newRun(ctx, {
          ...base,
          jobType: target.jobType,
          jobName: name,
          parameters: target.parameters,
          maxAttempts: target.maxAttempts ?? def?.maxAttempts ?? 3,
          timeoutSeconds: target.timeoutSeconds ?? def?.timeoutSeconds ?? 300,
          ...(target.isEnabled ? {} : { status: 'skipped' as const, result: { reason: 'disabled' } }),
        })
      : newRun(ctx, {
          ...base,
          jobType: name,
          jobName: null,
          parameters: {},
          maxAttempts: def?.maxAttempts ?? 1,
          timeoutSeconds: def?.timeoutSeconds ?? 300,
          ...(def ? {} : { status: 'skipped' as const, result: { reason: 'unknown_chain_target' } }),
        });
    if (await ctx.store.insertRun(run, { leaseForMs: ctx.lockTtlMs })) {
      out.push(run);
      if (run.status === 'skipped')
        ctx.emit('run:skipped', { run, reason: String((run.result as { reason: string }).reason) });
      else ctx.emit('run:created', { run });
    } else {
      const existing = await ctx.store.getRunByKey(runKey);
      if (existing) out.push(existing);
    }
  }
  return out;
}

/** Runs chained runs in list order, each under its own lock; a taken lock leaves the run pending for recovery. */
async function runChained(ctx: EngineContext, runs: JobRun[], followUps: FollowUps): Promise<JobRun[]> {
  const out: JobRun[] = [];
  for (const run of runs) {
    const lease = ctx.softStop.aborted
      ? null
      : await ctx.lock.acquire(run.lockKey, ctx.replicaId, ctx.lockTtlMs);
    if (!lease) {
      if (ctx.softStop.aborted) {
        out.push(await stopPending(ctx, run));
        continue;
      }
      ctx.emit('lock:contended', { key: run.lockKey, jobName: run.jobName });
      out.push((await releasePending(ctx, run)) ?? run);
      continue;
    }
    const [final] = await executeBatch(ctx, lease, [run], followUps);
    out.push(final ?? run);
  }
  return out;
}
