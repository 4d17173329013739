// What the storage code relies on for writes, asserted against whatever MONGODB_URI points at (the test server
// under `pnpm test`). Where the test server differs from MongoDB, both behaviours are asserted and
// tooling/README.md lists the difference.
import { MongoBulkWriteError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { serverError, useMongo } from './support/mongo.js';

const mongo = useMongo('capabilities-writes');

describe('inserts, finds and unique indexes', () => {
  it('inserts and finds documents', async () => {
    const runs = mongo.db.collection('insert_find');
    const { insertedId } = await runs.insertOne({ job_name: 'settlement', n: 1 });
    await runs.insertMany([
      { job_name: 'report', n: 2 },
      { job_name: 'cleanup', n: 3 },
    ]);
    expect(await runs.findOne({ _id: insertedId }, { projection: { _id: 0 } })).toEqual({
      job_name: 'settlement',
      n: 1,
    });
    expect(
      await runs
        .find({ n: { $gte: 2 } }, { projection: { _id: 0, n: 1 } })
        .sort({ n: 1 })
        .toArray(),
    ).toEqual([{ n: 2 }, { n: 3 }]);
  });

  it('a unique index violation is code 11000 (E11000) on insertOne, upsert updateOne and upsert findOneAndUpdate', async () => {
    const schedules = mongo.db.collection('unique_single');
    await schedules.createIndex({ job_name: 1 }, { unique: true });
    await schedules.insertOne({ job_name: 'settlement' });

    const onInsert = await serverError(() => schedules.insertOne({ job_name: 'settlement' }));
    const onUpsert = await serverError(() =>
      schedules.updateOne(
        { job_name: 'other', absent: true },
        { $set: { job_name: 'settlement' } },
        { upsert: true },
      ),
    );
    const onFindAndModify = await serverError(() =>
      schedules.findOneAndUpdate(
        { absent: true },
        { $set: { job_name: 'settlement' } },
        { upsert: true, returnDocument: 'after' },
      ),
    );
    for (const error of [onInsert, onUpsert, onFindAndModify]) {
      expect(error.code).toBe(11000);
      expect(error.message).toMatch(/^E11000 duplicate key error/);
      expect(error.message).toContain('job_name');
    }
    expect(await schedules.countDocuments()).toBe(1);
  });

  it('enforces a compound unique index, and documents missing both fields collide as nulls', async () => {
    const runs = mongo.db.collection('unique_compound');
    await runs.createIndex({ schedule_id: 1, slot: 1 }, { unique: true });
    await runs.insertMany([
      { schedule_id: 'a', slot: 1 },
      { schedule_id: 'a', slot: 2 },
      { schedule_id: 'b', slot: 1 },
    ]);
    const duplicate = await serverError(() => runs.insertOne({ schedule_id: 'a', slot: 1 }));
    expect(duplicate.code).toBe(11000);

    // Why every run needs a claim key that is always set: two slot-less runs collide.
    await runs.insertOne({ manual: 1 });
    const slotless = await serverError(() => runs.insertOne({ manual: 2 }));
    expect(slotless.code).toBe(11000);
  });

  it('a sparse unique index ignores documents without the field', async () => {
    const locks = mongo.db.collection('unique_sparse');
    await locks.createIndex({ token: 1 }, { unique: true, sparse: true });
    await locks.insertMany([{ a: 1 }, { a: 2 }]);
    await locks.insertOne({ token: 't1' });
    expect((await serverError(() => locks.insertOne({ token: 't1' }))).code).toBe(11000);
  });
});

describe('findOneAndUpdate and update operators', () => {
  it('upserts with returnDocument "after", $setOnInsert applying only on insert', async () => {
    const counters = mongo.db.collection('upsert_after');
    const first = await counters.findOneAndUpdate(
      { key: 'job:settlement' },
      { $inc: { fence: 1 }, $setOnInsert: { created: 'first' } },
      { upsert: true, returnDocument: 'after', projection: { _id: 0 } },
    );
    const second = await counters.findOneAndUpdate(
      { key: 'job:settlement' },
      { $inc: { fence: 1 }, $setOnInsert: { created: 'second' } },
      { upsert: true, returnDocument: 'after', projection: { _id: 0 } },
    );
    expect(first).toEqual({ key: 'job:settlement', fence: 1, created: 'first' });
    expect(second).toEqual({ key: 'job:settlement', fence: 2, created: 'first' });
  });

  it('returns null for no match without upsert, and the old document with returnDocument "before"', async () => {
    const docs = mongo.db.collection('before_after');
    expect(await docs.findOneAndUpdate({ key: 'missing' }, { $set: { x: 1 } })).toBeNull();
    await docs.insertOne({ key: 'k', x: 1 });
    const before = await docs.findOneAndUpdate({ key: 'k' }, { $set: { x: 2 } }, { projection: { _id: 0 } });
    expect(before).toEqual({ key: 'k', x: 1 });
    const meta = await docs.findOneAndUpdate(
      { key: 'k' },
      { $set: { x: 3 } },
      { returnDocument: 'after', includeResultMetadata: true, projection: { _id: 0 } },
    );
    expect(meta.value).toEqual({ key: 'k', x: 3 });
    expect(meta.lastErrorObject?.['updatedExisting']).toBe(true);
  });

  it('findOneAndUpdate honours sort to pick the earliest match', async () => {
    const due = mongo.db.collection('sorted_pick');
    await due.insertMany([
      { job: 'b', next_run_at: new Date('2026-01-01T10:00:00Z') },
      { job: 'a', next_run_at: new Date('2026-01-01T09:00:00Z') },
    ]);
    const picked = await due.findOneAndUpdate(
      {},
      { $set: { picked: true } },
      { sort: { next_run_at: 1 }, returnDocument: 'after' },
    );
    expect(picked?.['job']).toBe('a');
  });

  it('$inc, $max (dates and numbers), $unset and $currentDate', async () => {
    const docs = mongo.db.collection('operators');
    await docs.insertOne({ key: 'k', n: 5, last: new Date(5_000), gone: 1 });
    await docs.updateOne(
      { key: 'k' },
      { $inc: { n: 2 }, $max: { last: new Date(1_000) }, $unset: { gone: '' } },
    );
    let doc = await docs.findOne({ key: 'k' });
    expect(doc?.['n']).toBe(7);
    expect(doc?.['last']).toEqual(new Date(5_000)); // $max keeps the larger
    expect(doc).not.toHaveProperty('gone');
    await docs.updateOne({ key: 'k' }, { $max: { last: new Date(9_000), n: 3 } });
    doc = await docs.findOne({ key: 'k' });
    expect(doc?.['last']).toEqual(new Date(9_000));
    expect(doc?.['n']).toBe(7);

    const before = Date.now();
    await docs.updateOne({ key: 'k' }, { $currentDate: { touched_at: true } });
    const touched = (await docs.findOne({ key: 'k' }))?.['touched_at'];
    expect(touched).toBeInstanceOf(Date);
    // The server's clock: same machine under the test server, so within a few seconds of ours.
    expect(Math.abs((touched as Date).getTime() - before)).toBeLessThan(60_000);
  });

  it('updateOne reports matched/modified/upserted counts', async () => {
    const docs = mongo.db.collection('update_counts');
    await docs.insertOne({ key: 'k' });
    expect(await docs.updateOne({ key: 'k' }, { $set: { x: 1 } })).toMatchObject({
      matchedCount: 1,
      modifiedCount: 1,
      upsertedCount: 0,
    });
    expect(await docs.updateOne({ key: 'none' }, { $set: { x: 1 } })).toMatchObject({
      matchedCount: 0,
      modifiedCount: 0,
      upsertedCount: 0,
    });
    const upserted = await docs.updateOne({ key: 'new' }, { $set: { x: 1 } }, { upsert: true });
    expect(upserted.upsertedCount).toBe(1);
    expect(upserted.upsertedId).not.toBeNull();
  });
});

describe('bulkWrite ordered:false with duplicate keys', () => {
  it('inserts every non-duplicate and reports one 11000 write error per duplicate, by index', async () => {
    const runs = mongo.db.collection('bulk_unordered');
    await runs.createIndex({ claim_key: 1 }, { unique: true });
    const docs = ['a', 'a', 'b', 'b', 'c'].map((claim_key) => ({ insertOne: { document: { claim_key } } }));
    const error = await runs.bulkWrite(docs, { ordered: false }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MongoBulkWriteError);
    const bulk = error as MongoBulkWriteError;
    expect(bulk.code).toBe(11000);
    const writeErrors = (Array.isArray(bulk.writeErrors) ? bulk.writeErrors : [bulk.writeErrors]).map(
      (w) => ({
        index: w.index,
        code: w.code,
      }),
    );
    expect(writeErrors.sort((x, y) => x.index - y.index)).toEqual([
      { index: 1, code: 11000 },
      { index: 3, code: 11000 },
    ]);
    expect(Object.keys(bulk.result.insertedIds).sort()).toEqual(['0', '2', '4']);
    expect(await runs.countDocuments()).toBe(3);
    // Difference: the test server counts the failed inserts too (n = attempted); MongoDB counts successes.
    expect(bulk.result.insertedCount).toBe(mongo.onTestServer ? 5 : 3);
  });

  it('ordered:true stops at the first duplicate', async () => {
    const runs = mongo.db.collection('bulk_ordered');
    await runs.createIndex({ claim_key: 1 }, { unique: true });
    const error = await runs
      .bulkWrite(
        ['a', 'a', 'b'].map((claim_key) => ({ insertOne: { document: { claim_key } } })),
        { ordered: true },
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(MongoBulkWriteError);
    expect(await runs.countDocuments()).toBe(1);
  });
});
