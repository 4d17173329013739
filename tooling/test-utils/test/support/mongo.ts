// One client and one random database per test file, dropped afterwards; and which server answers.
import { type Db, MongoClient, MongoServerError } from 'mongodb';
import { afterAll, beforeAll } from 'vitest';
import {
  createTestDatabase,
  dropTestDatabase,
  getServerKind,
  type MongoServerKind,
  requireMongoUri,
} from '../../src/index.js';

export interface MongoFixture {
  client: MongoClient;
  db: Db;
  kind: MongoServerKind;
  /** True on the MongoDB-compatible test server (mongo-java-server), false on a real MongoDB. */
  onTestServer: boolean;
}

/** Registers beforeAll/afterAll hooks; the returned object is filled in by beforeAll. */
export function useMongo(prefix: string): MongoFixture {
  const fixture = {} as MongoFixture;
  beforeAll(async () => {
    fixture.client = await new MongoClient(requireMongoUri(), { serverSelectionTimeoutMS: 10_000 }).connect();
    fixture.db = createTestDatabase(fixture.client, prefix);
    fixture.kind = await getServerKind(fixture.db);
    fixture.onTestServer = fixture.kind === 'mongo-java-server';
  });
  afterAll(async () => {
    if (!fixture.client) return;
    await dropTestDatabase(fixture.db);
    await fixture.client.close();
  });
  return fixture;
}

/** Runs `action` and returns the MongoServerError it rejects with (fails the test if it resolves). */
export async function serverError(action: () => Promise<unknown>): Promise<MongoServerError> {
  try {
    await action();
  } catch (error) {
    if (error instanceof MongoServerError) return error;
    throw error;
  }
  throw new Error('expected a MongoServerError, but the operation succeeded');
}
