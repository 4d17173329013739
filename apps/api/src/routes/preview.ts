// The one computation behind both run previews: a stored schedule's (`GET /jobs/schedules/{job_name}/next-runs`)
// and a draft's (`GET /jobs/cron/next-runs`), so the two can never disagree. Both call the scheduler's
// `previewRuns` (through `ScheduleService.explain`), which the engine's own slot computation shares: DST choices,
// markers and jittered planned starts are the engine's.
import { DST_GAP_POLICIES, DST_OVERLAP_POLICIES, describeCron } from '@craft/cron';
import { InvalidCronExpressionError, type PreviewInput } from '@craft/scheduler';
import { Type } from 'typebox';
import { ApiError } from '../errors.js';
import type { CraftApp } from '../types.js';
import { nullable } from './schema.js';

/** Largest `count` of a preview: a month of an hourly schedule fits, a month of a minutely one does not. */
export const MAX_PREVIEW_RUNS = 1000;

/** The window of a preview: query fields shared by both preview routes. */
export const PreviewWindowFields = {
  count: Type.Integer({
    minimum: 1,
    maximum: MAX_PREVIEW_RUNS,
    default: 10,
    description: `How many runs at most (1–${MAX_PREVIEW_RUNS})`,
  }),
  from: Type.Optional(
    Type.String({
      format: 'date-time',
      description: 'Start of the preview, inclusive (default: strictly after now)',
    }),
  ),
  until: Type.Optional(
    Type.String({
      format: 'date-time',
      description:
        'End of the preview, exclusive: runs before it, at most count (e.g. a month view: from and until a ' +
        'month apart, count 1000)',
    }),
  ),
};

/** The runs and DST notes of a preview answer. */
export const PreviewFields = {
  description: Type.String({ description: 'The expression in words' }),
  timezone: Type.String({ description: 'The zone the expression is evaluated in' }),
  dst_gap: Type.Enum([...DST_GAP_POLICIES], { description: 'The DST gap choice the preview used' }),
  dst_overlap: Type.Enum([...DST_OVERLAP_POLICIES], {
    description: 'The DST overlap choice the preview used',
  }),
  jitter_seconds: Type.Integer({ description: 'The jitter the preview used (0: runs start at their slot)' }),
  runs: Type.Array(
    Type.Object({
      at: Type.String({ format: 'date-time', description: 'The slot, UTC (the run key’s instant)' }),
      local: Type.String({ description: 'Wall-clock time in the zone at the slot, YYYY-MM-DDTHH:mm' }),
      offset: Type.String({ description: 'UTC offset at that instant, e.g. +02:00' }),
      wall_time: Type.String({
        description: 'The wall time the expression intended (differs from local for a shifted slot)',
      }),
      dst: nullable<string>({
        type: 'string',
        enum: ['shifted', 'first', 'second', null],
        description:
          'shifted: the first instant after a spring-forward gap stands for missing wall times; first/second: ' +
          'this wall time occurs twice (both are listed under dst_overlap both); null: an ordinary slot',
      }),
      due_at: Type.String({
        format: 'date-time',
        description: 'The planned start: the slot plus its jitter offset (equal to at without jitter)',
      }),
      jitter_ms: Type.Integer({ description: 'The jitter offset of this slot, in ms' }),
    }),
  ),
  skipped: Type.Array(
    Type.Object({
      local: Type.String({ description: 'A matching wall time that does not exist (spring-forward gap)' }),
      reason: Type.String({ enum: ['dst-gap'] }),
      message: Type.String(),
    }),
    {
      description: 'Matching wall times in the window that a spring-forward gap skips (dst_gap skip)',
    },
  ),
  shifted: Type.Array(
    Type.Object({
      local: Type.String({ description: 'A matching wall time that does not exist (spring-forward gap)' }),
      reason: Type.String({ enum: ['dst-gap'] }),
      at: Type.String({ format: 'date-time', description: 'The run that stands for it: the end of the gap' }),
      run_local: Type.String({ description: 'Wall time of that run' }),
      message: Type.String(),
    }),
    { description: 'Matching wall times a gap moves to its end (dst_gap shift), with the run they become' },
  ),
};

/** What a preview answers (the fields of {@link PreviewFields}). */
export interface Preview {
  description: string;
  timezone: string;
  dst_gap: 'skip' | 'shift';
  dst_overlap: 'first' | 'last' | 'both';
  jitter_seconds: number;
  runs: {
    at: string;
    local: string;
    offset: string;
    wall_time: string;
    dst: string | null;
    due_at: string;
    jitter_ms: number;
  }[];
  skipped: { local: string; reason: string; message: string }[];
  shifted: { local: string; reason: string; at: string; run_local: string; message: string }[];
}

/**
 * Previews `input` over the window of `query`. Throws the scheduler's validation errors (field `cron_expression`,
 * `timezone`, `dst_gap`, `dst_overlap`, `jitter_seconds`, `job_name`) and a 400 when `until` is not after `from`.
 */
export function preview(
  app: CraftApp,
  input: PreviewInput,
  query: { count: number; from?: string | undefined; until?: string | undefined },
): Preview {
  // `from` is inclusive; without it the preview starts strictly after now, as next_run_at does.
  const from = query.from === undefined ? app.scheduler.clock.now() + 1 : Date.parse(query.from);
  const until = query.until === undefined ? undefined : Date.parse(query.until);
  if (until !== undefined && until <= from) {
    throw new ApiError(
      'CRAFT_API_VALIDATION',
      `Request query: "until" (${query.until}) must be after the start of the preview (${new Date(from).toISOString()})`,
      { field: 'until' },
    );
  }
  let description: string;
  try {
    description = describeCron(input.cronExpression);
  } catch (error) {
    throw new InvalidCronExpressionError(input.cronExpression, error);
  }
  const p = app.schedules.explain(input, {
    from,
    count: query.count,
    ...(until === undefined ? {} : { until }),
  });
  return {
    description,
    timezone: p.timezone,
    dst_gap: p.dstGap,
    dst_overlap: p.dstOverlap,
    jitter_seconds: p.jitterSeconds,
    runs: p.runs.map((r) => ({
      at: r.at.toISOString(),
      local: r.local,
      offset: r.offset,
      wall_time: r.wallTime,
      dst: r.dst,
      due_at: r.dueAt.toISOString(),
      jitter_ms: r.jitterMs,
    })),
    skipped: p.skipped.map((k) => ({ local: k.local, reason: k.reason, message: k.message })),
    shifted: p.shifted.map((k) => ({
      local: k.local,
      reason: k.reason,
      at: k.at.toISOString(),
      run_local: k.runLocal,
      message: k.message,
    })),
  };
}
