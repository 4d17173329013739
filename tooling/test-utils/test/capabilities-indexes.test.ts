// Index management (ensureIndexes runs from every replica at startup) and the queries the storage code uses.
import type { IndexDescription } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, dropTestDatabase } from '../src/index.js';
import { serverError, useMongo } from './support/mongo.js';

const mongo = useMongo('capabilities-indexes');

describe('createIndexes', () => {
  it('is idempotent: the same specs twice succeed and leave one index each', async () => {
    const schedules = mongo.db.collection('idempotent');
    const specs: IndexDescription[] = [
      { key: { job_name: 1 }, name: 'job_name_unique', unique: true },
      { key: { is_enabled: 1, next_run_at: 1 }, name: 'enabled_next_run' },
    ];
    expect(await schedules.createIndexes(specs)).toEqual(['job_name_unique', 'enabled_next_run']);
    expect(await schedules.createIndexes(specs)).toEqual(['job_name_unique', 'enabled_next_run']);
    const names = (await schedules.listIndexes().toArray()).map((i) => i['name']).sort();
    expect(names).toEqual(['_id_', 'enabled_next_run', 'job_name_unique']);
  });

  it('same name, different options: IndexKeySpecsConflict (86)', async () => {
    const coll = mongo.db.collection('same_name_other_options');
    await coll.createIndex({ lock_key: 1 }, { name: 'lock_key_1' });
    const error = await serverError(() =>
      coll.createIndex({ lock_key: 1 }, { name: 'lock_key_1', unique: true }),
    );
    expect(error.code).toBe(86);
    expect(error.codeName).toBe('IndexKeySpecsConflict');
  });

  it('same key, other name: accepted twice on the test server; IndexOptionsConflict (85) on MongoDB', async () => {
    const coll = mongo.db.collection('same_key_other_name');
    await coll.createIndex({ a: 1 }, { name: 'first' });
    const second = () => coll.createIndex({ a: 1 }, { name: 'second', unique: true });
    if (mongo.onTestServer) {
      expect(await second()).toBe('second');
      expect((await coll.listIndexes().toArray()).map((i) => i['name'])).toEqual(['_id_', 'first', 'second']);
    } else {
      expect([85, 86]).toContain((await serverError(second)).code);
    }
  });

  it('same name, other key: accepted on the test server, which then cannot drop that collection', async () => {
    // A database of its own: on the test server the clash leaves a collection that cannot be dropped.
    const db = createTestDatabase(mongo.client, 'index-name-clash');
    const coll = db.collection('same_name_other_key');
    await coll.createIndex({ a: 1 }, { name: 'dup_name' });
    const clash = () => coll.createIndex({ b: 1 }, { name: 'dup_name' });
    if (mongo.onTestServer) {
      expect(await clash()).toBe('dup_name');
      // Dropping indexes by name removes both at once, then fails on the second (27 IndexNotFound), for good.
      expect((await serverError(() => coll.drop())).code).toBe(27);
      expect((await serverError(() => coll.drop())).code).toBe(27);
      expect((await serverError(() => db.dropDatabase())).code).toBe(27);
      await db.dropDatabase(); // the second attempt forgets the database
    } else {
      expect((await serverError(clash)).code).toBe(86);
      await dropTestDatabase(db);
    }
    const names = (await mongo.client.db('admin').admin().listDatabases()).databases.map((d) => d.name);
    expect(names).not.toContain(db.databaseName);
  });

  it('building a unique index over existing duplicates fails with 11000', async () => {
    const coll = mongo.db.collection('unique_over_duplicates');
    await coll.insertMany([{ u: 1 }, { u: 1 }]);
    expect((await serverError(() => coll.createIndex({ u: 1 }, { unique: true }))).code).toBe(11000);
  });

  it('a TTL index is accepted and listed with expireAfterSeconds (the test server never deletes anything)', async () => {
    const locks = mongo.db.collection('ttl');
    expect(
      await locks.createIndex({ expires_at: 1 }, { expireAfterSeconds: 0, name: 'expires_at_ttl' }),
    ).toBe('expires_at_ttl');
    const ttl = (await locks.listIndexes().toArray()).find((i) => i['name'] === 'expires_at_ttl');
    expect(ttl?.['expireAfterSeconds']).toBe(0);
    // Changing the TTL later: collMod is not implemented by the test server (59).
    const collMod = () =>
      mongo.db.command({ collMod: 'ttl', index: { name: 'expires_at_ttl', expireAfterSeconds: 60 } });
    if (mongo.onTestServer) expect((await serverError(collMod)).code).toBe(59);
    else expect((await collMod())['ok']).toBe(1);
  });

  it('partialFilterExpression: accepted and listed, but ignored by the test server (uniqueness applies to every document)', async () => {
    const runs = mongo.db.collection('partial');
    await runs.createIndex(
      { schedule_id: 1, slot: 1 },
      { unique: true, name: 'slot_claim', partialFilterExpression: { kind: 'scheduled' } },
    );
    const index = (await runs.listIndexes().toArray()).find((i) => i['name'] === 'slot_claim');
    expect(index?.['partialFilterExpression']).toEqual({ kind: 'scheduled' });
    await runs.insertOne({ schedule_id: 's', slot: null, kind: 'manual' });
    const outsideFilter = () => runs.insertOne({ schedule_id: 's', slot: null, kind: 'manual' });
    if (mongo.onTestServer) expect((await serverError(outsideFilter)).code).toBe(11000);
    else await outsideFilter();
    await runs.insertOne({ schedule_id: 's', slot: 1, kind: 'scheduled' });
    expect(
      (await serverError(() => runs.insertOne({ schedule_id: 's', slot: 1, kind: 'scheduled' }))).code,
    ).toBe(11000);
  });
});

