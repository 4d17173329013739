import { createConnection, createServer, type Server } from 'node:net';
import type { DistributedLock } from '@craft/mongo';
import { JobScheduler } from '@craft/scheduler';
import { randomDbName, requireMongoUri } from '@craft/test-utils';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSettings, openStorage, type Storage } from '../src/index.js';
import { uriWithDatabase } from './support/mongo.js';

const MONGODB_URI = requireMongoUri();
let client: MongoClient;
const opened: Storage[] = [];
const dbNames: string[] = [];

beforeAll(async () => {
  client = await MongoClient.connect(MONGODB_URI);
});

afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  for (const name of dbNames) await client.db(name).dropDatabase();
  await client.close();
});

/** Opens storage the way the API and the CLI do: settings from `env`, then the one opener. */
async function open(env: Record<string, string>): Promise<Storage> {
  const settings = createSettings({ env });
  const storage = await openStorage({
    mongodbUri: settings.value('mongodbUri'),
    mongodbDb: settings.value('mongodbDb'),
    lockTtlSeconds: settings.value('lockTtlSeconds'),
    logger: { warn: () => {} },
  });
  opened.push(storage);
  return storage;
}

describe('openStorage', () => {
  it('without MONGODB_URI opens the in-memory default', async () => {
    const storage = await open({});
    expect(storage.kind).toBe('memory');
    expect(storage.database).toBeUndefined();
    await storage.ping();
  });

  it('opens the database named in the URI path (the first wave CLI wrote to "craft" instead)', async () => {
    const name = randomDbName('runtime-uri-path');
    dbNames.push(name);
    const storage = await open({ MONGODB_URI: uriWithDatabase(MONGODB_URI, name) });
    expect(storage).toMatchObject({ kind: 'mongodb', database: name });
    await storage.ensureIndexes();
    const scheduler = new JobScheduler({ store: storage.store, lock: storage.lock });
    await scheduler.schedules.create({
      jobName: 'in-the-path-db',
      cronExpression: '0 3 * * *',
      jobType: 'cleanup_run_history',
    });
    const docs = await client.db(name).collection('job_schedules').find().toArray();
    expect(docs.map((d) => d['job_name'])).toEqual(['in-the-path-db']);
  });

  it('lets MONGODB_DB win over the URI path', async () => {
    const name = randomDbName('runtime-mongodb-db');
    dbNames.push(name);
    const storage = await open({
      MONGODB_URI: uriWithDatabase(MONGODB_URI, 'not-this-one'),
      MONGODB_DB: name,
    });
    expect(storage.database).toBe(name);
    await storage.ping();
  });

  it('gives the lock the 300 s lease by default (LOCK_TTL_SECONDS)', async () => {
    const name = randomDbName('runtime-lease');
    dbNames.push(name);
    const byDefault = await open({ MONGODB_URI: MONGODB_URI, MONGODB_DB: name });
    expect((byDefault.lock as DistributedLock).defaultTtlMs).toBe(300_000);
    const configured = await open({ MONGODB_URI: MONGODB_URI, MONGODB_DB: name, LOCK_TTL_SECONDS: '42' });
    expect((configured.lock as DistributedLock).defaultTtlMs).toBe(42_000);
  });
});

describe('openStorage retries an unreachable database, and only that', () => {
  it('retries with backoff, reports each retry, then throws the typed error', async () => {
    const warnings: string[] = [];
    const sleeps: number[] = [];
    const failure = await openStorage({
      mongodbUri: 'mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=100',
      connectAttempts: 3,
      logger: { warn: (m) => warnings.push(m) },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'CRAFT_MONGO_UNAVAILABLE', httpStatus: 503, exitStatus: 4 });
    expect(sleeps).toEqual([500, 1000]);
    expect(warnings).toEqual([
      'MongoDB not reachable (attempt 1 of 3); retrying in 500 ms',
      'MongoDB not reachable (attempt 2 of 3); retrying in 1000 ms',
    ]);
  });

  it('connects when the database comes up during the retries', async () => {
    const name = randomDbName('runtime-late');
    dbNames.push(name);
    // A port where nothing listens yet; the first sleep "starts the database" there (a TCP forwarder to the
    // test server), so the second attempt connects.
    const port = await freePort();
    const target = hostAndPort(MONGODB_URI);
    let forwarder: Server | undefined;
    const storage = await openStorage({
      mongodbUri: `mongodb://127.0.0.1:${port}/${name}?serverSelectionTimeoutMS=300&directConnection=true`,
      connectAttempts: 3,
      logger: { warn: () => {} },
      sleep: async () => {
        forwarder ??= await forward(port, target);
      },
    });
    opened.push(storage);
    try {
      expect(forwarder).toBeDefined();
      expect(storage.database).toBe(name);
      await storage.ping();
    } finally {
      await storage.close();
      forwarder?.close();
    }
  });

  it('does not retry a malformed URI', async () => {
    let warned = false;
    const failure = await openStorage({
      mongodbUri: 'mongodb://host:notaport',
      logger: { warn: () => (warned = true) },
      sleep: async () => {},
    }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'CRAFT_MONGO_INVALID_URI', exitStatus: 4 });
    expect(warned).toBe(false);
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise((r) => server.close(r));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function hostAndPort(uri: string): { host: string; port: number } {
  const m = /^mongodb:\/\/(?:[^@/]*@)?([^:/,?]+):(\d+)/.exec(uri);
  if (!m) throw new Error(`cannot forward to ${uri}`);
  return { host: m[1] as string, port: Number(m[2]) };
}

/** Listens on `port` and pipes every connection to `target`. */
async function forward(port: number, target: { host: string; port: number }): Promise<Server> {
  const server = createServer((socket) => {
    const upstream = createConnection(target.port, target.host);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return server;
}
