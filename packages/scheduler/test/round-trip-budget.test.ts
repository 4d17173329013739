// Gates of issue "Scale" on the memory store (counts, not timings): store and lock calls per claimed and executed
// slot with one replica, and three replicas doing the same work without a claim storm (no replica re-reads what
// another already claimed). Every call counts one (a bulk call one), as a round trip to MongoDB would.
import { describe, expect, it } from 'vitest';
import { MemoryLock, MemoryStore } from '../src/index.js';
import { runRoundTripWorkload } from '../src/testing/round-trips.js';

/**
 * The budget per slot this engine achieves with one replica (issue target: 3): 0.33 measured — the writes of a batch's
 * claims and runs go out as one call per step (write-batchers.ts), batches are 16 schedules (`claimConcurrency` 32),
 * a pass that finds the replica full reads no further and the next one walks the rest of its due list on without
 * listing or looking for expired runs again (due-walk.ts, pass.ts), and the memory store answers in microtasks, so
 * the batches stay whole.
 */
const BUDGET_PER_SLOT = 0.4;
/**
 * Three replicas against one, median of 5 runs: no claim storm (replicas re-reading or re-locking each other's claims
 * cost 2.5× and more). The replicas share one thread here, so each one's batches are smaller than one replica's (whose
 * two workers' writes meet in one call), and with a base of 0.33 calls per slot each replica's own listing and final
 * empty pass weigh more: medians 1.38–1.58× in four sets of five (single runs 1.18–1.77×), every slot once. The
 * MongoDB gate (round-trip-budget.test.ts of @craft/mongo) is the tighter one.
 */
const THREE_REPLICAS_RATIO = 2;

function memory() {
  const store = new MemoryStore();
  const lock = new MemoryLock();
  return () => ({ store, lock });
}

describe('round trips of the claim path on the memory store', () => {
  it(`one replica claims and executes each due slot within ${BUDGET_PER_SLOT} store and lock calls`, async () => {
    const r = await runRoundTripWorkload({ replicas: 1, total: 2000, due: 500, create: memory() });
    expect(r.succeeded).toBe(500);
    expect(r.runs).toBe(500);
    expect(r.calls / 500).toBeLessThanOrEqual(BUDGET_PER_SLOT);
  });

  it(`three replicas do the same work with at most ${THREE_REPLICAS_RATIO}× the calls of one (median of 5 runs)`, async () => {
    const one = await runRoundTripWorkload({ replicas: 1, total: 2000, due: 500, create: memory() });
    // Each replica enters the shared ring at a random point (due-walk.ts), so how often two meet varies from run to
    // run: the median of five runs is the figure, each run must still do the work exactly once.
    const calls: number[] = [];
    for (let i = 0; i < 5; i++) {
      const three = await runRoundTripWorkload({ replicas: 3, total: 2000, due: 500, create: memory() });
      expect(three.succeeded).toBe(500);
      expect(three.runs).toBe(500);
      calls.push(three.calls);
    }
    expect([...calls].sort((a, b) => a - b)[2]).toBeLessThanOrEqual(one.calls * THREE_REPLICAS_RATIO);
  });
});
