// MongoSchedulerStore beyond the conformance suite: documents as other programs write them (spec section 1),
// the exact field names it writes, index management, and the store-clock lease representation.
import {
  createSchedule,
  defineJob,
  FakeClock,
  JobRegistry,
  JobScheduler,
  scheduleToRecord,
} from '@craft/scheduler';
import { sampleRun } from '@craft/scheduler/testing';
import { describe, expect, it } from 'vitest';
import {
  DistributedLock,
  idempotencyIndexes,
  MongoIndexConflictError,
  MongoSchedulerStore,
  RUN_INDEXES,
  SCHEDULE_INDEXES,
} from '../src/index.js';
import { setupMongo } from './support/mongo.js';

const mongo = await setupMongo('store');
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function newStore(options: ConstructorParameters<typeof MongoSchedulerStore>[1] = {}): MongoSchedulerStore {
  return new MongoSchedulerStore(mongo.db, {
    schedulesCollection: mongo.unique('schedules'),
    runsCollection: mongo.unique('runs'),
    idempotencyCollection: mongo.unique('idempotency'),
    ...options,
  });
}

// The spec's example of a document written by another program: only the seed's fields, no next_run_at.
const SEED = {
  job_name: 'nightly-cleanup',
  description: 'Delete expired tokens every night at 03:00',
  job_type: 'cleanup_expired_tokens',
  cron_expression: '0 3 * * *',
  is_enabled: true,
  parameters: {},
  max_attempts: 2,
  timeout_seconds: 300,
  chain: [],
  last_run_at: null,
  last_run_status: null,
};

describe('documents written by other programs', () => {
  it('reads the seed document with defaults for every missing field', async () => {
    const store = newStore();
    await mongo.db.collection(store.schedulesCollection).insertOne({ ...SEED });
    expect(await store.getSchedule('nightly-cleanup')).toEqual(
      createSchedule({
        jobName: 'nightly-cleanup',
        description: 'Delete expired tokens every night at 03:00',
        jobType: 'cleanup_expired_tokens',
        cronExpression: '0 3 * * *',
        maxAttempts: 2,
        timeoutSeconds: 300,
        // No version field: version 0, which an If-Match "0" / ifVersion 0 matches.
        version: 0,
      }),
    );
  });

  it('versions a document written without one from 0: a compare-and-set on 0 matches it, an edit makes it 1', async () => {
    const store = newStore();
    await mongo.db.collection(store.schedulesCollection).insertOne({ ...SEED });
    expect(await store.updateSchedule('nightly-cleanup', { description: 'x' }, { version: 1 })).toBeNull();
    const edited = await store.updateSchedule('nightly-cleanup', { description: 'x' }, { version: 0 });
    expect(edited?.version).toBe(1);
    const raw = await mongo.db.collection(store.schedulesCollection).findOne({ job_name: 'nightly-cleanup' });
    expect(raw?.['version']).toBe(1);
    // The engine's writes do not touch it.
    await store.updateSchedule('nightly-cleanup', { nextRunAt: new Date('2030-01-01T03:00:00Z') });
    expect((await store.getSchedule('nightly-cleanup'))?.version).toBe(1);
  });

  it('lists a schedule without next_run_at (or is_enabled) as due, and the next cycle computes and then runs it', async () => {
    const clock = new FakeClock(Date.parse('2030-01-01T02:59:30.000Z'));
    const store = newStore({ clock });
    const { is_enabled: _omitted, ...withoutEnabled } = SEED;
    await mongo.db
      .collection(store.schedulesCollection)
      .insertMany([{ ...SEED }, { ...withoutEnabled, job_name: 'no-enabled-field' }]);
    const due = await store.listDueSchedules(new Date(clock.now()), 10);
    expect(due.map((s) => s.jobName).sort()).toEqual(['nightly-cleanup', 'no-enabled-field']);
    const ran: string[] = [];
    const registry = new JobRegistry([
      defineJob({ type: 'cleanup_expired_tokens', handler: (_p, ctx) => void ran.push(String(ctx.jobName)) }),
    ]);
    const lock = new DistributedLock(mongo.db, { collectionName: mongo.unique('locks'), clock });
    const scheduler = new JobScheduler({ store, lock, registry, clock, logger: quiet, timezone: 'UTC' });
    const first = await scheduler.checkAndRunDueJobs();
    expect(first.initialized.sort()).toEqual(['nightly-cleanup', 'no-enabled-field']);
    const raw = await mongo.db.collection(store.schedulesCollection).findOne({ job_name: 'nightly-cleanup' });
    expect(raw?.['next_run_at']).toEqual(new Date('2030-01-01T03:00:00.000Z'));
    await clock.set(Date.parse('2030-01-01T03:00:01.000Z'));
    await (await scheduler.checkAndRunDueJobs()).done;
    expect(ran.sort()).toEqual(['nightly-cleanup', 'no-enabled-field']);
  });

  it('writes schedules with exactly the spec’s snake_case field names', async () => {
    const store = newStore();
    const schedule = createSchedule({ jobName: 'fields', cronExpression: '*/5 * * * *', jobType: 'noop' });
    await store.insertSchedule(schedule);
    const raw = await mongo.db.collection(store.schedulesCollection).findOne({ job_name: 'fields' });
    const { _id, ...fields } = raw ?? {};
    expect(Object.keys(fields).sort()).toEqual(Object.keys(scheduleToRecord(schedule)).sort());
    expect(Object.keys(fields)).toContain('missed_run_policy');
    expect(Object.keys(fields).every((k) => /^[a-z_]+$/.test(k))).toBe(true);
  });

  it('excludes disabled schedules from due and earliest next run; is_enabled missing counts as enabled', async () => {
    const store = newStore();
    const col = mongo.db.collection(store.schedulesCollection);
    await col.insertMany([
      { ...SEED, job_name: 'off', is_enabled: false, next_run_at: new Date('2030-01-01T00:00:00Z') },
      {
        ...SEED,
        job_name: 'implicit-on',
        is_enabled: undefined,
        next_run_at: new Date('2030-01-01T00:01:00Z'),
      },
    ]);
    await col.updateOne({ job_name: 'implicit-on' }, { $unset: { is_enabled: '' } });
    expect(await store.getEarliestNextRunAt()).toEqual(new Date('2030-01-01T00:01:00Z'));
    const due = await store.listDueSchedules(new Date('2031-01-01T00:00:00Z'), 10);
    expect(due.map((s) => `${s.jobName} ${s.isEnabled}`)).toEqual(['implicit-on true']);
    expect((await store.listSchedules({ enabled: true })).map((s) => s.jobName)).toEqual(['implicit-on']);
    expect((await store.listSchedules({ enabled: false })).map((s) => s.jobName)).toEqual(['off']);
  });
});

