import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { decorateOpenApi } from '../openapi.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route's body schema describes an optional body (the route treats no body as `{}`): the OpenAPI
     * document then says `requestBody.required: false` (`@fastify/swagger` always says true).
     * @default false
     */
    bodyOptional?: boolean;
  }
}

/** Options of {@link swaggerPlugin}. */
export interface SwaggerPluginOptions {
  /** The version shown in the document. */
  version: string;
  /** Serve the Swagger UI at `/docs` (the JSON document is at `/docs/json` either way). @default true */
  ui?: boolean;
}

/**
 * The OpenAPI 3.1 document generated from the routes' TypeBox schemas (`@fastify/swagger`), served with Swagger
 * UI at `/docs` and as JSON at `/docs/json` (both public). Register it before the routes.
 */
async function swagger(app: FastifyInstance, options: SwaggerPluginOptions): Promise<void> {
  // Operations (`post /jobs/run/{job_type}`) whose route config says `bodyOptional`, found by `transform`.
  const optionalBodies = new Set<string>();
  await app.register(fastifySwagger, {
    // Shared schemas become components named by their $id (Schedule, Run, ErrorBody).
    // A query parameter with a default is optional (validation fills the default in), so the document must not
    // mark it required; TypeBox lists every non-Optional property as required (found by schemathesis).
    transform: ({ schema, url, route }) => {
      if (route.config?.bodyOptional) {
        const path = url.replace(/:(\w+)/g, '{$1}');
        for (const method of [route.method].flat()) optionalBodies.add(`${method.toLowerCase()} ${path}`);
      }
      return { schema: withOptionalDefaults(schema), url };
    },
    transformObject: (document) => {
      // This plugin generates OpenAPI (never Swagger 2.0), so the document is `openapiObject`.
      const { openapiObject } = document as Extract<typeof document, { openapiObject: unknown }>;
      for (const [path, ops] of Object.entries(openapiObject.paths ?? {})) {
        for (const [method, op] of Object.entries(ops ?? {})) {
          const body = (op as { requestBody?: { required?: boolean } } | undefined)?.requestBody;
          if (body && optionalBodies.has(`${method} ${path}`)) body.required = false;
        }
      }
      // The registered job types' parameter schemas (plain JSON copies), when the scheduler is there.
      const types = app.hasDecorator('schedules') ? app.schedules.listJobTypes() : [];
      const parameterSchemas = Object.fromEntries(
        types.map((t) => [t.type, t.parameters === null ? null : JSON.parse(JSON.stringify(t.parameters))]),
      );
      decorateOpenApi(openapiObject as Parameters<typeof decorateOpenApi>[0], parameterSchemas);
      return openapiObject;
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Craft Scheduler API',
        description:
          'Schedules (cron in any IANA timezone, ISO weekdays 0 = Monday), runs and the scheduler. Every route ' +
          'but /health, /ready and /docs needs "Authorization: Bearer <JWT>"; the role list of a security ' +
          'requirement names the scope it needs (jobs:read, jobs:write or jobs:run). POSTs that create or trigger ' +
          'take an Idempotency-Key (retries are answered once, for 24 h); schedule answers carry an ETag (the ' +
          'version) that PUT, PATCH, DELETE, enable and disable take as If-Match (412 when it changed). Requests are ' +
          'rate limited per token subject (429 with Retry-After; RateLimit-* headers). Constraints no schema can ' +
          'express are checked by the server and answered 400 with a code: a cron expression that does not parse ' +
          "or never fires, an unknown timezone, parameters that fail the job type's own schema, chain names that " +
          'name nothing or form a cycle, a job_name in a PUT body that differs from the path, timeout_seconds of ' +
          'check-schedules without wait=true; a name that exists is 409.',
        version: options.version,
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      tags: [
        { name: 'schedules', description: 'Create, read, change and preview schedules' },
        { name: 'runs', description: 'Trigger runs and read run history' },
        { name: 'events', description: 'Run and schedule events as they happen (Server-Sent Events)' },
        { name: 'jobs', description: 'Registered job types' },
        { name: 'pause', description: 'The global pause for incidents: stop triggering on every replica' },
        { name: 'operations', description: 'Health, readiness and metrics' },
      ],
    },
  });
  if (options.ui !== false) {
    await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true, logLevel: 'warn' });
  } else {
    app.get('/docs/json', { schema: { hide: true }, config: { auth: 'public' } }, async () => app.swagger());
  }
}

/** A copy of a route schema whose querystring no longer requires the properties that have a default. */
function withOptionalDefaults<S>(schema: S): S {
  const qs = (
    schema as { querystring?: { required?: string[]; properties?: Record<string, object> } } | undefined
  )?.querystring;
  if (!qs?.required || !qs.properties) return schema;
  const props = qs.properties;
  const required = qs.required.filter((name) => !(props[name] && 'default' in props[name]));
  return { ...schema, querystring: { ...qs, required } };
}

/** The OpenAPI plugin (wrapped with `fastify-plugin` so it sees every route). */
export const swaggerPlugin = fp(swagger, { name: '@craft/api-swagger', fastify: '5.x' });
