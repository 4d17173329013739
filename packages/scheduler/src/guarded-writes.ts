// The guarded store calls every transition is made of (spec section 11): a write under a held lease, bounded by its
// heartbeat, retried on errors until the lease's local deadline, and idempotent — a retried write that finds its
// condition gone reads the record back and accepts "already exactly as I wrote it" (its first try landed; only the
// acknowledgement was lost). A write that has kept failing for a whole lease period gives the lease up locally.
import type { EngineContext } from './engine.js';
import { toRunError } from './errors.js';
import type { Heartbeat } from './heartbeat.js';
import type { JobRun, JobSchedule } from './model.js';
import { runLogFields } from './run-log.js';
import type { RunCondition, RunUpdate, ScheduleCondition, ScheduleUpdateOptions } from './types.js';

/** A guarded write that did not happen: the run is no longer ours (`lost`), or the lease deadline passed. */
export type Gone = 'lost' | 'expired';

/**
 * After a failed try: pauses before the next one, or gives up — ending the lease locally — once tries have kept
 * failing for as long as a lease lasts without renewal (TTL minus the margin): the store is unreachable, and a
 * replica that cannot write must not keep its lock (a renewed lock alone would otherwise hold it forever).
 * Returns false when it gave up (or the lease is gone).
 */
async function pauseOrGiveUp(ctx: EngineContext, hb: Heartbeat, failingSince: number): Promise<boolean> {
  if (ctx.mono() - failingSince >= ctx.timing.ttlMs - ctx.timing.marginMs) hb.giveUp();
  if (hb.expired) return false;
  await hb.pause(ctx.timing.retryDelayMs);
  return !hb.expired;
}

/** Whether a transition's result is a run (written) rather than {@link Gone}. */
export function written<T extends object>(r: T | Gone): r is T {
  return typeof r !== 'string';
}

function same(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => same((a as never)[k], (b as never)[k]));
  }
  return a === b;
}

/** Whether `run` holds exactly the fields of `set` (what a landed write left). */
function holds(run: JobRun, set: Partial<JobRun>): boolean {
  return Object.entries(set).every(([k, v]) => v === undefined || same((run as never)[k], v));
}

/**
 * The guarded run write: `update` when `condition` holds, retried on errors until the lease deadline; `lost` when
 * the condition no longer holds (and the run is not already as written), `expired` when the deadline passed.
 */
export async function writeRun(
  ctx: EngineContext,
  hb: Heartbeat,
  run: JobRun,
  update: RunUpdate,
  condition: RunCondition,
): Promise<JobRun | Gone> {
  let mayHaveLanded = false;
  let failingSince: number | null = null;
  for (;;) {
    if (hb.expired) return 'expired';
    try {
      // Sent together with the run writes of concurrent runs when there are any (write-batchers.ts), else alone.
      const r = await hb.call('updateRun', () => ctx.runWrites.call({ id: run.id, update, condition }));
      if (r) return r;
      if (!mayHaveLanded) return 'lost';
      // A try that failed may have landed (its acknowledgement lost): then the run is exactly as we wrote it.
      const cur = await hb.call('getRun', () => ctx.store.getRun(run.id));
      return cur && holds(cur, update.set ?? {}) ? cur : 'lost';
    } catch (error) {
      if (hb.expired) return 'expired';
      mayHaveLanded = true;
      ctx.logger.warn('a run write failed; retrying until the lease deadline', {
        ...runLogFields(run),
        error: toRunError(error).message,
        deadlineInMs: Math.round(hb.timeLeftMs()),
      });
      failingSince ??= ctx.mono();
      if (!(await pauseOrGiveUp(ctx, hb, failingSince))) return 'expired';
    }
  }
}

/**
 * The guarded schedule write, fenced by the lock token held (`ScheduleCondition.fencingToken`) plus `condition`;
 * retried on errors until the deadline. `null`: refused (a newer holder wrote, the schedule is gone, or the extra
 * condition failed) — unless a try may have landed and `landed` recognises the schedule as read back.
 */
export async function writeSchedule(
  ctx: EngineContext,
  hb: Heartbeat,
  jobName: string,
  patch: Partial<Omit<JobSchedule, 'jobName'>>,
  condition: ScheduleCondition = {},
  landed: (s: JobSchedule) => boolean = () => false,
  options?: ScheduleUpdateOptions,
): Promise<JobSchedule | null | 'expired'> {
  let mayHaveLanded = false;
  let failingSince: number | null = null;
  for (;;) {
    if (hb.expired) return 'expired';
    try {
      // Fenced: refused once a holder with a newer token wrote this schedule. (A heartbeat of queued runs holds no
      // lock, so it cannot fence: it only ever records that a queued run ended without starting.)
      const fenced = hb.lease ? { ...condition, fencingToken: hb.token } : condition;
      // `options.countRun` is counted once per run by the store, so retrying this write never counts twice.
      // Sent together with the schedule writes of concurrent claims and runs when there are any (write-batchers.ts).
      const r = await hb.call('updateSchedule', () =>
        ctx.scheduleWrites.call(
          options === undefined
            ? { jobName, patch, condition: fenced }
            : { jobName, patch, condition: fenced, options },
        ),
      );
      if (r || !mayHaveLanded) return r;
      const cur = await hb.call('getSchedule', () => ctx.store.getSchedule(jobName));
      return cur && landed(cur) ? cur : null;
    } catch (error) {
      if (hb.expired) return 'expired';
      mayHaveLanded = true;
      ctx.logger.warn('a schedule write failed; retrying until the lease deadline', {
        jobName,
        error: toRunError(error).message,
      });
      failingSince ??= ctx.mono();
      if (!(await pauseOrGiveUp(ctx, hb, failingSince))) return 'expired';
    }
  }
}