describe('indexes', () => {
  const keys = (ixs: { key: Record<string, unknown> }[]) => ixs.map((ix) => JSON.stringify(ix.key)).sort();

  it('are created on first use (autoIndex), idempotently and concurrently from many replicas', async () => {
    const store = newStore();
    expect(await store.getSchedule('x')).toBeNull(); // first operation ensures the indexes
    const replicas = Array.from(
      { length: 5 },
      () =>
        new MongoSchedulerStore(mongo.db, {
          schedulesCollection: store.schedulesCollection,
          runsCollection: store.runsCollection,
          idempotencyCollection: store.idempotencyCollection,
        }),
    );
    await Promise.all(replicas.map((r) => r.ensureIndexes()));
    await store.ensureIndexes();
    const scheduleIndexes = await mongo.db.collection(store.schedulesCollection).indexes();
    const runIndexes = await mongo.db.collection(store.runsCollection).indexes();
    expect(keys(scheduleIndexes)).toEqual(keys([{ key: { _id: 1 } }, ...SCHEDULE_INDEXES]));
    expect(keys(runIndexes)).toEqual(keys([{ key: { _id: 1 } }, ...RUN_INDEXES]));
    expect(scheduleIndexes.find((ix) => ix.name === 'job_name_1')?.unique).toBe(true);
    expect(runIndexes.find((ix) => JSON.stringify(ix.key) === '{"run_key":1}')?.unique).toBe(true);
    const keyIndexes = await mongo.db.collection(store.idempotencyCollection).indexes();
    expect(keys(keyIndexes)).toEqual(keys([{ key: { _id: 1 } }, ...idempotencyIndexes(172_800)]));
    expect(keyIndexes.find((ix) => ix.name === 'scope_1_key_1')?.unique).toBe(true);
    // Garbage collection only (the test server keeps the index but never deletes).
    expect(keyIndexes.find((ix) => ix.name === 'reserved_at_1_ttl')?.expireAfterSeconds).toBe(172_800);
  });

  it('refuse an idempotency key kept longer than the garbage-collection horizon', async () => {
    const store = newStore({ idempotencyGcAfterSeconds: 3600 });
    await expect(
      store.reserveIdempotencyKey({
        scope: 's',
        key: 'k',
        fingerprint: 'f',
        token: 't',
        ttlMs: 2 * 3_600_000,
        leaseMs: 1000,
      }),
    ).rejects.toThrow(/idempotencyGcAfterSeconds: 3600/);
    expect(await store.getIdempotencyKey('s', 'k')).toBeNull();
  });

  it('are left alone with autoIndex: false', async () => {
    const store = newStore({ autoIndex: false });
    await store.insertSchedule(
      createSchedule({ jobName: 'x', cronExpression: '* * * * *', jobType: 'noop' }),
    );
    expect(keys(await mongo.db.collection(store.schedulesCollection).indexes())).toEqual(['{"_id":1}']);
  });

  it('reuse an equivalent index of another name, and refuse a non-unique index on job_name', async () => {
    const store = newStore({ autoIndex: false });
    const col = mongo.db.collection(store.schedulesCollection);
    await col.createIndex({ job_name: 1 }, { name: 'legacy_job_name', unique: true });
    await store.ensureIndexes();
    expect((await col.indexes()).filter((ix) => JSON.stringify(ix.key) === '{"job_name":1}')).toHaveLength(1);

    const other = newStore({ autoIndex: false });
    await mongo.db.collection(other.schedulesCollection).createIndex({ job_name: 1 }, { name: 'plain' });
    const error = await other.ensureIndexes().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoIndexConflictError);
    expect((error as MongoIndexConflictError).code).toBe('CRAFT_MONGO_INDEX_CONFLICT');
    expect((error as Error).message).toContain('dropIndex("plain")');
  });

  it('report duplicate job_name documents that prevent the unique index', async () => {
    const store = newStore({ autoIndex: false });
    await mongo.db.collection(store.schedulesCollection).insertMany([{ ...SEED }, { ...SEED }]);
    const error = await store.ensureIndexes().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoIndexConflictError);
    expect((error as Error).message).toContain('duplicate values');
  });
});

