// The simulated world of the engine suites: one shared fake clock, one store and one lock (the adapter's), and any
// number of scheduler instances ("replicas") over them — each with its own view of the store and lock when a test
// kills it or injects faults into its calls.
import { FakeClock } from '../clock.js';
import { defineJob, JobRegistry } from '../registry.js';
import { JobScheduler, type JobSchedulerOptions } from '../scheduler.js';
import type { Clock, LockProvider, SchedulerStore } from '../types.js';
import { type FaultInjector, injectFaults } from './faults.js';
import { InFlightTracker, SettlingClock } from './settle.js';

/** What the engine suites need from an adapter. */
export interface WorldOptions {
  /** A fresh, empty store judging time by `ctx.clock` (a shared `FakeClock`). */
  createStore(ctx: { clock: Clock }): SchedulerStore | Promise<SchedulerStore>;
  /** A fresh lock provider judging time by `ctx.clock` (the same `FakeClock`). */
  createLock(ctx: { clock: Clock }): LockProvider | Promise<LockProvider>;
  /** Called after each test (with the instances the factories returned). */
  destroy?(store: SchedulerStore, lock: LockProvider): void | Promise<void>;
  /** See `EngineSuiteOptions.settle`. @default 'in-flight' */
  settle?: 'in-flight' | 'turns';
  /** See `EngineSuiteOptions.settleTimeoutMs`. @default 20000 */
  settleTimeoutMs?: number;
}

/** The lease of the suites' schedulers, in ms: its local deadline is 24 s after a renewal, renewals every 10 s. */
export const TTL = 30_000;

/** One test's world. */
export interface World {
  clock: FakeClock;
  store: SchedulerStore;
  lock: LockProvider;
  registry: JobRegistry;
  /** Handler executions of the `noop` job: `<jobName|jobType>@<slot ISO or 'manual'>`. */
  calls: string[];
  /** A scheduler over the world (replica ids `replica-0`, `replica-1`, …; lease TTL, quiet logger). */
  scheduler(options?: Partial<JobSchedulerOptions>): JobScheduler;
  /** Fault-injecting views of the world's store and lock for one replica (delays on the world's clock). */
  faulty(seed?: number): { store: FaultInjector<SchedulerStore>; lock: FaultInjector<LockProvider> };
}

/** A logger that drops everything. */
export const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** `<jobName|jobType>@<slot ISO or 'manual'>`. */
export function callKey(ctx: { jobName: string | null; jobType: string; scheduledAt: Date | null }): string {
  return `${ctx.jobName ?? ctx.jobType}@${ctx.scheduledAt?.toISOString() ?? 'manual'}`;
}

/** Builds the test wrapper: `it(name, withWorld(start, async (w) => { … }))`. */
export function worldRunner(options: WorldOptions) {
  return (start: string, fn: (w: World) => Promise<void>) => async () => {
    const tracker = new InFlightTracker(options.settleTimeoutMs ?? 20_000);
    const settling = (options.settle ?? 'in-flight') === 'in-flight';
    const clock = settling ? new SettlingClock(Date.parse(start), tracker) : new FakeClock(Date.parse(start));
    const rawStore = await options.createStore({ clock });
    const rawLock = await options.createLock({ clock });
    const store = settling ? tracker.track(rawStore) : rawStore;
    const lock = settling ? tracker.track(rawLock) : rawLock;
    const calls: string[] = [];
    const registry = new JobRegistry([
      defineJob({
        type: 'noop',
        handler: async (_p, ctx) => {
          calls.push(callKey(ctx));
          return { ok: true };
        },
      }),
    ]);
    const injectors: FaultInjector<object>[] = [];
    let n = 0;
    const w: World = {
      clock,
      store,
      lock,
      registry,
      calls,
      scheduler: (o = {}) =>
        new JobScheduler({
          store,
          lock,
          registry,
          clock,
          replicaId: `replica-${n++}`,
          lockTtlMs: TTL,
          logger: quiet,
          random: () => 0.5,
          ...o,
        }),
      faulty: (seed) => {
        // Outside the in-flight tracker: a hung or delayed call is not "in flight" until it reaches the adapter.
        const o = { clock, ...(seed !== undefined ? { seed } : {}) };
        const f = { store: injectFaults(store, o), lock: injectFaults(lock, o) };
        injectors.push(f.store, f.lock);
        return f;
      },
    };
    try {
      await fn(w);
    } finally {
      // Hung calls land now (changing nothing, if the engine is right) so nothing waits after the test.
      for (const f of injectors) f.clear();
      await options.destroy?.(rawStore, rawLock);
    }
  };
}
