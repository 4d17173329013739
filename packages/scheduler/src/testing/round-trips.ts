// Round trips of the claim path (issue "Scale"): a counting view of any store or lock, and one standard workload —
// `due` of `total` schedules due at once, claimed, executed (a no-op job) and recorded by 1…n replicas — that the
// round-trip gates (tests) and the benchmarks share. A store or lock method call is one round trip (a bulk method
// counts one, as a MongoDB bulkWrite does); adapters can count their own wire commands besides (the MongoDB tests
// count commands with the driver's command monitoring).
import { FakeClock } from '../clock.js';
import { createSchedule, type JobSchedule } from '../model.js';
import { defineJob, JobRegistry } from '../registry.js';
import { JobScheduler } from '../scheduler.js';
import type { LockProvider, SchedulerStore } from '../types.js';

/** A counting view of an object: every method call through `proxy` is counted by method name. */
export interface CallCounter<T extends object> {
  /** The object to hand out: calls its target's methods, counting each call. */
  readonly proxy: T;
  /** Calls per method since the last {@link reset}. */
  readonly counts: Map<string, number>;
  /** Whether calls are counted right now (set-up calls can be left out). @default true */
  counting: boolean;
  /** All calls counted since the last {@link reset}. */
  total(): number;
  /** Forgets the counts. */
  reset(): void;
}

/** Wraps `target` so that every method call is counted (see {@link CallCounter}). */
export function countCalls<T extends object>(target: T): CallCounter<T> {
  const counts = new Map<string, number>();
  const counter: CallCounter<T> = {
    proxy: new Proxy(target, {
      get(t, prop) {
        const value = Reflect.get(t, prop, t);
        if (typeof value !== 'function' || typeof prop !== 'string') return value;
        return (...args: unknown[]) => {
          if (counter.counting) counts.set(prop, (counts.get(prop) ?? 0) + 1);
          return (value as (...a: unknown[]) => unknown).apply(t, args);
        };
      },
    }),
    counts,
    counting: true,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    reset: () => counts.clear(),
  };
  return counter;
}

/** Options of {@link runRoundTripWorkload}. */
export interface RoundTripWorkload {
  /** Replicas claiming at the same time (each with its own store and lock object over the same data). */
  replicas: number;
  /** Schedules in the store. */
  total: number;
  /** Of them, due at once (one current slot each). */
  due: number;
  /**
   * The store and lock of replica `i` (the same data for every replica; for a memory store and lock, the same
   * objects). `seed` is true for the object used to write the schedules (not counted).
   */
  create(
    i: number,
  ): { store: SchedulerStore; lock: LockProvider } | Promise<{ store: SchedulerStore; lock: LockProvider }>;
  /** A real clock instead of a FakeClock frozen at the slot's minute + 30 s (MongoDB judges leases by its own). */
  clock?: 'fake' | 'real';
  /** Due schedules claimed per pass. @default `due` */
  maxDuePerPass?: number;
  /**
   * The schedulers' lock TTL. A gate passes a long one (minutes): its leases are then never renewed and no call
   * meets its bound (TTL/6) during the workload, so a loaded machine — slower calls, not more of them by design —
   * cannot change the count. @default the scheduler's (60 s)
   */
  lockTtlMs?: number;
  /**
   * Writes the seeded schedules (not counted). @default one `insertSchedule` per schedule on replica 0's store
   * (a benchmark of 100,000 schedules passes a bulk insert)
   */
  seed?(schedules: JobSchedule[]): Promise<void>;
  /** Called when counting starts (after the set-up) and ends: adapters count their own wire commands in between. */
  onStart?(): void;
  onEnd?(): void;
}

/** What {@link runRoundTripWorkload} measured. */
export interface RoundTripResult {
  /** Store and lock calls of every replica while claiming and executing (set-up excluded). */
  calls: number;
  /** Calls per method name (`lock.` prefixed for the lock's). */
  byMethod: Record<string, number>;
  /** Succeeded runs of the due slots (must equal `due`). */
  succeeded: number;
  /** Run records written (must equal `due`: nothing twice). */
  runs: number;
  /** Wall-clock milliseconds of the claim-and-execute phase. */
  ms: number;
  /**
   * Times every replica had found nothing to do while a slot was still due: a slot every walk had left (a walk ends
   * where it meets a stretch claimed by another replica, trusting that one to walk on). The loop runner passes again
   * within a second then; the workload lets every replica pass again (counted) and counts such rounds here (0: every
   * slot was claimed by the walks that headed for it).
   */
  leftDue: number;
}

/**
 * Seeds `total` schedules of a no-op job (`due` of them due now: a current slot each; the others tomorrow), then lets
 * `replicas` schedulers run passes until nothing is due, and counts every store and lock call they made.
 */
