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
    summary:
      'Preview a cron expression before saving it: its description and next runs (UTC and local) with the slots ' +
      'DST skips, validated as a schedule would be',
    querystring: CronNextRunsQuery,
    response: { 200: CronNextRuns, ...errorResponses(400) },
  },
};
