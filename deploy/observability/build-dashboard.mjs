#!/usr/bin/env node
// Writes grafana-dashboard.json from the panel table below (`node deploy/observability/build-dashboard.mjs`), and
// with --table prints the README's table of panels and queries. Edit the table, run both, commit the results; a test
// (apps/api/test/observability-assets.test.ts) checks every metric named here against a real scrape and that the
// README lists every panel and query.
import { writeFileSync } from 'node:fs';

// Grafana's own variable syntax, not a template literal.
// biome-ignore lint/suspicious/noTemplateCurlyInString: a Grafana dashboard variable reference
const DS = { type: 'prometheus', uid: '${datasource}' };
const JOB = 'job_type=~"$job_type"';

/** [title, kind, unit, description, [expr, legend][]] rows, laid out left to right in rows of `w`. */
const PANELS = [
  [
    'Oldest overdue schedule',
    'stat',
    's',
    'Age of the oldest overdue enabled schedule nobody holds (0 = healthy). Above 5 min: no replica triggers (alert CraftSchedulerNotRunning).',
    [['max(craft_oldest_overdue_seconds)', 'overdue']],
  ],
  [
    'Global pause',
    'stat',
    'none',
    '1 while triggering is paused for every replica.',
    [['max(craft_scheduler_paused)', 'paused']],
  ],
  [
    'Due backlog',
    'stat',
    'none',
    'Enabled schedules due and not claimed yet (deferred ones included).',
    [['max(craft_due_backlog)', 'due']],
  ],
  [
    'Paused schedules by who paused them',
    'stat',
    'none',
    'Disabled schedules by paused_by (api, cli, code, sync, auto, unknown).',
    [['max by (paused_by) (craft_schedules_paused)', '{{paused_by}}']],
  ],
  [
    'Trigger lag p50 / p99',
    'timeseries',
    's',
    "Delay from a slot's due instant (slot + jitter) to its run's start, current slots (trigger schedule) and catch-up runs.",
    [
      [
        'histogram_quantile(0.5, sum by (le, trigger) (rate(craft_trigger_lag_seconds_bucket[5m])))',
        'p50 {{trigger}}',
      ],
      [
        'histogram_quantile(0.99, sum by (le, trigger) (rate(craft_trigger_lag_seconds_bucket[5m])))',
        'p99 {{trigger}}',
      ],
    ],
  ],
  [
    'Oldest overdue over time',
    'timeseries',
    's',
    'The "scheduler not running" signal over time.',
    [['max(craft_oldest_overdue_seconds)', 'oldest overdue']],
  ],
  [
    'Throughput by status',
    'timeseries',
    'ops',
    'Runs reaching a final status per second, all replicas.',
    [[`sum by (status) (rate(craft_runs_total{${JOB}}[5m]))`, '{{status}}']],
  ],
  [
    'Runs by trigger',
    'timeseries',
    'ops',
    'Runs started by the scheduler, catch-up, manual, chain and backfill triggers.',
    [[`sum by (trigger) (rate(craft_runs_total{status!="skipped",${JOB}}[5m]))`, '{{trigger}}']],
  ],
  [
    'Failures by job type',
    'timeseries',
    'ops',
    'Runs ending failed, timed out or abandoned.',
    [
      [
        `sum by (job_type, status) (rate(craft_runs_total{status=~"failed|timed_out|abandoned",${JOB}}[5m]))`,
        '{{job_type}} {{status}}',
      ],
    ],
  ],
  [
    'Failure ratio by job type',
    'timeseries',
    'percentunit',
    'Share of finished runs that failed (alert CraftRunFailureRateHigh above 25 %).',
    [
      [
        `sum by (job_type) (rate(craft_runs_total{status=~"failed|timed_out|abandoned",${JOB}}[15m])) / sum by (job_type) (rate(craft_runs_total{status=~"succeeded|failed|timed_out|abandoned",${JOB}}[15m]))`,
        '{{job_type}}',
      ],
    ],
  ],
  [
    'Handler duration p95 by job type',
    'timeseries',
    's',
    'One attempt of a handler, call to outcome.',
    [
      [
        `histogram_quantile(0.95, sum by (le, job_type) (rate(craft_handler_duration_seconds_bucket{${JOB}}[5m])))`,
        '{{job_type}}',
      ],
    ],
  ],
  [
    'Run duration p95 by job type',
    'timeseries',
    's',
    'First attempt start to final status (retries and backoff included).',
    [
      [
        `histogram_quantile(0.95, sum by (le, job_type) (rate(craft_run_duration_seconds_bucket{${JOB}}[5m])))`,
        '{{job_type}}',
      ],
    ],
  ],
  [
    'Retries by job type',
    'timeseries',
    'ops',
    'Attempts that failed or timed out and were retried.',
    [[`sum by (job_type) (rate(craft_run_retries_total{${JOB}}[5m]))`, '{{job_type}}']],
  ],
  [
    'Skipped slots by reason',
    'timeseries',
    'none',
    'Slots recorded skipped per hour (missed-run policy, catch-up window, overlap, global pause ...).',
    [['sum by (reason) (increase(craft_skipped_slots_total[1h]))', '{{reason}}']],
  ],
  [
    'Missed slots',
    'timeseries',
    'none',
    'Slots that passed unclaimed for longer than a poll interval, per hour: run as catch-up or skipped.',
    [['sum by (outcome) (increase(craft_missed_slots_total[1h]))', '{{outcome}}']],
  ],
  [
    'Lease losses, claim conflicts, recoveries',
    'timeseries',
    'none',
    'Per hour, all replicas: leases lost, claims that found another replica first, runs of dead replicas taken over.',
    [
      ['sum by (reason) (increase(craft_lease_lost_total[1h]))', 'lease lost {{reason}}'],
      ['sum by (reason) (increase(craft_claim_conflicts_total[1h]))', 'claim conflict {{reason}}'],
      ['sum by (from) (increase(craft_recoveries_total[1h]))', 'recovered from {{from}}'],
      ['sum(increase(craft_lock_contention_total[1h]))', 'lock contention'],
    ],
  ],
  [
    'Live runs',
    'timeseries',
    'none',
    'Runs pending and running, cluster-wide.',
    [['max by (status) (craft_runs_live)', '{{status}}']],
  ],
  [
    'Scheduler passes',
    'timeseries',
    's',
    'Passes per second by outcome, and the p99 time a pass takes to claim.',
    [
      ['sum by (outcome) (rate(craft_scheduler_cycles_total[5m]))', '{{outcome}} / s'],
      [
        'histogram_quantile(0.99, sum by (le) (rate(craft_scheduler_cycle_duration_seconds_bucket[5m])))',
        'p99 pass duration',
      ],
    ],
  ],
];