export async function runRoundTripWorkload(w: RoundTripWorkload): Promise<RoundTripResult> {
  const real = w.clock === 'real';
  const minute = Math.floor((real ? Date.now() : Date.UTC(2030, 0, 1, 12, 0)) / 60_000) * 60_000;
  const slot = new Date(minute - (real ? 60_000 : 0));
  const clock = real ? undefined : new FakeClock(slot.getTime() + 30_000);
  const cron = `${slot.getUTCMinutes()} ${slot.getUTCHours()} * * *`;
  const tomorrow = new Date(slot.getTime() + 86_400_000);
  const parts = await Promise.all(Array.from({ length: w.replicas }, (_, i) => w.create(i)));
  const seedStore = (parts[0] as { store: SchedulerStore }).store;
  const step = Math.max(1, Math.round(w.total / Math.max(1, w.due)));
  let dueCount = 0;
  const seeded: JobSchedule[] = [];
  for (let i = 0; i < w.total; i++) {
    const isDue = i % step === 0 && dueCount < w.due;
    if (isDue) dueCount++;
    seeded.push(
      createSchedule({
        jobName: `rt-${String(i).padStart(6, '0')}`,
        cronExpression: cron,
        jobType: 'noop',
        timezone: 'UTC',
        nextRunAt: isDue ? slot : tomorrow,
        nextDueAt: isDue ? slot : tomorrow,
      }),
    );
  }
  if (w.seed) await w.seed(seeded);
  else for (const schedule of seeded) await seedStore.insertSchedule(schedule);
  // Steady state: every due schedule ran before, so its lock record exists (a key's very first acquisition may cost
  // an adapter a few more round trips, once in its life).
  const seedLock = (parts[0] as { lock: LockProvider }).lock;
  const dueKeys: string[] = [];
  for (let i = 0; i < w.total; i += step) dueKeys.push(`job:rt-${String(i).padStart(6, '0')}`);
  for (let i = 0; i < dueKeys.length; i += 100) {
    const keys = dueKeys.slice(i, i + 100);
    const leases = seedLock.acquireMany
      ? await seedLock.acquireMany(keys, 'warm-up', 60_000)
      : await Promise.all(keys.map((key) => seedLock.acquire(key, 'warm-up', 60_000)));
    await Promise.all(leases.map((lease) => lease && seedLock.release(lease)));
  }
  const registry = new JobRegistry([defineJob({ type: 'noop', handler: () => null })]);
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const counters = parts.map((p) => ({ store: countCalls(p.store), lock: countCalls(p.lock) }));
  const schedulers = counters.map(
    (c, i) =>
      new JobScheduler({
        store: c.store.proxy,
        lock: c.lock.proxy,
        registry,
        replicaId: `rt-${i}`,
        logger: quiet,
        timezone: 'UTC',
        ...(clock ? { clock } : {}),
        // The slot is up to a minute old: a long poll interval keeps it current (a plain trigger, not a catch-up).
        pollIntervalMs: 600_000,
        maxDuePerPass: w.maxDuePerPass ?? w.due,
        ...(w.lockTtlMs !== undefined ? { lockTtlMs: w.lockTtlMs } : {}),
        builtins: false,
      }),
  );
  for (const c of counters) {
    c.store.reset();
    c.lock.reset();
  }
  w.onStart?.();
  const t0 = performance.now();
  // Runs in flight on any replica, and who waits for the next one to end (see below).
  const inFlight = new Set<Promise<unknown>>();
  let runEnded: (() => void)[] = [];
  const wakeAll = () => {
    const waiting = runEnded;
    runEnded = [];
    for (const wake of waiting) wake();
  };
  const offs = schedulers.map((s) => s.on('run:succeeded', wakeAll));
  // Rounds that ended with a slot still due (see RoundTripResult.leftDue).
  let leftDue = 0;
  const nextRunEnd = () =>
    inFlight.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => runEnded.push(resolve));
  const now = () => clock?.now() ?? Date.now();
  // The loop runner's behaviour, without its sleeps: passes until nothing is due or deferred for this replica.
  // After a pass that left due schedules, the next one goes once the replica has a free run slot and a run has ended
  // somewhere (the loop goes as soon as a slot frees after a pass at its run cap, and a second later after one that
  // met a lock held elsewhere: by then that run has ended); after a pass that left nothing, once its runs are done.
  const drain = async (s: JobScheduler) => {
    const pending: Promise<unknown>[] = [];
    for (let pass = 0; pass < 1000; pass++) {
      const result = await s.checkAndRunDueJobs();
      pending.push(result.done);
      inFlight.add(result.done);
      result.done
        .finally(() => {
          inFlight.delete(result.done);
          wakeAll();
        })
        .catch(() => {});
      if (result.runs.length === 0 && result.deferred.length === 0) break;
      if (result.deferred.length === 0) await result.done;
      else await Promise.all([s.whenRunSlotFree(), nextRunEnd()]);
    }
    await Promise.all(pending);
    await s.idle();
  };
  // Once every replica found nothing to do, a slot still due was left by every walk (a walk ends where it meets a
  // stretch another replica claimed, trusting that one to walk on): the loop runners would pass again within a
  // second for it; here every replica drains again (counted), and `leftDue` says how often (read outside the count).
  let ms = 0;
  for (let round = 0; round < 10; round++) {
    await Promise.all(schedulers.map(drain));
    ms = performance.now() - t0;
    w.onEnd?.();
    const earliest = await seedStore.getEarliestNextRunAt();
    if (earliest === null || earliest.getTime() > now()) break;
    leftDue++;
    w.onStart?.();
  }
  for (const off of offs) off();
  const byMethod: Record<string, number> = {};
  for (const c of counters) {
    c.store.counting = false;
    c.lock.counting = false;
    for (const [k, v] of c.store.counts) byMethod[k] = (byMethod[k] ?? 0) + v;
    for (const [k, v] of c.lock.counts) byMethod[`lock.${k}`] = (byMethod[`lock.${k}`] ?? 0) + v;
  }
  const calls = Object.values(byMethod).reduce((a, b) => a + b, 0);
  const runs = await seedStore.listRuns({ limit: w.due * 2 + 10 });
  const succeeded = runs.filter(
    (r) => r.status === 'succeeded' && r.slot?.getTime() === slot.getTime() && r.trigger === 'schedule',
  ).length;
  for (const s of schedulers) await s.stop();
  return { calls, byMethod, succeeded, runs: runs.length, ms, leftDue };
}
