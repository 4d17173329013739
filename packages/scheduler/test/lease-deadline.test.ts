// The local lease deadline (spec section 11): the send time of the last successful renewal + TTL − max(1 s, TTL/5),
// on the clock's monotonic time; handlers see it in their context; nothing waits past it.
import { describe, expect, it } from 'vitest';
import { bounded, leaseTiming, sleepUntil } from '../src/heartbeat.js';
import {
  type Clock,
  defineJob,
  FakeClock,
  type JobContext,
  JobRegistry,
  JobScheduler,
  LeaseExpiredError,
  MemoryLock,
  MemoryStore,
  monotonicNow,
  offsetClock,
  StoreTimeoutError,
  systemClock,
} from '../src/index.js';
import { injectFaults } from '../src/testing/index.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const T0 = Date.parse('2030-01-01T00:00:00.000Z');

/** A world with a job `hold` that keeps its context and runs until its signal aborts or `ms` pass. */
function world(ttl: number, clock?: Clock, base = new FakeClock(T0)) {
  const store = injectFaults(new MemoryStore({ clock: base }), { clock: base });
  const lock = injectFaults(new MemoryLock({ clock: base }), { clock: base });
  const seen: { ctx: JobContext | null; aborted: unknown } = { ctx: null, aborted: null };
  const registry = new JobRegistry([
    defineJob({
      type: 'hold',
      maxAttempts: 1,
      timeoutSeconds: 3600,
      handler: async (p: Record<string, unknown>, ctx) => {
        seen.ctx = ctx;
        await base.sleep(Number(p['ms'] ?? 3_600_000), ctx.signal);
        if (ctx.signal.aborted) {
          seen.aborted = ctx.signal.reason;
          throw ctx.signal.reason;
        }
        return 'done';
      },
    }),
  ]);
  const scheduler = new JobScheduler({
    store: store.target,
    lock: lock.target,
    registry,
    clock: clock ?? base,
    lockTtlMs: ttl,
    logger: quiet,
    replicaId: 'r',
  });
  return { base, store, lock, scheduler, seen };
}

describe('the local lease deadline', () => {
  it('is the send time of the last successful renewal + TTL − max(1 s, TTL/5), and moves with each renewal', async () => {
    for (const [ttl, margin] of [
      [30_000, 6_000],
      [120_000, 24_000],
      [3_000, 1_000],
    ] as const) {
      const w = world(ttl);
      await w.scheduler.runJob('hold');
      await w.base.tick();
      const ctx = w.seen.ctx as JobContext;
      expect(ctx.leaseDeadline.getTime()).toBe(T0 + ttl - margin);
      expect(ctx.leaseTimeLeftMs()).toBe(ttl - margin);
      await w.base.advance(Math.floor(ttl / 3)); // the first renewal, sent at TTL/3
      expect(ctx.leaseDeadline.getTime()).toBe(T0 + Math.floor(ttl / 3) + ttl - margin);
      expect(w.seen.aborted).toBeNull();
    }
    // Leases under 2 s keep half of the lease as their margin.
    expect(leaseTiming(1000).marginMs).toBe(500);
    expect(leaseTiming(60_000)).toMatchObject({ renewEveryMs: 20_000, marginMs: 12_000, retryDelayMs: 1000 });
  });

  it('is measured on the monotonic clock: setting the wall clock forward or back does not move it', async () => {
    const base = new FakeClock(T0);
    let offset = 0;
    const jumpy: Clock = {
      now: () => base.now() + offset,
      sleep: (ms, signal) => base.sleep(ms, signal),
      monotonic: () => base.now(),
    };
    const w = world(30_000, jumpy, base);
    w.lock.inject({ method: 'renew', action: 'hang' });
    await w.scheduler.runJob('hold');
    await w.base.advance(5_000);
    offset = 3_600_000; // the wall clock jumps an hour ahead…
    await w.base.advance(10_000);
    offset = -3_600_000; // …then an hour back
    expect((w.seen.ctx as JobContext).leaseTimeLeftMs()).toBe(9_000);
    expect((w.seen.ctx as JobContext).leaseDeadline.getTime()).toBe(jumpy.now() + 9_000);
    expect(w.seen.aborted).toBeNull();
    await w.base.advance(9_000); // 24 s of monotonic time after the acquire
    expect(w.seen.aborted).toBeInstanceOf(LeaseExpiredError);
  });

  it('falls back to now() for a clock without monotonic()', async () => {
    const base = new FakeClock(T0);
    const plain: Clock = { now: () => base.now(), sleep: (ms, signal) => base.sleep(ms, signal) };
    const w = world(30_000, plain, base);
    w.lock.inject({ method: 'renew', action: 'hang' });
    await w.scheduler.runJob('hold');
    await w.base.advance(23_999);
    expect(w.seen.aborted).toBeNull();
    await w.base.advance(1);
    expect(w.seen.aborted).toBeInstanceOf(LeaseExpiredError);
  });

  it('bounds stop() and idle(): they resolve by the deadline when every store and lock call hangs', async () => {
    const w = world(30_000);
    const { done } = await w.scheduler.runJob('hold');
    await w.base.advance(1000);
    w.store.inject({ method: ['updateRun', 'getRun', 'updateSchedule', 'getSchedule'], action: 'hang' });
    w.lock.inject({ method: ['renew', 'release'], action: 'hang' });
    let stopped = false;
    const stopping = w.scheduler.stop({ graceMs: 0 }).then(() => {
      stopped = true;
    });
    for (let i = 0; i < 30 && !stopped; i++) await w.base.advance(1000);
    await stopping;
    expect(stopped).toBe(true);
    expect(w.base.now()).toBeLessThanOrEqual(T0 + 25_000);
    expect((await done).status).toBe('running'); // its last known record: nothing more could be written
  });
});

