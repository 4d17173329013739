// startServer in-process (what the bin runs), and the storage opener against the MongoDB test server.
import { randomDbName, requireMongoUri } from '@craft/test-utils';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { openStorage, startServer } from '../src/index.js';

describe('startServer', () => {
  it('embedded default: listens, prints the banner and a token that works, closes cleanly', async () => {
    let printed = '';
    const server = await startServer({
      env: { PORT: '0', LOG_LEVEL: 'silent', SCHEDULER_ENABLED: 'false' },
      handleSignals: false,
      out: { write: (s: string) => (printed += s) },
    });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(printed).toContain('NOTHING IS PERSISTED');
      expect(printed).toContain(`export CRAFT_TOKEN=${server.devToken}`);
      const res = await fetch(`${server.url}/jobs/types`, {
        headers: { authorization: `Bearer ${server.devToken}` },
      });
      expect(res.status).toBe(200);
      const ready = (await (await fetch(`${server.url}/ready`)).json()) as { scheduler: string };
      expect(ready.scheduler).toBe('stopped');
    } finally {
      await server.close();
    }
  });

  it('with JWT_SECRET set prints no token', async () => {
    let printed = '';
    const server = await startServer({
      env: { PORT: '0', LOG_LEVEL: 'silent', JWT_SECRET: 'k'.repeat(40) },
      handleSignals: false,
      out: { write: (s: string) => (printed += s) },
    });
    expect(server.devToken).toBeUndefined();
    expect(printed).not.toContain('CRAFT_TOKEN');
    expect(server.app.scheduler.running).toBe(true);
    await server.close();
    expect(server.app.scheduler.running).toBe(false);
  });

  it('throws InvalidSettingsError for invalid configuration before opening anything', async () => {
    await expect(startServer({ env: { PORT: 'x' }, handleSignals: false })).rejects.toMatchObject({
      code: 'CRAFT_RUNTIME_INVALID_SETTINGS',
    });
  });
});

describe('openStorage on MongoDB', () => {
  it('connects, pings, ensures indexes (idempotently) and closes', async () => {
    const dbName = randomDbName('api-storage');
    const storage = await openStorage({ mongodbUri: requireMongoUri(), mongodbDb: dbName });
    try {
      expect(storage.kind).toBe('mongodb');
      await storage.ping();
      await storage.ensureIndexes();
      await storage.ensureIndexes();
      expect(await storage.store.listSchedules()).toEqual([]);
    } finally {
      await storage.close();
    }
    await expect(storage.ping()).rejects.toThrow();
    const client = await MongoClient.connect(requireMongoUri());
    await client.db(dbName).dropDatabase();
    await client.close();
  });

  it('a malformed URI fails at once with the adapter code (no retries)', async () => {
    await expect(openStorage({ mongodbUri: 'mongodb://' })).rejects.toMatchObject({
      code: 'CRAFT_MONGO_INVALID_URI',
    });
  });
});
