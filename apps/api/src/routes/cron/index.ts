import type { CraftApp } from '../../types.js';
import { preview } from '../preview.js';
import { schemas } from './schema.js';

/**
 * `GET /jobs/cron/next-runs`: what a schedule with this expression, timezone, DST choices and jitter would do,
 * before it exists (the dashboard's form previews as the user types). Invalid input is the same 400 a create would
 * answer (`CRAFT_SCHEDULER_INVALID_CRON` with field `cron_expression`, `CRAFT_SCHEDULER_INVALID_TIMEZONE` with field
 * `timezone`); jitter needs `job_name` (offsets are a function of the name and the slot).
 */
export async function cronRoutes(app: CraftApp): Promise<void> {
  app.get(
    '/jobs/cron/next-runs',
    { schema: schemas.nextRuns, config: { auth: 'jobs:read' } },
    async (req) => {
      const { cron_expression, timezone, dst_gap, dst_overlap, jitter_seconds, job_name, ...window } =
        req.query;
      return {
        cron_expression,
        ...preview(
          app,
          {
            cronExpression: cron_expression,
            timezone: timezone ?? null,
            dstGap: dst_gap,
            dstOverlap: dst_overlap,
            jitterSeconds: jitter_seconds,
            jobName: job_name,
          },
          window,
        ),
      };
    },
  );
}
