// The library's metrics for users without the API (spec section 12): the scheduler's events turned into counter
// increments and histogram observations of SCHEDULER_METRICS, handed to a sink of the user's metrics library
// (prom-client, OpenTelemetry metrics, StatsD ...). @craft/api's /metrics is this observer with a prom-client sink.
import type { JobRun } from '../model.js';
import type { JobTypeLookup } from '../registry.js';
import type { SchedulerEventMap, SchedulerEventName } from '../types.js';
import {
  SCHEDULER_METRICS,
  type SchedulerMetricKey,
  skipReasonLabel,
  statusLabel,
  triggerLabel,
} from './definitions.js';

/** Label values of one observation (every label of the metric is given). */
export type MetricLabels = Record<string, string>;

/** Where {@link observeSchedulerMetrics} sends its observations. */
export interface MetricSink {
  /** Adds `value` to the counter `metric` (a key of `SCHEDULER_METRICS`) with these labels. */
  inc(metric: SchedulerMetricKey, labels: MetricLabels, value: number): void;
  /** Records `value` (seconds) in the histogram `metric` with these labels. */
  observe(metric: SchedulerMetricKey, labels: MetricLabels, value: number): void;
}

/** What the observer needs of a `JobScheduler`. */
export interface ObservedScheduler {
  on<K extends SchedulerEventName>(event: K, listener: (payload: SchedulerEventMap[K]) => void): () => void;
  readonly jobs: JobTypeLookup;
}

/** Triggers whose first start is measured as trigger lag: a slot the scheduler itself was due to start. */
const LAGGED = new Set(['schedule', 'catch_up']);

/**
 * The trigger lag of a run in ms: the start of its first attempt minus its due instant (`dueAt`, the slot plus its
 * jitter offset; the slot for records without one). Null for runs that are not a scheduler's slot (manual, chained
 * and backfilled runs) or not started.
 */
export function triggerLagMs(run: Pick<JobRun, 'trigger' | 'slot' | 'dueAt' | 'startedAt'>): number | null {
  if (!LAGGED.has(run.trigger) || !run.slot || !run.startedAt) return null;
  const due = run.dueAt ?? run.slot;
  return Math.max(0, run.startedAt.getTime() - due.getTime());
}

/** How many slots a skipped record stands for (a folded record counts every slot it folds). */
function slotsOf(run: JobRun): number {
  const r = run.result as { folded_slots?: unknown } | null;
  return r && typeof r.folded_slots === 'number' && r.folded_slots > 0 ? r.folded_slots : 1;
}

/**
 * Subscribes to `scheduler`'s events and reports the replica metrics of {@link SCHEDULER_METRICS} to `sink` (the
 * store gauges come from `readSchedulerGauges`). Returns a function that unsubscribes. Job types outside the
 * scheduler's registry are reported as `unregistered`, so every label stays bounded.
 */
export function observeSchedulerMetrics(scheduler: ObservedScheduler, sink: MetricSink): () => void {
  const jobType = (t: string) => (scheduler.jobs.get(t) ? t : 'unregistered');
  const offs: (() => void)[] = [];
  const on = <K extends SchedulerEventName>(event: K, fn: (p: SchedulerEventMap[K]) => void) =>
    offs.push(scheduler.on(event, fn));
  const final = (run: JobRun, status: string, ms?: number) => {
    sink.inc(
      'runs',
      { job_type: jobType(run.jobType), status: statusLabel(status), trigger: triggerLabel(run.trigger) },
      1,
    );
    let seconds: number | undefined;
    if (ms !== undefined) seconds = ms / 1000;
    else if (run.startedAt && run.finishedAt)
      seconds = (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000;
    if (seconds !== undefined && seconds >= 0) {
      sink.observe('runDuration', { job_type: jobType(run.jobType), status: statusLabel(status) }, seconds);
    }
  };
  on('run:succeeded', ({ run, durationMs }) => final(run, 'succeeded', durationMs));
  on('run:failed', ({ run }) => final(run, 'failed'));
  on('run:timed_out', ({ run }) => final(run, 'timed_out'));
  on('run:cancelled', ({ run }) => final(run, 'cancelled'));
  on('run:abandoned', ({ run, retried }) => {
    if (!retried) final(run, 'abandoned');
  });
  on('run:skipped', ({ run, reason }) => {
    const n = slotsOf(run);
    sink.inc(
      'runs',
      { job_type: jobType(run.jobType), status: 'skipped', trigger: triggerLabel(run.trigger) },
      1,
    );
    sink.inc('skippedSlots', { reason: skipReasonLabel(reason) }, n);
    if (run.trigger === 'catch_up') sink.inc('missedSlots', { outcome: 'skipped' }, n);
  });
  on('run:created', ({ run }) => {
    if (run.trigger === 'catch_up') sink.inc('missedSlots', { outcome: 'run' }, 1);
  });
  on('run:retrying', ({ run }) => sink.inc('retries', { job_type: jobType(run.jobType) }, 1));
  on('run:started', ({ run, attempt }) => {
    if (attempt !== 1) return;
    const lag = triggerLagMs(run);
    if (lag !== null) sink.observe('lag', { trigger: triggerLabel(run.trigger) }, lag / 1000);
  });
  on('attempt:finished', ({ run, outcome, durationMs }) =>
    sink.observe(
      'handlerDuration',
      { job_type: jobType(run.jobType), outcome },
      Math.max(0, durationMs) / 1000,
    ),
  );
  on('run:lease_lost', ({ reason }) => sink.inc('leaseLost', { reason }, 1));
  on('claim:conflict', ({ reason }) => sink.inc('claimConflicts', { reason }, 1));
  on('run:recovered', ({ previousStatus }) => sink.inc('recoveries', { from: previousStatus }, 1));
  on('lock:contended', () => sink.inc('contention', {}, 1));
  on('cycle:completed', ({ durationMs }) => {
    sink.inc('cycles', { outcome: 'completed' }, 1);
    sink.observe('cycleDuration', {}, durationMs / 1000);
  });
  on('cycle:failed', () => sink.inc('cycles', { outcome: 'failed' }, 1));
  return () => {
    for (const off of offs.splice(0)) off();
  };
}

export { SCHEDULER_METRICS };
