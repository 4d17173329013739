import { schedulerOptions } from '@craft/runtime';
import {
  type Clock,
  HTTP_REQUEST_JOB,
  InvalidJobDefinitionError,
  type JobDefinition,
  JobRegistry,
  JobScheduler,
  type Logger,
  type ScheduleService,
} from '@craft/scheduler';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ApiConfig } from '../config.js';
import type { Storage } from '../storage.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The scheduling engine of this process. */
    scheduler: JobScheduler;
    /** Schedule management (`scheduler.schedules`): what the routes call. */
    schedules: ScheduleService;
    /** The storage in use. */
    storage: Storage;
    /** The resolved configuration. */
    apiConfig: ApiConfig;
    /** True once `close()` began: the scheduler drains and `/ready` answers 503. */
    readonly draining: boolean;
  }
}

/** Options of {@link schedulerPlugin}. */
export interface SchedulerPluginOptions {
  /** The configuration (timezone, lock TTL, poll interval, grace period). */
  config: ApiConfig;
  /** Where schedules, runs and locks live. */
  storage: Storage;
  /** The user's job types (from `CRAFT_JOBS`); the built-in ones are added. @default [] */
  jobs?: readonly JobDefinition[];
  /** Time source of the engine. @default systemClock */
  clock?: Clock | undefined;
  /** This replica's id. @default `<hostname>:<pid>:<random>` */
  replicaId?: string | undefined;
  /** Close the storage when the app closes. @default true */
  closeStorage?: boolean;
}

/**
 * Adapts pino to the scheduler's `(message, data)` logger shape. `child` is pino's: the lines about a run and a
 * handler's `context.logger` are pino children bound to the run's fields (`runId`, `schedule`, `slot`, `attempt`,
 * `jobType`), writing into the service's one log stream.
 */
export function schedulerLogger(log: FastifyBaseLogger): Logger {
  return {
    debug: (m, d) => log.debug(d ?? {}, m),
    info: (m, d) => log.info(d ?? {}, m),
    warn: (m, d) => log.warn(d ?? {}, m),
    error: (m, d) => log.error(d ?? {}, m),
    child: (bindings) => schedulerLogger(log.child(bindings)),
  };
}

/**
 * Creates the `JobScheduler` (user jobs over the scheduler's built-ins, `http_request` among them) and decorates the app
 * with it. On close: stops claiming, lets running jobs finish within `SHUTDOWN_GRACE_SECONDS`, then closes the
 * storage. Starting the loop is up to the caller (`startServer` does it after the startup pass).
 */
async function scheduler(app: FastifyInstance, options: SchedulerPluginOptions): Promise<void> {
  const { config, storage } = options;
  // http_request comes with the scheduler's built-ins. The API has always refused a user job of that name at
  // startup (rather than letting it shadow the webhook job), with the registry's duplicate message: kept as is.
  if (options.jobs?.some((d) => d.type === HTTP_REQUEST_JOB)) {
    throw new InvalidJobDefinitionError(`job type "${HTTP_REQUEST_JOB}" is registered twice.`);
  }
  const registry = new JobRegistry([...(options.jobs ?? [])] as JobDefinition<never>[]);
  const engine = new JobScheduler({
    store: storage.store,
    lock: storage.lock,
    registry,
    // The lease, the zone and the poll interval as the CLI derives them from the same settings.
    ...schedulerOptions(config),
    shutdownGraceMs: config.shutdownGraceSeconds * 1000,
    logger: schedulerLogger(app.log.child({ component: 'scheduler' })),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.replicaId ? { replicaId: options.replicaId } : {}),
  });
  app.decorate('scheduler', engine);
  app.decorate('schedules', engine.schedules);
  app.decorate('storage', storage);
  app.decorate('apiConfig', config);
  let draining = false;
  app.decorate('draining', { getter: () => draining });
  // preClose runs before in-flight requests finish, so `?wait=true` requests get their drained runs.
  app.addHook('preClose', async () => {
    draining = true;
    await engine.stop({ graceMs: config.shutdownGraceSeconds * 1000 });
  });
  app.addHook('onClose', async () => {
    if (options.closeStorage !== false) await storage.close();
  });
}

/** The scheduler plugin (wrapped with `fastify-plugin`: its decorators are visible to every route). */
export const schedulerPlugin = fp(scheduler, { name: '@craft/api-scheduler', fastify: '5.x' });
