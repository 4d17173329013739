// The whole @craft/scheduler conformance suite (store, lock, engine) against MongoDB: once with an injected
// shared FakeClock (simulated time; includes the engine suite, which waits for in-flight store and lock calls
// itself: its default `settle: 'in-flight'`), once with the server's clock (real time).
import type { Clock, LockProvider, SchedulerStore } from '@craft/scheduler';
import { eventLogSuite, schedulerConformanceSuite } from '@craft/scheduler/testing';
import { describe, expect, it } from 'vitest';
import { DistributedLock, MongoSchedulerStore } from '../src/index.js';
import { setupMongo } from './support/mongo.js';

const mongo = await setupMongo('conformance');

async function createStore(clock?: Clock): Promise<SchedulerStore> {
  const store = new MongoSchedulerStore(mongo.db, {
    schedulesCollection: mongo.unique('schedules'),
    runsCollection: mongo.unique('runs'),
    idempotencyCollection: mongo.unique('idempotency'),
    eventsCollection: mongo.unique('events'),
    stateCollection: mongo.unique('state'),
    ...(clock ? { clock } : {}),
  });
  await store.ensureIndexes();
  return store;
}

async function createLock(clock?: Clock): Promise<LockProvider> {
  const lock = new DistributedLock(mongo.db, {
    collectionName: mongo.unique('locks'),
    ...(clock ? { clock } : {}),
  });
  await lock.ensureIndexes();
  return lock;
}

async function destroyStore(store: SchedulerStore): Promise<void> {
  const s = store as MongoSchedulerStore;
  await mongo.db
    .collection(s.schedulesCollection)
    .drop()
    .catch(() => {});
  await mongo.db
    .collection(s.runsCollection)
    .drop()
    .catch(() => {});
  await mongo.db
    .collection(s.idempotencyCollection)
    .drop()
    .catch(() => {});
  await mongo.db
    .collection(s.eventsCollection)
    .drop()
    .catch(() => {});
  await mongo.db
    .collection(s.stateCollection)
    .drop()
    .catch(() => {});
}

async function destroyLock(lock: LockProvider): Promise<void> {
  const l = lock as DistributedLock;
  await mongo.db
    .collection(l.collectionName)
    .drop()
    .catch(() => {});
  await mongo.db
    .collection(l.tokenCollectionName)
    .drop()
    .catch(() => {});
}

const collectGarbage = async (lock: LockProvider) => {
  await (lock as DistributedLock).collectGarbage();
};

describe('MongoDB, injected shared clock (simulated time)', () => {
  schedulerConformanceSuite(
    { describe, it, expect },
    {
      createStore: ({ clock }) => createStore(clock),
      createLock: ({ clock }) => createLock(clock),
      destroyStore,
      destroyLock,
      collectGarbage,
    },
  );
});

describe('MongoDB, database server clock (real time)', () => {
  schedulerConformanceSuite(
    { describe, it, expect },
    {
      time: 'real',
      realTimeLeaseMs: 800,
      createStore: () => createStore(),
      createLock: () => createLock(),
      destroyStore,
      destroyLock,
      collectGarbage,
    },
  );
});

describe('MongoDB event log, injected shared clock', () => {
  eventLogSuite(
    { describe, it, expect },
    {
      createEventLog: ({ clock }) => createStore(clock) as Promise<MongoSchedulerStore>,
      destroyEventLog: (log) => destroyStore(log as MongoSchedulerStore),
    },
  );
});

describe('MongoDB event log, database server clock (real time)', () => {
  eventLogSuite(
    { describe, it, expect },
    {
      time: 'real',
      createEventLog: () => createStore() as Promise<MongoSchedulerStore>,
      destroyEventLog: (log) => destroyStore(log as MongoSchedulerStore),
    },
  );
});
