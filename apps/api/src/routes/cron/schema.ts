import { DST_GAP_POLICIES, DST_OVERLAP_POLICIES } from '@craft/cron';
import { MAX_JITTER_SECONDS } from '@craft/scheduler';
import { Type } from 'typebox';
import { PreviewFields, PreviewWindowFields } from '../preview.js';
import { errorResponses } from '../schema.js';

/** `GET /jobs/cron/next-runs` query: a draft expression (not stored) and the preview window. */
export const CronNextRunsQuery = Type.Object(
  {
    cron_expression: Type.String({
      minLength: 1,
      maxLength: 256,
      description: '5-field cron: minute hour day-of-month month day-of-week (0 = Monday … 6 = Sunday)',
      examples: ['30 2 * 3 6'],
    }),
    timezone: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description:
          "IANA zone; omitted: the scheduler's (SCHEDULER_TIMEZONE), as for a schedule without one",
      }),
    ),
    dst_gap: Type.Optional(
      Type.Enum([...DST_GAP_POLICIES], { description: 'As the schedule field (default skip)' }),
    ),
    dst_overlap: Type.Optional(
      Type.Enum([...DST_OVERLAP_POLICIES], { description: 'As the schedule field (default first)' }),
    ),
    jitter_seconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_JITTER_SECONDS,
        description: 'As the schedule field (default 0); needs job_name',
      }),
    ),
    job_name: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: "The schedule's name: jitter offsets are a function of the name and the slot",
      }),
    ),
    ...PreviewWindowFields,
  },
  { additionalProperties: false },
);

/** `GET /jobs/cron/next-runs` answer. */
export const CronNextRuns = Type.Object({
  cron_expression: Type.String(),
  ...PreviewFields,
});

/** Route schemas of the cron preview. */
export const schemas = {
  nextRuns: {
    tags: ['schedules'],
    operationId: 'previewCron',
    summary:
      'Preview a cron expression before saving it: its description and next runs (UTC and local) with DST ' +
      'markers, the wall times a gap skips or shifts, and jittered planned starts, validated as a schedule would be',
    querystring: CronNextRunsQuery,
    response: { 200: CronNextRuns, ...errorResponses(400) },
  },
};
