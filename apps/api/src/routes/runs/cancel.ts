// `POST /jobs/runs/{run_id}/cancel` (spec section 10): a thin layer over `JobScheduler.cancelRun`. The request is
// recorded as the token's `sub` (`cancel_requested_by`; `api` for a token without one).
import type { CraftApp } from '../../types.js';
import { runView } from '../views.js';
import { runSchemas } from './schema.js';

/** The cancel route. */
export async function cancelRoute(app: CraftApp): Promise<void> {
  const schemas = runSchemas(app.scheduler.jobs.list().map((d) => d.type));
  app.post(
    '/jobs/runs/:run_id/cancel',
    { schema: schemas.cancel, config: { auth: 'jobs:run', idempotent: true } },
    async (req, reply) => {
      const run = await app.schedules.cancelRun(req.params.run_id, { by: req.principal?.subject ?? 'api' });
      // 200: cancelled now (or already); 202: the request is stored and the replica running it stops it.
      return reply
        .code(run.status === 'cancelled' ? 200 : 202)
        .header('location', `/jobs/runs/${run.id}`)
        .send(runView(run));
    },
  );
}
