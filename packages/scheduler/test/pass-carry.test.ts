// A pass that finds the replica full leaves the rest of its due list unread (due-walk.ts); the next pass walks that
// rest on instead of listing every due schedule again, while the listing is at most CARRY_MAX_AGE_MS old (pass.ts).
import { describe, expect, it } from 'vitest';
import {
  defineJob,
  FakeClock,
  JobRegistry,
  JobScheduler,
  MemoryLock,
  MemoryStore,
  type SchedulerStore,
} from '../src/index.js';
import { CARRY_MAX_AGE_MS } from '../src/pass.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

async function world() {
  const clock = new FakeClock(Date.parse('2030-01-01T00:00:30.000Z'));
  const memory = new MemoryStore({ clock });
  let listings = 0;
  let recoveries = 0;
  // Re-reads of due schedules that fail (a store error) before they are sent.
  const failing = { rereads: 0 };
  const store = new Proxy(memory, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      if (prop === 'listSchedules' && failing.rereads > 0) {
        failing.rereads--;
        return async () => {
          throw new Error('connection reset');
        };
      }
      if (prop === 'listDueSchedules') listings++;
      // The search for runs whose lease expired (recovery.ts) is the pass's one listRuns call here.
      if (prop === 'listRuns') recoveries++;
      return value.bind(target);
    },
  }) as SchedulerStore;
  const ran: string[] = [];
  let open: (() => void)[] = [];
  const registry = new JobRegistry([
    defineJob({
      type: 'held',
      handler: async (_p, ctx) => {
        ran.push(ctx.jobName ?? '');
        await new Promise<void>((resolve) => open.push(resolve));
      },
    }),
  ]);
  const scheduler = new JobScheduler({
    store,
    lock: new MemoryLock({ clock }),
    registry,
    clock,
    logger: quiet,
    timezone: 'UTC',
    maxConcurrentRuns: 2,
    claimConcurrency: 2,
  });
  for (let i = 0; i < 6; i++) {
    await scheduler.schedules.create({ jobName: `s${i}`, cronExpression: '0 0 * * *', jobType: 'held' });
    // Due now: the slot of midnight, 30 s ago.
    await memory.updateSchedule(`s${i}`, {
      nextRunAt: new Date('2030-01-01T00:00:00.000Z'),
      nextDueAt: new Date('2030-01-01T00:00:00.000Z'),
    });
  }
  const finishAll = async () => {
    const waiting = open;
    open = [];
    for (const resolve of waiting) resolve();
    await scheduler.whenRunSlotFree();
  };
  return {
    clock,
    scheduler,
    ran,
    finishAll,
    failing,
    listings: () => listings,
    recoveries: () => recoveries,
  };
}

describe('the rest of a full pass', () => {
  it('is walked on by the next pass without listing (or looking for expired runs) again, each slot once', async () => {
    const { scheduler, ran, finishAll, listings, recoveries } = await world();
    const first = await scheduler.checkAndRunDueJobs();
    expect(first.runs).toHaveLength(2);
    expect(first.deferred).toHaveLength(4);
    expect(listings()).toBe(1);
    await finishAll();
    const second = await scheduler.checkAndRunDueJobs();
    expect(second.runs).toHaveLength(2);
    expect(second.deferred).toHaveLength(2);
    await finishAll();
    const third = await scheduler.checkAndRunDueJobs();
    expect(third.runs).toHaveLength(2);
    expect(third.deferred).toHaveLength(0);
    // One listing and one search for expired runs for the three passes; every schedule ran once.
    expect(listings()).toBe(1);
    expect(recoveries()).toBe(1);
    await finishAll();
    expect([...ran].sort()).toEqual(['s0', 's1', 's2', 's3', 's4', 's5']);
    // Nothing carried any more: the next pass lists again (and finds nothing due).
    const fourth = await scheduler.checkAndRunDueJobs();
    expect(fourth.runs).toHaveLength(0);
    expect(listings()).toBe(2);
    await scheduler.stop();
  });

  it(`is listed again once the listing is older than ${CARRY_MAX_AGE_MS} ms`, async () => {
    const { clock, scheduler, ran, finishAll, listings } = await world();
    await scheduler.checkAndRunDueJobs();
    expect(listings()).toBe(1);
    await finishAll();
    await clock.advance(CARRY_MAX_AGE_MS + 1);
    const second = await scheduler.checkAndRunDueJobs();
    expect(listings()).toBe(2);
    expect(second.runs).toHaveLength(2);
    await finishAll();
    expect(new Set(ran).size).toBe(4);
    await scheduler.stop();
  });

  it('whenRunSlotFree resolves at once while the replica has room, and once a slot frees when full', async () => {
    const { scheduler, finishAll } = await world();
    await scheduler.whenRunSlotFree();
    await scheduler.checkAndRunDueJobs();
    let free = false;
    const waiting = scheduler.whenRunSlotFree().then(() => {
      free = true;
    });
    await Promise.resolve();
    expect(free).toBe(false);
    await finishAll();
    await waiting;
    expect(free).toBe(true);
    await scheduler.stop();
  });

  it('loses nothing when the re-read of a carried batch fails: the slots stay due and run once later', async () => {
    const { clock, scheduler, ran, finishAll, failing } = await world();
    await scheduler.checkAndRunDueJobs();
    await finishAll();
    // One re-read of the carried pass fails: that batch is neither claimed nor carried on (the walk goes on to the
    // next batch, and the replica fills up again).
    failing.rereads = 1;
    const failed = await scheduler.checkAndRunDueJobs();
    expect(failing.rereads).toBe(0);
    expect(failed.runs.length).toBeLessThanOrEqual(2);
    // Passes go on (a fresh listing once the carried one is stale) until every slot ran: each exactly once.
    for (let i = 0; i < 10 && new Set(ran).size < 6; i++) {
      await clock.advance(1500);
      await scheduler.checkAndRunDueJobs();
      await finishAll();
    }
    expect([...ran].sort()).toEqual(['s0', 's1', 's2', 's3', 's4', 's5']);
    await scheduler.stop();
  });
});
