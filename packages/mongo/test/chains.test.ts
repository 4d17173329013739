// The engine suite's chain scenario with the ordering the spec guarantees (section 4): a parent's chain runs in
// list order, each child after its parent, once per (parent run, name), transitively; disabled targets skipped.
// (The suite's own version also fixes the order of a grandchild against its uncle; see conformance.test.ts.)
import { defineJob, FakeClock, JobRegistry, type JobRun, JobScheduler } from '@craft/scheduler';
import { expect, it } from 'vitest';
import { DistributedLock, MongoSchedulerStore } from '../src/index.js';
import { setupMongo } from './support/mongo.js';

const mongo = await setupMongo('chains');
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

it('runs chains after a success in list order, once per (parent run, name), transitively; disabled skipped', async () => {
  const clock = new FakeClock(Date.parse('2030-01-01T00:00:00.000Z'));
  const store = new MongoSchedulerStore(mongo.db, {
    schedulesCollection: mongo.unique('schedules'),
    runsCollection: mongo.unique('runs'),
    clock,
  });
  const lock = new DistributedLock(mongo.db, { collectionName: mongo.unique('locks'), clock });
  await store.ensureIndexes();
  await lock.ensureIndexes();
  const calls: string[] = [];
  const record = async (_p: unknown, ctx: { jobName: string | null; jobType: string }) => {
    calls.push(ctx.jobName ?? ctx.jobType);
  };
  const registry = new JobRegistry([
    defineJob({ type: 'noop', handler: record }),
    defineJob({ type: 'other', handler: record }),
  ]);
  const s = new JobScheduler({ store, lock, registry, clock, logger: quiet, lockTtlMs: 30_000 });
  const daily = { cronExpression: '0 0 1 1 *', jobType: 'noop' };
  await s.schedules.create({ ...daily, jobName: 'c' });
  await s.schedules.create({ ...daily, jobName: 'off', isEnabled: false });
  await s.schedules.create({ ...daily, jobName: 'b', chain: ['c'] });
  await s.schedules.create({ ...daily, jobName: 'a', chain: ['b', 'other', 'off'] });
  const { run, done } = await s.runNow('a');
  await done;
  await s.idle();

  expect([...calls].sort()).toEqual(['a', 'b', 'c', 'other']);
  expect(calls[0]).toBe('a');
  expect(calls.indexOf('b')).toBeLessThan(calls.indexOf('c'));
  expect(calls.indexOf('b')).toBeLessThan(calls.indexOf('other'));
  const children = await store.listRuns({ parentRunId: run.id, order: 'asc' });
  expect(children.map((r) => `${r.runKey} ${r.status}`)).toEqual([
    `chain:${run.id}:b succeeded`,
    `chain:${run.id}:other succeeded`,
    `chain:${run.id}:off skipped`,
  ]);
  const b = children[0] as JobRun;
  const grand = await store.listRuns({ parentRunId: b.id });
  expect(grand.map((r) => `${r.runKey} ${r.status}`)).toEqual([`chain:${b.id}:c succeeded`]);
  expect(await store.countRuns({ trigger: 'chain' })).toBe(4);
  // Exactly once per (parent run, name): a second dispatch attempt would collide on run_key.
  expect(new Set((await store.listRuns({ trigger: 'chain' })).map((r) => r.runKey)).size).toBe(4);
});
