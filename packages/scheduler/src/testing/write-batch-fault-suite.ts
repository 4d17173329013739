// Faults of the batched writes (spec section 11, issue "Scale"): the compare-and-sets, starts, ends and `last_run_*`
// writes of a batch of claims go to the store as one `updateSchedules` / `updateRuns` call (write-batchers.ts), so
// one failed call now touches several runs at once. Each scenario fails that one call the way a database can — its
// answer lost after the writes landed, a failure before it is sent, a hang — and checks that every schedule's slot
// still runs exactly once and ends `succeeded` once. Each also checks that the fault hit a batched call (the rules are
// written for the single write, and faults.ts applies them to a batch containing a matching write). Adapters without
// the batched calls skip these.
import {
  BATCH_NAMES,
  BATCH_SLOT,
  BATCH_T0,
  drive,
  expectEachOnce,
  pass,
  sixDue,
} from './batch-fault-helpers.js';
import { runWriteOf } from './fault-helpers.js';
import type { FaultInjector } from './faults.js';
import type { SuiteTestApi } from './types.js';
import { TTL, type WorldOptions, worldRunner } from './world.js';

/** The batched-write fault scenarios (run by the conformance suite for every adapter, with fake time). */
export function writeBatchFaultSuite(api: SuiteTestApi, options: WorldOptions): void {
  const { describe, it, expect } = api;
  const withWorld = worldRunner(options);
  /** The methods of the calls a rule faulted. */
  const faulted = (store: FaultInjector<object>) =>
    store.calls.filter((c) => c.fault !== null).map((c) => c.method);

  describe('Faults: the batched writes (updateRuns, updateSchedules)', () => {
    it(
      'the batch of success writes fails after it landed: each run is recognised as written and nothing runs again',
      withWorld(BATCH_T0, async (w) => {
        if (typeof w.store.updateRuns !== 'function') return;
        await sixDue(w);
        const a = w.faulty();
        const lost = a.store.inject({
          method: 'updateRun',
          action: 'fail-after',
          nth: 1,
          when: runWriteOf('succeeded'),
        });
        const A = w.scheduler({ store: a.store.target, lock: a.lock.target });
        await drive(w, pass(A));
        await drive(w, A.idle());
        expect(lost.hits).toBe(1);
        expect(faulted(a.store)).toEqual(['updateRuns']);
        await expectEachOnce(expect, w, A.replicaId);
        // A later pass finds nothing left to do for that slot.
        await drive(w, pass(A));
        await expectEachOnce(expect, w, A.replicaId);
      }),
    );

    it(
      'the batch of compare-and-sets fails before it is sent: the claims retry, each slot runs once and next_run_at moves on',
      withWorld(BATCH_T0, async (w) => {
        if (typeof w.store.updateSchedules !== 'function') return;
        await sixDue(w);
        const a = w.faulty();
        const failed = a.store.inject({
          method: 'updateSchedule',
          action: 'fail',
          nth: 1,
          // The claim's compare-and-set: conditioned on the next_run_at it read.
          when: (args) => (args[2] as { nextRunAt?: unknown } | undefined)?.nextRunAt !== undefined,
        });
        const A = w.scheduler({ store: a.store.target, lock: a.lock.target });
        await drive(w, pass(A));
        await drive(w, A.idle());
        expect(failed.hits).toBe(1);
        expect(faulted(a.store)).toEqual(['updateSchedules']);
        await expectEachOnce(expect, w, A.replicaId);
        for (const jobName of ['b1', 'b6']) {
          expect((await w.store.getSchedule(jobName))?.nextRunAt?.getTime()).toBe(BATCH_SLOT + 60_000);
        }
      }),
    );

    it(
      'the batch of starts hangs: no handler starts under the stuck call, another replica runs each slot once after the leases lapse, and the late writes change nothing',
      withWorld(BATCH_T0, async (w) => {
        if (typeof w.store.updateRuns !== 'function') return;
        await sixDue(w);
        const a = w.faulty();
        // Every start write of A hangs (the batch's claims may go out as more than one batched call).
        const hang = a.store.inject({ method: 'updateRun', action: 'hang', when: runWriteOf('running') });
        const A = w.scheduler({ store: a.store.target, lock: a.lock.target });
        const first = pass(A);
        await drive(w, first, TTL * 2);
        expect(hang.hits).toBeGreaterThanOrEqual(1);
        expect(faulted(a.store)).toContain('updateRuns'); // a start that came alone hangs too
        expect(w.calls).toEqual([]);
        // A gave the runs up at its lease deadline; once the leases lapsed another replica takes them.
        await w.clock.advance(TTL + 1000);
        const B = w.scheduler();
        await drive(w, pass(B), TTL * 2);
        await drive(w, B.idle(), TTL * 2);
        // By now the next minute's slot is due too, and B may have claimed it: each slot once, SLOT's six included.
        const eachOnce = async () => {
          expect(new Set(w.calls).size).toBe(w.calls.length);
          const slot = new Date(BATCH_SLOT).toISOString();
          expect(w.calls.filter((c) => c.endsWith(`@${slot}`)).sort()).toEqual(
            BATCH_NAMES.map((n) => `${n}@${slot}`),
          );
          const runs = await w.store.listRuns({});
          expect(runs).toHaveLength(w.calls.length);
          for (const r of runs) expect([r.status, r.replicaId]).toEqual(['succeeded', B.replicaId]);
        };
        await eachOnce();
        // The stuck call reaches the store now: its starts are refused (the runs are no longer pending).
        hang.release();
        await drive(w, A.idle());
        await w.clock.advance(1000);
        await eachOnce();
      }),
    );
  });
}
