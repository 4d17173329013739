// The engine suite drives a shared FakeClock and expects everything the engine started to have happened once
// `clock.tick()` / `advance()` / `set()` return. Its FakeClock lets only a few event-loop turns pass, which is
// enough for the in-memory store (whose operations finish within microtasks) but not for a database: a MongoDB
// round trip takes milliseconds. This helper makes the clock wait for quiescence instead: no store or lock
// operation in flight for a few consecutive event-loop turns, before and after each timer it fires. Timing and
// semantics are otherwise the suite's own. The engine suite of @craft/scheduler/testing now does the same by itself
// (`settle: 'in-flight'`); this copy serves the tests here that build their own world (replicas-chaos).
import type { Clock, FakeClock } from '@craft/scheduler';

export interface Settler {
  /** Wraps a store or lock so its operations count as in flight until they settle. */
  track<T extends object>(target: T): T;
  /** Resolves once nothing tracked has been in flight for a few event-loop turns. */
  quiesce(): Promise<void>;
  /** Makes `clock.tick/advance/set` wait for quiescence around every timer they fire. */
  patchClock(clock: Clock): void;
}

const turn = () => new Promise<void>((r) => setImmediate(r));
const MAX_WAIT_MS = 20_000;

export function createSettler(): Settler {
  let inFlight = 0;
  let waiters: (() => void)[] = [];
  const done = () => {
    inFlight--;
    if (inFlight === 0) {
      const w = waiters;
      waiters = [];
      for (const f of w) f();
    }
  };
  const quiesce = async () => {
    const deadline = Date.now() + MAX_WAIT_MS;
    let idle = 0;
    while (idle < 4 && Date.now() < deadline) {
      await turn();
      if (inFlight === 0) {
        idle++;
        continue;
      }
      idle = 0;
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 100).unref();
      });
    }
  };
  const patched = new WeakSet<object>();
  return {
    track<T extends object>(target: T): T {
      return new Proxy(target, {
        get(obj, prop, receiver) {
          const value = Reflect.get(obj, prop, receiver);
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            const result = (value as (...a: unknown[]) => unknown).apply(obj, args);
            if (!(result instanceof Promise)) return result;
            inFlight++;
            return result.finally(done);
          };
        },
      });
    },
    quiesce,
    patchClock(clock) {
      const fake = clock as FakeClock;
      if (patched.has(fake) || typeof fake.nextTimerAt !== 'function') return;
      patched.add(fake);
      const set = fake.set.bind(fake);
      fake.set = async (time: number | Date) => {
        const target = typeof time === 'number' ? time : time.getTime();
        await quiesce();
        for (;;) {
          const next = fake.nextTimerAt();
          if (next === null || next > target) break;
          await set(next);
          await quiesce();
        }
        await set(target);
        await quiesce();
      };
      fake.advance = (ms: number) => fake.set(fake.now() + Math.max(0, ms));
      fake.tick = () => quiesce();
    },
  };
}
