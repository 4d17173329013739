// Manual runs (`runJob`, `runNow`): a run outside any slot (trigger `manual`), under the lock of its schedule
// (`job:<job_name>`) or of its bare job type (`job:<job_type>`), executed at once. A run-now of an `allow` schedule
// takes no lock (its run holds its own lease, own-lease.ts), so it is never refused for a running run, and a run-now
// never cancels anything, whatever the overlap policy.
import { type EngineContext, type FollowUps, newRun, settleAll } from './engine.js';
import {
  InvalidFieldError,
  InvalidParametersError,
  JobLockedError,
  LeaseExpiredError,
  SchedulerStoppedError,
} from './errors.js';
import { executeBatch, releaseLock } from './execute.js';
import { create } from './guarded-writes.js';
import { Heartbeat } from './heartbeat.js';
import {
  checkIdempotencyKey,
  checkSameManualRun,
  type IdempotencyOptions,
  type ManualRunRequest,
  manualRunKey,
  replayManualRun,
} from './idempotency.js';
import { type JobRun, jobLockKey } from './model.js';
import { executeOwnLease } from './own-lease.js';
import { checkParameters } from './registry.js';

/**
 * Per-run overrides of a manual run (`runJob`, `runNow`). They apply to that one run only (they are stored on its
 * record); the job type's defaults and the schedule are unchanged. With `idempotencyKey` the run's key is
 * `manual:<sha256 of [scope, key]>`, so a retry with the same key (and scope) starts nothing and answers the run
 * the first call started (`ManualRun.replayed`), whichever process asks; the same key for another job type,
 * schedule, parameters or overrides is an `IdempotencyKeyReusedError`.
 */
export interface RunOptions extends IdempotencyOptions {
  /**
   * Attempt budget of this run: an integer >= 1.
   * @default the schedule's `maxAttempts` (for `runNow`), else the job type's `maxAttempts`
   */
  maxAttempts?: number | undefined;
  /**
   * Timeout of each attempt of this run, in seconds: an integer >= 1.
   * @default the schedule's `timeoutSeconds` (for `runNow`), else the job type's `timeoutSeconds`
   */
  timeoutSeconds?: number | undefined;
}

/** The outcome of a manual run. */
export interface ManualRun {
  /** The run record as created (status `pending`). */
  run: JobRun;
  /** Resolves with the final record (including chained runs having finished). */
  done: Promise<JobRun>;
  /**
   * `true` when `RunOptions.idempotencyKey` named a run that already existed: `run` is that run (it may be running
   * elsewhere, or finished), nothing was started, and `done` resolves once the store shows it final.
   * @default undefined (a new run)
   */
  replayed?: boolean;
}

/** Checks the per-run overrides; throws `InvalidFieldError` (snake_case field) for a value that is not an integer >= 1. */
export function checkRunOptions(options: RunOptions): { maxAttempts?: number; timeoutSeconds?: number } {
  const out: { maxAttempts?: number; timeoutSeconds?: number } = {};
  const fields = [
    ['maxAttempts', 'max_attempts'],
    ['timeoutSeconds', 'timeout_seconds'],
  ] as const;
  for (const [key, field] of fields) {
    const value: unknown = options[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw new InvalidFieldError(field, value, 'an integer >= 1', {
        component: 'JobScheduler',
        noun: 'run option',
        fix: `Pass a whole number of ${key === 'maxAttempts' ? 'attempts' : 'seconds'}, or leave it out for the default.`,
      });
    }
    out[key] = value;
  }
  return out;
}

/** The fields of a manual run. */
export interface ManualRunFields {
  jobType: string;
  jobName: string | null;
  parameters: Record<string, unknown>;
  maxAttempts: number;
  timeoutSeconds: number;
  /** The run holds its own lease instead of a lock (a run-now of an `allow` schedule). @default false */
  ownLease?: boolean;
}

/** What identifies a manual run's request for idempotency (the options as given, after checking). */
export type ManualRunIdentity = IdempotencyOptions &
  Pick<ManualRunRequest, 'parameters' | 'maxAttempts' | 'timeoutSeconds'>;