describe('queries', () => {
  const t = (minute: number) => new Date(Date.UTC(2026, 0, 1, 9, minute));

  it('sort + limit on dates (due schedules, oldest first), $in, countDocuments', async () => {
    const schedules = mongo.db.collection('due');
    await schedules.insertMany([
      { job_name: 'd', is_enabled: true, next_run_at: t(30) },
      { job_name: 'a', is_enabled: true, next_run_at: t(10) },
      { job_name: 'c', is_enabled: false, next_run_at: t(5) },
      { job_name: 'b', is_enabled: true, next_run_at: t(20) },
      { job_name: 'e', is_enabled: true, next_run_at: null },
      { job_name: 'f', is_enabled: true },
    ]);
    const due = await schedules
      .find({ is_enabled: true, next_run_at: { $lte: t(25) } }, { projection: { _id: 0, job_name: 1 } })
      .sort({ next_run_at: 1 })
      .limit(2)
      .toArray();
    expect(due).toEqual([{ job_name: 'a' }, { job_name: 'b' }]);
    const newestFirst = await schedules
      .find({}, { projection: { _id: 0, job_name: 1 } })
      .sort({ next_run_at: -1 })
      .limit(3)
      .toArray();
    expect(newestFirst).toEqual([{ job_name: 'd' }, { job_name: 'b' }, { job_name: 'a' }]);
    expect(await schedules.countDocuments({ job_name: { $in: ['a', 'c', 'zz'] } })).toBe(2);
    expect(await schedules.countDocuments({ next_run_at: { $exists: false } })).toBe(1);
    expect(await schedules.countDocuments({ next_run_at: null })).toBe(2); // null matches missing too
    expect(await schedules.countDocuments()).toBe(6);
  });

  it('aggregate: $match, $group, $sort', async () => {
    const runs = mongo.db.collection('history');
    await runs.insertMany([
      { job: 'a', status: 'succeeded', ms: 10 },
      { job: 'a', status: 'failed', ms: 30 },
      { job: 'b', status: 'succeeded', ms: 20 },
      { job: 'a', status: 'succeeded', ms: 50 },
      { job: 'c', status: 'running', ms: 0 },
    ]);
    const stats = await runs
      .aggregate([
        { $match: { status: { $in: ['succeeded', 'failed'] } } },
        { $group: { _id: '$job', runs: { $sum: 1 }, maxMs: { $max: '$ms' }, avgMs: { $avg: '$ms' } } },
        { $sort: { runs: -1, _id: 1 } },
      ])
      .toArray();
    expect(stats).toEqual([
      { _id: 'a', runs: 3, maxMs: 50, avgMs: 30 },
      { _id: 'b', runs: 1, maxMs: 20, avgMs: 20 },
    ]);
  });

  it('deleteMany with a date filter', async () => {
    const runs = mongo.db.collection('prune');
    await runs.insertMany([{ at: t(1) }, { at: t(2) }, { at: t(3) }]);
    expect((await runs.deleteMany({ at: { $lt: t(3) } })).deletedCount).toBe(2);
    expect(await runs.countDocuments()).toBe(1);
  });
});
