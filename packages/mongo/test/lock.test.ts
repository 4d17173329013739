// DistributedLock beyond the conformance suite: the documents it writes, fencing counters that survive garbage
// collection (including the lock documents being deleted under racing acquirers), the TTL index as GC only,
// option validation, the write concern, and a failed acquireMany holding none of its keys.
import { FakeClock } from '@craft/scheduler';
import { getServerKind } from '@craft/test-utils';
import { describe, expect, it } from 'vitest';
import {
  DistributedLock,
  MongoInvalidOptionError,
  type MongoOperationError,
  TOKEN_EPOCH,
} from '../src/index.js';
import { setupMongo } from './support/mongo.js';
import { expectNoneHeld } from './support/none-held.js';

const mongo = await setupMongo('lock');
const serverKind = await getServerKind(mongo.db);

function newLock(options: ConstructorParameters<typeof DistributedLock>[1] = {}): DistributedLock {
  return new DistributedLock(mongo.db, { collectionName: mongo.unique('locks'), ...options });
}

describe('DistributedLock', () => {
  it('stores one document per key with the server-stamped lease and keeps it (owner cleared) on release', async () => {
    const lock = newLock();
    await lock.ensureIndexes();
    expect(lock.timeSource).toBe('server');
    const lease = await lock.acquire('job:settlement', 'replica-a', 5000);
    expect(lease?.key).toBe('job:settlement');
    const doc = await mongo.db.collection(lock.collectionName).findOne({ lock_key: 'job:settlement' });
    expect(doc?.['owner']).toBe('replica-a');
    expect(doc?.['token']).toBe(lease?.token);
    expect(doc?.['ttl_ms']).toBe(5000);
    // The lease's expiry is the server's stamp + ttl, not this process's clock.
    const renewedAt = doc?.['renewed_at'] as Date;
    expect(renewedAt).toBeInstanceOf(Date);
    expect(lease?.expiresAt.getTime()).toBe(renewedAt.getTime() + 5000);
    expect(await lock.release(lease as NonNullable<typeof lease>)).toBe(true);
    const released = await mongo.db.collection(lock.collectionName).findOne({ lock_key: 'job:settlement' });
    expect(released?.['owner']).toBeNull();
    const counter = await mongo.db
      .collection<{ _id: string; seq: number }>(lock.tokenCollectionName)
      .findOne({ _id: 'job:settlement' });
    // The first lock of a key opens an epoch of the counter; later takeovers increment the document's token in
    // the same write that takes it (one round trip) and leave the counter alone.
    expect(counter?.seq).toBe(1);
    expect(lease?.token).toBe(TOKEN_EPOCH);
    const again = await lock.acquire('job:settlement', 'replica-b', 5000);
    expect(again?.token).toBe(TOKEN_EPOCH + 1);
    const after = await mongo.db
      .collection<{ _id: string; seq: number }>(lock.tokenCollectionName)
      .findOne({ _id: 'job:settlement' });
    expect(after?.seq).toBe(1);
  });

  it('adopts a lock document of an earlier version (plain counter token) with a greater token, then increments it', async () => {
    const lock = newLock();
    await lock.ensureIndexes();
    await mongo.db
      .collection(lock.collectionName)
      .insertOne({ lock_key: 'job:legacy', owner: null, token: 57, ttl_ms: 1000 });
    await mongo.db
      .collection<{ _id: string; seq: number }>(lock.tokenCollectionName)
      .insertOne({ _id: 'job:legacy', seq: 57 });
    const first = await lock.acquire('job:legacy', 'a', 5000);
    expect(first?.token).toBe(58 * TOKEN_EPOCH);
    expect(await lock.acquire('job:legacy', 'b', 5000)).toBeNull();
    expect(await lock.release(first as NonNullable<typeof first>)).toBe(true);
    const second = await lock.acquire('job:legacy', 'b', 5000);
    expect(second?.token).toBe(58 * TOKEN_EPOCH + 1);
  });

  it('uses the default ttlSeconds when acquire() gets no ttl', async () => {
    const lock = newLock({ ttlSeconds: 90 });
    const lease = await lock.acquire('job:default-ttl', 'a');
    const doc = await mongo.db.collection(lock.collectionName).findOne({ lock_key: 'job:default-ttl' });
    expect(doc?.['ttl_ms']).toBe(90_000);
    expect(lease).not.toBeNull();
  });

  it('keeps fencing tokens increasing when every lock document is deleted between acquisitions', async () => {
    const lock = newLock();
    await lock.ensureIndexes();
    const tokens: number[] = [];
    for (let i = 0; i < 10; i++) {
      const lease = await lock.acquire('job:gc', `o${i}`, 60_000);
      expect(lease).not.toBeNull();
      tokens.push((lease as NonNullable<typeof lease>).token);
      // Garbage collection at its most aggressive: the lock document is gone, held or not.
      await mongo.db.collection(lock.collectionName).deleteMany({});
    }
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1] as number);
  });

  it('never hands out a token lower than one already issued when its document vanished mid-race', async () => {
    const lock = newLock();
    await lock.ensureIndexes();
    const issued: number[] = [];
    for (let round = 0; round < 15; round++) {
      const results = await Promise.all(
        Array.from({ length: 6 }, async (_, i) => {
          if (i === 0) await mongo.db.collection(lock.collectionName).deleteMany({}); // GC racing the acquirers
          return lock.acquire('job:gc-race', `o${i}`, 60_000);
        }),
      );
      const winners = results.filter((r) => r !== null);
      // Deleting a held lock document (which the TTL index never does: it waits gcAfterSeconds past the last
      // renewal, longer than any lease) can let a second acquirer in; fencing still orders them.
      expect(winners.length).toBeGreaterThanOrEqual(1);
      const max = Math.max(...issued, 0);
      for (const w of winners) expect(w.token).toBeGreaterThan(max);
      issued.push(...winners.map((w) => w.token));
      for (const w of winners) await lock.release(w);
    }
    expect(new Set(issued).size).toBe(issued.length);
  });

  it('collectGarbage deletes only free locks (released or expired) and tokens keep increasing', async () => {
    const clock = new FakeClock(Date.parse('2030-01-01T00:00:00.000Z'));
    const lock = newLock({ clock });
    await lock.ensureIndexes();
    const held = await lock.acquire('job:held', 'a', 60_000);
    const released = await lock.acquire('job:released', 'a', 60_000);
    const expiring = await lock.acquire('job:expiring', 'a', 1_000);
    await lock.release(released as NonNullable<typeof released>);
    await clock.advance(5_000);
    expect(await lock.collectGarbage()).toBe(2);
    expect((await lock.inspect('job:held'))?.token).toBe(held?.token);
    const again = await lock.acquire('job:expiring', 'b', 1_000);
    expect(again?.token).toBeGreaterThan(expiring?.token as number);
  });

  it('creates a unique lock_key index and a TTL index on renewed_at as garbage collection', async () => {
    const lock = newLock({ gcAfterSeconds: 86_400 });
    await Promise.all([lock.ensureIndexes(), lock.ensureIndexes(), newLock().ensureIndexes()]);
    await lock.ensureIndexes(); // idempotent
    const indexes = await mongo.db.collection(lock.collectionName).indexes();
    const unique = indexes.find((ix) => JSON.stringify(ix.key) === '{"lock_key":1}');
    const ttl = indexes.find((ix) => JSON.stringify(ix.key) === '{"renewed_at":1}');
    expect(unique?.unique).toBe(true);
    expect(ttl?.expireAfterSeconds).toBe(86_400);
  });

  it('garbage-collects released lock documents by TTL on MongoDB (the test server ignores TTL)', async () => {
    const lock = newLock({ ttlSeconds: 0.5, gcAfterSeconds: 1 });
    await lock.ensureIndexes();
    const lease = await lock.acquire('job:ttl-gc', 'a');
    await lock.release(lease as NonNullable<typeof lease>);
    const col = mongo.db.collection(lock.collectionName);
    if (serverKind === 'mongodb') {
      // The TTL monitor runs about once a minute.
      const deadline = Date.now() + 180_000;
      while ((await col.countDocuments({ lock_key: 'job:ttl-gc' })) > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 2_000));
      }
      expect(await col.countDocuments({ lock_key: 'job:ttl-gc' })).toBe(0);
    } else {
      await new Promise((r) => setTimeout(r, 1_500));
      expect(await col.countDocuments({ lock_key: 'job:ttl-gc' })).toBe(1);
    }
    // Either way the next token is higher: the counter is not in the collected document.
    expect((await lock.acquire('job:ttl-gc', 'b'))?.token).toBeGreaterThan(lease?.token as number);
  }, 240_000);

  it('rejects leases at or beyond the GC horizon and invalid options, naming the option', async () => {
    expect(() => new DistributedLock(mongo.db, { ttlSeconds: 0 })).toThrow(MongoInvalidOptionError);
    expect(() => new DistributedLock(mongo.db, { ttlSeconds: 7200, gcAfterSeconds: 3600 })).toThrow(
      /gcAfterSeconds/,
    );
    expect(() => new DistributedLock(mongo.db, { collectionName: 'a$b' })).toThrow(/collectionName/);
    const lock = newLock({ gcAfterSeconds: 3601 });
    const error = await lock.acquire('job:x', 'a', 3601_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoInvalidOptionError);
    expect((error as MongoInvalidOptionError).code).toBe('CRAFT_MONGO_INVALID_OPTION');
    expect((error as MongoInvalidOptionError).option).toBe('ttlMs');
    await expect(lock.acquire('job:x', 'a', -1)).rejects.toThrow(MongoInvalidOptionError);
    const lease = await lock.acquire('job:x', 'a', 1000);
    await expect(lock.renew(lease as NonNullable<typeof lease>, Number.NaN)).rejects.toThrow(
      MongoInvalidOptionError,
    );
  });

  it('resolves the write concern: majority with a bounded wait on every deployment; explicit settings kept', async () => {
    const auto = newLock();
    expect(await auto.writeConcern()).toEqual({ w: 'majority', wtimeoutMS: 10_000 });
    const explicit = newLock({ writeConcern: { w: 1, journal: true } });
    expect(await explicit.writeConcern()).toEqual({ w: 1, journal: true, wtimeoutMS: 10_000 });
    expect(await explicit.acquire('job:wc', 'a', 1000)).not.toBeNull();
  });

  describe('a failed acquireMany holds none of its keys', () => {
    // A fencing counter that $inc cannot increment fails a key's acquire at its third step (a new epoch), after the
    // keys taken in the batched write, and while the keys taken one by one beside it are still on their way.
    async function withBrokenKey(lock: DistributedLock, key: string): Promise<void> {
      await lock.ensureIndexes();
      await mongo.db
        .collection(lock.tokenCollectionName)
        .insertOne({ _id: key as never, seq: 'not a number' });
    }

    it('frees a key the batched write took before another key failed', async () => {
      const lock = newLock();
      await withBrokenKey(lock, 'job:broken');
      // job:taken has a free lock document: the batched write takes it, then job:broken fails the call.
      const earlier = await lock.acquire('job:taken', 'a', 60_000);
      expect(earlier).not.toBeNull();
      if (earlier) await lock.release(earlier);

      const failure = await lock
        .acquireMany(['job:taken', 'job:broken'], 'b', 60_000)
        .catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(Error);
      await expectNoneHeld(lock, ['job:taken', 'job:broken']);
      // Freed, not broken: the next acquire takes it with a greater token.
      const next = await lock.acquire('job:taken', 'c', 60_000);
      expect(next?.token).toBeGreaterThan(earlier?.token ?? Number.POSITIVE_INFINITY);
    });

    it('stops the keys still being taken one by one when one of them fails, and frees any it took', async () => {
      const lock = newLock();
      await withBrokenKey(lock, 'job:broken');
      // No lock documents yet: every key is taken one by one, concurrently (a new epoch each).
      const fresh = ['job:f1', 'job:f2', 'job:f3', 'job:f4'];
      const failure = await lock.acquireMany([...fresh, 'job:broken'], 'a', 60_000).catch((e: unknown) => e);
      // The call fails with the broken key's own error, not with one of the others being stopped.
      expect((failure as MongoOperationError).code).toBe('CRAFT_MONGO_OPERATION_FAILED');
      expect((failure as Error).message).toContain('job:broken');
      await expectNoneHeld(lock, [...fresh, 'job:broken']);
      // Each key is still free to take, by anyone.
      const leases = await lock.acquireMany(fresh, 'b', 60_000);
      expect(leases.map((l) => l?.owner)).toEqual(['b', 'b', 'b', 'b']);
    });
  });

  it('takes over a lock document written by another program without a token or stamp', async () => {
    const lock = newLock();
    await lock.ensureIndexes();
    await mongo.db
      .collection(lock.collectionName)
      .insertOne({ lock_key: 'job:legacy', owner: 'old-service' });
    const lease = await lock.acquire('job:legacy', 'new', 1000);
    expect(lease?.owner).toBe('new');
    expect(lease?.token).toBeGreaterThan(0);
  });
});
