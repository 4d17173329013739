/**
 * The one storage opener of Craft Scheduler: MongoDB through `@craft/mongo` when `MONGODB_URI` is set, else the
 * in-memory embedded default. `@craft/api` and `@craft/cli` both open storage here, with the same database name
 * rule, the same lease and the same retry.
 *
 * @module
 */
import {
  type Clock,
  type IdempotencyStore,
  type LockProvider,
  MemoryLock,
  MemoryStore,
  type SchedulerStore,
} from '@craft/scheduler';
import { databaseName } from './database.js';
import { DEFAULT_LOCK_TTL_SECONDS } from './settings.js';

/** Where schedules, runs and locks live, plus what a process needs around them. */
export interface Storage {
  /** `memory` (the embedded default: nothing persists) or `mongodb`. */
  readonly kind: 'memory' | 'mongodb';
  /** The MongoDB database name in use (`undefined` in memory). */
  readonly database: string | undefined;
  /** Schedules and runs. */
  readonly store: SchedulerStore;
  /** Job locks. */
  readonly lock: LockProvider;
  /**
   * Idempotency keys (the API's `Idempotency-Key`), in the same database as the runs so every replica answers a
   * retry the same way: the store itself (`MemoryStore` and `@craft/mongo`'s store implement `IdempotencyStore`).
   * @default undefined (a storage built elsewhere may have none; the API then keeps keys in its process)
   */
  readonly idempotency?: IdempotencyStore;
  /** Resolves when the database answers; rejects otherwise (the API's `GET /ready`). */
  ping(): Promise<void>;
  /** Creates the indexes the store and lock need (idempotent). */
  ensureIndexes(): Promise<void>;
  /** Closes connections. Safe to call twice. */
  close(): Promise<void>;
}

/** The in-memory storage of the embedded default (state is lost when the process exits). */
export function memoryStorage(clock?: Clock): Storage {
  const store = new MemoryStore(clock ? { clock } : {});
  return {
    kind: 'memory',
    database: undefined,
    store,
    idempotency: store,
    lock: new MemoryLock(clock ? { clock } : {}),
    ping: async () => {},
    ensureIndexes: async () => {},
    close: async () => {},
  };
}

/** Where the opener reports retries and the adapter's warnings. Console-compatible. */
export interface StorageLogger {
  warn(message: string, data?: Record<string, unknown>): void;
}

/** Options of {@link openStorage}: the resolved settings plus how this process uses the database. */
export interface OpenStorageOptions {
  /** `MONGODB_URI`; undefined selects the in-memory storage. */
  mongodbUri: string | undefined;
  /** `MONGODB_DB`. @default the database in the `MONGODB_URI` path, else 'craft' */
  mongodbDb?: string | undefined;
  /** `LOCK_TTL_SECONDS`: the lock's default lease (the scheduler passes its own on every acquire). @default 300 */
  lockTtlSeconds?: number;
  /** The clock of the in-memory storage (MongoDB judges leases by the database server's clock). @default systemClock */
  clock?: Clock;
  /** Where retries and the MongoDB adapter's warnings go. @default console */
  logger?: StorageLogger;
  /** How long `ping()` waits for the database before failing. @default 2000 */
  pingTimeoutMs?: number;
  /**
   * Connection attempts before giving up when the database is unreachable (backoff 0.5 s, 1 s, 2 s, …; each
   * attempt itself waits up to the driver's server selection timeout, 10 s unless the URI sets
   * `serverSelectionTimeoutMS`). A malformed URI is never retried. @default 5
   */
  connectAttempts?: number;
  /**
   * Let the store and lock create their indexes on first use. Read-only commands turn it off, so they work with
   * a read-only database user (`ensureIndexes()` still creates them on demand). @default true
   */
  autoIndex?: boolean;
  /** The driver's `appName` (shown in the server's logs and `currentOp`). @default 'craft-scheduler' */
  appName?: string;
  /** Waits between connection attempts; tests replace it. @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

/** The driver lets its option object beat the URI, so a timeout written in the URI is passed on explicitly. */
function clientOptionsFromUri(uri: string): { serverSelectionTimeoutMS?: number } {
  const m = /[?&]serverSelectionTimeoutMS=(\d+)/i.exec(uri);
  return m ? { serverSelectionTimeoutMS: Number(m[1]) } : {};
}

/**
 * Opens the configured storage: MongoDB (`@craft/mongo`, loaded only then) when a URI is given, else the
 * in-memory default. A database that is not reachable yet is retried (`connectAttempts`); the last failure is
 * thrown as `@craft/mongo`'s typed error (`CRAFT_MONGO_UNAVAILABLE`, `CRAFT_MONGO_INVALID_URI`, …). Indexes are
 * not created here: call `ensureIndexes()` before claiming or writing.
 */
export async function openStorage(options: OpenStorageOptions): Promise<Storage> {
  if (options.mongodbUri === undefined) return memoryStorage(options.clock);
  const uri = options.mongodbUri;
  const { connectMongo } = await import('@craft/mongo');
  const logger = options.logger ?? console;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const attempts = Math.max(1, options.connectAttempts ?? 5);
  const autoIndex = options.autoIndex ?? true;
  const dbName = databaseName(uri, options.mongodbDb);
  let conn: Awaited<ReturnType<typeof connectMongo>> | undefined;
  for (let attempt = 1; conn === undefined; attempt++) {
    try {
      conn = await connectMongo(uri, {
        dbName,
        ensureIndexes: false,
        clientOptions: { appName: options.appName ?? 'craft-scheduler', ...clientOptionsFromUri(uri) },
        store: { logger, autoIndex },
        lock: { ttlSeconds: options.lockTtlSeconds ?? DEFAULT_LOCK_TTL_SECONDS, logger, autoIndex },
      });
    } catch (error) {
      // A database that is still starting (or failing over) is retried; a bad URI is not.
      const code = (error as { code?: unknown }).code;
      const transient = code === 'CRAFT_MONGO_UNAVAILABLE' || code === 'CRAFT_MONGO_TIMEOUT';
      if (!transient || attempt >= attempts) throw error;
      const delayMs = 500 * 2 ** (attempt - 1);
      logger.warn(`MongoDB not reachable (attempt ${attempt} of ${attempts}); retrying in ${delayMs} ms`, {
        error: (error as Error).message,
      });
      await sleep(delayMs);
    }
  }
  const connection = conn;
  const pingTimeoutMs = options.pingTimeoutMs ?? 2000;
  return {
    kind: 'mongodb',
    database: connection.db.databaseName,
    store: connection.store,
    lock: connection.lock,
    idempotency: connection.store,
    ping: async () => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer to ping within ${pingTimeoutMs} ms`)),
          pingTimeoutMs,
        );
      });
      try {
        await Promise.race([connection.db.command({ ping: 1 }), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    ensureIndexes: async () => {
      await connection.store.ensureIndexes();
      await connection.lock.ensureIndexes();
    },
    close: () => connection.close(),
  };
}
