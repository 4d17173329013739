// One replica's MongoDB storage for the benchmarks: its own client, the store and the lock on `dbName`, indexes
// ensured (shared by the round-trip measurement and scale.bench's loop-lag run).
import { DistributedLock, MongoSchedulerStore } from '@craft/mongo';
import { MongoClient } from 'mongodb';

/**
 * @param {string} uri
 * @param {string} dbName
 * @param {import('mongodb').MongoClientOptions} [clientOptions] @default { maxPoolSize: 20 }
 * @returns {Promise<{ client: MongoClient, store: MongoSchedulerStore, lock: DistributedLock }>}
 */
export async function openReplicaStorage(uri, dbName, clientOptions = {}) {
  const client = await new MongoClient(uri, { maxPoolSize: 20, ...clientOptions }).connect();
  const db = client.db(dbName);
  const store = new MongoSchedulerStore(db);
  const lock = new DistributedLock(db);
  await store.ensureIndexes();
  await lock.ensureIndexes();
  return { client, store, lock };
}
