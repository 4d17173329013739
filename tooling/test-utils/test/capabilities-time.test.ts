// Reading and using the server's clock (the lock's expiry is decided against it, never against Date.now()).
import { describe, expect, it } from 'vitest';
import { serverError, useMongo } from './support/mongo.js';

const mongo = useMongo('capabilities-time');
const MINUTE = 60_000;

describe("the server's clock", () => {
  it('isMaster and serverStatus report localTime as a Date', async () => {
    const admin = mongo.db.admin();
    const isMaster = await admin.command({ isMaster: 1 });
    const status = await admin.command({ serverStatus: 1 });
    for (const localTime of [isMaster['localTime'], status['localTime']]) {
      expect(localTime).toBeInstanceOf(Date);
      expect(Math.abs((localTime as Date).getTime() - Date.now())).toBeLessThan(
        mongo.onTestServer ? 5_000 : MINUTE,
      );
    }
  });

  it('hello: unknown command (59) on the test server, which speaks the legacy isMaster handshake', async () => {
    if (mongo.onTestServer) {
      const error = await serverError(() => mongo.db.admin().command({ hello: 1 }));
      expect(error.code).toBe(59);
      expect(error.codeName).toBe('CommandNotFound');
    } else {
      expect((await mongo.db.admin().command({ hello: 1 }))['localTime']).toBeInstanceOf(Date);
    }
  });

  it('$$NOW in a $expr filter compares against the server clock (find, findOneAndUpdate, $or, $add)', async () => {
    const locks = mongo.db.collection('expr_now');
    const now = Date.now();
    await locks.insertMany([
      {
        lock_key: 'expired',
        expires_at: new Date(now - 10 * MINUTE),
        renewed_at: new Date(now - 11 * MINUTE),
      },
      { lock_key: 'held', expires_at: new Date(now + 10 * MINUTE), renewed_at: new Date(now - MINUTE) },
    ]);
    const expired = await locks
      .find({ $expr: { $lt: ['$expires_at', '$$NOW'] } }, { projection: { _id: 0, lock_key: 1 } })
      .toArray();
    expect(expired).toEqual([{ lock_key: 'expired' }]);

    // expiry computed in the query from a lease start and a length in ms
    const viaAdd = await locks
      .find(
        { $expr: { $lt: [{ $add: ['$renewed_at', 5 * MINUTE] }, '$$NOW'] } },
        { projection: { _id: 0, lock_key: 1 } },
      )
      .toArray();
    expect(viaAdd).toEqual([{ lock_key: 'expired' }]);

    // the acquire shape: mine, or expired; only the expired one matches for a stranger
    const taken = await locks.findOneAndUpdate(
      {
        lock_key: { $in: ['expired', 'held'] },
        $or: [{ owner: 'me' }, { $expr: { $lt: ['$expires_at', '$$NOW'] } }],
      },
      { $set: { owner: 'me' }, $currentDate: { renewed_at: true }, $inc: { fence: 1 } },
      { returnDocument: 'after', projection: { _id: 0, lock_key: 1, fence: 1 } },
    );
    expect(taken).toEqual({ lock_key: 'expired', fence: 1 });
    expect(await locks.countDocuments({ $expr: { $gt: ['$expires_at', '$$NOW'] } })).toBe(1);
  });

  it('$$NOW in an aggregation $project', async () => {
    const docs = mongo.db.collection('agg_now');
    await docs.insertOne({ a: 1 });
    const [row] = await docs.aggregate([{ $project: { _id: 0, now: '$$NOW' } }]).toArray();
    expect(row?.['now']).toBeInstanceOf(Date);
  });

  it('an aggregation-pipeline update ([{ $set: { t: "$$NOW" } }]): unsupported on the test server, works on MongoDB', async () => {
    const docs = mongo.db.collection('pipeline_update');
    await docs.insertOne({ key: 'k' });
    const viaUpdateOne = () => docs.updateOne({ key: 'k' }, [{ $set: { t: '$$NOW' } }]);
    const viaFindAndModify = () =>
      docs.findOneAndUpdate({ key: 'k' }, [{ $set: { t2: '$$NOW' } }], { returnDocument: 'after' });
    if (mongo.onTestServer) {
      // The server casts the update to a document and fails with a ClassCastException (no error code).
      for (const attempt of [viaUpdateOne, viaFindAndModify]) {
        const error = await serverError(attempt);
        expect(error.message).toMatch(/ArrayList cannot be cast/);
      }
      expect(await docs.findOne({ key: 'k' }, { projection: { _id: 0 } })).toEqual({ key: 'k' });
    } else {
      await viaUpdateOne();
      const after = await viaFindAndModify();
      expect(after?.['t']).toBeInstanceOf(Date);
      expect(after?.['t2']).toBeInstanceOf(Date);
    }
  });

  it('$currentDate: the test server keeps the instant below the millisecond, MongoDB stores milliseconds', async () => {
    const docs = mongo.db.collection('current_date_precision');
    const ids = ['a', 'b', 'c', 'd', 'e'];
    for (const id of ids) {
      await docs.updateOne(
        { _id: id as never, at: { $exists: false } },
        { $setOnInsert: { v: 1 }, $currentDate: { at: true } },
        { upsert: true },
      );
    }
    let equal = 0;
    for (const id of ids) {
      const at = (await docs.findOne({ _id: id as never }))?.['at'] as Date;
      expect(at).toBeInstanceOf(Date);
      // A range over the millisecond read back matches on both servers.
      const ms = at.getTime();
      expect(
        await docs.countDocuments({ _id: id as never, at: { $gte: new Date(ms), $lt: new Date(ms + 1) } }),
      ).toBe(1);
      equal += await docs.countDocuments({ _id: id as never, at });
    }
    // Equality with the value read back: MongoDB always; the test server only when its clock sat on a millisecond.
    if (mongo.onTestServer) expect(equal).toBeLessThan(ids.length);
    else expect(equal).toBe(ids.length);
  });

  it('$currentDate with $type "timestamp" stores a BSON Timestamp', async () => {
    const docs = mongo.db.collection('current_ts');
    await docs.insertOne({ key: 'k' });
    await docs.updateOne({ key: 'k' }, { $currentDate: { ts: { $type: 'timestamp' } } });
    const doc = await docs.findOne({ key: 'k' });
    expect(doc?.['ts']?._bsontype).toBe('Timestamp');
  });
});
