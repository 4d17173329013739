// Spec section 11: the engine's operations read from the primary with read concern `majority` and write with
// `w: 'majority'` and a bounded wait, whatever the URI (or the `Db` passed in) says, and `w: 0` is refused. The test
// server ignores read preference and concerns, so these tests assert what the code resolves on its collection handles
// and what it sends with every command (command monitoring); every call is also bounded in time.
import { createSchedule } from '@craft/scheduler';
import { sampleRun } from '@craft/scheduler/testing';
import { type CommandStartedEvent, MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import {
  connectMongo,
  DistributedLock,
  MongoInvalidOptionError,
  MongoSchedulerStore,
  MongoTimeoutError,
} from '../src/index.js';
import { setupMongo } from './support/mongo.js';
import { proxiedClient, startProxy } from './support/proxy.js';

const mongo = await setupMongo('concerns');
const proxy = await startProxy(mongo.uri);
afterAll(() => proxy.close());

/** The test server's URI with parameters that would weaken reads and writes if they were used. */
function weakUri(): string {
  const u = new URL(mongo.uri);
  u.searchParams.set('readPreference', 'secondaryPreferred');
  u.searchParams.set('readConcernLevel', 'local');
  u.searchParams.set('w', '1');
  return u.toString();
}

describe('read preference, read concern and write concern', () => {
  it('sends reads with read concern majority to the primary and writes with w: majority and a bounded wait, whatever the URI says', async () => {
    const client = await new MongoClient(weakUri(), { monitorCommands: true }).connect();
    try {
      const db = client.db(mongo.db.databaseName);
      // The URI did set them on the client and the database.
      expect(db.readPreference.mode).toBe('secondaryPreferred');
      expect(db.readConcern?.level).toBe('local');
      expect(db.writeConcern?.w).toBe(1);
      const store = new MongoSchedulerStore(db, {
        schedulesCollection: mongo.unique('s'),
        runsCollection: mongo.unique('r'),
      });
      const lock = new DistributedLock(db, { collectionName: mongo.unique('l') });
      const sent: CommandStartedEvent[] = [];
      client.on('commandStarted', (e) => sent.push(e));
      await store.ensureIndexes();
      await lock.ensureIndexes();
      sent.length = 0;
      await store.insertSchedule(
        createSchedule({ jobName: 'x', cronExpression: '* * * * *', jobType: 'noop' }),
      );
      await store.getSchedule('x'); // the claim's read
      await store.listDueSchedules(new Date(), 10);
      await store.updateSchedule('x', { lastRunStatus: 'running' });
      const run = sampleRun({ leaseOwner: 'a' });
      await store.insertRun(run, { leaseForMs: 1000 });
      await store.updateRun(run.id, { set: { status: 'running' } }, { status: ['pending'] });
      await store.listRuns({ status: ['pending', 'running'], leaseExpired: true }); // a recovery scan
      await store.countRuns();
      const lease = await lock.acquire('job:x', 'a', 1000);
      await lock.inspect('job:x'); // a lock check
      await lock.renew(lease as NonNullable<typeof lease>);
      await lock.release(lease as NonNullable<typeof lease>);

      const reads = sent.filter((e) => ['find', 'aggregate', 'count'].includes(e.commandName));
      const writes = sent.filter((e) =>
        ['insert', 'update', 'findAndModify', 'delete'].includes(e.commandName),
      );
      expect(reads.length).toBeGreaterThanOrEqual(6);
      expect(writes.length).toBeGreaterThanOrEqual(7);
      for (const e of reads) expect(e.command['readConcern']).toEqual({ level: 'majority' });
      for (const e of writes) expect(e.command['writeConcern']).toEqual({ w: 'majority', wtimeout: 10_000 });
      // Every command is bounded by the server too.
      for (const e of [...reads, ...writes]) expect(e.command['maxTimeMS']).toBe(10_000);
      // No command asks for a secondary.
      for (const e of sent) {
        const mode = (e.command['$readPreference'] as { mode?: string } | undefined)?.mode;
        expect(mode === undefined || mode === 'primary').toBe(true);
      }
    } finally {
      await client.close();
    }
  });

  it('resolves primary reads and majority read and write concern on every collection handle of the store and the lock', async () => {
    const client = await new MongoClient(weakUri()).connect();
    try {
      const db = client.db(mongo.db.databaseName);
      const store = new MongoSchedulerStore(db, {
        schedulesCollection: mongo.unique('s'),
        runsCollection: mongo.unique('r'),
      });
      const lock = new DistributedLock(db, { collectionName: mongo.unique('l') });
      const handles = [
        ...Object.values(await store.collections()),
        ...Object.values(await lock.collections()),
      ];
      expect(handles).toHaveLength(6); // schedules, runs, idempotency keys, state (global pause); locks, tokens
      for (const c of handles) {
        expect(c.readPreference?.mode).toBe('primary');
        expect(c.readConcern?.level).toBe('majority');
        expect(c.writeConcern?.w).toBe('majority');
        expect(c.writeConcern?.wtimeoutMS).toBe(10_000);
      }
    } finally {
      await client.close();
    }
  });

  it('keeps an explicit write concern (with the bounded wait when it has none) and its operationTimeoutMs', async () => {
    const store = new MongoSchedulerStore(mongo.db, {
      writeConcern: { w: 'majority', journal: true },
      operationTimeoutMs: 2500,
    });
    expect(await store.writeConcern()).toEqual({ w: 'majority', journal: true, wtimeoutMS: 2500 });
    const { runs } = await store.collections();
    expect(runs.writeConcern?.journal).toBe(true);
    expect(runs.readConcern?.level).toBe('majority');
    const lock = new DistributedLock(mongo.db, { writeConcern: { w: 2, wtimeoutMS: 700 } });
    expect(await lock.writeConcern()).toEqual({ w: 2, wtimeoutMS: 700 });
  });

  it('refuses w: 0 (and a bad operationTimeoutMs) with MongoInvalidOptionError; connectMongo then opens nothing', async () => {
    for (const w of [0, '0'] as const) {
      const wc = { w } as never;
      expect(() => new MongoSchedulerStore(mongo.db, { writeConcern: wc })).toThrow(MongoInvalidOptionError);
      expect(() => new DistributedLock(mongo.db, { writeConcern: wc })).toThrow(MongoInvalidOptionError);
    }
    const error = (() => {
      try {
        new MongoSchedulerStore(mongo.db, { writeConcern: { w: 0 } });
      } catch (e) {
        return e as MongoInvalidOptionError;
      }
      return null;
    })();
    expect(error?.code).toBe('CRAFT_MONGO_INVALID_OPTION');
    expect(error?.message).toContain('writeConcern');
    expect(error?.message).toContain('w: 0 is refused');
    for (const bad of [0, -1, Number.NaN]) {
      expect(() => new MongoSchedulerStore(mongo.db, { operationTimeoutMs: bad })).toThrow(
        MongoInvalidOptionError,
      );
      expect(() => new DistributedLock(mongo.db, { operationTimeoutMs: bad })).toThrow(
        MongoInvalidOptionError,
      );
    }
    await expect(
      connectMongo(mongo.uri, {
        lock: { writeConcern: { w: 0 } },
        clientOptions: { serverSelectionTimeoutMS: 300 },
      }),
    ).rejects.toBeInstanceOf(MongoInvalidOptionError);
  });

  it('bounds every call: an operation on a connection that stops answering fails with CRAFT_MONGO_TIMEOUT', async () => {
    // No socket timeout on the client: only the adapter's own bound (operationTimeoutMs + 1 s) ends the wait.
    const client = await proxiedClient(proxy, { heartbeatFrequencyMS: 60_000 }).connect();
    try {
      const store = new MongoSchedulerStore(client.db(mongo.db.databaseName), {
        schedulesCollection: mongo.unique('s'),
        runsCollection: mongo.unique('r'),
        operationTimeoutMs: 300,
      });
      const lock = new DistributedLock(client.db(mongo.db.databaseName), {
        collectionName: mongo.unique('l'),
        operationTimeoutMs: 300,
      });
      expect(await store.getSchedule('nothing')).toBeNull(); // connected, indexes ensured
      expect(await lock.inspect('job:nothing')).toBeNull();
      proxy.stall();
      const t0 = Date.now();
      const failure = await store.getSchedule('nothing').catch((e: unknown) => e);
      const lockFailure = await lock.inspect('job:nothing').catch((e: unknown) => e);
      const elapsed = Date.now() - t0;
      expect(failure).toBeInstanceOf(MongoTimeoutError);
      expect((failure as MongoTimeoutError).operation).toBe('MongoSchedulerStore.getSchedule');
      expect(lockFailure).toBeInstanceOf(MongoTimeoutError);
      expect(elapsed).toBeGreaterThanOrEqual(2 * 1300 - 50);
      expect(elapsed).toBeLessThan(2 * 1300 + 2000);
    } finally {
      proxy.restore();
      await client.close();
    }
  });
});
