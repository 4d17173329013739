import {
  FINAL_STATUSES,
  type MetricDefinition,
  observeSchedulerMetrics,
  PAUSED_BY_LABELS,
  readSchedulerGauges,
  SCHEDULER_METRICS,
  type SchedulerGauges,
  type SchedulerMetricKey,
  SKIP_REASONS,
  TRIGGERS,
} from '@craft/scheduler';
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
  /**
   * How long one reading of the store gauges serves scrapes, in ms (every replica reads the same database, so a
   * few seconds of staleness cost nothing and several scrapers share one set of reads). @default 5000
   */
  gaugeCacheMs?: number;
}

type AnyMetric = Counter<string> | Histogram<string>;

/** Label sets of the bounded labels, created at 0 so `rate()`/`increase()` see a series before the first event. */
const ZERO_SERIES: Partial<Record<SchedulerMetricKey, Record<string, string>[]>> = {
  skippedSlots: SKIP_REASONS.map((reason) => ({ reason })),
  missedSlots: [{ outcome: 'run' }, { outcome: 'skipped' }],
  leaseLost: [{ reason: 'deadline' }, { reason: 'taken_over' }],
  claimConflicts: [{ reason: 'slot_taken' }, { reason: 'next_run_moved' }],
  recoveries: [{ from: 'running' }, { from: 'pending' }],
  cycles: [{ outcome: 'completed' }, { outcome: 'failed' }],
  contention: [{}],
};

/**
 * Prometheus metrics (names `craft_*`, the table `SCHEDULER_METRICS` of @craft/scheduler). Counters and histograms
 * count what THIS replica did, from the scheduler's events (`observeSchedulerMetrics`); the gauges read the shared
 * store (`readSchedulerGauges`, cached `gaugeCacheMs`), so every replica reports the same cluster-wide value.
 * Requires the scheduler plugin.
 */
async function metrics(app: FastifyInstance, options: MetricsPluginOptions): Promise<void> {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const replica = new Map<SchedulerMetricKey, AnyMetric>();
  for (const [key, d] of Object.entries(SCHEDULER_METRICS) as [SchedulerMetricKey, MetricDefinition][]) {
    if (d.source !== 'replica') continue;
    const common = { name: d.name, help: d.help, labelNames: [...d.labelNames], registers };
    const metric =
      d.kind === 'histogram'
        ? new Histogram({ ...common, buckets: [...(d.buckets ?? [])] })
        : new Counter(common);
    replica.set(key, metric);
    for (const labels of ZERO_SERIES[key] ?? []) {
      if (metric instanceof Counter) metric.inc(labels, 0);
    }
  }
  // Runs by status and trigger for every registered job type, at 0: a failure-rate ratio has its denominator.
  const runs = replica.get('runs') as Counter<string>;
  for (const job_type of app.scheduler.jobs.list().map((d) => d.type)) {
    for (const status of FINAL_STATUSES) {
      for (const trigger of TRIGGERS) runs.inc({ job_type, status, trigger }, 0);
    }
  }

  const engine = app.scheduler;
  const cacheMs = options.gaugeCacheMs ?? 5000;
  let cached: { at: number; value: Promise<SchedulerGauges> } | null = null;
  // One reading serves every gauge of a scrape (and scrapes within `cacheMs`); a failed read is not cached.
  const gauges = (): Promise<SchedulerGauges> => {
    const now = Date.now();
    if (cached && now - cached.at < cacheMs) return cached.value;
    const value = readSchedulerGauges({ store: engine.store, lock: engine.lock, clock: engine.clock });
    cached = { at: now, value };
    value.catch(() => {
      if (cached?.value === value) cached = null;
    });
    return value;
  };
  const gauge = (key: SchedulerMetricKey, collect: (this: Gauge<string>, g: SchedulerGauges) => void) => {
    const d = SCHEDULER_METRICS[key];
    new Gauge({
      name: d.name,
      help: d.help,
      labelNames: [...d.labelNames],
      registers,
      async collect() {
        collect.call(this, await gauges());
      },
    });
  };
  gauge('dueBacklog', function (g) {
    this.set(g.dueBacklog);
  });
  gauge('runsLive', function (g) {
    this.set({ status: 'pending' }, g.live.pending);
    this.set({ status: 'running' }, g.live.running);
  });
  gauge('oldestOverdue', function (g) {
    this.set(g.oldestOverdueSeconds);
  });
  gauge('paused', function (g) {
    for (const label of PAUSED_BY_LABELS) this.set({ paused_by: label }, g.pausedBy[label]);
  });
  gauge('globalPause', function (g) {
    this.set(g.globallyPaused ? 1 : 0);
  });

  observeSchedulerMetrics(engine, {
    inc: (key, labels, value) => (replica.get(key) as Counter<string> | undefined)?.inc(labels, value),
    observe: (key, labels, value) =>
      (replica.get(key) as Histogram<string> | undefined)?.observe(labels, value),
  });

  app.decorate('metrics', registry);
}

/** The metrics plugin (wrapped with `fastify-plugin`). */
export const metricsPlugin = fp(metrics, {
  name: '@craft/api-metrics',
  fastify: '5.x',
  dependencies: ['@craft/api-scheduler'],
});
