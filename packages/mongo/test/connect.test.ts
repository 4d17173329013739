// connectMongo: the one call the API and the CLI make.
import { createSchedule } from '@craft/scheduler';
import { randomDbName } from '@craft/test-utils';
import { expect, it } from 'vitest';
import { connectMongo, DEFAULT_DB_NAME } from '../src/index.js';
import { setupMongo } from './support/mongo.js';

const mongo = await setupMongo('connect');

it('connects, ensures indexes, and returns a working store and lock over one database', async () => {
  const dbName = randomDbName('mongo-connect');
  const conn = await connectMongo(mongo.uri, { dbName, lock: { ttlSeconds: 60 } });
  try {
    expect(conn.db.databaseName).toBe(dbName);
    expect(conn.store.db).toBe(conn.db);
    expect(conn.lock.defaultTtlMs).toBe(60_000);
    const indexes = await conn.db.collection('job_schedules').indexes();
    expect(indexes.some((ix) => ix.name === 'job_name_1' && ix.unique)).toBe(true);
    expect((await conn.db.collection('job_locks').indexes()).some((ix) => ix.unique)).toBe(true);
    await conn.store.insertSchedule(
      createSchedule({ jobName: 'a', cronExpression: '* * * * *', jobType: 'noop' }),
    );
    expect((await conn.store.getSchedule('a'))?.jobName).toBe('a');
    expect(await conn.lock.acquire('job:a', 'me')).not.toBeNull();
  } finally {
    await conn.db.dropDatabase();
    await conn.close();
    await conn.close(); // safe twice
  }
});

it('takes the database from the URI path, else defaults to "craft"', async () => {
  const dbName = randomDbName('mongo-connect-uri');
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]*)\/?([^?]*)(\?.*)?$/.exec(mongo.uri);
  const withDb = `${m?.[1]}/${dbName}${m?.[3] ?? ''}`;
  const conn = await connectMongo(withDb, { ensureIndexes: false });
  try {
    expect(conn.db.databaseName).toBe(dbName);
  } finally {
    await conn.close();
  }
  const bare = await connectMongo(`${m?.[1]}/${m?.[3] ?? ''}`, { ensureIndexes: false });
  try {
    expect(bare.db.databaseName).toBe(DEFAULT_DB_NAME);
  } finally {
    await bare.close();
  }
});
