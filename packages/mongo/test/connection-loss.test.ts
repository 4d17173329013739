// Connection failures surface as typed errors, and a scheduler cycle cut off by a dropped connection (at every
// point of the cycle in turn) recovers on the next cycle without losing or duplicating a slot. One client talks
// through a TCP proxy that the test cuts; the shared server is never touched.
import {
  type CycleResult,
  createSchedule,
  defineJob,
  FakeClock,
  JobRegistry,
  JobScheduler,
  slotRunKey,
} from '@craft/scheduler';
import { MongoError } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import {
  connectMongo,
  DistributedLock,
  MongoInvalidUriError,
  MongoSchedulerStore,
  MongoTimeoutError,
  MongoUnavailableError,
} from '../src/index.js';
import { setupMongo } from './support/mongo.js';
import { expectNoneHeld } from './support/none-held.js';
import { proxiedClient, startProxy } from './support/proxy.js';

const mongo = await setupMongo('connection-loss');
const proxy = await startProxy(mongo.uri);
afterAll(() => proxy.close());

/** Retries `fn` until it succeeds (the driver rediscovers a restored server within a heartbeat or two). */
async function eventually<T>(fn: () => Promise<T>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (Date.now() > end) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('typed errors', () => {
  it('reports a dropped connection as CRAFT_MONGO_UNAVAILABLE with the driver error as cause, then recovers', async () => {
    const client = await proxiedClient(proxy).connect();
    try {
      const db = client.db(mongo.db.databaseName);
      const store = new MongoSchedulerStore(db, {
        schedulesCollection: mongo.unique('s'),
        runsCollection: mongo.unique('r'),
      });
      const lock = new DistributedLock(db, { collectionName: mongo.unique('l') });
      await store.ensureIndexes();
      await store.insertSchedule(
        createSchedule({ jobName: 'x', cronExpression: '* * * * *', jobType: 'noop' }),
      );
      proxy.cut();
      const failure = await store.getSchedule('x').catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(MongoUnavailableError);
      expect((failure as MongoUnavailableError).code).toBe('CRAFT_MONGO_UNAVAILABLE');
      expect((failure as MongoUnavailableError).operation).toBe('MongoSchedulerStore.getSchedule');
      expect((failure as MongoUnavailableError).httpStatus).toBe(503);
      expect((failure as Error).cause).toBeInstanceOf(MongoError);
      expect((failure as Error).message).toContain('MongoSchedulerStore.getSchedule');
      const lockFailure = await lock.acquire('job:x', 'me', 1000).catch((e: unknown) => e);
      expect(lockFailure).toBeInstanceOf(MongoUnavailableError);
      expect((lockFailure as MongoUnavailableError).operation).toBe('DistributedLock.acquire');
      proxy.restore();
      expect((await eventually(() => store.getSchedule('x')))?.jobName).toBe('x');
      expect(await eventually(() => lock.acquire('job:x', 'me', 1000))).not.toBeNull();
    } finally {
      proxy.restore();
      await client.close();
    }
  });

  it('reports a stalled connection as CRAFT_MONGO_TIMEOUT (socket timeout)', async () => {
    const client = await proxiedClient(proxy, {
      socketTimeoutMS: 300,
      heartbeatFrequencyMS: 60_000,
    }).connect();
    try {
      const store = new MongoSchedulerStore(client.db(mongo.db.databaseName), {
        schedulesCollection: mongo.unique('s'),
        runsCollection: mongo.unique('r'),
      });
      expect(await store.getSchedule('nothing')).toBeNull(); // connected, write concern resolved
      proxy.stall();
      const failure = await store.listSchedules().catch((e: unknown) => e);

      expect(failure).toBeInstanceOf(MongoTimeoutError);
      expect((failure as MongoTimeoutError).code).toBe('CRAFT_MONGO_TIMEOUT');
      expect((failure as MongoTimeoutError).httpStatus).toBe(504);
      proxy.restore();
      expect(await eventually(() => store.listSchedules())).toEqual([]);
    } finally {
      proxy.restore();
      await client.close();
    }
  });

  it('an operation that gave up sends nothing more: a lock acquire held up by a dropped connection never takes the lock later', async () => {
    // A lock acquire of a new key takes several steps (look, reserve a fencing epoch, create the document). While
    // the connection is down the driver holds the first step, waiting for a server; the adapter gives up at its
    // bound. Once the server is back, the held step must not go out, nor any step after it: a lock taken then
    // would be held for a whole TTL by a caller that was told the acquire failed.
    const client = await proxiedClient(proxy, { serverSelectionTimeoutMS: 20_000 }).connect();
    try {
      const collectionName = mongo.unique('l');
      const lock = new DistributedLock(client.db(mongo.db.databaseName), {
        collectionName,
        operationTimeoutMs: 300,
      });
      await lock.ensureIndexes();
      expect(await lock.inspect('warm-up')).toBeNull(); // connected
      proxy.cut();
      // The first call after the cut may fail at once on its closed connection; from then on the driver waits for a
      // server (and the adapter gives up at its bound).
      await lock.inspect('warm-up').catch(() => null);
      const failure = await lock.acquire('job:late', 'gave-up', 60_000).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(MongoTimeoutError);
      proxy.restore();
      // The driver finds the server again within a second (it checks at once when an operation waits for it).
      await eventually(() => lock.inspect('warm-up'));
      await new Promise((r) => setTimeout(r, 1500));
      const direct = new DistributedLock(mongo.db, { collectionName });
      expect(await direct.inspect('job:late')).toBeNull();
      expect(await mongo.db.collection(collectionName).countDocuments({ lock_key: 'job:late' })).toBe(0);
    } finally {
      proxy.restore();
      await client.close();
    }
  });

  it('a lock acquire whose write lands after the adapter gave up on it does not keep the lock', async () => {
    // A slow link: the acquire's one write (a free lock document taken over) reaches the server after the adapter's
    // bound, so the caller is told "timed out" — and the lock is taken in its name afterwards. The freeing write the
    // failed call sends follows it (on a connection already open, as slow), so the lock is freed, not held for a whole
    // lease. (The monitor is kept out of the way: its checks would be held too.)
    const client = await proxiedClient(proxy, {
      heartbeatFrequencyMS: 60_000,
      connectTimeoutMS: 10_000,
      minPoolSize: 3,
    }).connect();
    try {
      const collectionName = mongo.unique('l');
      const lock = new DistributedLock(client.db(mongo.db.databaseName), {
        collectionName,
        operationTimeoutMs: 300,
      });
      await lock.ensureIndexes();
      const first = await lock.acquire('job:slow', 'early', 60_000);
      expect(first).not.toBeNull();
      if (first) await lock.release(first);
      proxy.delay(2500); // past the adapter's bound (300 ms + 1 s)
      const failure = await lock.acquire('job:slow', 'late', 60_000).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(MongoTimeoutError);
      // The held write lands: the token moves past the first holder's.
      const locks = mongo.db.collection(collectionName);
      await eventually(async () => {
        const doc = await locks.findOne({ lock_key: 'job:slow' });
        if (!((doc?.['token'] as number) > (first?.token ?? 0))) throw new Error('not landed yet');
      });
      // ...and is freed (the freeing writes are held as long), so nobody holds the lock.
      await expectNoneHeld(new DistributedLock(mongo.db, { collectionName }), ['job:slow']);
      proxy.delay(0);
    } finally {
      proxy.restore();
      await client.close();
    }
  }, 30_000);

  it('a lock acquireMany cut off mid-way holds none of its keys once the connection is back', async () => {
    // Keys without a lock document are taken one by one, concurrently, in several steps each. A dropped connection
    // fails the command on the wire at once while the driver holds the others until the server is back; the call
    // fails, and a held step that went out later must not take its key in the call's name (seen in CI: a slot
    // delayed by a whole lease). Cut after each of the call's first commands in turn, for 150 ms.
    const keys = ['job:a', 'job:b', 'job:c', 'job:d', 'job:e', 'job:f'];
    for (let cutAfter = 1; cutAfter <= 8; cutAfter++) {
      const client = await proxiedClient(proxy, {
        monitorCommands: true,
        serverSelectionTimeoutMS: 5000,
      }).connect();
      try {
        const lock = new DistributedLock(client.db(mongo.db.databaseName), {
          collectionName: mongo.unique('l'),
          operationTimeoutMs: 3000,
        });
        await lock.ensureIndexes();
        expect(await lock.inspect('warm-up')).toBeNull(); // connected
        let commands = 0;
        client.on('commandStarted', () => {
          if (++commands !== cutAfter) return;
          proxy.cut();
          setTimeout(() => proxy.restore(), 150); // a short outage: held commands go out once it ends
        });
        const answer = await lock.acquireMany(keys, 'cut', 60_000).catch((e: unknown) => e);
        await eventually(() => lock.inspect('warm-up'));
        // A call that succeeded anyway (every step done before the cut took effect) gives its leases back.
        if (Array.isArray(answer)) {
          for (const lease of answer) if (lease) await lock.release(lease);
        } else {
          expect(answer, `cut after ${cutAfter}`).toBeInstanceOf(MongoUnavailableError);
        }
        // The freeing write goes out once the driver is connected again; then nothing may take a key any more.
        const direct = new DistributedLock(mongo.db, { collectionName: lock.collectionName });
        await expectNoneHeld(direct, keys, `cut after ${cutAfter} command(s)`);
      } finally {
        proxy.restore();
        await client.close();
      }
    }
  }, 120_000);

  it('connectMongo: unreachable server → CRAFT_MONGO_UNAVAILABLE; malformed URI → CRAFT_MONGO_INVALID_URI (redacted)', async () => {
    proxy.cut();
    try {
      const failure = await connectMongo(proxy.uri, {
        clientOptions: { serverSelectionTimeoutMS: 300 },
      }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(MongoUnavailableError);
      expect((failure as MongoUnavailableError).operation).toBe('connectMongo');
    } finally {
      proxy.restore();
    }
    const bad = await connectMongo('mongodb://alice:s3cret@host:notaport/db').catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(MongoInvalidUriError);
    expect((bad as MongoInvalidUriError).code).toBe('CRAFT_MONGO_INVALID_URI');
    expect((bad as Error).message).not.toContain('s3cret');
    expect((bad as MongoInvalidUriError).uri).toBe('mongodb://alice:****@host:notaport/db');
  });
});

describe('a cycle cut off by a dropped connection', () => {
  const SCHEDULES = 6;
  const SLOT = new Date('2030-01-01T00:05:00.000Z');

  // Cut after the k-th database command of the cycle: listing, locking, claiming, executing, writing results and
  // releasing, for one schedule or another. The first points are fixed; the rest are spread over the length of an
  // uncut cycle, measured first.
  const FIXED = [1, 2, 3, 4];
  const FRACTIONS = [0.08, 0.15, 0.22, 0.3, 0.38, 0.46, 0.54, 0.62, 0.7, 0.78, 0.86, 0.94];
  let uncutCycleCommands = 0;

  it('baseline: an uncut cycle runs every slot once', async () => {
    uncutCycleCommands = await cycle(Number.POSITIVE_INFINITY);
    expect(uncutCycleCommands).toBeGreaterThan(SCHEDULES * 4);
  });

  for (const cutAfter of FIXED) {
    it(`recovers every slot exactly once when the connection drops after command ${cutAfter}`, async () => {
      expect(await cycle(cutAfter)).toBeGreaterThanOrEqual(cutAfter);
    });
  }
  for (const fraction of FRACTIONS) {
    it(`recovers every slot exactly once when the connection drops ${fraction * 100}% into the cycle`, async () => {
      expect(uncutCycleCommands).toBeGreaterThan(0);
      const cutAfter = Math.max(FIXED.length + 1, Math.round(uncutCycleCommands * fraction));
      expect(await cycle(cutAfter)).toBeGreaterThanOrEqual(cutAfter);
    });
  }

  /** One cut cycle and its recovery, with the assertions; returns the commands of the first (cut) cycle. */
  async function cycle(cutAfter: number): Promise<number> {
    {
      const clock = new FakeClock(Date.parse('2030-01-01T00:00:30.000Z'));
      const names = { schedulesCollection: mongo.unique('s'), runsCollection: mongo.unique('r') };
      const lockName = mongo.unique('l');
      const calls = new Map<string, number>();
      const registry = new JobRegistry([
        defineJob({
          type: 'noop',
          handler: async (_p, ctx) => {
            const key = `${ctx.jobName}@${ctx.scheduledAt?.toISOString()}`;
            calls.set(key, (calls.get(key) ?? 0) + 1);
          },
        }),
      ]);
      // Schedules are set up over the direct connection.
      const setupStore = new MongoSchedulerStore(mongo.db, { ...names, clock });
      await setupStore.ensureIndexes();
      await new DistributedLock(mongo.db, { collectionName: lockName, clock }).ensureIndexes();
      for (let i = 0; i < SCHEDULES; i++) {
        await setupStore.insertSchedule(
          createSchedule({
            jobName: `s${i}`,
            cronExpression: '*/5 * * * *',
            jobType: 'noop',
            nextRunAt: SLOT,
          }),
        );
      }

      const client = await proxiedClient(proxy, { monitorCommands: true }).connect();
      try {
        const db = client.db(mongo.db.databaseName);
        const store = new MongoSchedulerStore(db, { ...names, clock });
        const lock = new DistributedLock(db, { collectionName: lockName, clock });
        // What the engine logs once the connection is back, for the assertion messages.
        const logged: string[] = [];
        let logging = false;
        const log = (level: string) => (message: string, fields?: Record<string, unknown>) => {
          if (logging) logged.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
        };
        const logger = { debug() {}, info() {}, warn: log('warn'), error: log('error') };
        const scheduler = new JobScheduler({ store, lock, registry, clock, logger, replicaId: 'cut' });
        let commands = 0;
        let counting = true;
        client.on('commandStarted', () => {
          if (!counting) return;
          commands++;
          if (commands === cutAfter) proxy.cut();
        });

        await clock.set(SLOT.getTime() + 500);
        const cutCycle = (async () => {
          const first: CycleResult | Error = await scheduler.checkAndRunDueJobs().catch((e: Error) => e);
          if (first instanceof Error) expect(first).toBeInstanceOf(MongoUnavailableError);
          else await first.done.catch(() => []);
          await scheduler.idle();
        })();
        // While the connection stays down the engine retries its writes until each lease's local deadline (48 s into
        // the 60 s lease; spec section 11), then writes nothing more: let fake time pass that deadline.
        await Promise.race([cutCycle, new Promise((r) => setTimeout(r, 1000))]);
        await clock.set(SLOT.getTime() + 50_000);
        await cutCycle;
        counting = false;
        proxy.restore();

        // The next cycle of the loop (past the lock and run leases) repairs everything; a second one finds nothing
        // left to do. A write the engine gave up on may still land once the connection is back (the driver held it
        // while it selected a server): a run lease renewed then, at 50 s, lasts until 110 s — recovery is later by
        // a lease, never unsafe. So the next cycle is a lease after that. As the loop does, passes then follow while a
        // slot is still due (at least two): a claim that meets a connection the driver has not replaced yet fails and
        // leaves its slot due, for the loop's next pass. A slot lost (not due, no record) still fails below.
        await new Promise((r) => setTimeout(r, 500));
        await clock.set(SLOT.getTime() + 50_000 + 61_000);
        const recovery: string[] = [];
        logging = true;
        for (let pass = 0; pass < 10; pass++) {
          const r = await eventually(() => scheduler.checkAndRunDueJobs());
          await r.done;
          await scheduler.idle();
          const due = await setupStore.listDueSchedules(new Date(clock.now()), SCHEDULES);
          recovery.push(
            `pass ${pass + 1}: ${r.runs.length} runs, deferred [${r.deferred.join(', ')}], still due [${due.map((d) => d.jobName).join(', ')}]`,
          );
          if (pass >= 1 && due.length === 0) break;
        }

        for (let i = 0; i < SCHEDULES; i++) {
          const runs = await setupStore.listRuns({ jobName: `s${i}` });
          // Exactly one record for the slot (unique run_key), and it ran to success.
          const schedule = await setupStore.getSchedule(`s${i}`);
          const held = await new DistributedLock(mongo.db, { collectionName: lockName, clock }).inspect(
            `job:s${i}`,
          );
          expect(
            runs.map((r) => `${r.runKey} ${r.status}`),
            `s${i} (next_run_at ${schedule?.nextRunAt?.toISOString()}; recovery: ${recovery.join('; ')}; lock ${JSON.stringify(held)}; logged: ${logged.join(' | ')})`,
          ).toEqual([`${slotRunKey(`s${i}`, SLOT)} succeeded`]);
          const run = runs[0];
          // A handler runs again only when the ledger shows the earlier attempt was abandoned.
          const executions = calls.get(`s${i}@${SLOT.toISOString()}`) ?? 0;
          expect(executions).toBeGreaterThanOrEqual(1);
          expect(run?.attempts.filter((a) => a.status === 'succeeded')).toHaveLength(1);
          expect((await setupStore.getSchedule(`s${i}`))?.nextRunAt?.toISOString()).toBe(
            '2030-01-01T00:10:00.000Z',
          );
        }
        return commands;
      } finally {
        proxy.restore();
        await client.close();
      }
    }
  }
});
