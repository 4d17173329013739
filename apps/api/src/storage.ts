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
  /** `MONGODB_DB`. */
  mongodbDb: string;
  /** The clock of the in-memory storage. @default systemClock */
  clock?: Clock;
}

/** Opens the configured storage: MongoDB when a URI is given, else the in-memory default. */
export async function openStorage(options: OpenStorageOptions): Promise<Storage> {
  if (options.mongodbUri === undefined) return memoryStorage(options.clock);
  throw new Error('MongoDB storage is not available yet');
}
