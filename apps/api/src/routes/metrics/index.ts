import { Type } from 'typebox';
import type { CraftApp } from '../../types.js';
import { errorResponses } from '../schema.js';

/**
 * `GET /metrics` (Prometheus text format). Protected: a JWT with `jobs:read`, or the static `METRICS_TOKEN`
 * (for scrapers that cannot mint JWTs).
 */
export async function metricsRoutes(app: CraftApp): Promise<void> {
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['operations'],
        operationId: 'metrics',
        summary: 'Prometheus metrics (bearer JWT with jobs:read, or METRICS_TOKEN)',
        response: {
          200: {
            description: 'Prometheus text exposition format',
            content: { 'text/plain': { schema: Type.String() } },
          },
          ...errorResponses(),
        },
      },
      config: { auth: { scope: 'jobs:read', allowMetricsToken: true } },
      logLevel: 'warn',
    },
    async (_req, reply) => {
      const text = await app.metrics.metrics();
      return reply.type(app.metrics.contentType).send(text);
    },
  );
}
