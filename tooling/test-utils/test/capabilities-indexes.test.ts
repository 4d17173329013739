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

describe('a unique key and more fields in one filter (served by the unique index on the test server)', () => {
  // The test server looks such a filter up by the unique key alone and lets its matcher check the rest
  // (tooling/mongo-test-server, KeyLookupIndex); the stock mongo-java-server scanned. The answers must be the ones a
  // scan gives: `$and` of the same conditions is never served by an index there, so it is the reference.
  const values: unknown[] = ['a', 'b', 1, 1.0, 2, Number(2n), new Date(Date.UTC(2026, 0, 1)), true, null];

  it('find, updateOne and findOneAndUpdate answer exactly what the same conditions under $and answer', async () => {
    const coll = mongo.db.collection('key_plus_fields');
    await coll.createIndex({ k: 1 }, { unique: true, sparse: true, name: 'k_unique' });
    await coll.createIndex({ a: 1, b: 1 }, { unique: true, name: 'a_b_unique' });
    await coll.insertMany([
      { k: 'a', v: 1, a: 1, b: 1, tags: ['x'] },
      { k: 'b', v: 2, a: 1, b: 2 },
      { k: 1, v: 1, a: 2, b: 1 },
      { k: 2, v: null, a: 2, b: 2 },
      { k: new Date(Date.UTC(2026, 0, 1)), v: 1, a: 3, b: 1 },
      { k: true, v: 2, a: 3, b: 2 },
      { k: ['m', 'n'], v: 1, a: 4, b: 1 }, // an array: a multikey entry per element
      { v: 1, a: 4, b: 2 }, // no k at all (the sparse index leaves it out)
    ]);
    const strip = (docs: Record<string, unknown>[]) => docs.map(({ _id, ...rest }) => rest);
    const filters: Record<string, unknown>[] = [];
    for (const k of [...values, 'm', 'n', 'zzz']) {
      for (const v of [1, 2, null]) filters.push({ k, v });
      filters.push({ k, tags: 'x' }, { k, v: { $in: [1, 2] } }, { k, missing: { $exists: false } });
    }
    for (const a of [1, 2, 4]) for (const b of [1, 2]) filters.push({ a, b, v: 1 }, { a, b, k: 'a' });
    for (const filter of filters) {
      const conditions = Object.entries(filter).map(([key, value]) => ({ [key]: value }));
      const byIndex = strip(await coll.find(filter).sort({ a: 1, b: 1 }).toArray());
      const byScan = strip(await coll.find({ $and: conditions }).sort({ a: 1, b: 1 }).toArray());
      expect({ filter, answer: byIndex }).toEqual({ filter, answer: byScan });
    }
    // Writes through such a filter change the document the filter names, and only when the rest matches.
    expect((await coll.updateOne({ k: 'a', v: 2 }, { $set: { seen: 1 } })).matchedCount).toBe(0);
    expect((await coll.updateOne({ k: 'a', v: 1 }, { $set: { seen: 1 } })).modifiedCount).toBe(1);
    const after = await coll.findOneAndUpdate(
      { k: 'b', v: 2 },
      { $inc: { v: 1 } },
      { returnDocument: 'after', projection: { _id: 0, k: 1, v: 1 } },
    );
    expect(after).toEqual({ k: 'b', v: 3 });
    expect(await coll.findOneAndUpdate({ k: 'b', v: 2 }, { $inc: { v: 1 } })).toBeNull();
    expect(strip(await coll.find({ seen: 1 }).toArray())).toEqual([
      { k: 'a', v: 1, a: 1, b: 1, tags: ['x'], seen: 1 },
    ]);
  });
});
