/**
 * Wiring, not logic: resolves the settings, loads the user's jobs module and opens the storage with
 * `@craft/runtime` (the same resolver, loader and opener the API uses: one environment, one database, one lease),
 * and builds one `JobScheduler` over them. Commands call the scheduler's own methods on the result.
 *
 * This module imports `@craft/scheduler`; commands load it with `import()` on use, so `--help` and the `cron`
 * commands never pay for it. `@craft/mongo` (and the driver) is loaded only when a database is configured.
 */
import { hostname } from 'node:os';
import { loadJobs, openStorage, schedulerOptions } from '@craft/runtime';
import {
  attachEventLog,
  builtinJobs,
  isEventLogStore,
  type JobDefinition,
  JobRegistry,
  JobScheduler,
  type JobTypeLookup,
  type Logger,
  layeredJobs,
} from '@craft/scheduler';
import { type CommandContext, configFor, type GlobalArgs } from './command.js';
import type { ConfigResolver } from './config.js';
import { NoDatabaseError } from './errors.js';
import { PROGRAM } from './report.js';

/** The settings flags every database command accepts (`undefined`: not given). */
export interface EngineFlags {
  /** `--mongodb-uri`. */
  mongodbUri?: string | undefined;
  /** `--mongodb-db`. */
  mongodbDb?: string | undefined;
  /** `--jobs`. */
  jobs?: string | undefined;
  /** `--lock-ttl-seconds`. */
  lockTtlSeconds?: string | undefined;
  /** `--poll-interval-seconds`. */
  pollIntervalSeconds?: string | undefined;
}

/** The user's job types, loaded before any connection is made. */
export interface JobSetup {
  /** The settings. */
  config: ConfigResolver;
  /** Where the jobs module came from, for `--verbose` (`CRAFT_JOBS: /srv/jobs.js`), or undefined without one. */
  origin: string | undefined;
  /** The definitions of the jobs module (empty without one). */
  userJobs: readonly JobDefinition[];
  /** The user's jobs over the built-in ones: what the scheduler will know. */
  jobs: JobTypeLookup;
}

/** Where the data lives. */
export type DatabaseInfo = { kind: 'mongodb' /** The database name. */; db: string } | { kind: 'memory' };

/** A scheduler over the configured storage. */
export interface Engine {
  /** The scheduler (its `schedules` property is the `ScheduleService`). */
  scheduler: JobScheduler;
  /** Which storage is in use. */
  database: DatabaseInfo;
  /** Closes the database connection. Safe to call twice. */
  close(): Promise<void>;
}

/** Options of {@link openEngine}. */
export interface OpenEngineOptions {
  /** The command, for messages (`schedules list`). */
  command: string;
  /** Fail with exit 4 when no database is configured; otherwise fall back to the in-memory store. */
  requireDatabase: boolean;
  /** Create the store's and lock's indexes (needed before claiming or writing; skipped by read-only commands). */
  ensureIndexes: boolean;
  /** Where the scheduler and the jobs log. */
  logger: Logger;
  /** The user's job types (from {@link loadJobSetup}); none for commands that run nothing. @default [] */
  userJobs?: readonly JobDefinition[];
  /** Where the jobs module came from (`JobSetup.origin`), for `--verbose`. @default undefined */
  jobsOrigin?: string | undefined;
}

/** Resolves the settings shared by the database commands. */
export function engineConfig(
  context: CommandContext,
  argv: GlobalArgs,
  flags: EngineFlags,
): Promise<ConfigResolver> {
  return configFor(context, argv, {
    mongodbUri: flags.mongodbUri,
    mongodbDb: flags.mongodbDb,
    jobs: flags.jobs,
    lockTtlSeconds: flags.lockTtlSeconds,
    pollIntervalSeconds: flags.pollIntervalSeconds,
  });
}

/**
 * Loads the jobs module named by `--jobs`, `CRAFT_JOBS` or `jobs` in the config file (one module file that
 * default-exports an array of `defineJob()` results, the same module the API loads), with `@craft/runtime`'s loader.
 * Built-in jobs are always available.
 * @throws JobsPathError (`@craft/runtime`) when the path does not exist or is a directory
 * @throws JobModuleError / InvalidJobDefinitionError (from the scheduler) for a module that does not load
 */
