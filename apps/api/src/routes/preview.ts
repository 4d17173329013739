// The one computation behind both run previews: a stored schedule's (`GET /jobs/schedules/{job_name}/next-runs`)
// and a draft expression's (`GET /jobs/cron/next-runs`), so the two can never disagree.
import { CronError, describeCron, explainRuns } from '@craft/cron';
import { InvalidCronExpressionError, InvalidScheduleTimezoneError } from '@craft/scheduler';
import { Type } from 'typebox';
import { ApiError } from '../errors.js';
import type { CraftApp } from '../types.js';

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

/** The runs and skipped slots of a preview answer. */
export const PreviewFields = {
  description: Type.String({ description: 'The expression in words' }),
  timezone: Type.String({ description: 'The zone the expression is evaluated in' }),
  runs: Type.Array(
    Type.Object({
      at: Type.String({ format: 'date-time', description: 'The instant, UTC' }),
      local: Type.String({ description: 'Wall-clock time in the zone, YYYY-MM-DDTHH:mm' }),
      offset: Type.String({ description: 'UTC offset at that instant, e.g. +02:00' }),
    }),
  ),
  skipped: Type.Array(
    Type.Object({
      local: Type.String({ description: 'A matching wall time that does not exist (spring-forward gap)' }),
      reason: Type.String({ enum: ['dst-gap'] }),
      message: Type.String(),
    }),
    {
      description:
        'Matching wall times between the listed runs (or before until) that DST skips (never shifted)',
    },
  ),
};

/** What a preview answers (the fields of {@link PreviewFields}). */
export interface Preview {
  description: string;
  timezone: string;
  runs: { at: string; local: string; offset: string }[];
  skipped: { local: string; reason: string; message: string }[];
}

/**
 * Explains `cronExpression` in `timezone` over the window of `query`. Throws the scheduler's validation errors
 * (field `cron_expression` / `timezone`, or the names the caller gives) and a 400 when `until` is not after
 * `from`.
 */
export function preview(
  app: CraftApp,
  input: { cronExpression: string; timezone: string },
  query: { count: number; from?: string | undefined; until?: string | undefined },
  fields: { timezone?: string } = {},
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
  let explained: ReturnType<typeof explainRuns>;
  try {
    explained = explainRuns(input.cronExpression, {
      from,
      count: query.count,
      timezone: input.timezone,
      ...(until === undefined ? {} : { until }),
    });
  } catch (error) {
    if (error instanceof CronError && error.code === 'CRAFT_CRON_INVALID_TIMEZONE') {
      throw new InvalidScheduleTimezoneError(input.timezone, fields.timezone ?? 'timezone', error);
    }
    throw new InvalidCronExpressionError(input.cronExpression, error);
  }
  return {
    description,
    timezone: explained.timezone,
    runs: explained.runs.map((r) => ({ at: r.at.toISOString(), local: r.local, offset: r.offset })),
    skipped: explained.skipped.map((k) => ({ local: k.local, reason: k.reason, message: k.message })),
  };
}
