import type { CraftApp } from '../../types.js';
import { schemas } from './schema.js';

/** `GET /jobs/types`. */
export async function typeRoutes(app: CraftApp): Promise<void> {
  app.get('/jobs/types', { schema: schemas.list, config: { auth: 'jobs:read' } }, async () => ({
    items: app.schedules.listJobTypes().map((t) => ({
      job_type: t.type,
      description: t.description,
      max_attempts: t.maxAttempts,
      timeout_seconds: t.timeoutSeconds,
      backoff: { base_ms: t.backoff.baseMs, max_ms: t.backoff.maxMs, jitter: t.backoff.jitter },
      // A plain JSON copy: TypeBox schemas carry non-JSON metadata.
      parameters: t.parameters === null ? null : JSON.parse(JSON.stringify(t.parameters)),
    })),
  }));
}
