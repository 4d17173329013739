// Two claimers racing on an expired lock plan the same gap (the same nextRunAt) at different instants. Each slot
// gets one record whatever happens; these tests check the policy too: under `once` one missed slot runs for the gap,
// under `all` at most max_catch_up_runs do — whichever claimer gets to each slot's record first.
import { describe, expect, it } from 'vitest';
import {
  defineJob,
  FakeClock,
  JobRegistry,
  type JobRun,
  JobScheduler,
  type LockProvider,
  MemoryLock,
  MemoryStore,
  type MissedRunPolicy,
  type SchedulerStore,
} from '../src/index.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const TTL = 30_000;
const T = (hm: string) => `2030-01-01T${hm}:00.000Z`;

/** Where the first claimer stalls: after it recorded its slots (before advancing nextRunAt), or before any. */
type Stall = 'after-insert' | 'before-insert' | 'after-first-insert';

async function race(
  policy: MissedRunPolicy,
  stall: Stall,
  over: { maxCatchUpRuns?: number; catchUpWindowSeconds?: number } = {},
  aClaimsAt = T('00:35'),
  // false: A's store has no insertRuns, so A records its slots one insert at a time (as a third-party adapter).
  batched = true,
) {
  const clock = new FakeClock(Date.parse(T('00:00')));
  const store = new MemoryStore({ clock });
  const lock = new MemoryLock({ clock });
  const calls: string[] = [];
  const registry = new JobRegistry([
    defineJob({
      type: 'noop',
      handler: async (_p, ctx) => {
        calls.push(ctx.scheduledAt?.toISOString().slice(11, 16) ?? 'manual');
      },
    }),
  ]);
  const make = (s: SchedulerStore, id: string, l: LockProvider = lock) =>
    new JobScheduler({ store: s, lock: l, registry, clock, logger: quiet, lockTtlMs: TTL, replicaId: id });
  const setup = make(store, 'setup');
  await setup.schedules.create({
    jobName: 'x',
    cronExpression: '*/10 * * * *',
    jobType: 'noop',
    missedRunPolicy: policy,
    ...over,
  });

  // Claimer A stalls at `stall`, until released: from then on every call it makes (store and lock) waits, as for a
  // process frozen mid-claim, so its lock is no longer renewed and its local lease deadline passes. The calls it had
  // in flight land when it wakes (after B claimed), and must change nothing.
  let release: () => void = () => {};
  let stalled = false;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const stall_ = async () => {
    stalled = true;
    await gate;
  };
  // Insert calls A made: a batch of records (insertRuns) is one call.
  let inserts = 0;
  const beforeInsert = async () => {
    if (stalled || (stall === 'before-insert' && inserts === 0)) await stall_();
    if (stall === 'after-first-insert' && inserts === 1) await stall_();
    inserts++;
  };
  const overrides: Partial<SchedulerStore> = {
    insertRun: async (run, options) => {
      await beforeInsert();
      return store.insertRun(run, options);
    },
    insertRuns: batched
      ? async (runs, options) => {
          await beforeInsert();
          return store.insertRuns(runs, options);
        }
      : undefined,
    updateSchedule: async (name, patch, condition) => {
      if (stalled || (stall === 'after-insert' && patch.nextRunAt !== undefined && condition)) await stall_();
      return store.updateSchedule(name, patch, condition);
    },
  };
  const stallingLock: LockProvider = {
    acquire: async (...a) => {
      if (stalled) await gate;
      return lock.acquire(...a);
    },
    renew: async (...a) => {
      if (stalled) await gate;
      return lock.renew(...a);
    },
    release: async (...a) => {
      if (stalled) await gate;
      return lock.release(...a);
    },
    inspect: (k) => lock.inspect(k),
  };
  const stalling = new Proxy(store, {
    get(target, prop) {
      if (prop in overrides) return overrides[prop as keyof SchedulerStore];
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const a = make(stalling, 'A', stallingLock);
  const b = make(store, 'B');

  // Down since 00:05: at 00:35 slots 00:10, 00:20, 00:30 are missed. A claims then (or at aClaimsAt), and stalls.
  await clock.set(Date.parse(aClaimsAt));
  const passA = a.checkAndRunDueJobs();
  for (let i = 0; i < 10; i++) await clock.tick();
  // A's leases lapse; at 00:45:30 B passes while A is still stalled: a pass that recovers (runs) a pending run A
  // recorded holds the lock, so its claim is deferred; a later pass claims the same gap A planned (nextRunAt is
  // still 00:10), which by now also holds the missed 00:40.
  await clock.set(Date.parse(T('00:45')) + 30_000);
  for (let i = 0; i < 4; i++) {
    await (await b.checkAndRunDueJobs()).done;
    await b.idle();
  }
  release();
  await (await passA).done;
  await Promise.all([a.idle(), b.idle()]);
  const runs = (await store.listRuns({ jobName: 'x', order: 'asc' })).sort(
    (p, q) => (p.slot?.getTime() ?? 0) - (q.slot?.getTime() ?? 0),
  );
  return { runs, calls, next: (await store.getSchedule('x'))?.nextRunAt?.toISOString() };
}

const show = (runs: JobRun[]) =>
  runs.map(
    (r) =>
      `${r.slot?.toISOString().slice(11, 16)} ${r.status}${r.status === 'skipped' ? ` ${(r.result as { reason: string }).reason}` : ''}`,
  );

describe('two claimers racing on an expired lock over the same gap', () => {
  it('once: the first claimer recorded its catch-up run (00:30) and stalled; the second does not add 00:40', async () => {
    const { runs, calls, next } = await race('once', 'after-insert');
    expect(show(runs)).toEqual([
      '00:10 skipped superseded',
      '00:20 skipped superseded',
      '00:30 succeeded',
      '00:40 skipped superseded',
    ]);
    expect(calls).toEqual(['00:30']);
    expect(next).toBe(T('00:50'));
  });

  it('once: a slot the first claimer ran as current counts as the missed run for the second', async () => {
    // A at 00:30:30 runs 00:30 as current (00:10, 00:20 superseded); for B at 00:45:30, 00:30 is a missed slot
    // that runs, so its own most recent missed slot (00:40) is not run as well.
    const { runs, calls } = await race('once', 'after-insert', {}, '2030-01-01T00:30:30.000Z');
    expect(show(runs)).toEqual([
      '00:10 skipped superseded',
      '00:20 skipped superseded',
      '00:30 succeeded',
      '00:40 skipped superseded',
    ]);
    expect(runs.map((r) => r.trigger)).toEqual(['catch_up', 'catch_up', 'schedule', 'catch_up']);
    expect(calls).toEqual(['00:30']);
  });

  it('once: the second claimer recorded every slot first; the first one runs nothing', async () => {
    const { runs, calls } = await race('once', 'before-insert');
    expect(show(runs)).toEqual([
      '00:10 skipped superseded',
      '00:20 skipped superseded',
      '00:30 skipped superseded',
      '00:40 succeeded',
    ]);
    expect(calls).toEqual(['00:40']);
  });

  it('once: records interleaved slot by slot still give one catch-up run', async () => {
    const { runs, calls } = await race('once', 'after-first-insert', {}, T('00:35'), false);
    expect(runs).toHaveLength(4);
    expect(runs.filter((r) => r.status !== 'skipped')).toHaveLength(1);
    expect(calls).toHaveLength(1);
  });

  it('once: the first claimer stalls after its batch of skip records; one catch-up run for the gap', async () => {
    // A records 00:10 and 00:20 (skipped) in one call and stalls before 00:30 (its catch-up run, recorded alone). B
    // finds them, records 00:30 skipped and runs 00:40; A's late insert of 00:30 collides and it runs nothing.
    const { runs, calls } = await race('once', 'after-first-insert');
    expect(show(runs)).toEqual([
      '00:10 skipped superseded',
      '00:20 skipped superseded',
      '00:30 skipped superseded',
      '00:40 succeeded',
    ]);
    expect(calls).toEqual(['00:40']);
  });

  it('all: catch-up runs found already recorded count toward max_catch_up_runs', async () => {
    // With a 20-minute catch-up window, A (at 00:35) skips 00:10 as too old and runs 00:20 and 00:30 (max 2). B (at
    // 00:45:30) finds 00:10 and 00:20 too old and plans 00:30 and 00:40: with A's two runs, three for a limit of two.
    const { runs, calls } = await race('all', 'after-insert', {
      maxCatchUpRuns: 2,
      catchUpWindowSeconds: 1200,
    });
    expect(show(runs)).toEqual([
      '00:10 skipped catch_up_window',
      '00:20 succeeded',
      '00:30 succeeded',
      '00:40 skipped max_catch_up_runs',
    ]);
    expect(calls.sort()).toEqual(['00:20', '00:30']);
  });

  it('all without a race: the same plan runs every missed slot up to the limit', async () => {
    const { runs } = await race('all', 'before-insert', { maxCatchUpRuns: 2, catchUpWindowSeconds: 1200 });
    expect(show(runs)).toEqual([
      '00:10 skipped catch_up_window',
      '00:20 skipped catch_up_window',
      '00:30 succeeded',
      '00:40 succeeded',
    ]);
  });
});