/**
 * Inserts a new run record under the lease (a claimed slot, a chained run, a manual run), retried on errors until
 * the deadline. `true`: this insert created it (also when a try landed and only its acknowledgement was lost: the
 * key then holds our id); `false`: the key was taken by someone else.
 */
export async function create(ctx: EngineContext, hb: Heartbeat, run: JobRun): Promise<boolean | 'expired'> {
  let mayHaveLanded = false;
  let failingSince: number | null = null;
  for (;;) {
    if (hb.expired) return 'expired';
    try {
      // Sent together with the inserts of concurrent claims when there are any (insert-batcher.ts), else alone.
      const ok = await hb.call('insertRun', () => ctx.inserts.insert(run, ctx.lockTtlMs));
      if (ok || !mayHaveLanded) return ok;
      const cur = await hb.call('getRunByKey', () => ctx.store.getRunByKey(run.runKey));
      return cur?.id === run.id;
    } catch (error) {
      if (hb.expired) return 'expired';
      mayHaveLanded = true;
      ctx.logger.warn('a run insert failed; retrying until the lease deadline', {
        ...runLogFields(run),
        runKey: run.runKey,
        error: toRunError(error).message,
      });
      failingSince ??= ctx.mono();
      if (!(await pauseOrGiveUp(ctx, hb, failingSince))) return 'expired';
    }
  }
}

/**
 * Inserts `runs` in one store call (`insertRuns`, a MongoDB bulkWrite), guarded like {@link create}: `true` for each
 * run inserted (by this call, or by an earlier try whose acknowledgement was lost: its key then holds our run id),
 * `false` for each whose key another claimer holds. A store without `insertRuns` gets one {@link create} per run.
 */
export async function createMany(
  ctx: EngineContext,
  hb: Heartbeat,
  runs: readonly JobRun[],
): Promise<boolean[] | 'expired'> {
  const { store } = ctx;
  if (typeof store.insertRuns !== 'function') {
    const results: boolean[] = [];
    for (const run of runs) {
      const r = await create(ctx, hb, run);
      if (r === 'expired') return r;
      results.push(r);
    }
    return results;
  }
  const insertRuns = store.insertRuns.bind(store);
  let mayHaveLanded = false;
  let failingSince: number | null = null;
  for (;;) {
    if (hb.expired) return 'expired';
    try {
      const results = await hb.call('insertRuns', () => insertRuns(runs, { leaseForMs: ctx.lockTtlMs }));
      if (results.length !== runs.length) {
        throw new Error(`insertRuns answered ${results.length} results for ${runs.length} runs`);
      }
      if (!mayHaveLanded || results.every(Boolean)) return results;
      // An earlier try may have landed: a key found taken is ours when it holds our run id.
      const taken = runs.filter((_, i) => !results[i]).map((r) => r.runKey);
      const found = await hb.call('listRuns', () => store.listRuns({ runKeys: taken }));
      const ids = new Map(found.map((r) => [r.runKey, r.id]));
      return results.map((ok, i) => ok || ids.get(runs[i]?.runKey ?? '') === runs[i]?.id);
    } catch (error) {
      if (hb.expired) return 'expired';
      mayHaveLanded = true;
      ctx.logger.warn('a batch of run inserts failed; retrying until the lease deadline', {
        jobName: runs[0]?.jobName ?? null,
        runs: runs.length,
        error: toRunError(error).message,
      });
      failingSince ??= ctx.mono();
      if (!(await pauseOrGiveUp(ctx, hb, failingSince))) return 'expired';
    }
  }
}

/** A read under the lease, retried on errors until the deadline. */
export async function readUnder<T>(
  ctx: EngineContext,
  hb: Heartbeat,
  operation: string,
  read: () => Promise<T>,
): Promise<T | 'expired'> {
  let failingSince: number | null = null;
  for (;;) {
    if (hb.expired) return 'expired';
    try {
      return await hb.call(operation, read);
    } catch (error) {
      if (hb.expired) return 'expired';
      ctx.logger.warn('a read failed; retrying until the lease deadline', {
        operation,
        error: toRunError(error).message,
      });
      failingSince ??= ctx.mono();
      if (!(await pauseOrGiveUp(ctx, hb, failingSince))) return 'expired';
    }
  }
}
