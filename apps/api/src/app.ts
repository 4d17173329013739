import { readFileSync } from 'node:fs';
import { dashboard } from '@craft/dashboard';
import {
  type Clock,
  type IdempotencyStore,
  isIdempotencyStore,
  type JobDefinition,
  type LockProvider,
  MemoryIdempotencyStore,
  type SchedulerStore,
} from '@craft/scheduler';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv, type Options as AjvOptions } from 'ajv';
import formatsModule from 'ajv-formats';
import Fastify, { type FastifyReply, type FastifyServerOptions } from 'fastify';
import { type ApiConfig, loadConfig } from './config.js';
import { ApiError } from './errors.js';
import { type AuthMessages, authPlugin } from './plugins/auth.js';
import { errorsPlugin, toErrorBody } from './plugins/errors.js';
import { type EventStreamOptions, eventsPlugin } from './plugins/events.js';
import { type IdempotencyPluginOptions, idempotencyPlugin } from './plugins/idempotency.js';
import { metricsPlugin } from './plugins/metrics.js';
import { rateLimitPlugin } from './plugins/rate-limit.js';
import { schedulerPlugin } from './plugins/scheduler.js';
import { swaggerPlugin } from './plugins/swagger.js';
import { cronRoutes } from './routes/cron/index.js';
import { eventRoutes } from './routes/events/index.js';
import { healthRoutes } from './routes/health/index.js';
import { metricsRoutes } from './routes/metrics/index.js';
import { pauseRoutes } from './routes/pause/index.js';
import { runRoutes } from './routes/runs/index.js';
import { scheduleRoutes } from './routes/schedules/index.js';
import { SHARED_SCHEMAS } from './routes/schema.js';
import { typeRoutes } from './routes/types/index.js';
import { memoryStorage, type Storage } from './storage.js';
import type { CraftApp } from './types.js';

/** The package version (shown in the OpenAPI document and the startup log). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Where the service serves the dashboard (`DASHBOARD_ENABLED=false` turns it off). */
export const DASHBOARD_PREFIX = '/ui';

/** Options of {@link buildApp}; everything is injectable so tests run without a network or a database. */
export interface BuildAppOptions {
  /**
   * Configuration overrides on top of {@link loadConfig}`({})` (the embedded defaults, with a generated
   * development secret). `startServer` passes the configuration read from the environment.
   * @default {}
   */
  config?: Partial<ApiConfig>;
  /** Where schedules, runs and locks live. @default in-memory storage (or `store` + `lock` when given) */
  storage?: Storage;
  /** A store to use with `lock` instead of `storage` (wrapped as an always-ready storage). */
  store?: SchedulerStore;
  /** The lock to use with `store`. */
  lock?: LockProvider;
  /** Time source of the engine (and of the default in-memory storage). @default systemClock */
  clock?: Clock;
  /** User job types (what a `CRAFT_JOBS` module exports); the scheduler's built-ins (`http_request` among them) are added. @default [] */
  jobs?: readonly JobDefinition[];
  /** This replica's id. @default `<hostname>:<pid>:<random>` */
  replicaId?: string;
  /** Fastify's logger option. @default pino at `config.logLevel` */
  logger?: FastifyServerOptions['logger'];
  /** Export Node.js process metrics on `/metrics`. @default true */
  processMetrics?: boolean;
  /** How long one reading of the store gauges of `/metrics` serves scrapes, in ms. @default 5000 */
  metricsGaugeCacheMs?: number;
  /**
   * Trace requests with @fastify/otel (spans go to the global tracer provider: `startServer` starts the
   * OpenTelemetry SDK when the OTEL_* variables ask for it, see telemetry.ts). @default false
   */
  tracing?: boolean;
  /** Serve Swagger UI at `/docs` (the JSON at `/docs/json` is always served). @default true */
  swaggerUi?: boolean;
  /** Overrides of the auth failure messages. @default the built-in messages */
  authMessages?: Partial<AuthMessages>;
  /**
   * Idempotency keys: where they live and their timings (tests shorten them). @default the storage's
   * `idempotency` (else the store when it implements `IdempotencyStore`, else this process's memory), 24 h, a 30 s
   * lease, a 5 s wait
   */
  idempotency?: Partial<IdempotencyPluginOptions>;
  /** Intervals of the event stream (`GET /jobs/events`): poll, settle, keep-alive, flush. @default see EventStreamOptions */
  events?: EventStreamOptions;
}

const addFormats = ((formatsModule as unknown as { default?: unknown }).default ?? formatsModule) as (
  ajv: Ajv,
  formats: string[],
) => Ajv;

function ajv(options: AjvOptions): Ajv {
  const instance = new Ajv({
    removeAdditional: false,
    useDefaults: true,
    allErrors: false,
    verbose: true,
    strict: false,
    ...options,
  });
  addFormats(instance, ['date-time', 'uri', 'email']);
  return instance;
}

