// Sessions, transactions, write concerns and change streams: what the storage code must not depend on.
import { MongoClient, MongoNetworkError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { requireMongoUri } from '../src/index.js';
import { useMongo } from './support/mongo.js';

const mongo = useMongo('capabilities-unsupported');

describe('sessions and transactions', () => {
  it('the test server offers no sessions, so no transactions (the driver refuses before sending anything)', async () => {
    const session = mongo.client.startSession();
    try {
      const attempt = session.withTransaction(async () => {
        await mongo.db.collection('txn').insertOne({ a: 1 }, { session });
      });
      if (mongo.onTestServer) {
        await expect(attempt).rejects.toThrow(/does not support sessions/);
        expect(await mongo.db.collection('txn').countDocuments()).toBe(0);
      } else {
        // A standalone mongod refuses transactions (IllegalOperation); a replica set commits.
        await attempt.then(
          async () => expect(await mongo.db.collection('txn').countDocuments()).toBe(1),
          (error: unknown) => expect(String(error)).toMatch(/replica set|Transaction/i),
        );
      }
    } finally {
      await session.endSession();
    }
  });
});

describe('write concerns', () => {
  it('w: "majority" (with j and wtimeout) and w: 2 are accepted by the test server', async () => {
    const coll = mongo.db.collection('write_concern');
    await coll.insertOne({ k: 1 }, { writeConcern: { w: 'majority' } });
    await coll.insertOne({ k: 2 }, { writeConcern: { w: 'majority', journal: true, wtimeoutMS: 5_000 } });
    const updated = await coll.findOneAndUpdate(
      { k: 1 },
      { $set: { x: 1 } },
      { writeConcern: { w: 'majority' }, returnDocument: 'after' },
    );
    expect(updated?.['x']).toBe(1);
    const w2 = coll.insertOne({ k: 3 }, { writeConcern: { w: 2 } });
    if (mongo.onTestServer) {
      await w2;
      expect(await coll.countDocuments()).toBe(3);
    } else {
      // a standalone cannot satisfy w: 2; a replica set of 2+ data nodes can
      await w2.catch((error: unknown) => expect(String(error)).toMatch(/replica|write concern|w/i));
    }
  });

  it('w: 0 (unacknowledged) breaks the test server connection: the write is lost and the next command fails', async () => {
    if (!mongo.onTestServer) return; // MongoDB supports fire-and-forget writes; nothing to document there
    const client = await new MongoClient(requireMongoUri(), { maxPoolSize: 1, retryReads: false }).connect();
    try {
      const coll = client.db(mongo.db.databaseName).collection('w0');
      const result = await coll.insertOne({ k: 1 }, { writeConcern: { w: 0 } });
      expect(result.acknowledged).toBe(false);
      // The server does not implement OP_MSG's moreToCome flag and closes the connection.
      await expect(coll.findOne({ k: 1 })).rejects.toBeInstanceOf(MongoNetworkError);
      expect(await coll.countDocuments()).toBe(0);
    } finally {
      await client.close();
    }
  });
});

describe('change streams', () => {
  it('watch() fails on the test server (no oplog); MongoDB standalones refuse it too', async () => {
    const stream = mongo.db.collection('watched').watch();
    try {
      await expect(stream.tryNext()).rejects.toThrow();
    } finally {
      await stream.close();
    }
  });
});
