// The http_request job is a built-in of @craft/scheduler; re-exported so existing imports keep working.
export type { HttpRequestJobOptions, HttpRequestParams, HttpRequestResult } from '@craft/scheduler';
export { HTTP_REQUEST_JOB, HttpRequestParameters, httpRequestJob, MAX_RESULT_BODY } from '@craft/scheduler';
export type { BuildAppOptions } from './app.js';
export { buildApp, DASHBOARD_PREFIX, VERSION } from './app.js';
export type { ApiConfig, JwtAlgorithm, JwtVerification, LoadConfigOptions } from './config.js';
export {
  algorithmForKey,
  DEFAULT_LOCK_TTL_SECONDS,
  ENV_VARIABLES,
  loadConfig,
  MIN_SECRET_LENGTH,
} from './config.js';
export type { ApiErrorCode } from './errors.js';
export {
  API_ERROR_CODES,
  API_ERROR_STATUS,
  ApiError,
  AuthExpiredError,
  AuthInvalidError,
  AuthMissingError,
  ForbiddenError,
  HttpJobError,
  IdempotencyInProgressError,
  IdempotencyKeyReusedError,
  MethodNotAllowedError,
  PreconditionFailedError,
  RateLimitedError,
} from './errors.js';
export type {
  AuthMessages,
  AuthPluginOptions,
  AuthRequirement,
  Principal,
  Scope,
  TokenClaims,
} from './plugins/auth.js';
export { authPlugin, DEFAULT_AUTH_MESSAGES, SCOPES, scopesOf } from './plugins/auth.js';
export type { ErrorBody } from './plugins/errors.js';
export { errorsPlugin, toErrorBody } from './plugins/errors.js';
export type { EventStreamOptions, EventStreams } from './plugins/events.js';
export { eventsPlugin } from './plugins/events.js';
export type { HeldKey, IdempotencyPluginOptions } from './plugins/idempotency.js';
export {
  IDEMPOTENCY_HEADER,
  IDEMPOTENCY_TTL_MS,
  IdempotencyKeyHeaders,
  idempotencyPlugin,
  libraryIdempotency,
  REPLAYED_HEADER,
} from './plugins/idempotency.js';
export type { MetricsPluginOptions } from './plugins/metrics.js';
export { metricsPlugin } from './plugins/metrics.js';
export type { RateLimitPluginOptions } from './plugins/rate-limit.js';
export { rateLimitPlugin } from './plugins/rate-limit.js';
export type { SchedulerPluginOptions } from './plugins/scheduler.js';
export { schedulerLogger, schedulerPlugin } from './plugins/scheduler.js';
export type { SwaggerPluginOptions } from './plugins/swagger.js';
export { swaggerPlugin } from './plugins/swagger.js';
export type { RunningServer, StartServerOptions } from './server.js';
export { startServer } from './server.js';
export type { OpenStorageOptions, Storage } from './storage.js';
export { memoryStorage, openStorage } from './storage.js';
export type { CraftApp } from './types.js';