/** Where idempotency keys live: the storage's (shared by every replica), else a process-local store (warned). */
function idempotencyStoreOf(storage: Storage, log: { warn(message: string): void }): IdempotencyStore {
  if (storage.idempotency) return storage.idempotency;
  if (isIdempotencyStore(storage.store)) return storage.store;
  log.warn(
    'the store does not implement IdempotencyStore: Idempotency-Key answers are kept in this process only ' +
      '(a retry reaching another replica is not recognised)',
  );
  return new MemoryIdempotencyStore();
}

/**
 * Builds the service (plugins, routes, scheduler) without listening or starting the scheduler loop: tests call
 * `app.inject()`, `startServer` listens. Resolves once every plugin is loaded.
 */
export async function buildApp(options: BuildAppOptions = {}): Promise<CraftApp> {
  const config: ApiConfig = { ...loadConfig({}), ...options.config };
  const storage =
    options.storage ??
    (options.store && options.lock
      ? { ...memoryStorage(options.clock), kind: 'memory' as const, store: options.store, lock: options.lock }
      : memoryStorage(options.clock));

  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel, redact: ['req.headers.authorization'] },
    bodyLimit: config.bodyLimit,
    // A path parameter the schema allows is never refused by the router: a 200-character job_name is at most
    // 200 × 12 characters percent-encoded (4 UTF-8 bytes per code point, 3 characters per byte).
    routerOptions: { maxParamLength: 4096 },
    requestIdHeader: 'x-request-id',
    // While draining, requests still get real answers (with `Connection: close`): /ready says 503, new runs are
    // refused with CRAFT_SCHEDULER_STOPPED, reads and schedule changes work until the database closes.
    return503OnClosing: false,
    // Errors Fastify raises before routing (a malformed URL) get the same error body as everything else.
    frameworkErrors: (error, request, reply) => {
      const body = toErrorBody(error, request.id);
      (reply as unknown as FastifyReply).code(body.statusCode).send(body);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Bodies are validated strictly (no type coercion; unknown fields are errors, never silently dropped);
  // query strings and path parameters are coerced from text.
  const bodyAjv = ajv({ coerceTypes: false });
  const textAjv = ajv({ coerceTypes: 'array' });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodyAjv : textAjv).compile(schema as object),
  );

  // An empty body with `Content-Type: application/json` (what many clients send on a bodiless POST) is no
  // body at all; everything else goes through Fastify's JSON parser (which refuses __proto__/constructor keys).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    // Whitespace alone is not JSON (schemathesis sends it as "invalid syntax"): only a truly empty body is none.
    if (text === '') return done(null, undefined);
    // A JSON `null` is not "no body": Fastify would validate it like an absent body and accept it where a
    // body is optional (found by schemathesis: tooling/fuzz). Every body this API takes is an object.
    if (text.trim() === 'null') {
      const error = new ApiError(
        'CRAFT_API_VALIDATION',
        'Request body: null is not an object; send an object or no body',
      );
      return done(error, undefined);
    }
    return parseJson(request, text, done);
  });
  // First, so every later hook and route is instrumented (loaded only when tracing is on).
  if (options.tracing) {
    const { FastifyOtelInstrumentation } = await import('@fastify/otel');
    await app.register(new FastifyOtelInstrumentation().plugin());
  }
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  await app.register(errorsPlugin);
  // Before auth: its onRequest hook runs first, so a flood of bad tokens is limited too (by IP).
  await app.register(rateLimitPlugin, {
    max: config.rateLimitMax,
    windowSeconds: config.rateLimitWindowSeconds,
  });
  await app.register(authPlugin, {
    verification: config.jwt,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    metricsToken: config.metricsToken,
    ...(options.authMessages ? { messages: options.authMessages } : {}),
  });
  await app.register(schedulerPlugin, {
    config,
    storage,
    jobs: options.jobs ?? [],
    clock: options.clock,
    replicaId: options.replicaId,
  });
  await app.register(idempotencyPlugin, {
    ...(config.testIdempotencyLeaseMs === undefined ? {} : { leaseMs: config.testIdempotencyLeaseMs }),
    ...options.idempotency,
    store: options.idempotency?.store ?? idempotencyStoreOf(storage, app.log),
  });
  await app.register(eventsPlugin, options.events ?? {});
  await app.register(metricsPlugin, {
    processMetrics: options.processMetrics ?? true,
    ...(options.metricsGaugeCacheMs === undefined ? {} : { gaugeCacheMs: options.metricsGaugeCacheMs }),
  });
  await app.register(swaggerPlugin, { version: VERSION, ui: options.swaggerUi ?? true });
  await app.register(healthRoutes);
  await app.register(metricsRoutes);
  await app.register(typeRoutes);
  await app.register(scheduleRoutes);
  await app.register(cronRoutes);
  await app.register(runRoutes);
  await app.register(eventRoutes);
  await app.register(pauseRoutes);
  // The dashboard's page and files are public (it signs in with a bearer token it sends to the API).
  if (config.dashboardEnabled) {
    await app.register(dashboard, { prefix: DASHBOARD_PREFIX, routeConfig: { auth: 'public' } });
  }
  await app.ready();
  return app;
}