function panel([title, kind, unit, description, queries], i) {
  const stat = kind === 'stat';
  const w = stat ? 6 : 12;
  const statsBefore = PANELS.slice(0, i).filter((p) => p[1] === 'stat').length;
  const graphsBefore = i - statsBefore;
  const gridPos = stat
    ? { h: 4, w, x: (statsBefore % 4) * 6, y: 0 }
    : { h: 8, w, x: (graphsBefore % 2) * 12, y: 4 + Math.floor(graphsBefore / 2) * 8 };
  return {
    id: i + 1,
    type: kind,
    title,
    description,
    datasource: DS,
    gridPos,
    fieldConfig: { defaults: { unit }, overrides: [] },
    options: stat
      ? {
          reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
          colorMode: 'value',
          graphMode: 'area',
        }
      : {
          legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
          tooltip: { mode: 'multi', sort: 'desc' },
        },
    targets: queries.map(([expr, legendFormat], j) => ({
      datasource: DS,
      expr,
      legendFormat,
      refId: String.fromCharCode(65 + j),
    })),
  };
}

const dashboard = {
  uid: 'craft-scheduler',
  title: 'Craft Scheduler',
  description:
    'Trigger lag, throughput, failures, overdue schedules and per-job-type detail from @craft/api /metrics',
  tags: ['craft', 'scheduler'],
  timezone: 'browser',
  schemaVersion: 39,
  version: 1,
  editable: true,
  refresh: '30s',
  time: { from: 'now-6h', to: 'now' },
  templating: {
    list: [
      { name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Data source', current: {} },
      {
        name: 'job_type',
        type: 'query',
        label: 'Job type',
        datasource: DS,
        query: { query: 'label_values(craft_runs_total, job_type)', refId: 'job_type' },
        definition: 'label_values(craft_runs_total, job_type)',
        includeAll: true,
        multi: true,
        allValue: '.*',
        current: { text: 'All', value: '$__all' },
        refresh: 2,
      },
    ],
  },
  annotations: { list: [] },
  panels: PANELS.map(panel),
};

if (process.argv.includes('--table')) {
  const rows = ['| Panel | Query (PromQL) | What it shows |', '|---|---|---|'];
  for (const [title, , , description, queries] of PANELS) {
    const q = queries.map(([e]) => `\`${e.replaceAll('|', '\\|')}\``).join('<br>');
    rows.push(`| ${title} | ${q} | ${description.replaceAll('|', '\\|')} |`);
  }
  process.stdout.write(`${rows.join('\n')}\n`);
} else {
  const out = new URL('./grafana-dashboard.json', import.meta.url);
  writeFileSync(out, `${JSON.stringify(dashboard, null, 2)}\n`);
  process.stdout.write(`wrote ${out.pathname} (${PANELS.length} panels)\n`);
}
