import {
  type Clock,
  type LockProvider,
  MemoryLock,
  MemoryStore,
  type SchedulerStore,
} from '@craft/scheduler';

/** Where schedules, runs and locks live, plus the hooks the service needs around it. */
export interface Storage {
  /** `memory` (the embedded default: nothing persists) or `mongodb`. */
  readonly kind: 'memory' | 'mongodb';
  /** Schedules and runs. */
  readonly store: SchedulerStore;
  /** Job locks. */
  readonly lock: LockProvider;
  /** Resolves when the database answers; rejects otherwise (`GET /ready`). */
  ping(): Promise<void>;
  /** Creates the indexes the store and lock need (idempotent). */
  ensureIndexes(): Promise<void>;
  /** Closes connections. */
  close(): Promise<void>;
}

/** The in-memory storage of the embedded default (state is lost when the process exits). */
export function memoryStorage(clock?: Clock): Storage {
  return {
    kind: 'memory',
    store: new MemoryStore(clock ? { clock } : {}),
    lock: new MemoryLock(clock ? { clock } : {}),
    ping: async () => {},
    ensureIndexes: async () => {},
    close: async () => {},
  };
}

/** Options of {@link openStorage}. */
export interface OpenStorageOptions {
  /** `MONGODB_URI`; undefined selects the in-memory storage. */
  mongodbUri: string | undefined;
  /** `MONGODB_DB`. @default 'craft' */
  mongodbDb?: string;
  /** `LOCK_TTL_SECONDS`: the lock's default lease (the scheduler passes its own on every acquire). @default 300 */
  lockTtlSeconds?: number;
  /** The clock of the in-memory storage (MongoDB judges leases by the database server's clock). @default systemClock */
  clock?: Clock;
  /** Where the MongoDB adapter's warnings go. @default console */
  logger?: { warn(message: string, data?: Record<string, unknown>): void };
  /** How long `ping()` waits for the database before failing. @default 2000 */
  pingTimeoutMs?: number;
  /**
   * Connection attempts before giving up when the database is unreachable (backoff 0.5 s, 1 s, 2 s, …; each
   * attempt itself waits up to the driver's 10 s server selection). @default 5
   */
  connectAttempts?: number;
}

/**
 * Opens the configured storage: MongoDB (`@craft/mongo`, loaded only then) when a URI is given, else the
 * in-memory default. Throws `@craft/mongo`'s errors (`CRAFT_MONGO_*`) when the database cannot be reached.
 */
export async function openStorage(options: OpenStorageOptions): Promise<Storage> {
  if (options.mongodbUri === undefined) return memoryStorage(options.clock);
  const { connectMongo } = await import('@craft/mongo');
  const logger = options.logger ?? console;
  const attempts = Math.max(1, options.connectAttempts ?? 5);
  let conn: Awaited<ReturnType<typeof connectMongo>> | undefined;
  for (let attempt = 1; conn === undefined; attempt++) {
    try {
      conn = await connectMongo(options.mongodbUri, {
        dbName: options.mongodbDb ?? 'craft',
        ensureIndexes: false,
        store: { logger },
        lock: { ttlSeconds: options.lockTtlSeconds ?? 300, logger },
      });
    } catch (error) {
      // A database that is still starting (or a dropped handshake) is retried; a bad URI is not.
      const code = (error as { code?: unknown }).code;
      const transient = code === 'CRAFT_MONGO_UNAVAILABLE' || code === 'CRAFT_MONGO_TIMEOUT';
      if (!transient || attempt >= attempts) throw error;
      const delayMs = 500 * 2 ** (attempt - 1);
      logger.warn(`MongoDB not reachable (attempt ${attempt} of ${attempts}); retrying in ${delayMs} ms`, {
        error: (error as Error).message,
      });
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
  const pingTimeoutMs = options.pingTimeoutMs ?? 2000;
  return {
    kind: 'mongodb',
    store: conn.store,
    lock: conn.lock,
    ping: async () => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer to ping within ${pingTimeoutMs} ms`)),
          pingTimeoutMs,
        );
      });
      try {
        await Promise.race([conn.db.command({ ping: 1 }), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    ensureIndexes: async () => {
      await conn.store.ensureIndexes();
      await conn.lock.ensureIndexes();
    },
    close: () => conn.close(),
  };
}
