import { type Db, MongoClient, type MongoClientOptions } from 'mongodb';
import { MongoInvalidUriError, toAdapterError } from './errors.js';
import { DistributedLock } from './mongo-lock.js';
import { MongoSchedulerStore } from './mongo-store.js';
import type { DistributedLockOptions, MongoSchedulerStoreOptions } from './types.js';

/** Default database of {@link connectMongo} (spec section 7: `MONGODB_DB`). */
export const DEFAULT_DB_NAME = 'craft';

/** Options of {@link connectMongo}. */
export interface ConnectMongoOptions {
  /** The database (`MONGODB_DB`). @default the database in the URI, else 'craft' */
  dbName?: string;
  /**
   * Driver options, merged over the defaults `{ appName: 'craft-scheduler', serverSelectionTimeoutMS: 10000 }`.
   * @default {}
   */
  clientOptions?: MongoClientOptions;
  /** Options of the store. @default {} */
  store?: MongoSchedulerStoreOptions;
  /** Options of the lock (e.g. `{ ttlSeconds }` from `LOCK_TTL_SECONDS`). @default {} */
  lock?: DistributedLockOptions;
  /** Create the indexes of the store and the lock before returning (idempotent). @default true */
  ensureIndexes?: boolean;
}

/** What {@link connectMongo} returns. */
export interface MongoConnection {
  /** The connected driver client. */
  client: MongoClient;
  /** The database. */
  db: Db;
  /** The scheduler store over `db`. */
  store: MongoSchedulerStore;
  /** The distributed lock over `db`. */
  lock: DistributedLock;
  /** Closes the client (pending operations fail with `CRAFT_MONGO_UNAVAILABLE`). Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Connects to MongoDB and returns a store and a lock over one database, with indexes ensured: the one call the
 * API and the CLI make. Throws `MongoInvalidUriError` for a malformed URI, `MongoInvalidOptionError` for a bad
 * store or lock option (before connecting), and `MongoUnavailableError` / `MongoTimeoutError` when the server cannot
 * be reached (the client is closed again). Whatever the URI says about `readPreference`, `readConcernLevel` or `w`,
 * the store and the lock read from the primary with read concern `majority` and write with `w: 'majority'` and a
 * bounded `wtimeoutMS` (see their `writeConcern` option).
 *
 * ```ts
 * const mongo = await connectMongo(process.env.MONGODB_URI!, { dbName: process.env.MONGODB_DB });
 * const scheduler = new JobScheduler({ store: mongo.store, lock: mongo.lock });
 * ```
 */
export async function connectMongo(uri: string, options: ConnectMongoOptions = {}): Promise<MongoConnection> {
  let client: MongoClient;
  try {
    client = new MongoClient(uri, {
      appName: 'craft-scheduler',
      serverSelectionTimeoutMS: 10_000,
      ...options.clientOptions,
    });
  } catch (error) {
    throw new MongoInvalidUriError(uri, error);
  }
  // Options are checked before connecting (a bad one, such as `writeConcern: { w: 0 }`, throws and opens nothing).
  const db = client.db(options.dbName ?? uriDatabase(uri) ?? DEFAULT_DB_NAME);
  const store = new MongoSchedulerStore(db, options.store);
  const lock = new DistributedLock(db, options.lock);
  try {
    await client.connect();
  } catch (error) {
    await client.close().catch(() => {});
    throw toAdapterError('connectMongo', error);
  }
  let closed: Promise<void> | null = null;
  const close = () => {
    closed ??= client.close();
    return closed;
  };
  if (options.ensureIndexes ?? true) {
    try {
      await store.ensureIndexes();
      await lock.ensureIndexes();
    } catch (error) {
      await close().catch(() => {});
      throw error;
    }
  }
  return { client, db, store, lock, close };
}

/** The database named in the URI's path (`mongodb://host/craft?…` → `craft`), if any. */
function uriDatabase(uri: string): string | undefined {
  const path = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]*)/.exec(uri)?.[1];
  return path ? decodeURIComponent(path) : undefined;
}
