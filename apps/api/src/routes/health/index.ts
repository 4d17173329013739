import { ApiError } from '../../errors.js';
import type { CraftApp } from '../../types.js';
import { schemas } from './schema.js';

/** Open health checks: `GET /health` (liveness) and `GET /ready` (database reachable). */
export async function healthRoutes(app: CraftApp): Promise<void> {
  app.get('/health', { schema: schemas.health, config: { auth: 'public' }, logLevel: 'warn' }, async () => ({
    status: 'ok' as const,
  }));

  app.get('/ready', { schema: schemas.ready, config: { auth: 'public' }, logLevel: 'warn' }, async () => {
    if (app.draining) throw new ApiError('CRAFT_API_NOT_READY', 'Not ready: the service is shutting down');
    try {
      await app.storage.ping();
    } catch (error) {
      throw new ApiError(
        'CRAFT_API_NOT_READY',
        `Not ready: the ${app.storage.kind} database does not answer (${(error as Error).message})`,
        { cause: error },
      );
    }
    return {
      status: 'ready' as const,
      storage: app.storage.kind,
      scheduler: app.scheduler.running ? ('running' as const) : ('stopped' as const),
    };
  });
}
