// Conformance tests of the batched writes `updateRuns` and `updateSchedules` (optional members; checked when present),
// registered by `storeSuite`: each write of a call answers exactly as its single call would, and batches racing for
// the same records decide each record once.
import type { JobRun } from '../model.js';
import type { RunWrite, SchedulerStore, ScheduleWrite } from '../types.js';
import { type StoreSuiteOptions, sampleRun, sampleSchedule, storeRunner } from './store-suite.js';
import type { SuiteTestApi } from './types.js';

export function storeBatchSuite(api: SuiteTestApi, options: StoreSuiteOptions): void {
  const { describe, it, expect } = api;
  const withStore = storeRunner(options);
  const runsOf = (store: SchedulerStore) =>
    typeof store.updateRuns === 'function' ? store.updateRuns.bind(store) : null;
  const schedulesOf = (store: SchedulerStore) =>
    typeof store.updateSchedules === 'function' ? store.updateSchedules.bind(store) : null;
  const at = (iso: string) => new Date(iso);

  describe('RunStore.updateRuns', () => {
    it(
      'applies each write on its own, exactly when its condition holds, and answers in order',
      withStore(async (store, time) => {
        const updateRuns = runsOf(store);
        if (!updateRuns) return;
        const pending = sampleRun({ status: 'pending' });
        const held = sampleRun({ status: 'running', leaseOwner: 'a', fencingToken: 3 });
        const other = sampleRun({ status: 'running', leaseOwner: 'b', fencingToken: 4 });
        for (const r of [pending, held, other]) expect(await store.insertRun(r)).toBe(true);
        const writes: RunWrite[] = [
          // Starts: pending → running, leased by the store's clock.
          {
            id: pending.id,
            update: {
              set: { status: 'running', leaseOwner: 'a', fencingToken: 5 },
              leaseForMs: time.leaseMs,
            },
            condition: { status: ['pending'] },
          },
          // A stale holder (token 2 < 3) is refused.
          { id: held.id, update: { set: { status: 'succeeded' } }, condition: { fencingToken: 2 } },
          // Another owner's run is refused.
          { id: other.id, update: { set: { status: 'failed' } }, condition: { leaseOwner: 'a' } },
          // A missing run answers null.
          { id: 'no-such-run', update: { set: { status: 'failed' } } },
          // The holder's own write lands.
          {
            id: held.id,
            update: { set: { status: 'succeeded', result: { n: 1 } } },
            condition: { leaseOwner: 'a', fencingToken: 3, status: ['running'] },
          },
        ];
        const answers = await updateRuns(writes);
        expect(answers).toHaveLength(writes.length);
        expect(answers[0]?.id).toBe(pending.id);
        expect(answers[0]?.status).toBe('running');
        expect(answers[0]?.leaseExpiresAt).not.toBeNull();
        expect(answers[1]).toBeNull();
        expect(answers[2]).toBeNull();
        expect(answers[3]).toBeNull();
        expect(answers[4]?.status).toBe('succeeded');
        expect(answers[4]?.result).toEqual({ n: 1 });
        // Each answer is what the store now holds; refused writes changed nothing.
        expect(await store.getRun(pending.id)).toEqual(answers[0]);
        expect(await store.getRun(held.id)).toEqual(answers[4]);
        expect((await store.getRun(other.id))?.status).toBe('running');
        expect(await updateRuns([])).toEqual([]);
      }),
    );

    it(
      'applies writes of the same run in the order given',
      withStore(async (store) => {
        const updateRuns = runsOf(store);
        if (!updateRuns) return;
        const run = sampleRun({ status: 'pending' });
        await store.insertRun(run);
        const answers = await updateRuns([
          {
            id: run.id,
            update: { set: { status: 'running', leaseOwner: 'a' } },
            condition: { status: ['pending'] },
          },
          { id: run.id, update: { set: { status: 'succeeded' } }, condition: { status: ['running'] } },
          { id: run.id, update: { set: { status: 'failed' } }, condition: { status: ['running'] } },
        ]);
        expect(answers.map((r) => r?.status ?? null)).toEqual(['running', 'succeeded', null]);
        expect((await store.getRun(run.id))?.status).toBe('succeeded');
      }),
    );

    it(
      'decides each run once when batches race for the same runs (a compare-and-set on the status)',
      withStore(async (store) => {
        const updateRuns = runsOf(store);
        if (!updateRuns) return;
        const runs = Array.from({ length: 6 }, () => sampleRun({ status: 'pending' }));
        for (const r of runs) await store.insertRun(r);
        const claim = (owner: string, order: JobRun[]) =>
          updateRuns(
            order.map((r) => ({
              id: r.id,
              update: { set: { status: 'running' as const, leaseOwner: owner } },
              condition: { status: ['pending' as const] },
            })),
          );
        const owners = ['a', 'b', 'c', 'd'];
        const results = await Promise.all(
          owners.map((o, i) => claim(o, i % 2 === 0 ? runs : [...runs].reverse())),
        );
        for (const [k, run] of runs.entries()) {
          const won = owners.filter((_, i) => {
            const index = i % 2 === 0 ? k : runs.length - 1 - k;
            return results[i]?.[index] != null;
          });
          expect(won).toHaveLength(1);
          expect((await store.getRun(run.id))?.leaseOwner).toBe(won[0]);
        }
      }),
    );
  });

  describe('ScheduleStore.updateSchedules', () => {
    it(
      'applies each write on its own (fencing, compare-and-set, counted runs, version) and answers in order',
      withStore(async (store) => {
        const updateSchedules = schedulesOf(store);
        if (!updateSchedules) return;
        const t0 = at('2030-01-01T00:00:00.000Z');
        const t1 = at('2030-01-01T00:05:00.000Z');
        for (const jobName of ['fenced', 'cas', 'count', 'fail', 'edit']) {
          await store.insertSchedule(sampleSchedule({ jobName, nextRunAt: t0 }));
        }
        // A holder with token 7 wrote `fenced`: token 6 is refused from now on.
        expect(
          await store.updateSchedule('fenced', { lastRunStatus: 'running' }, { fencingToken: 7 }),
        ).not.toBeNull();
        await store.updateSchedule('fail', {}, {}, { countRun: { runId: 'r0', outcome: 'failure' } });
        const writes: ScheduleWrite[] = [
          { jobName: 'fenced', patch: { lastRunStatus: 'succeeded' }, condition: { fencingToken: 6 } },
          { jobName: 'cas', patch: { nextRunAt: t1 }, condition: { nextRunAt: t0, fencingToken: 1 } },
          { jobName: 'cas', patch: { nextRunAt: t0 }, condition: { nextRunAt: t0 } }, // moved by the write before
          {
            jobName: 'count',
            patch: { lastRunStatus: 'succeeded' },
            options: { countRun: { runId: 'r1', outcome: 'success' } },
          },
          {
            jobName: 'fail',
            patch: { lastRunStatus: 'failed' },
            options: { countRun: { runId: 'r2', outcome: 'failure' } },
          },
          { jobName: 'edit', patch: { description: 'edited' } },
          { jobName: 'missing', patch: { lastRunStatus: 'failed' } },
        ];
        const answers = await updateSchedules(writes);
        expect(answers).toHaveLength(writes.length);
        expect(answers[0]).toBeNull();
        expect(answers[1]?.nextRunAt).toEqual(t1);
        expect(answers[1]?.version).toBe(1); // the engine's bookkeeping leaves the version alone
        expect(answers[2]).toBeNull();
        expect(answers[3]?.consecutiveFailures).toBe(0);
        expect(answers[4]?.consecutiveFailures).toBe(2);
        expect(answers[5]?.description).toBe('edited');
        expect(answers[5]?.version).toBe(2);
        expect(answers[6]).toBeNull();
        expect((await store.getSchedule('fenced'))?.lastRunStatus).toBe('running');
        expect((await store.getSchedule('cas'))?.nextRunAt).toEqual(t1);
        expect((await store.getSchedule('edit'))?.version).toBe(2);
        // A retried counted failure (its first try landed) is not counted twice.
        const again = await updateSchedules([
          {
            jobName: 'fail',
            patch: { lastRunStatus: 'failed' },
            options: { countRun: { runId: 'r2', outcome: 'failure' } },
          },
          { jobName: 'count', patch: { lastRunStatus: 'succeeded' } },
        ]);
        expect(again[0]?.consecutiveFailures).toBe(2);
        expect(again[1]?.lastRunStatus).toBe('succeeded');
        expect(await updateSchedules([])).toEqual([]);
      }),
    );

    it(
      'decides each schedule once when batches race for the same compare-and-set of next_run_at',
      withStore(async (store) => {
        const updateSchedules = schedulesOf(store);
        if (!updateSchedules) return;
        const t0 = at('2030-01-01T00:00:00.000Z');
        const names = Array.from({ length: 6 }, (_, i) => `race-${i}`);
        for (const jobName of names) await store.insertSchedule(sampleSchedule({ jobName, nextRunAt: t0 }));
        const claimers = [1, 2, 3, 4];
        const results = await Promise.all(
          claimers.map((c) =>
            updateSchedules(
              names.map((jobName) => ({
                jobName,
                patch: { nextRunAt: new Date(t0.getTime() + c * 60_000) },
                condition: { nextRunAt: t0 },
              })),
            ),
          ),
        );
        for (const [k, jobName] of names.entries()) {
          const won = claimers.filter((_, i) => results[i]?.[k] != null);
          expect(won).toHaveLength(1);
          const stored = await store.getSchedule(jobName);
          expect(stored?.nextRunAt).toEqual(new Date(t0.getTime() + (won[0] as number) * 60_000));
        }
      }),
    );
  });
}
