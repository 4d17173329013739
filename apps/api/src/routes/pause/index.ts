import type { GlobalPauseState } from '@craft/scheduler';
import type { CraftApp } from '../../types.js';
import { actor } from '../actor.js';
import { noBodyIsEmpty } from '../manual-run.js';
import { schemas } from './schema.js';

/** The global pause as JSON. */
export function pauseView(state: GlobalPauseState) {
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

/** `GET /jobs/pause`, `POST /jobs/pause`, `POST /jobs/resume`: the global pause for incidents (spec section 10). */
export async function pauseRoutes(app: CraftApp): Promise<void> {
  const service = app.schedules;

  app.get('/jobs/pause', { schema: schemas.get, config: { auth: 'jobs:read' } }, async () =>
    pauseView(await service.pauseState()),
  );

  app.post(
    '/jobs/pause',
    {
      schema: schemas.pause,
      config: { auth: 'jobs:write', bodyOptional: true },
      preValidation: noBodyIsEmpty,
    },
    async (req) => pauseView(await service.pauseAll({ reason: req.body.reason ?? null, by: actor(req) })),
  );

  app.post(
    '/jobs/resume',
    {
      schema: schemas.resume,
      config: { auth: 'jobs:write', bodyOptional: true },
      preValidation: noBodyIsEmpty,
    },
    async (req) =>
      pauseView(await service.resumeAll({ catchUp: req.body.catch_up === true, by: actor(req) })),
  );
}
