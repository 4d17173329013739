// Fault injection for unit-level fault tests (CONVENTIONS §13): wraps any store or lock (any object with async
// methods) so that chosen calls fail, fail after they took effect (a lost acknowledgement), hang (until released, or
// forever), are delayed, or fail at random with a seed. Every call is recorded.
import { systemClock } from '../clock.js';
import type { Clock, Lease, LockProvider, RunWrite, SchedulerStore, ScheduleWrite } from '../types.js';

/**
 * What happens to a faulted call:
 * - `fail`: it throws (`error`, default an {@link InjectedFaultError}) without reaching the target (a request that
 *   never arrived);
 * - `fail-after`: it reaches the target and takes effect, then throws (an acknowledgement lost in transit);
 * - `hang`: it does not reach the target until the rule is released (then it is sent: a request stuck in the
 *   network that arrives late), or never;
 * - `hang-after`: it reaches the target at once, but its answer is withheld until the rule is released;
 * - `delay`: it is sent after `delayMs` of the injector's clock.
 */
export type FaultAction = 'fail' | 'fail-after' | 'hang' | 'hang-after' | 'delay';

/** Which calls a rule faults, and how. Every given selector must match. */
export interface FaultRule {
  /** The method (or methods) the rule applies to, e.g. `'renew'`, `['updateRun', 'updateSchedule']`. */
  method: string | readonly string[];
  /** What happens to a faulted call. */
  action: FaultAction;
  /** Only calls whose arguments satisfy this. @default every call of `method` */
  when?(args: readonly unknown[]): boolean;
  /**
   * Only the nth matching call(s) of this rule, 1-based (matching: of `method`, satisfying `when`).
   * @default every matching call
   */
  nth?: number | readonly number[];
  /** Only matching calls from the nth one on (1-based). @default 1 */
  from?: number;
  /** At most this many calls are faulted. @default unlimited */
  times?: number;
  /**
   * Each selected call is faulted with this probability, drawn from the injector's seeded random source
   * (`options.seed`), so a failing run can be replayed. @default 1
   */
  probability?: number;
  /** The error of `fail` / `fail-after` (a function is called per fault). @default an InjectedFaultError */
  error?: unknown;
  /** The delay of `delay`, in ms of the injector's clock. @default 1000 */
  delayMs?: number;
}

/** A rule once injected. */
export interface FaultHandle {
  /** How many calls this rule faulted so far. */
  readonly hits: number;
  /**
   * Resumes the calls this rule hung (`hang`: they are sent now; `hang-after`: their answers are delivered now),
   * and lets later matching calls through unfaulted.
   */
  release(): void;
  /** Stops faulting later calls (hung calls stay hung until {@link release}). */
  remove(): void;
}

/** One call made through the injector. */
export interface FaultCall {
  /** The method called. */
  method: string;
  /** Its arguments. */
  args: readonly unknown[];
  /** The fault applied, or null. */
  fault: FaultAction | null;
  /** `pending` until it settles (`hung` while withheld by a `hang` rule). */
  outcome: 'pending' | 'hung' | 'ok' | 'error';
}

/** Options of {@link injectFaults}. */
export interface FaultInjectorOptions {
  /** Seed of the random source of rules with a `probability`. @default 1 */
  seed?: number;
  /** The clock `delay` waits on (pass the test's `FakeClock`). @default systemClock */
  clock?: Clock;
}

/** A fault-injecting view of an object. */
export interface FaultInjector<T extends object> {
  /** The wrapped object: pass it to the code under test. */
  readonly target: T;
  /** Adds a rule; rules are checked in the order they were added and the first that selects a call applies. */
  inject(rule: FaultRule): FaultHandle;
  /** Every call made through {@link target}, in order. */
  readonly calls: readonly FaultCall[];
  /** The calls of one method (of a single call: also one entry per write of its batched calls). */
  callsOf(method: string): FaultCall[];
  /** Removes every rule and releases every hung call. */
  clear(): void;
}

/** The default error of a `fail` / `fail-after` fault: a transient infrastructure failure. */
export class InjectedFaultError extends Error {
  /** The method that failed. */
  readonly method: string;
  /** Always true: the engine must treat it as a transient failure. */
  readonly transient = true;

  constructor(method: string) {
    super(`injected fault: ${method} failed (connection reset)`);
    this.name = 'InjectedFaultError';
    this.method = method;
  }
}

// mulberry32: a small seeded PRNG, so random faults replay from their seed.
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * The batched forms of single calls (`updateRuns` of `updateRun`, ...): a fault rule for the single call also
 * applies to a batched call with a matching write, and {@link FaultInjector.callsOf} the single call lists them too.
 */
const BATCHED_CALLS: Record<string, { single: string; split(args: readonly unknown[]): unknown[][] }> = {
  updateRuns: {
    single: 'updateRun',
    split: ([writes]) => (writes as RunWrite[]).map((w) => [w.id, w.update, w.condition]),
  },
  updateSchedules: {
    single: 'updateSchedule',
    split: ([writes]) => (writes as ScheduleWrite[]).map((w) => [w.jobName, w.patch, w.condition, w.options]),
  },
  releaseMany: { single: 'release', split: ([leases]) => (leases as Lease[]).map((l) => [l]) },
};

interface ActiveRule {
  rule: FaultRule;
  methods: Set<string>;
  matched: number;
  hits: number;
  removed: boolean;
  released: boolean;
  waiters: (() => void)[];
}