describe('runs', () => {
  it('a duplicate insert never touches the existing run (its lease is not extended)', async () => {
    const clock = new FakeClock(Date.parse('2030-01-01T00:00:00.000Z'));
    const store = newStore({ clock });
    const run = sampleRun({ runKey: 'slot@2030-01-01T00:00:00.000Z', leaseOwner: 'a', status: 'pending' });
    expect(await store.insertRun(run, { leaseForMs: 30_000 })).toBe(true);
    const before = await store.getRun(run.id);
    await clock.advance(20_000);
    expect(
      await store.insertRun(sampleRun({ runKey: run.runKey, leaseOwner: 'b' }), { leaseForMs: 30_000 }),
    ).toBe(false);
    expect(await store.insertRun({ ...run, leaseOwner: 'c' }, { leaseForMs: 30_000 })).toBe(false);
    const after = await store.getRun(run.id);
    expect(after).toEqual(before);
    expect(after?.leaseExpiresAt?.toISOString()).toBe('2030-01-01T00:00:30.000Z');
    expect(await store.countRuns()).toBe(1);
  });

  it('treats a limit of 0 as "none", not as MongoDB\'s "no limit"', async () => {
    const store = newStore();
    await store.insertRun(sampleRun());
    await store.insertSchedule(
      createSchedule({ jobName: 'x', cronExpression: '* * * * *', jobType: 'noop' }),
    );
    expect(await store.listRuns({ limit: 0 })).toEqual([]);
    expect(await store.listSchedules({ limit: 0 })).toEqual([]);
    expect(await store.listDueSchedules(new Date(), 0)).toEqual([]);
    expect(await store.listDueSchedules(new Date(), 1)).toHaveLength(1);
  });

  it('stamps leases and updatedAt with the server clock by default', async () => {
    const store = newStore();
    expect(store.timeSource).toBe('server');
    const run = sampleRun({ leaseOwner: 'a', status: 'running' });
    await store.insertRun(run, { leaseForMs: 60_000 });
    const raw = await mongo.db.collection(store.runsCollection).findOne({ id: run.id });
    expect(raw?.['lease_ms']).toBe(60_000);
    expect(raw?.['lease_renewed_at']).toBeInstanceOf(Date);
    expect(raw?.['lease_expires_at']).toBeNull();
    const updated = await store.updateRun(run.id, { set: { result: 1 } });
    // updatedAt comes from the server, not from the run's (2030) createdAt/updatedAt.
    expect(Math.abs((updated?.updatedAt.getTime() ?? 0) - Date.now())).toBeLessThan(120_000);
    const renewedAt = raw?.['lease_renewed_at'] as Date;
    expect(updated?.leaseExpiresAt?.getTime()).toBe(renewedAt.getTime() + 60_000);
    // An absolute expiry replaces the store-clock lease.
    const absolute = new Date('2030-06-01T00:00:00.000Z');
    expect((await store.updateRun(run.id, { set: { leaseExpiresAt: absolute } }))?.leaseExpiresAt).toEqual(
      absolute,
    );
  });
});
