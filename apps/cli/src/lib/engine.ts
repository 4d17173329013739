/**
 * Wiring, not logic: resolves the settings, loads the user's jobs module, opens the storage (MongoDB through
 * `@craft/mongo`, else the scheduler's in-memory store) and builds one `JobScheduler` over them. Commands call the
 * scheduler's own methods on the result.
 *
 * This module imports `@craft/scheduler`; commands load it with `import()` on use, so `--help` and the `cron`
 * commands never pay for it. `@craft/mongo` (and the driver) is loaded only when a database is configured.
 */
import { statSync } from 'node:fs';
import { hostname } from 'node:os';
import {
  builtinJobs,
  type JobDefinition,
  JobRegistry,
  JobScheduler,
  type JobTypeLookup,
  type Logger,
  layeredJobs,
  loadJobModule,
  MemoryLock,
  MemoryStore,
} from '@craft/scheduler';
import { type CommandContext, configFor, type GlobalArgs } from './command.js';
import type { ConfigResolver } from './config.js';
import { JobsPathError, NoDatabaseError } from './errors.js';
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
 * default-exports an array of `defineJob()` results, the same module the API loads), with the scheduler's shared
 * loader. Built-in jobs are always available.
 * @throws JobsPathError when the path does not exist or is a directory
 * @throws JobModuleError / InvalidJobDefinitionError (from the scheduler) for a module that does not load
 */
export async function loadJobSetup(config: ConfigResolver): Promise<JobSetup> {
  const setting = config.get('jobs');
  let userJobs: JobDefinition[] = [];
  if (setting.value !== undefined) {
    const path = setting.value;
    let isDirectory: boolean;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch (cause) {
      throw new JobsPathError(
        path,
        `${setting.origin}: the jobs module ${path} does not exist; point it at a module file that default-exports an array of defineJob() results`,
        { cause },
      );
    }
    if (isDirectory) {
      throw new JobsPathError(
        path,
        `${setting.origin}: ${path} is a directory; point it at one module file (e.g. ${path}/index.js) that default-exports the array of job definitions, re-exporting the other files' jobs`,
      );
    }
    userJobs = await loadJobModule(path);
  }
  // The registry rejects a job type defined twice in the module.
  const user = new JobRegistry(userJobs as JobDefinition<never>[]);
  return {
    config,
    origin: setting.value === undefined ? undefined : `${setting.origin}: ${setting.value}`,
    userJobs,
    jobs: layeredJobs(user, new JobRegistry(builtinJobs() as JobDefinition<never>[])),
  };
}

/** The driver lets its option object beat the URI, so a timeout written in the URI is passed on explicitly. */
function clientOptionsFromUri(uri: string): { serverSelectionTimeoutMS?: number } {
  const m = /[?&]serverSelectionTimeoutMS=(\d+)/i.exec(uri);
  return m ? { serverSelectionTimeoutMS: Number(m[1]) } : {};
}

/**
 * Opens the storage and builds the scheduler. With a database configured it connects (MongoDB errors such as
 * `CRAFT_MONGO_UNAVAILABLE` exit 4); without one it uses the in-memory store, or fails with `NoDatabaseError`
 * when `requireDatabase` is set.
 */
export async function openEngine(config: ConfigResolver, options: OpenEngineOptions): Promise<Engine> {
  const uriSetting = config.get('mongodbUri');
  const uri = uriSetting.value;
  const lockTtl = config.get('lockTtlSeconds').value;
  const zone = config.get('timezone');
  const timezone = zone.value;
  const pollIntervalSeconds = config.get('pollIntervalSeconds').value;
  const { logger } = options;
  let store: ConstructorParameters<typeof JobScheduler>[0]['store'];
  let lock: ConstructorParameters<typeof JobScheduler>[0]['lock'];
  let database: DatabaseInfo;
  let close: () => Promise<void> = async () => {};
  if (uri === undefined) {
    if (options.requireDatabase) {
      throw new NoDatabaseError(
        options.command,
        `${options.command} needs the database, and none is configured; set MONGODB_URI (e.g. mongodb://127.0.0.1:27017/), pass --mongodb-uri, or put mongodbUri in the config file`,
      );
    }
    store = new MemoryStore();
    lock = new MemoryLock();
    database = { kind: 'memory' };
  } else {
    const { connectMongo, redactUri } = await import('@craft/mongo');
    const db = config.get('mongodbDb');
    const dbName = db.value;
    logger.debug(`database ${redactUri(uri)} (${uriSetting.origin}), database name ${dbName} (${db.origin})`);
    const warn = {
      warn: (message: string, data?: Record<string, unknown>) => options.logger.warn(message, data),
    };
    const conn = await connectMongo(uri, {
      dbName,
      ensureIndexes: options.ensureIndexes,
      clientOptions: { appName: PROGRAM, ...clientOptionsFromUri(uri) },
      // Read-only commands create no indexes, so they work with a read-only database user.
      store: { logger: warn, autoIndex: options.ensureIndexes },
      lock: {
        logger: warn,
        autoIndex: options.ensureIndexes,
        ...(lockTtl === undefined ? {} : { ttlSeconds: lockTtl }),
      },
    });
    store = conn.store;
    lock = conn.lock;
    database = { kind: 'mongodb', db: conn.db.databaseName };
    close = () => conn.close();
  }
  const types = (options.userJobs ?? []).map((d) => d.type);
  if (options.userJobs !== undefined) {
    logger.debug(
      options.jobsOrigin === undefined
        ? 'no jobs module: built-in jobs only'
        : `jobs module (${options.jobsOrigin}): ${types.length > 0 ? types.join(', ') : 'no job types'}`,
    );
  }
  logger.debug(`default timezone ${timezone} (${zone.origin})`);
  const scheduler = new JobScheduler({
    store,
    lock,
    registry: new JobRegistry([...(options.userJobs ?? [])] as JobDefinition<never>[]),
    timezone,
    pollIntervalMs: pollIntervalSeconds * 1000,
    ...(lockTtl === undefined ? {} : { lockTtlMs: lockTtl * 1000 }),
    replicaId: `${PROGRAM}:${hostname()}:${process.pid}`,
    logger: options.logger,
  });
  let closing: Promise<void> | undefined;
  return {
    scheduler,
    database,
    close: () => {
      closing ??= close();
      return closing;
    },
  };
}