export async function loadJobSetup(config: ConfigResolver): Promise<JobSetup> {
  const setting = config.get('jobs');
  const userJobs = setting.value === undefined ? [] : await loadJobs(setting.value, setting.origin);
  // The registry rejects a job type defined twice in the module.
  const user = new JobRegistry(userJobs as JobDefinition<never>[]);
  return {
    config,
    origin: setting.value === undefined ? undefined : `${setting.origin}: ${setting.value}`,
    userJobs,
    jobs: layeredJobs(user, new JobRegistry(builtinJobs() as JobDefinition<never>[])),
  };
}

/**
 * Opens the storage and builds the scheduler. With a database configured it connects (retrying while the database
 * is unreachable, as the API does; MongoDB errors such as `CRAFT_MONGO_UNAVAILABLE` exit 4); without one it uses
 * the in-memory store, or fails with `NoDatabaseError` when `requireDatabase` is set.
 */
export async function openEngine(config: ConfigResolver, options: OpenEngineOptions): Promise<Engine> {
  const uriSetting = config.get('mongodbUri');
  const uri = uriSetting.value;
  const lockTtl = config.get('lockTtlSeconds');
  const zone = config.get('timezone');
  const pollInterval = config.get('pollIntervalSeconds');
  const maxConcurrentRuns = config.get('maxConcurrentRuns');
  const { logger } = options;
  if (uri === undefined && options.requireDatabase) {
    throw new NoDatabaseError(
      options.command,
      `${options.command} needs the database, and none is configured; set MONGODB_URI (e.g. mongodb://127.0.0.1:27017/craft), pass --mongodb-uri, or put mongodbUri in the config file`,
    );
  }
  const db = uri === undefined ? undefined : config.get('mongodbDb');
  if (uri !== undefined && db !== undefined) {
    const { redactUri } = await import('@craft/mongo');
    logger.debug(
      `database ${redactUri(uri)} (${uriSetting.origin}), database name ${db.value} (${db.origin})`,
    );
  }
  const storage = await openStorage({
    mongodbUri: uri,
    mongodbDb: db?.value,
    lockTtlSeconds: lockTtl.value,
    appName: PROGRAM,
    // Read-only commands create no indexes, so they work with a read-only database user.
    autoIndex: options.ensureIndexes,
    logger: { warn: (message, data) => logger.warn(message, data) },
  });
  try {
    if (options.ensureIndexes) await storage.ensureIndexes();
  } catch (error) {
    await storage.close().catch(() => {});
    throw error;
  }
  const database: DatabaseInfo =
    storage.database === undefined ? { kind: 'memory' } : { kind: 'mongodb', db: storage.database };
  const types = (options.userJobs ?? []).map((d) => d.type);
  if (options.userJobs !== undefined) {
    logger.debug(
      options.jobsOrigin === undefined
        ? 'no jobs module: built-in jobs only'
        : `jobs module (${options.jobsOrigin}): ${types.length > 0 ? types.join(', ') : 'no job types'}`,
    );
  }
  logger.debug(`default timezone ${zone.value} (${zone.origin})`);
  logger.debug(`lease ${lockTtl.value} s (${lockTtl.origin})`);
  const scheduler = new JobScheduler({
    store: storage.store,
    lock: storage.lock,
    registry: new JobRegistry([...(options.userJobs ?? [])] as JobDefinition<never>[]),
    // The lease, the zone and the poll interval as the API derives them from the same settings.
    ...schedulerOptions({
      timezone: zone.value,
      lockTtlSeconds: lockTtl.value,
      pollIntervalSeconds: pollInterval.value,
      maxConcurrentRuns: maxConcurrentRuns.value,
    }),
    replicaId: `${PROGRAM}:${hostname()}:${process.pid}`,
    logger: options.logger,
  });
  // What this command does (runs, schedule changes) goes to the event log too, for `runs watch` and the API's
  // GET /jobs/events; the last events are written before the connection closes.
  const events = isEventLogStore(storage.store)
    ? attachEventLog(scheduler, {
        store: storage.store,
        logger: {
          debug() {},
          info() {},
          warn: (m, d) => logger.warn(m, d),
          error: (m, d) => logger.error(m, d),
        },
      })
    : null;
  let closing: Promise<void> | undefined;
  return {
    scheduler,
    database,
    close: () => {
      closing ??= (events ? events.close().catch(() => {}) : Promise.resolve()).then(() => storage.close());
      return closing;
    },
  };
}
