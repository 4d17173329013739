// Gates of issue "Scale" on MongoDB (counts, not timings): database round trips per claimed and executed slot with
// one replica — every command the replicas' clients send, counted with the driver's command monitoring (a bulkWrite
// is one command) — and three replicas doing the same work within the 3 round trips per slot and without a
// claim storm.
import { type RoundTripResult, runRoundTripWorkload } from '@craft/scheduler/testing';
import type { CommandStartedEvent, MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { DistributedLock, MongoSchedulerStore } from '../src/index.js';
import { setupMongo } from './support/mongo.js';

const mongo = await setupMongo('round-trip-budget');

/**
 * The budget per slot this engine achieves with one replica (issue target: 3): 0.885 measured — each step of a
 * batch's claims and runs is one bulkWrite and one read of what it wrote (write-batchers.ts), the batch's lock
 * acquires and releases one call each, batches are 16 schedules (`claimConcurrency` 32), and a pass that finds the
 * replica full reads no further, the next one walking the rest of its due list on without listing or looking for
 * expired runs again (due-walk.ts, pass.ts).
 */
const BUDGET_PER_SLOT = 1;
/**
 * Three replicas: at most 1.5 round trips per slot, and at most this many times one replica's (median of 3). How often
 * the replicas' walks meet decides how many batches end short or lose their lock race whole (most at the end, when
 * the few slots left are shared by three), and each replica lists on its own. Here (400 due) runs fall in two groups:
 * 1.06–1.12× when the walks stay apart, 1.3–1.43× when two fall into step and lose whole batches to each other's
 * locks (Node 22, 24 and 26 alike); at 1,000 due 1.03–1.23×, median 1.06× (bench/README.md: the issue's 1.1×).
 * Replicas re-reading each other's claims, or a claim storm, cost 2× and more.
 */
const THREE_REPLICAS_PER_SLOT = 1.5;
const THREE_REPLICAS_RATIO = 1.5;
const TOTAL = 1600;
const DUE = 400;

async function measure(
  replicas: number,
): Promise<RoundTripResult & { commands: number; byCommand: Record<string, number> }> {
  const names = {
    schedulesCollection: mongo.unique('rt_schedules'),
    runsCollection: mongo.unique('rt_runs'),
    stateCollection: mongo.unique('rt_state'),
  };
  const lockCollection = mongo.unique('rt_locks');
  const clients: MongoClient[] = [];
  const byCommand: Record<string, number> = {};
  let commands = 0;
  let counting = false;
  const result = await runRoundTripWorkload({
    replicas,
    total: TOTAL,
    due: DUE,
    clock: 'real',
    // Leases of 10 minutes: never renewed, no call at its bound, however loaded the machine (counts, not timings).
    lockTtlMs: 600_000,
    async create() {
      const client = await mongo.newClient({ monitorCommands: true, maxPoolSize: 20 });
      clients.push(client);
      client.on('commandStarted', (e: CommandStartedEvent) => {
        if (!counting) return;
        commands++;
        byCommand[e.commandName] = (byCommand[e.commandName] ?? 0) + 1;
      });
      const db = client.db(mongo.db.databaseName);
      const store = new MongoSchedulerStore(db, names);
      const lock = new DistributedLock(db, { collectionName: lockCollection });
      // One-time set-up (indexes, write concern) outside the count.
      await store.ensureIndexes();
      await lock.ensureIndexes();
      await store.getSchedule('warm-up');
      await lock.inspect('warm-up');
      return { store, lock };
    },
    onStart: () => {
      counting = true;
    },
    onEnd: () => {
      counting = false;
    },
  });
  return { ...result, commands, byCommand };
}

describe('round trips of the claim path on MongoDB', () => {
  it(`one replica claims and executes each due slot within ${BUDGET_PER_SLOT} round trips`, async () => {
    const r = await measure(1);
    expect(r.succeeded).toBe(DUE);
    expect(r.runs).toBe(DUE);
    // Every store or lock call is at least one command (the count misses nothing the engine sends).
    expect(r.commands).toBeGreaterThanOrEqual(r.calls);
    expect(r.commands / DUE).toBeLessThanOrEqual(BUDGET_PER_SLOT);
  }, 120_000);

  it(`three replicas do the same work within ${THREE_REPLICAS_PER_SLOT} round trips per slot and ${THREE_REPLICAS_RATIO}× one replica's (median of 3 runs)`, async () => {
    const one = await measure(1);
    // Each replica enters the shared ring at a random point (due-walk.ts) and the machine's load changes how their
    // passes interleave, so how often two meet varies from run to run: the median of three runs is the figure, and
    // each run must still do the work exactly once.
    const commands: number[] = [];
    for (let i = 0; i < 3; i++) {
      const three = await measure(3);
      process.stderr.write(
        `round trips: 1 replica ${one.commands}, 3 replicas ${three.commands} ${JSON.stringify(three.byMethod)}\n`,
      );
      expect(three.succeeded).toBe(DUE);
      expect(three.runs).toBe(DUE);
      commands.push(three.commands);
    }
    const median = [...commands].sort((a, b) => a - b)[1] as number;
    expect(median / DUE).toBeLessThanOrEqual(THREE_REPLICAS_PER_SLOT);
    expect(median).toBeLessThanOrEqual(one.commands * THREE_REPLICAS_RATIO);
  }, 300_000);
});
