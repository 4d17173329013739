import { randomBytes } from 'node:crypto';
import { TestDatabaseNameError } from './errors.js';

/** What {@link createTestDatabase} needs of a client: a `MongoClient` of driver 6 or 7 fits. */
export interface DatabaseOpener<TDb> {
  /** Opens (lazily creates) the database of that name. */
  db(name: string): TDb;
}

/** What {@link dropTestDatabase} needs of a database: a `Db` of driver 6 or 7 fits. */
export interface DroppableDatabase {
  /** The database's name. */
  readonly databaseName: string;
  /** Drops the whole database. */
  dropDatabase(): Promise<unknown>;
}

const MAX_PREFIX_LENGTH = 40;

/**
 * A fresh database name: the prefix (characters MongoDB forbids in names become `_`, cut to 40 characters),
 * `_`, and 12 random hex digits, e.g. `mongo-lock_3f9a0c51d2e4`. At most 53 bytes (MongoDB allows 63).
 *
 * @param prefix - usually the test file or package name.
 * @throws {TestDatabaseNameError} `CRAFT_TEST_DB_PREFIX_INVALID` when the prefix has no usable character.
 */
export function randomDbName(prefix: string): string {
  const cleaned = prefix
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, MAX_PREFIX_LENGTH);
  if (!/[A-Za-z0-9-]/.test(cleaned)) throw new TestDatabaseNameError(prefix);
  return `${cleaned}_${randomBytes(6).toString('hex')}`;
}

/**
 * Opens a database of its own for one test file, named by {@link randomDbName}, so test files never see each
 * other's data (even against a shared real MongoDB). Drop it with {@link dropTestDatabase} in `afterAll`.
 *
 * @param client - a connected `MongoClient` (driver 6 or 7).
 * @param prefix - usually the test file or package name.
 */
export function createTestDatabase<TDb>(client: DatabaseOpener<TDb>, prefix: string): TDb {
  return client.db(randomDbName(prefix));
}

/** Drops a database made by {@link createTestDatabase}. Dropping one that holds nothing is fine. */
export async function dropTestDatabase(db: DroppableDatabase): Promise<void> {
  await db.dropDatabase();
}
