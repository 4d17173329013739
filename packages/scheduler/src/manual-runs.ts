// Manual runs (`runJob`, `runNow`): a run outside any slot (trigger `manual`), under the lock of its schedule
// (`job:<job_name>`) or of its bare job type (`job:<job_type>`), executed at once.
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
import { type JobRun, jobLockKey } from './model.js';
import { checkParameters } from './registry.js';

/**
 * Per-run overrides of a manual run (`runJob`, `runNow`). They apply to that one run only (they are stored on its
 * record); the job type's defaults and the schedule are unchanged.
 */
export interface RunOptions {
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
}

/**
 * Takes the run's lock (`JobLockedError` when another execution holds it), records the run and executes it.
 * Nothing is recorded when it throws before the insert.
 */
export async function startManualRun(ctx: EngineContext, f: ManualRunFields): Promise<ManualRun> {
  if (ctx.softStop.aborted) throw new SchedulerStoppedError();
  const issues = checkParameters(ctx.jobs, f.jobType, f.parameters);
  if (issues.length > 0) throw new InvalidParametersError(f.jobType, issues);
  const lockKey = jobLockKey(f.jobName ?? f.jobType);
  const basis = ctx.mono();
  const hb = new Heartbeat(ctx, lockKey, basis);
  let lease = null;
  try {
    lease = await hb.call('acquire', () => ctx.lock.acquire(lockKey, ctx.replicaId, ctx.lockTtlMs));
  } catch (error) {
    await hb.stop();
    throw error;
  }
  if (!lease) {
    await hb.stop();
    throw new JobLockedError(lockKey);
  }
  hb.attach(lease, basis);
  try {
    const run = newRun(ctx, { ...f, slot: null, trigger: 'manual', lockKey, fencingToken: lease.token });
    const inserted = await create(ctx, hb, run);
    if (inserted === 'expired') throw new LeaseExpiredError(lockKey);
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
