import type { CraftApp } from '../../types.js';
import { preview } from '../preview.js';
import { schemas } from './schema.js';

/**
 * `GET /jobs/cron/next-runs`: what a schedule with this expression and timezone would do, before it exists (the
 * dashboard's form previews as the user types). Invalid input is the same 400 a create would answer
 * (`CRAFT_SCHEDULER_INVALID_CRON` with field `cron_expression`, `CRAFT_SCHEDULER_INVALID_TIMEZONE` with field
 * `timezone`).
 */
export async function cronRoutes(app: CraftApp): Promise<void> {
  app.get(
    '/jobs/cron/next-runs',
    { schema: schemas.nextRuns, config: { auth: 'jobs:read' } },
    async (req) => {
      const { cron_expression, timezone, ...window } = req.query;
      return {
        cron_expression,
        ...preview(
          app,
          { cronExpression: cron_expression, timezone: timezone ?? app.scheduler.timezone },
          window,
        ),
      };
    },
  );
}
