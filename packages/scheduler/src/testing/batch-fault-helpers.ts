// Helpers of the batched-call fault suites (lock-batch-fault-suite.ts, write-batch-fault-suite.ts): six schedules due
// at one slot (one batch of claims), a fake clock driven until a promise settles, and the exactly-once check.
import type { SuiteTestApi } from './types.js';
import type { World } from './world.js';

export const BATCH_T0 = '2030-01-01T00:00:00.000Z';
export const BATCH_SLOT = Date.parse('2030-01-01T00:01:00.000Z');
export const BATCH_NAMES = ['b1', 'b2', 'b3', 'b4', 'b5', 'b6'];

/** Six minutely schedules, all due at BATCH_SLOT: one batch of claims. */
export async function sixDue(w: World): Promise<void> {
  const s = w.scheduler();
  for (const jobName of BATCH_NAMES) {
    await s.schedules.create({ jobName, cronExpression: '* * * * *', jobType: 'noop' });
  }
  await w.clock.set(BATCH_SLOT + 5000);
}

/** Moves the fake clock on in steps of 500 ms until `promise` settles (at most `maxMs`), and returns its value. */
export async function drive<T>(w: World, promise: Promise<T>, maxMs = 20_000): Promise<T> {
  let settled = false;
  const mark = () => {
    settled = true;
  };
  promise.then(mark, mark);
  const until = w.clock.now() + maxMs;
  while (!settled && w.clock.now() < until) await w.clock.advance(500);
  return promise;
}

/** One pass of `s`, resolving when its runs are done. */
export const pass = (s: { checkAndRunDueJobs(): Promise<{ done: Promise<unknown> }> }) =>
  (async () => (await s.checkAndRunDueJobs()).done)();

/** Each schedule's BATCH_SLOT ran once, by `replicaId` when given, and its one record succeeded. */
export async function expectEachOnce(
  expect: SuiteTestApi['expect'],
  w: World,
  replicaId?: string,
): Promise<void> {
  const slot = new Date(BATCH_SLOT).toISOString();
  expect([...w.calls].sort()).toEqual(BATCH_NAMES.map((n) => `${n}@${slot}`));
  for (const jobName of BATCH_NAMES) {
    const runs = await w.store.listRuns({ jobName });
    expect(runs.map((r) => r.status)).toEqual(['succeeded']);
    if (replicaId) expect(runs[0]?.replicaId).toBe(replicaId);
  }
}
