// The event log on MongoDB beyond the conformance suite: the collection, its indexes and documents, server-clock
// stamps, and several replicas (separate clients) writing while another follows (spec section 12).
import { EventFeed, EventLogWriter, type JobEvent } from '@craft/scheduler';
import type { CommandStartedEvent } from 'mongodb';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EVENTS_COLLECTION,
  DEFAULT_EVENTS_GC_AFTER_SECONDS,
  eventIndexes,
  MongoSchedulerStore,
} from '../src/index.js';
import { setupMongo } from './support/mongo.js';

const mongo = await setupMongo('event-log');
const quiet = { warn() {} };

function newStore(db = mongo.db, eventsCollection = mongo.unique('events')): MongoSchedulerStore {
  return new MongoSchedulerStore(db, {
    schedulesCollection: mongo.unique('schedules'),
    runsCollection: mongo.unique('runs'),
    eventsCollection,
    logger: quiet,
  });
}

describe('the events collection', () => {
  it('is job_events by default, with the (at, _id) index and a TTL index of 8 days, created idempotently', async () => {
    expect(new MongoSchedulerStore(mongo.db).eventsCollection).toBe(DEFAULT_EVENTS_COLLECTION);
    expect(DEFAULT_EVENTS_COLLECTION).toBe('job_events');
    const name = mongo.unique('events');
    const replicas = [newStore(mongo.db, name), newStore(mongo.db, name), newStore(mongo.db, name)];
    await Promise.all(replicas.map((r) => r.ensureIndexes()));
    const indexes = await mongo.db.collection(name).indexes();
    const byKey = Object.fromEntries(indexes.map((ix) => [JSON.stringify(ix.key), ix]));
    expect(Object.keys(byKey).sort()).toEqual(['{"_id":1}', '{"at":1,"_id":1}', '{"at":1}']);
    expect(byKey['{"at":1}']?.expireAfterSeconds).toBe(DEFAULT_EVENTS_GC_AFTER_SECONDS);
    expect(DEFAULT_EVENTS_GC_AFTER_SECONDS).toBe(8 * 86_400);
    expect(eventIndexes().map((ix) => ix.options.name)).toEqual(['at_1__id_1', 'at_1_ttl']);
  });

  it('refuses a TTL shorter than the 7 days readers keep events', () => {
    expect(() => new MongoSchedulerStore(mongo.db, { eventsGcAfterSeconds: 6 * 86_400 })).toThrow(
      expect.objectContaining({ code: 'CRAFT_MONGO_INVALID_OPTION', option: 'eventsGcAfterSeconds' }),
    );
  });

  it('writes { _id, at, type, job_name, run_id, data } stamped by the server’s clock', async () => {
    const store = newStore();
    const before = (await mongo.db.admin().command({ isMaster: 1 }))['localTime'] as Date;
    await store.appendEvents([
      {
        id: 'w1000000001',
        type: 'run:started',
        jobName: 'nightly',
        runId: 'r1',
        data: { status: 'running' },
      },
    ]);
    const after = (await mongo.db.admin().command({ isMaster: 1 }))['localTime'] as Date;
    const [doc] = await mongo.db.collection(store.eventsCollection).find().toArray();
    expect(Object.keys(doc ?? {}).sort()).toEqual(['_id', 'at', 'data', 'job_name', 'run_id', 'type']);
    expect(doc).toMatchObject({ _id: 'w1000000001', type: 'run:started', job_name: 'nightly', run_id: 'r1' });
    const at = ((doc as Record<string, unknown>)['at'] as Date).getTime();
    expect(at).toBeGreaterThanOrEqual(before.getTime());
    expect(at).toBeLessThanOrEqual(after.getTime() + 1);
  });

  it('costs one command per append of a batch, and two per read (the server clock, then one find)', async () => {
    const client = await mongo.newClient({ monitorCommands: true });
    const commands: string[] = [];
    client.on('commandStarted', (e: CommandStartedEvent) => commands.push(e.commandName));
    const store = newStore(client.db(mongo.db.databaseName));
    await store.readEvents({ limit: 1 }); // first use: indexes ensured, write concern and clock command resolved
    await store.appendEvents([{ id: 'warm0001', type: 't', jobName: null, runId: null, data: {} }]);
    commands.length = 0;
    const batch = Array.from({ length: 200 }, (_, i) => ({
      id: `c${String(i).padStart(6, '0')}`,
      type: 'run:created',
      jobName: `s${i}`,
      runId: `r${i}`,
      data: {},
    }));
    await store.appendEvents(batch);
    expect(commands).toEqual(['update']);
    commands.length = 0;
    const page = await store.readEvents({ limit: 500 });
    expect(page.events).toHaveLength(201);
    // The server clock (`hello`, or `isMaster` on servers without it, such as the test server), then one find.
    expect(commands).toHaveLength(2);
    expect(['hello', 'isMaster']).toContain(commands[0]);
    expect(commands[1]).toBe('find');
  });
});

describe('several replicas', () => {
  it('three writers on their own clients, a follower on a fourth: every event once, each writer’s in order', async () => {
    const name = mongo.unique('events');
    const writers = await Promise.all(
      [0, 1, 2].map(async () => {
        const client = await mongo.newClient();
        const store = newStore(client.db(mongo.db.databaseName), name);
        await store.ensureIndexes();
        return new EventLogWriter({ store, flushIntervalMs: 20, maxBatch: 25 });
      }),
    );
    const reader = newStore((await mongo.newClient()).db(mongo.db.databaseName), name);
    const feed = new EventFeed({ store: reader, pollIntervalMs: 50, settleMs: 300, batchSize: 40 });
    const got: JobEvent[] = [];
    const ids: string[] = [];
    feed.subscribe((await feed.resolveStart()).cursor, {
      event(event, id) {
        got.push(event);
        ids.push(id);
        return true;
      },
      end() {},
    });
    const per = 150;
    await Promise.all(
      writers.map(async (writer, w) => {
        for (let i = 0; i < per; i++) {
          writer.push('run:started', `w${w}`, null, { w, i });
          if (i % 10 === 0) await new Promise((r) => setTimeout(r, 5));
        }
        await writer.close();
      }),
    );
    const deadline = Date.now() + 20_000;
    while (got.length < 3 * per && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 600)); // anything late (a duplicate) would arrive now
    await feed.close();
    expect(got).toHaveLength(3 * per);
    expect(new Set(ids).size).toBe(3 * per);
    for (let w = 0; w < 3; w++) {
      expect(got.filter((e) => e.data['w'] === w).map((e) => e.data['i'])).toEqual(
        Array.from({ length: per }, (_, i) => i),
      );
    }
  }, 60_000);
});
