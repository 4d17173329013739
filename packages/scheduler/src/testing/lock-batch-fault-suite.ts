// Faults of the batched lock acquire (spec section 11, issue "Scale"): the claims of a batch of due schedules take
// their locks in one `acquireMany` call (lock-batcher.ts), so one failed call now touches several schedules at once.
// Each scenario fails that one call the way a database can — its answer lost after it took the locks, a hang before
// it is sent, a hang after it took effect — and checks that every schedule's slot still runs exactly once, no later
// than the leases that call may have taken lapse. Adapters without `acquireMany` skip these (nothing is batched).
import { jobLockKey } from '../model.js';
import { BATCH_NAMES, drive, expectEachOnce, pass, sixDue, BATCH_T0 as T0 } from './batch-fault-helpers.js';
import type { FaultAction } from './faults.js';
import type { SuiteTestApi } from './types.js';
import { TTL, type World, type WorldOptions, worldRunner } from './world.js';

/** Six schedules due, and replica A whose first `acquireMany` meets `action`; A's first pass is driven to its end. */
async function firstAcquireFaulted(w: World, action: FaultAction) {
  await sixDue(w);
  const a = w.faulty();
  const rule = a.lock.inject({ method: 'acquireMany', action, nth: 1 });
  const A = w.scheduler({ store: a.store.target, lock: a.lock.target });
  await drive(w, pass(A));
  return { rule, A };
}

/** The batched-acquire fault scenarios (run by the conformance suite for every adapter, with fake time). */
export function lockBatchFaultSuite(api: SuiteTestApi, options: WorldOptions): void {
  const { describe, it, expect } = api;
  const withWorld = worldRunner(options);

  describe('Faults: the batched lock acquire (acquireMany)', () => {
    it(
      'its answer is lost after it took the locks: nothing runs until those leases lapse, then each slot runs once',
      withWorld(T0, async (w) => {
        if (typeof w.lock.acquireMany !== 'function') return;
        const { rule: lost, A } = await firstAcquireFaulted(w, 'fail-after');
        expect(lost.hits).toBe(1);
        expect(w.calls).toEqual([]);
        expect(await w.store.listRuns({})).toEqual([]);
        // The locks were taken: before their leases lapse nobody (A itself included) claims the schedules.
        await drive(w, pass(A));
        expect(w.calls).toEqual([]);
        await w.clock.advance(TTL + 1000);
        await drive(w, pass(A));
        await drive(w, A.idle());
        await expectEachOnce(expect, w, A.replicaId);
      }),
    );

    it(
      'it hangs before it is sent: the claims give up at their bound, another replica runs each slot once, and the late call changes nothing',
      withWorld(T0, async (w) => {
        if (typeof w.lock.acquireMany !== 'function') return;
        const { rule: hang, A } = await firstAcquireFaulted(w, 'hang');
        expect(hang.hits).toBe(1);
        expect(w.calls).toEqual([]);
        const B = w.scheduler();
        await drive(w, pass(B));
        await drive(w, B.idle());
        await expectEachOnce(expect, w, B.replicaId);
        // The held call reaches the lock now and takes the (released) locks for nobody: A's claims are long gone.
        hang.release();
        await drive(w, A.idle());
        await w.clock.advance(1000);
        await expectEachOnce(expect, w, B.replicaId);
      }),
    );

    it(
      'its answer comes after the claims gave up, while the leases it took stand: they are released at once, and another replica runs each slot without waiting for them to lapse',
      withWorld(T0, async (w) => {
        if (typeof w.lock.acquireMany !== 'function') return;
        const { rule: late, A } = await firstAcquireFaulted(w, 'hang-after');
        expect(late.hits).toBe(1);
        expect(w.calls).toEqual([]);
        // The call took every lock and A's claims gave up on it (within TTL/2): the leases stand, for nobody.
        for (const name of BATCH_NAMES) {
          expect((await w.lock.inspect(jobLockKey(name)))?.owner).toBe(A.replicaId);
        }
        // The answer arrives: A releases what it was granted too late, instead of leaving it to lapse.
        late.release();
        await drive(w, A.idle());
        for (const name of BATCH_NAMES) expect(await w.lock.inspect(jobLockKey(name))).toBeNull();
        const B = w.scheduler();
        await drive(w, pass(B));
        await drive(w, B.idle());
        await expectEachOnce(expect, w, B.replicaId);
      }),
    );

    it(
      'it takes the locks but its answer hangs: another replica waits for those leases to lapse, then runs each slot once',
      withWorld(T0, async (w) => {
        if (typeof w.lock.acquireMany !== 'function') return;
        const { rule: late, A } = await firstAcquireFaulted(w, 'hang-after');
        expect(late.hits).toBe(1);
        const B = w.scheduler();
        await drive(w, pass(B));
        expect(w.calls).toEqual([]);
        await w.clock.advance(TTL + 1000);
        await drive(w, pass(B));
        await drive(w, B.idle());
        await expectEachOnce(expect, w, B.replicaId);
        // A's answer arrives after its claims gave up: it starts nothing.
        late.release();
        await drive(w, A.idle());
        await expectEachOnce(expect, w, B.replicaId);
      }),
    );
  });
}
