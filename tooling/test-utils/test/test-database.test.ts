import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestDatabase,
  dropTestDatabase,
  getServerKind,
  MongoUriMissingError,
  randomDbName,
  requireMongoUri,
  TestDatabaseNameError,
} from '../src/index.js';

describe('requireMongoUri', () => {
  it('returns MONGODB_URI (set by the root test command or the global setup)', () => {
    expect(requireMongoUri()).toBe(process.env.MONGODB_URI);
    expect(requireMongoUri()).toMatch(/^mongodb(\+srv)?:\/\//);
  });

  it('throws CRAFT_TEST_MONGODB_URI_MISSING, naming the fix and the reason the server did not start', () => {
    const saved = { uri: process.env.MONGODB_URI, why: process.env.CRAFT_MONGODB_UNAVAILABLE };
    try {
      delete process.env.MONGODB_URI;
      delete process.env.CRAFT_MONGODB_UNAVAILABLE;
      expect(() => requireMongoUri()).toThrow(MongoUriMissingError);
      expect(() => requireMongoUri()).toThrow(/MONGODB_URI is not set.*pnpm test/);
      process.env.CRAFT_MONGODB_UNAVAILABLE = '`java` was not found';
      const error = (() => {
        try {
          requireMongoUri();
        } catch (e) {
          return e as MongoUriMissingError;
        }
        throw new Error('requireMongoUri did not throw');
      })();
      expect(error.code).toBe('CRAFT_TEST_MONGODB_URI_MISSING');
      expect(error.message).toContain('The test server could not start: `java` was not found.');
    } finally {
      process.env.MONGODB_URI = saved.uri;
      if (saved.why === undefined) delete process.env.CRAFT_MONGODB_UNAVAILABLE;
      else process.env.CRAFT_MONGODB_UNAVAILABLE = saved.why;
    }
  });
});

describe('randomDbName', () => {
  it('is the cleaned prefix, "_" and 12 hex digits, different every call', () => {
    const names = new Set(Array.from({ length: 50 }, () => randomDbName('mongo-lock')));
    expect(names.size).toBe(50);
    for (const name of names) expect(name).toMatch(/^mongo-lock_[0-9a-f]{12}$/);
  });

  it('replaces characters MongoDB forbids and caps the length', () => {
    expect(randomDbName('a/b.c d$e"f*g<h>i:j|k?l\\m')).toMatch(/^a_b_c_d_e_f_g_h_i_j_k_l_m_[0-9a-f]{12}$/);
    const long = randomDbName('x'.repeat(200));
    expect(long.length).toBe(40 + 1 + 12);
  });

  it('rejects a prefix with nothing usable (CRAFT_TEST_DB_PREFIX_INVALID)', () => {
    expect(() => randomDbName('')).toThrow(TestDatabaseNameError);
    expect(() => randomDbName('./$')).toThrow(/randomDbName: prefix "\.\/\$" has no letter/);
  });
});

describe('createTestDatabase / dropTestDatabase / getServerKind', () => {
  let client: MongoClient;
  beforeAll(async () => {
    client = await new MongoClient(requireMongoUri()).connect();
  });
  afterAll(async () => {
    await client.close();
  });

  const databaseNames = async () =>
    (await client.db('admin').admin().listDatabases()).databases.map((d) => d.name);

  it('gives each caller its own database, and drops it', async () => {
    const one = createTestDatabase(client, 'isolation');
    const two = createTestDatabase(client, 'isolation');
    expect(one.databaseName).not.toBe(two.databaseName);
    await one.collection('c').insertOne({ from: 'one' });
    await two.collection('c').insertOne({ from: 'two' });
    expect(
      await one
        .collection('c')
        .find({}, { projection: { _id: 0 } })
        .toArray(),
    ).toEqual([{ from: 'one' }]);
    expect(await databaseNames()).toEqual(expect.arrayContaining([one.databaseName, two.databaseName]));

    await dropTestDatabase(one);
    await dropTestDatabase(two);
    const after = await databaseNames();
    expect(after).not.toContain(one.databaseName);
    expect(after).not.toContain(two.databaseName);
  });

  it('dropping a database that was never written is fine', async () => {
    await expect(dropTestDatabase(createTestDatabase(client, 'never-written'))).resolves.toBeUndefined();
  });

  it('tells the test server from MongoDB', async () => {
    const kind = await getServerKind(client.db('admin'));
    expect(['mongo-java-server', 'mongodb']).toContain(kind);
    const serverStatus = await client.db('admin').command({ serverStatus: 1 });
    expect(kind === 'mongo-java-server').toBe(serverStatus['process'] === 'java');
  });
});