/**
 * Wraps `target` (a store, a lock, any object with async methods) in a fault-injecting proxy. Without rules it
 * forwards every call unchanged (and records it).
 *
 * ```ts
 * const lock = injectFaults(new MemoryLock({ clock }), { clock });
 * const hang = lock.inject({ method: 'renew', action: 'hang' });        // every renewal hangs
 * store.inject({ method: 'updateRun', action: 'fail', nth: 1,
 *                when: ([, u]) => (u as RunUpdate).set?.status === 'succeeded' }); // the first success write fails
 * hang.release();
 * ```
 */
export function injectFaults<T extends object>(
  target: T,
  options: FaultInjectorOptions = {},
): FaultInjector<T> {
  const clock = options.clock ?? systemClock;
  const random = seeded(options.seed ?? 1);
  const rules: ActiveRule[] = [];
  const calls: FaultCall[] = [];

  const selectOne = (method: string, args: readonly unknown[]): ActiveRule | null => {
    for (const r of rules) {
      if (r.removed || r.released || !r.methods.has(method)) continue;
      if (r.rule.when && !r.rule.when(args)) continue;
      r.matched++;
      const { nth, from, times, probability } = r.rule;
      if (nth !== undefined && !(typeof nth === 'number' ? [nth] : nth).includes(r.matched)) continue;
      if (from !== undefined && r.matched < from) continue;
      if (times !== undefined && r.hits >= times) continue;
      if (probability !== undefined && random() >= probability) continue;
      r.hits++;
      return r;
    }
    return null;
  };
  // A batched call (several writes in one round trip) shares one fate: a rule for the single call faults the whole
  // batch when one of its writes matches (counted per write, so `nth` counts writes however they were sent).
  const select = (method: string, args: unknown[]): ActiveRule | null => {
    const own = selectOne(method, args);
    const batched = BATCHED_CALLS[method];
    if (own || !batched) return own;
    for (const single of batched.split(args)) {
      const r = selectOne(batched.single, single);
      if (r) return r;
    }
    return null;
  };
  const errorOf = (r: ActiveRule, method: string): unknown => {
    const e = r.rule.error;
    if (e === undefined) return new InjectedFaultError(method);
    return typeof e === 'function' ? (e as (m: string) => unknown)(method) : e;
  };
  const released = (r: ActiveRule) =>
    new Promise<void>((resolve) => {
      if (r.released) resolve();
      else r.waiters.push(resolve);
    });

  const proxy = new Proxy(target, {
    get(obj, prop) {
      const value = Reflect.get(obj, prop, obj);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      return (...args: unknown[]) => {
        const call: FaultCall = { method: prop, args, fault: null, outcome: 'pending' };
        calls.push(call);
        const invoke = () => Promise.resolve((value as (...a: unknown[]) => unknown).apply(obj, args));
        const r = select(prop, args);
        if (r) call.fault = r.rule.action;
        const run = async (): Promise<unknown> => {
          if (!r) return invoke();
          switch (r.rule.action) {
            case 'fail':
              throw errorOf(r, prop);
            case 'fail-after':
              await invoke();
              throw errorOf(r, prop);
            case 'hang':
              call.outcome = 'hung';
              await released(r);
              call.outcome = 'pending';
              return invoke();
            case 'hang-after': {
              const result = invoke();
              result.catch(() => {});
              call.outcome = 'hung';
              await released(r);
              call.outcome = 'pending';
              return result;
            }
            case 'delay':
              await clock.sleep(r.rule.delayMs ?? 1000);
              return invoke();
          }
        };
        const p = run();
        p.then(
          () => {
            call.outcome = 'ok';
          },
          () => {
            call.outcome = 'error';
          },
        );
        return p;
      };
    },
  });

  return {
    target: proxy,
    calls,
    callsOf: (method) =>
      calls.flatMap((c): FaultCall[] => {
        if (c.method === method) return [c];
        const batched = BATCHED_CALLS[c.method];
        if (batched?.single !== method) return [];
        // One entry per write of a batched call, sharing the call's fault and outcome.
        return batched.split(c.args).map((args) => ({
          method,
          args,
          get fault() {
            return c.fault;
          },
          get outcome() {
            return c.outcome;
          },
        }));
      }),
    inject(rule) {
      const active: ActiveRule = {
        rule,
        methods: new Set(typeof rule.method === 'string' ? [rule.method] : rule.method),
        matched: 0,
        hits: 0,
        removed: false,
        released: false,
        waiters: [],
      };
      rules.push(active);
      return {
        get hits() {
          return active.hits;
        },
        release() {
          active.released = true;
          const waiters = active.waiters;
          active.waiters = [];
          for (const w of waiters) w();
        },
        remove() {
          active.removed = true;
        },
      };
    },
    clear() {
      for (const r of rules) {
        r.removed = true;
        r.released = true;
        for (const w of r.waiters) w();
        r.waiters = [];
      }
      rules.length = 0;
    },
  };
}

/** {@link injectFaults} for a store. */
export function faultyStore<S extends SchedulerStore>(
  store: S,
  options?: FaultInjectorOptions,
): FaultInjector<S> {
  return injectFaults(store, options);
}

/** {@link injectFaults} for a lock provider. */
export function faultyLock<L extends LockProvider>(
  lock: L,
  options?: FaultInjectorOptions,
): FaultInjector<L> {
  return injectFaults(lock, options);
}