/**
 * Takes the run's lock (`JobLockedError` when another execution holds it), records the run and executes it.
 * Nothing is recorded when it throws before the insert. With an idempotency key, an existing run of that key is
 * the answer (a retry: nothing starts), and the unique run key keeps two concurrent first calls from both
 * inserting a run.
 */
export async function startManualRun(
  ctx: EngineContext,
  f: ManualRunFields,
  identity: ManualRunIdentity,
): Promise<ManualRun> {
  if (ctx.softStop.aborted) throw new SchedulerStoppedError();
  const key = checkIdempotencyKey(identity.idempotencyKey);
  const runKey = key === undefined ? undefined : manualRunKey(identity.idempotencyScope ?? '', key);
  const request: ManualRunRequest = { ...identity, jobType: f.jobType, jobName: f.jobName };
  const existing = async (): Promise<ManualRun | null> => {
    const run = runKey === undefined ? null : await ctx.store.getRunByKey(runKey);
    if (!run) return null;
    checkSameManualRun(run, request);
    return replayManualRun(ctx.store, ctx.clock, ctx.hardStop, run);
  };
  const before = await existing();
  if (before) return before;
  const issues = checkParameters(ctx.jobs, f.jobType, f.parameters);
  if (issues.length > 0) throw new InvalidParametersError(f.jobType, issues);
  if (f.ownLease) return startOwnLeaseRun(ctx, f);
  const lockKey = jobLockKey(f.jobName ?? f.jobType);
  const basis = ctx.mono();
  const hb = new Heartbeat(ctx, lockKey, basis);
  let lease = null;
  try {
    lease = await hb.acquire(() => ctx.lock.acquire(lockKey, ctx.replicaId, ctx.lockTtlMs));
  } catch (error) {
    await hb.stop();
    throw error;
  }
  if (!lease) {
    await hb.stop();
    // A concurrent first call with the same key may hold the lock and have inserted the run by now.
    const raced = await existing();
    if (raced) return raced;
    throw new JobLockedError(lockKey);
  }
  hb.attach(lease, basis);
  try {
    const { ownLease: _lock, ...fields } = f;
    const run = newRun(ctx, {
      ...fields,
      ...(runKey === undefined ? {} : { runKey }),
      slot: null,
      trigger: 'manual',
      lockKey,
      fencingToken: lease.token,
    });
    const inserted = await create(ctx, hb, run);
    if (inserted === 'expired') throw new LeaseExpiredError(lockKey);
    if (!inserted) {
      // Only a keyed run can collide (a random id never does): another call inserted this key's run first.
      await releaseLock(ctx, hb);
      const raced = await existing();
      if (raced) return raced;
      throw new JobLockedError(lockKey);
    }
    ctx.emit('run:created', { run });
    const followUps: Promise<JobRun[]>[] = [];
    const collector: FollowUps = { push: (p) => followUps.push(p) };
    const batch = ctx.track(executeBatch(ctx, hb, [run], collector));
    const done = batch.then(async ([final]) => {
      await settleAll(followUps);
      return final ?? run;
    });
    return { run, done };
  } catch (error) {
    await releaseLock(ctx, hb);
    throw error;
  }
}

/** A manual run that holds its own lease: recorded (ours), then executed under its own heartbeat; no lock. */
async function startOwnLeaseRun(ctx: EngineContext, f: ManualRunFields): Promise<ManualRun> {
  const { ownLease: _own, ...fields } = f;
  const run = newRun(ctx, {
    ...fields,
    slot: null,
    trigger: 'manual',
    lockKey: jobLockKey(f.jobName ?? f.jobType),
    lease: 'own',
  });
  const basis = ctx.mono();
  // The insert goes through a heartbeat that holds nothing yet: it only bounds the call (and its retries).
  const insert = new Heartbeat(ctx, run.lockKey, basis);
  try {
    const inserted = await create(ctx, insert, run);
    if (inserted === 'expired') throw new LeaseExpiredError(run.lockKey);
  } finally {
    await insert.stop();
  }
  ctx.emit('run:created', { run });
  const followUps: Promise<JobRun[]>[] = [];
  const collector: FollowUps = { push: (p) => followUps.push(p) };
  const batch = ctx.track(executeOwnLease(ctx, run, basis, collector));
  const done = batch.then(async ([final]) => {
    await settleAll(followUps);
    return final ?? run;
  });
  return { run, done };
}
