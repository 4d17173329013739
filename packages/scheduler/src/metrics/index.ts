export {
  FINAL_STATUSES,
  type MetricDefinition,
  PAUSED_BY_LABELS,
  type PausedByLabel,
  pausedByLabel,
  SCHEDULER_METRICS,
  type SchedulerMetricKey,
  SKIP_REASONS,
  skipReasonLabel,
  statusLabel,
  TRIGGERS,
  triggerLabel,
} from './definitions.js';
export { type GaugeOptions, type GaugeSources, readSchedulerGauges, type SchedulerGauges } from './gauges.js';
export {
  type MetricLabels,
  type MetricSink,
  type ObservedScheduler,
  observeSchedulerMetrics,
  triggerLagMs,
} from './observer.js';