describe('sleeping until a monotonic instant', () => {
  it('reaches it in a few sleeps on a clock whose timers run 60 times faster than its monotonic time', async () => {
    const base = new FakeClock(T0);
    let sleeps = 0;
    // An accelerated test clock: its sleeps last 1/60 of their length in real (monotonic) time.
    const fast: Clock = {
      now: () => T0 + (base.now() - T0) * 60,
      sleep: (ms, signal) => {
        sleeps++;
        return base.sleep(ms / 60, signal);
      },
      monotonic: () => base.now(),
    };
    const run = async (ms: number) => {
      let done = false;
      const target = base.now() + ms;
      const p = sleepUntil(fast, target, new AbortController().signal).then(() => {
        done = true;
      });
      while (!done) await base.advance(1);
      await p;
      expect(base.now()).toBeGreaterThanOrEqual(target);
      expect(base.now()).toBeLessThanOrEqual(target + 1);
    };
    // Without scaling, each sleep would cover 1/60 of what is left: about 500 sleeps for 6 s.
    await run(6000); // learns the rate
    expect(sleeps).toBeLessThan(20);
    sleeps = 0;
    await run(6000); // uses it
    expect(sleeps).toBeLessThanOrEqual(8);
  });
});

describe('call bounds and retry pauses on a clock whose timers run faster than its monotonic time', () => {
  // The API's TEST-ONLY accelerated clock (CRAFT_TEST_CLOCK_SPEED): sleeps last 1/60 of their length in real
  // (monotonic) time, while leases, their deadlines and the bounds derived from the TTL are real time.
  const accelerated = (base: FakeClock): Clock => ({
    now: () => T0 + (base.now() - T0) * 60,
    sleep: (ms, signal) => base.sleep(ms / 60, signal),
    monotonic: () => base.now(),
  });

  it('a renewal answered within the call bound (TTL/6 of monotonic time) renews the lease', async () => {
    const base = new FakeClock(T0);
    const w = world(30_000, accelerated(base), base);
    // Every renewal takes 1 s to answer: well within TTL/6 = 5 s, far beyond 5 s / 60.
    w.lock.inject({ method: 'renew', action: 'delay', delayMs: 1000 });
    await w.scheduler.runJob('hold');
    for (let i = 0; i < 40; i++) await w.base.advance(1000);
    expect(w.seen.aborted).toBeNull();
    expect((w.seen.ctx as JobContext).leaseTimeLeftMs()).toBeGreaterThan(10_000);
  });

  it('pauses between retries of a failing write for the retry delay of monotonic time', async () => {
    const base = new FakeClock(T0);
    const w = world(30_000, accelerated(base), base);
    // The final write fails for a while; each retry waits min(1 s, TTL/20) = 1 s of monotonic time.
    const failing = w.store.inject({
      method: 'updateRun',
      action: 'fail',
      when: (args) => (args[1] as { set?: { status?: string } } | undefined)?.set?.status === 'succeeded',
    });
    const { done } = await w.scheduler.runJob('hold', { ms: 100 });
    for (let i = 0; i < 30; i++) await w.base.advance(100);
    // About 3 tries in 3 s (not 60 times as many).
    expect(failing.hits).toBeGreaterThanOrEqual(2);
    expect(failing.hits).toBeLessThanOrEqual(5);
    failing.remove();
    for (let i = 0; i < 20; i++) await w.base.advance(100);
    expect((await done).status).toBe('succeeded');
  });

  it('bounds a call in monotonic time', async () => {
    const base = new FakeClock(T0);
    const clock = accelerated(base);
    const ctx = { clock } as unknown as Parameters<typeof bounded>[0];
    let settled: unknown = 'pending';
    const answer = base.sleep(500).then(() => 'answer');
    void bounded(ctx, 'renew', 1000, answer).then(
      (v) => {
        settled = v;
      },
      (e: unknown) => {
        settled = e;
      },
    );
    await base.advance(600);
    expect(settled).toBe('answer');
    let late: unknown = 'pending';
    void bounded(ctx, 'renew', 1000, new Promise(() => {})).catch((e: unknown) => {
      late = e;
    });
    await base.advance(999);
    expect(late).toBe('pending');
    await base.advance(2);
    expect(late).toBeInstanceOf(StoreTimeoutError);
  });
});

describe('Clock.monotonic', () => {
  it('is performance.now() on the system clock, the fake time on FakeClock, shared by offsetClock', async () => {
    const a = monotonicNow(systemClock);
    await new Promise((r) => setTimeout(r, 5));
    expect(monotonicNow(systemClock)).toBeGreaterThan(a);
    expect(Math.abs(monotonicNow(systemClock) - performance.now())).toBeLessThan(50);
    const fake = new FakeClock(T0);
    expect(fake.monotonic()).toBe(T0);
    await fake.advance(1234);
    expect(fake.monotonic()).toBe(T0 + 1234);
    expect(monotonicNow(offsetClock(fake, 5000))).toBe(T0 + 1234);
    expect(offsetClock(fake, 5000).now()).toBe(T0 + 6234);
  });
});
