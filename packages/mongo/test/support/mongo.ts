// One MongoClient and one random database per test file; fresh, randomly named collections per test.
import { createTestDatabase, dropTestDatabase, requireMongoUri } from '@craft/test-utils';
import { type Db, MongoClient, type MongoClientOptions } from 'mongodb';
import { afterAll } from 'vitest';

export interface TestMongo {
  uri: string;
  client: MongoClient;
  db: Db;
  /** A new MongoClient on the same server (a separate "replica"); closed after the file. */
  newClient(options?: MongoClientOptions): Promise<MongoClient>;
  /** A unique collection-name suffix. */
  unique(prefix: string): string;
}

let counter = 0;

/** Connects once per test file (throws when MONGODB_URI is missing: Mongo suites never skip). */
export async function setupMongo(file: string): Promise<TestMongo> {
  const uri = requireMongoUri();
  const client = await new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 }).connect();
  const db = createTestDatabase(client, `mongo-${file}`);
  const extra: MongoClient[] = [];
  afterAll(async () => {
    await dropTestDatabase(db).catch(() => {});
    await Promise.all(extra.map((c) => c.close().catch(() => {})));
    await client.close();
  });
  return {
    uri,
    client,
    db,
    async newClient(options = {}) {
      const c = await new MongoClient(uri, { serverSelectionTimeoutMS: 10_000, ...options }).connect();
      extra.push(c);
      return c;
    },
    unique: (prefix) => `${prefix}_${Date.now().toString(36)}_${(counter++).toString(36)}`,
  };
}
