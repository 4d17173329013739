// Helpers of the fault suites: a job that records its executions (and whether two of the same run, or of the same
// schedule, ever overlapped) and honours its signal.
import { defineJob, type JobContext, type JobDefinition } from '../registry.js';
import type { Clock, RunUpdate, ScheduleCondition } from '../types.js';

/** One handler execution. */
export interface Execution {
  key: string;
  runId: string;
  attempt: number;
  replicaId: string;
  /** Fake time of the start and (once settled) the end. */
  startedAt: number;
  endedAt: number | null;
  /** The signal's reason, if it aborted. */
  abortedWith: unknown;
}

/** What a {@link trackedJob} saw. */
export interface ExecutionLog {
  executions: Execution[];
  /** Starts that found another execution of the same run, or of the same schedule (or job type), still running. */
  overlaps: string[];
  /** Executions still running. */
  running(): Execution[];
}

/**
 * A job that sleeps `ms(ctx)` of fake time (honouring its signal: it rejects with the signal's reason), recording
 * every execution with the replica that ran it.
 */
export function trackedJob(
  type: string,
  clock: Clock,
  log: ExecutionLog,
  ms: (ctx: JobContext) => number,
  extra: { maxAttempts?: number; timeoutSeconds?: number; ignoreSignal?: boolean; fail?: boolean } = {},
): JobDefinition {
  return defineJob({
    type,
    maxAttempts: extra.maxAttempts ?? 3,
    timeoutSeconds: extra.timeoutSeconds ?? 3600,
    handler: async (_p, ctx) => {
      const key = ctx.jobName ?? ctx.jobType;
      for (const e of log.running()) {
        if (e.runId === ctx.runId || e.key === key)
          log.overlaps.push(`${key}#${ctx.attempt} over ${e.key}#${e.attempt}`);
      }
      const e: Execution = {
        key,
        runId: ctx.runId,
        attempt: ctx.attempt,
        replicaId: (ctx.scheduler as { replicaId: string }).replicaId,
        startedAt: clock.now(),
        endedAt: null,
        abortedWith: null,
      };
      log.executions.push(e);
      const wait = extra.ignoreSignal ? undefined : ctx.signal;
      try {
        await clock.sleep(ms(ctx), wait);
        if (wait?.aborted) {
          e.abortedWith = wait.reason;
          throw wait.reason;
        }
        if (extra.fail) throw new Error(`${type} failed`);
        return { ok: true };
      } finally {
        e.endedAt = clock.now();
      }
    },
  }) as unknown as JobDefinition;
}

/** An empty {@link ExecutionLog}. */
export function executionLog(): ExecutionLog {
  const log: ExecutionLog = {
    executions: [],
    overlaps: [],
    running: () => log.executions.filter((e) => e.endedAt === null),
  };
  return log;
}

/** `when` of a fault rule: an `updateRun` whose `set.status` is `status`. */
export const runWriteOf =
  (status: string) =>
  (args: readonly unknown[]): boolean =>
    (args[1] as RunUpdate | undefined)?.set?.status === status;

/** `when` of a fault rule: an `updateSchedule` that writes `last_run_status: status`. */
export const lastRunWriteOf =
  (status: string) =>
  (args: readonly unknown[]): boolean =>
    (args[1] as { lastRunStatus?: string } | undefined)?.lastRunStatus === status &&
    (args[2] as ScheduleCondition | undefined)?.nextRunAt === undefined;

/** Lets the fake clock run in `step` ms increments until `until` (epoch ms), calling `each` after every step. */
export async function stepTo(
  clock: { now(): number; advance(ms: number): Promise<void> },
  until: number,
  step: number,
  each?: () => Promise<void>,
): Promise<void> {
  while (clock.now() < until) {
    await clock.advance(Math.min(step, until - clock.now()));
    await each?.();
  }
}
