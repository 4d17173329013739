/**
 * How schedules and runs are shown: `--json` uses the scheduler's record mappings (the snake_case field names of
 * the spec, ISO 8601 UTC dates), exactly what the REST API returns; people get tables and key/value blocks.
 * Loaded on use together with `@craft/scheduler`.
 */
import {
  type GlobalPauseState,
  type JobRun,
  type JobSchedule,
  type PreviewRun,
  type RunError,
  type RunStatus,
  recordDatesToJson,
  runToRecord,
  scheduleToRecord,
} from '@craft/scheduler';
import { formatTable, type Styler } from './output.js';
import { formatElapsed } from './progress.js';

/** A schedule as JSON: the record of spec section 1 (`job_name`, `cron_expression`, … `next_run_at`). */
export function scheduleJson(schedule: JobSchedule): Record<string, unknown> {
  return recordDatesToJson(scheduleToRecord(schedule)) as Record<string, unknown>;
}

function withoutStack(error: RunError | null): Omit<RunError, 'stack'> | null {
  if (!error) return null;
  const { stack: _stack, ...rest } = error;
  return rest;
}

/**
 * A run as JSON: its snake_case record with ISO dates. Stack traces stay in the database (as in the API's
 * responses); `--verbose` is not needed to read a run.
 */
export function runJson(run: JobRun): Record<string, unknown> {
  const record = runToRecord({
    ...run,
    error: withoutStack(run.error),
    attempts: run.attempts.map((a) => ({ ...a, error: withoutStack(a.error) })),
  });
  return recordDatesToJson(record) as Record<string, unknown>;
}

/** `2027-03-28T01:00:00.000Z` → `2027-03-28T01:00:00Z`; `-` for null. */
export function iso(date: Date | null): string {
  return date ? date.toISOString().replace('.000Z', 'Z') : '-';
}

/** Colours a run status: green success, red failure, yellow timeout or cancel, dim skipped. */
export function styleStatus(status: RunStatus | string, style: Styler): string {
  switch (status) {
    case 'succeeded':
      return style('green', status);
    case 'failed':
    case 'abandoned':
      return style('red', status);
    case 'timed_out':
    case 'cancelled':
      return style('yellow', status);
    case 'skipped':
      return style('dim', status);
    default:
      return style('cyan', status);
  }
}

function duration(run: JobRun): string {
  if (!run.startedAt) return '-';
  const end = run.finishedAt ?? run.updatedAt;
  return formatElapsed(end.getTime() - run.startedAt.getTime());
}

