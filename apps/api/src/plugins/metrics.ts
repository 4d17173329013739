import type { JobRun } from '@craft/scheduler';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

declare module 'fastify' {
  interface FastifyInstance {
    /** The Prometheus registry `GET /metrics` exposes (one per app, never the global one). */
    metrics: Registry;
  }
}

/** Options of {@link metricsPlugin}. */
export interface MetricsPluginOptions {
  /** Also export Node.js process metrics (`process_*`, `nodejs_*`). @default true */
  processMetrics?: boolean;
}

const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
const LAG_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 86_400];

function seconds(run: JobRun, fallbackMs?: number): number | undefined {
  if (fallbackMs !== undefined) return fallbackMs / 1000;
  if (run.startedAt && run.finishedAt) return (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000;
  return undefined;
}

/**
 * Prometheus metrics fed by the scheduler's events (names `craft_*`). Counters count what THIS replica did;
 * the backlog and live-run gauges read the shared store at scrape time, so they are cluster-wide.
 * Requires the scheduler plugin.
 */
async function metrics(app: FastifyInstance, options: MetricsPluginOptions): Promise<void> {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const runs = new Counter({
    name: 'craft_runs_total',
    help: 'Runs that reached a final status in this replica, by job type and status',
    labelNames: ['job_type', 'status'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'craft_run_duration_seconds',
    help: 'Duration of finished runs (first attempt start to final status), by job type and status',
    labelNames: ['job_type', 'status'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const lag = new Histogram({
    name: 'craft_trigger_lag_seconds',
    help: 'Delay between a slot and the start of its run (scheduled and catch-up runs), by trigger',
    labelNames: ['trigger'] as const,
    buckets: LAG_BUCKETS,
    registers,
  });
  const retries = new Counter({
    name: 'craft_run_retries_total',
    help: 'Attempts that failed or timed out and were retried, by job type',
    labelNames: ['job_type'] as const,
    registers,
  });
  const contention = new Counter({
    name: 'craft_lock_contention_total',
    help: 'Times a job lock was held by another execution, so a schedule or run was deferred',
    registers,
  });
  const leaseLost = new Counter({
    name: 'craft_lease_lost_total',
    help: 'Runs whose lock lease this replica lost while the handler ran',
    registers,
  });
  const cycles = new Counter({
    name: 'craft_scheduler_cycles_total',
    help: 'Scheduler passes in this replica, by outcome',
    labelNames: ['outcome'] as const,
    registers,
  });
  const cycleDuration = new Histogram({
    name: 'craft_scheduler_cycle_duration_seconds',
    help: 'Time a scheduler pass took to claim due slots',
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers,
  });
  const store = app.scheduler.store;
  const clock = app.scheduler.clock;
  new Gauge({
    name: 'craft_due_backlog',
    help: 'Enabled schedules whose next_run_at has passed (or is missing) and are not claimed yet (cluster-wide)',
    registers,
    async collect() {
      this.set((await store.listDueSchedules(new Date(clock.now()), 10_000)).length);
    },
  });
  new Gauge({
    name: 'craft_runs_live',
    help: 'Runs pending or running, by status (cluster-wide)',
    labelNames: ['status'] as const,
    registers,
    async collect() {
      for (const status of ['pending', 'running'] as const) {
        this.set({ status }, await store.countRuns({ status: [status] }));
      }
    },
  });

  const final = (run: JobRun, status: string, ms?: number) => {
    runs.inc({ job_type: run.jobType, status });
    const s = seconds(run, ms);
    if (s !== undefined && s >= 0) duration.observe({ job_type: run.jobType, status }, s);
  };
  const s = app.scheduler;
  s.on('run:succeeded', ({ run, durationMs }) => final(run, 'succeeded', durationMs));
  s.on('run:failed', ({ run }) => final(run, 'failed'));
  s.on('run:timed_out', ({ run }) => final(run, 'timed_out'));
  s.on('run:cancelled', ({ run }) => final(run, 'cancelled'));
  s.on('run:skipped', ({ run }) => runs.inc({ job_type: run.jobType, status: 'skipped' }));
  s.on('run:abandoned', ({ run, retried }) => {
    if (!retried) final(run, 'abandoned');
  });
  s.on('run:retrying', ({ run }) => retries.inc({ job_type: run.jobType }));
  s.on('run:started', ({ run, attempt }) => {
    // Lag is the scheduler's delay in starting a due slot: backfilled (past) and chained slots are not measured.
    if (attempt !== 1 || !run.slot || (run.trigger !== 'schedule' && run.trigger !== 'catch_up')) return;
    const started = run.startedAt?.getTime() ?? clock.now();
    lag.observe({ trigger: run.trigger }, Math.max(0, (started - run.slot.getTime()) / 1000));
  });
  s.on('lock:contended', () => contention.inc());
  s.on('run:lease_lost', () => leaseLost.inc());
  s.on('cycle:completed', ({ durationMs }) => {
    cycles.inc({ outcome: 'completed' });
    cycleDuration.observe(durationMs / 1000);
  });
  s.on('cycle:failed', () => cycles.inc({ outcome: 'failed' }));

  app.decorate('metrics', registry);
}

/** The metrics plugin (wrapped with `fastify-plugin`). */
export const metricsPlugin = fp(metrics, {
  name: '@craft/api-metrics',
  fastify: '5.x',
  dependencies: ['@craft/api-scheduler'],
});
