// The scheduler's metrics (spec section 12): one table of names, kinds, help texts, label names and buckets, used by
// the library's observer (observer.ts: events → a sink of the user's metrics library) and by @craft/api's
// Prometheus endpoint, so the library and the service export the same series. Label values are bounded: the
// normalisers below map anything outside a known set to `other` (job types are bounded by the registry).

/** A counter, histogram or gauge of the scheduler. */
export interface MetricDefinition {
  /** Prometheus name (`craft_*`). */
  name: string;
  kind: 'counter' | 'histogram' | 'gauge';
  help: string;
  labelNames: readonly string[];
  /** Histogram bucket bounds, in seconds. */
  buckets?: readonly number[];
  /** Where the value comes from: `replica` (this process's events) or `store` (read from the database). */
  source: 'replica' | 'store';
}

const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
const LAG_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 86_400];

function def(d: MetricDefinition): MetricDefinition {
  return d;
}

/** Every metric of the scheduler, by key. */
export const SCHEDULER_METRICS = {
  runs: def({
    name: 'craft_runs_total',
    kind: 'counter',
    help: 'Runs that reached a final status in this replica (skipped slots included), by job type, status and trigger',
    labelNames: ['job_type', 'status', 'trigger'],
    source: 'replica',
  }),
  runDuration: def({
    name: 'craft_run_duration_seconds',
    kind: 'histogram',
    help: 'Duration of finished runs (first attempt start to final status), by job type and status',
    labelNames: ['job_type', 'status'],
    buckets: DURATION_BUCKETS,
    source: 'replica',
  }),
  handlerDuration: def({
    name: 'craft_handler_duration_seconds',
    kind: 'histogram',
    help: 'Duration of one attempt of a handler (call to outcome), by job type and outcome',
    labelNames: ['job_type', 'outcome'],
    buckets: DURATION_BUCKETS,
    source: 'replica',
  }),
  lag: def({
    name: 'craft_trigger_lag_seconds',
    kind: 'histogram',
    help: "Delay between a slot's due instant (slot + jitter) and the start of its run's first attempt, by trigger",
    labelNames: ['trigger'],
    buckets: LAG_BUCKETS,
    source: 'replica',
  }),
  retries: def({
    name: 'craft_run_retries_total',
    kind: 'counter',
    help: 'Attempts that failed or timed out and were retried, by job type',
    labelNames: ['job_type'],
    source: 'replica',
  }),
  skippedSlots: def({
    name: 'craft_skipped_slots_total',
    kind: 'counter',
    help: 'Slots recorded as skipped by this replica, by reason (a folded record counts every slot it stands for)',
    labelNames: ['reason'],
    source: 'replica',
  }),
  missedSlots: def({
    name: 'craft_missed_slots_total',
    kind: 'counter',
    help: 'Missed slots (passed more than a poll interval before their claim) this replica claimed, by outcome',
    labelNames: ['outcome'],
    source: 'replica',
  }),
  leaseLost: def({
    name: 'craft_lease_lost_total',
    kind: 'counter',
    help: 'Runs whose lease this replica lost (local deadline passed, or taken over), by reason',
    labelNames: ['reason'],
    source: 'replica',
  }),
  claimConflicts: def({
    name: 'craft_claim_conflicts_total',
    kind: 'counter',
    help: 'Claims that found another replica first (slot already recorded, next_run_at moved), by reason',
    labelNames: ['reason'],
    source: 'replica',
  }),
  recoveries: def({
    name: 'craft_recoveries_total',
    kind: 'counter',
    help: 'Runs with an expired lease this replica took over, by the status they were found in',
    labelNames: ['from'],
    source: 'replica',
  }),
  contention: def({
    name: 'craft_lock_contention_total',
    kind: 'counter',
    help: 'Times a job lock was held by another execution, so a schedule or run was deferred',
    labelNames: [],
    source: 'replica',
  }),
  cycles: def({
    name: 'craft_scheduler_cycles_total',
    kind: 'counter',
    help: 'Scheduler passes in this replica, by outcome',
    labelNames: ['outcome'],
    source: 'replica',
  }),
  cycleDuration: def({
    name: 'craft_scheduler_cycle_duration_seconds',
    kind: 'histogram',
    help: 'Time a scheduler pass took to claim due slots',
    labelNames: [],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    source: 'replica',
  }),
  dueBacklog: def({
    name: 'craft_due_backlog',
    kind: 'gauge',
    help: 'Enabled schedules whose due instant has passed (or whose next_run_at is missing), not claimed yet (cluster-wide)',
    labelNames: [],
    source: 'store',
  }),
  runsLive: def({
    name: 'craft_runs_live',
    kind: 'gauge',
    help: 'Runs pending or running, by status (cluster-wide)',
    labelNames: ['status'],
    source: 'store',
  }),
  oldestOverdue: def({
    name: 'craft_oldest_overdue_seconds',
    kind: 'gauge',
    help: 'Age of the oldest overdue enabled schedule whose lock is free and that has no live running run (0 when none, or while globally paused); rising means no replica is triggering',
    labelNames: [],
    source: 'store',
  }),
  paused: def({
    name: 'craft_schedules_paused',
    kind: 'gauge',
    help: 'Disabled schedules, by who paused them (api, cli, code, sync, auto, unknown) (cluster-wide)',
    labelNames: ['paused_by'],
    source: 'store',
  }),
  globalPause: def({
    name: 'craft_scheduler_paused',
    kind: 'gauge',
    help: '1 while triggering is paused for every replica (the global pause), else 0',
    labelNames: [],
    source: 'store',
  }),
} as const;