function shortText(text: string, max = 70): string {
  const line = text.replace(/\s*\n\s*/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function json(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

function keyValues(rows: readonly (readonly [string, string])[], style: Styler): string {
  const width = Math.max(...rows.map(([key]) => key.length));
  return rows.map(([key, value]) => `${style('bold', key.padEnd(width))}  ${value}`).join('\n');
}

/** A table of runs: id, schedule or job type, trigger, status, slot, duration, attempts and the error. */
export function runsTable(runs: readonly JobRun[], style: Styler): string {
  return formatTable(
    [
      { header: 'Run' },
      { header: 'Schedule / job type' },
      { header: 'Trigger' },
      { header: 'Status' },
      { header: 'Slot / created (UTC)' },
      { header: 'Took', alignRight: true },
      { header: 'Attempts', alignRight: true },
      { header: 'Error' },
    ],
    runs.map((run) => [
      run.id,
      run.jobName ?? run.jobType,
      run.trigger,
      styleStatus(run.status, style),
      iso(run.slot ?? run.createdAt),
      duration(run),
      `${run.attempts.length}/${run.maxAttempts}`,
      run.error ? shortText(run.error.message) : '',
    ]),
    style,
  );
}

/** One run in detail: its fields, its attempts and its result. */
export function runDetails(run: JobRun, style: Styler): string {
  const rows: [string, string][] = [
    ['Run', run.id],
    ['Job type', run.jobType],
    ['Schedule', run.jobName ?? '-'],
    ['Trigger', run.trigger + (run.parentRunId ? ` (after run ${run.parentRunId})` : '')],
    ['Status', styleStatus(run.status, style)],
    ['Slot', iso(run.slot)],
    ['Parameters', json(run.parameters)],
    ['Attempts', `${run.attempts.length} of at most ${run.maxAttempts}, ${run.timeoutSeconds} s each`],
    ['Started', iso(run.startedAt)],
    ['Finished', run.finishedAt ? `${iso(run.finishedAt)} (took ${duration(run)})` : '-'],
  ];
  if (run.status === 'succeeded' || run.status === 'skipped' || run.result !== null) {
    rows.push(['Result', json(run.result)]);
  }
  if (run.error) rows.push(['Error', `${run.error.name}: ${run.error.message}`]);
  if (run.cancelRequestedAt) {
    rows.push(['Cancel', `requested ${iso(run.cancelRequestedAt)} by ${run.cancelRequestedBy ?? 'unknown'}`]);
  }
  const parts = [keyValues(rows, style)];
  if (run.attempts.length > 1 || run.attempts.some((a) => a.error)) {
    parts.push(
      formatTable(
        [
          { header: '#', alignRight: true },
          { header: 'Attempt' },
          { header: 'Started (UTC)' },
          { header: 'Took', alignRight: true },
          { header: 'Error' },
        ],
        run.attempts.map((a) => [
          String(a.attempt),
          styleStatus(a.status, style),
          iso(a.startedAt),
          a.finishedAt ? formatElapsed(a.finishedAt.getTime() - a.startedAt.getTime()) : '-',
          a.error ? shortText(`${a.error.name}: ${a.error.message}`, 90) : '',
        ]),
        style,
      ),
    );
  }
  return parts.join('\n\n');
}

/** A table of schedules. */
export function schedulesTable(schedules: readonly JobSchedule[], style: Styler): string {
  return formatTable(
    [
      { header: 'Name' },
      { header: 'Cron' },
      { header: 'Zone' },
      { header: 'Job type' },
      { header: 'Enabled' },
      { header: 'Next run (UTC)' },
      { header: 'Last run (UTC)' },
      { header: 'Last status' },
    ],
    schedules.map((s) => [
      s.jobName,
      s.cronExpression,
      s.timezone ?? '-',
      s.jobType,
      s.isEnabled ? 'yes' : style('dim', 'no'),
      iso(s.nextRunAt),
      iso(s.lastRunAt),
      s.lastRunStatus ? styleStatus(s.lastRunStatus, style) : '-',
    ]),
    style,
  );
}

/** One schedule in detail; `description` is the English reading of its cron expression. */
export function scheduleDetails(
  s: JobSchedule,
  extra: { defaultTimezone: string; cronDescription: string | undefined; nextRuns: readonly PreviewRun[] },
  style: Styler,
): string {
  const orDefault = (value: number | null, unit = '') =>
    value === null ? "the job's default" : `${value}${unit}`;
  const rows: [string, string][] = [
    ['Name', s.jobName],
    ['Description', s.description ?? '-'],
    ['Cron', s.cronExpression + (extra.cronDescription ? `  (${extra.cronDescription})` : '')],
    ['Timezone', s.timezone ?? `${extra.defaultTimezone} (the scheduler's default)`],
    ['Job type', s.jobType],
    ['Parameters', json(s.parameters)],
    ['Enabled', s.isEnabled ? 'yes' : 'no'],
    ['Max attempts', orDefault(s.maxAttempts)],
    ['Timeout', orDefault(s.timeoutSeconds, ' s per attempt')],
    ['Chain', s.chain.length > 0 ? s.chain.join(' → ') : '-'],
    [
      'Missed runs',
      `${s.missedRunPolicy} (catch-up window: ${s.catchUpWindowSeconds === null ? 'none' : `${s.catchUpWindowSeconds} s`}, at most ${s.maxCatchUpRuns} catch-up runs)`,
    ],
    ['Overlap', s.overlapPolicy],
    [
      'DST',
      `gap: ${s.dstGap} (${s.dstGap === 'skip' ? 'a missing wall time is skipped that day' : 'a missing wall time runs at the end of the gap'}), overlap: ${s.dstOverlap}`,
    ],
    ['Jitter', s.jitterSeconds > 0 ? `up to ${s.jitterSeconds} s after each slot` : 'none'],
    [
      'Pause after',
      s.pauseAfterFailures === null
        ? 'never'
        : `${s.pauseAfterFailures} consecutive failures (now ${s.consecutiveFailures})`,
    ],
    ...(s.isEnabled
      ? []
      : ([
          [
            'Paused',
            `${s.pausedAt ? iso(s.pausedAt) : '-'} by ${s.pausedBy ?? '-'}${s.pausedReason ? `: ${s.pausedReason}` : ''}`,
          ],
        ] as [string, string][])),
    [
      'Next run',
      iso(s.nextRunAt) +
        (s.nextDueAt && s.nextRunAt && s.nextDueAt.getTime() !== s.nextRunAt.getTime()
          ? ` (starts ${iso(s.nextDueAt)})`
          : ''),
    ],
    [
      'Last run',
      s.lastRunAt
        ? `${iso(s.lastRunAt)} (${s.lastRunStatus ? styleStatus(s.lastRunStatus, style) : '-'})`
        : '-',
    ],
    ['Created', iso(s.createdAt)],
    ['Updated', iso(s.updatedAt) + (s.updatedBy ? ` by ${s.updatedBy}` : '')],
    ...(s.managedBy ? ([['Managed by', s.managedBy]] as [string, string][]) : []),
  ];
  const out = [keyValues(rows, style)];
  if (s.isEnabled && extra.nextRuns.length > 0) {
    out.push(
      `${style('bold', 'Upcoming runs (UTC)')}\n${extra.nextRuns.map((r) => `  ${previewLine(r, style)}`).join('\n')}`,
    );
  }
  return out.join('\n\n');
}

/**
 * One previewed run: its slot, and what sets it apart — a shifted slot (the wall time it stands for), a repeated
 * wall time (first / second occurrence), a jittered planned start.
 */
export function previewLine(r: PreviewRun, style: Styler): string {
  const notes: string[] = [];
  if (r.dst === 'shifted')
    notes.push(style('yellow', `shifted: stands for ${r.wallTime.replace('T', ' ')} (DST gap)`));
  if (r.dst === 'first' || r.dst === 'second') {
    notes.push(style('cyan', `${r.dst} occurrence of ${r.local.replace('T', ' ')} (DST overlap)`));
  }
  if (r.jitterMs > 0)
    notes.push(style('dim', `starts ${iso(r.dueAt)} (+${(r.jitterMs / 1000).toFixed(1)} s jitter)`));
  return `${iso(r.at)}${notes.length > 0 ? `  ${notes.join('; ')}` : ''}`;
}

/** The global pause, for `craft-jobs status`, `pause` and `resume`. */
export function pauseDetails(state: GlobalPauseState, style: Styler): string {
  const rows: [string, string][] = state.paused
    ? [
        ['Triggering', style('yellow', 'PAUSED on every replica (runs in flight finish)')],
        ['Since', iso(state.since)],
        ['By', state.by ?? '-'],
        ['Reason', state.reason ?? '-'],
      ]
    : [['Triggering', style('green', 'running')]];
  const last = state.windows[state.windows.length - 1];
  if (last) {
    rows.push([
      'Last pause',
      `${iso(last.from)} → ${iso(last.to)}${last.catchUp ? ' (resumed with catch-up)' : ' (slots in it recorded skipped: paused)'}`,
    ]);
  }
  return keyValues(rows, style);
}

/** The global pause as JSON (the REST API's shape). */
export function pauseJson(state: GlobalPauseState): Record<string, unknown> {
  return {
    paused: state.paused,
    reason: state.reason,
    paused_at: state.paused ? (state.since?.toISOString() ?? null) : null,
    paused_by: state.paused ? state.by : null,
    resumed_by: state.paused ? null : state.by,
    windows: state.windows.map((w) => ({
      from: w.from.toISOString(),
      to: w.to.toISOString(),
      catch_up: w.catchUp,
    })),
  };
}
