// One attempt of a run: calls the handler with its signal and context, and races it against the attempt's timeout,
// the lease (its local deadline, or a renewal that found it taken over), a cancel request and a hard shutdown.
import { DONE, type EngineContext } from './engine.js';
import { JobTimeoutError, LeaseExpiredError, RunCancelledError, ShutdownError } from './errors.js';
import type { Heartbeat } from './heartbeat.js';
import { triggerLagMs } from './metrics/observer.js';
import type { JobRun } from './model.js';
import type { JobContext, JobDefinition } from './registry.js';
import { bindLogger, runLogFields } from './run-log.js';
import { startAttemptSpan } from './tracing/spans.js';
import type { AttemptOutcomeName, Logger } from './types.js';

/** `min(maxMs, baseMs * 2^(attempt-1))`, minus up to `jitter` of itself. */
export function backoffDelay(def: JobDefinition, attempt: number, random: () => number): number {
  const { baseMs, maxMs, jitter } = def.backoff;
  const raw = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(0, Math.round(raw * (1 - jitter * random())));
}

/** How an attempt ended; `settled` resolves when a handler that was aborted (or timed out) finally returns. */
export type AttemptOutcome =
  | { kind: 'ok'; value: unknown }
  | { kind: 'error'; error: unknown }
  | { kind: 'timeout'; settled: Promise<unknown> }
  | { kind: 'lease'; settled: Promise<unknown> }
  | { kind: 'shutdown'; settled: Promise<unknown> }
  | { kind: 'cancelled'; by: string | null; settled: Promise<unknown> };

/** The handler's logger: the scheduler's, bound to the run's fields (one stream; spec section 12). */
function runLogger(base: Logger, run: JobRun, attempt: number): Logger {
  return bindLogger(base, { ...runLogFields(run, attempt), jobName: run.jobName });
}

/** The name of an attempt's outcome (`attempt:finished`, the attempt span). */
function outcomeName(kind: AttemptOutcome['kind'] | undefined): AttemptOutcomeName {
  switch (kind) {
    case 'ok':
      return 'succeeded';
    case undefined:
    case 'error':
      return 'failed';
    case 'timeout':
      return 'timed_out';
    case 'lease':
      return 'lease_lost';
    default:
      return kind;
  }
}

/**
 * One attempt (see {@link attemptOnce}) inside its span (tracing/spans.ts: the handler's own spans nest under it;
 * free without OpenTelemetry), then `attempt:finished` with its outcome and duration.
 */
export async function runAttempt(
  ctx: EngineContext,
  def: JobDefinition,
  run: JobRun,
  attempt: number,
  hb: Heartbeat,
): Promise<AttemptOutcome> {
  const span = startAttemptSpan(run, attempt, triggerLagMs(run));
  const calledAt = ctx.clock.now();
  let outcome: AttemptOutcome | undefined;
  try {
    outcome = await span.run(() => attemptOnce(ctx, def, run, attempt, hb));
    return outcome;
  } finally {
    const name = outcomeName(outcome?.kind);
    span.end(name, outcome?.kind === 'error' ? outcome.error : undefined);
    ctx.emit('attempt:finished', { run, attempt, outcome: name, durationMs: ctx.clock.now() - calledAt });
  }
}

/** The context a handler receives for one attempt. */
function jobContext(
  ctx: EngineContext,
  run: JobRun,
  attempt: number,
  hb: Heartbeat,
  signal: AbortSignal,
): JobContext {
  return {
    signal,
    runId: run.id,
    attempt,
    scheduledAt: run.slot,
    jobName: run.jobName,
    jobType: run.jobType,
    idempotencyKey: run.runKey,
    get leaseDeadline() {
      return hb.deadlineDate();
    },
    leaseTimeLeftMs: () => hb.timeLeftMs(),
    logger: runLogger(ctx.logger, run, attempt),
    scheduler: ctx.self,
  };
}

/**
 * Runs the handler of `run`'s attempt `attempt` under the lease `hb`. Never throws: a handler's exception is the
 * `error` outcome. The handler's signal aborts on timeout (`JobTimeoutError`), on the lease's loss (`LeaseExpiredError`
 * at the local deadline, `LeaseLostError` when taken over), on a cancel request (`RunCancelledError`) and on a hard
 * shutdown (`ShutdownError`).
 */
async function attemptOnce(
  ctx: EngineContext,
  def: JobDefinition,
  run: JobRun,
  attempt: number,
  hb: Heartbeat,
): Promise<AttemptOutcome> {
  const controller = new AbortController();
  const lease = hb.signal;
  const onLost = () => controller.abort(lease.reason);
  const onHardStop = () => controller.abort(new ShutdownError({ requeue: ctx.shutdown.requeue }));
  lease.addEventListener('abort', onLost, { once: true });
  ctx.hardStop.addEventListener('abort', onHardStop, { once: true });
  if (lease.aborted) onLost();
  if (ctx.hardStop.aborted) onHardStop();
  // A cancel request seen by this replica (a lease renewal, or a cancel asked here) aborts the handler's signal.
  const unwatch = ctx.cancels.watch(run.id, (reason) => controller.abort(reason));
  const context = jobContext(ctx, run, attempt, hb, controller.signal);
  const settled: Promise<{ ok: true; value: unknown } | { ok: false; error: unknown }> = (async () => {
    // Never call a handler once the lease is gone (e.g. the start write was answered after the deadline).
    if (controller.signal.aborted) throw controller.signal.reason ?? new LeaseExpiredError(run.lockKey);
    return def.handler(run.parameters, context);
  })().then(
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
      if (reason instanceof RunCancelledError) return { kind: 'cancelled', by: reason.by, settled };
      return { kind: 'lease', settled };
    }
    return first.ok ? { kind: 'ok', value: first.value } : { kind: 'error', error: first.error };
  } finally {
    cancelTimer.abort(DONE);
    unwatch();
    lease.removeEventListener('abort', onLost);
    ctx.hardStop.removeEventListener('abort', onHardStop);
  }
}