/** A key of {@link SCHEDULER_METRICS}. */
export type SchedulerMetricKey = keyof typeof SCHEDULER_METRICS;

/** Known skip reasons (spec sections 5 and 10); anything else is counted as `other`. */
export const SKIP_REASONS = [
  'policy_skip',
  'superseded',
  'max_catch_up_runs',
  'catch_up_window',
  'paused',
  'overlap',
  'disabled',
  'unknown_chain_target',
] as const;

/** Who paused a schedule, as a bounded label: the `paused_by` values the engine and its tools write. */
export const PAUSED_BY_LABELS = ['api', 'cli', 'code', 'sync', 'auto', 'unknown'] as const;

/** A value of {@link PAUSED_BY_LABELS}. */
export type PausedByLabel = (typeof PAUSED_BY_LABELS)[number];

/** Run statuses a final run can have (label `status` of `craft_runs_total`). */
export const FINAL_STATUSES = [
  'succeeded',
  'failed',
  'timed_out',
  'abandoned',
  'skipped',
  'cancelled',
] as const;

/** Run triggers (label `trigger`). */
export const TRIGGERS = ['schedule', 'catch_up', 'manual', 'chain', 'backfill'] as const;

function bounded<T extends string>(known: readonly T[], value: unknown): T | 'other' {
  return typeof value === 'string' && (known as readonly string[]).includes(value) ? (value as T) : 'other';
}

/** The label of a skip reason (`other` outside {@link SKIP_REASONS}). */
export function skipReasonLabel(reason: unknown): string {
  return bounded(SKIP_REASONS, reason);
}

/** The label of a trigger (`other` outside {@link TRIGGERS}). */
export function triggerLabel(trigger: unknown): string {
  return bounded(TRIGGERS, trigger);
}

/** The label of a final status (`other` outside {@link FINAL_STATUSES}). */
export function statusLabel(status: unknown): string {
  return bounded(FINAL_STATUSES, status);
}

/**
 * The label of a schedule's `pausedBy`: `auto` (paused itself), `cli`, `code` (the library's default actor), `sync`
 * (schedules as code), `unknown` (disabled with no actor recorded: created disabled by an older version, or written
 * straight into the database), and `api` for anything else — a token's `sub`, which is unbounded and never a label.
 */
export function pausedByLabel(pausedBy: string | null | undefined): PausedByLabel {
  if (pausedBy === null || pausedBy === undefined || pausedBy === '') return 'unknown';
  if (pausedBy === 'auto' || pausedBy === 'cli' || pausedBy === 'code' || pausedBy === 'sync')
    return pausedBy;
  return 'api';
}
