// Quiescence for the engine suite: the suite drives a shared FakeClock and expects what the engine started to have
// happened once `clock.tick()` / `advance()` / `set()` return. A database adapter's calls take real I/O time
// (milliseconds), more than the few event-loop turns a plain FakeClock lets pass, so the suite tracks every store
// and lock call in flight and waits until none has been for a few turns, before and after each timer it fires.
import { FakeClock } from '../clock.js';

const turn = () => new Promise<void>((r) => setImmediate(r));

/** Counts the calls in flight on the objects it tracks; resolves `quiesce()` once none is. */
export class InFlightTracker {
  #inFlight = 0;
  #waiters: (() => void)[] = [];
  readonly #maxWaitMs: number;

  /** @param maxWaitMs give up waiting after this long (a hung call, e.g. a killed replica's). */
  constructor(maxWaitMs: number) {
    this.#maxWaitMs = maxWaitMs;
  }

  /** A view of `target` whose method calls count as in flight until their promise settles. */
  track<T extends object>(target: T): T {
    const done = () => {
      this.#inFlight--;
      if (this.#inFlight === 0) {
        const waiters = this.#waiters;
        this.#waiters = [];
        for (const w of waiters) w();
      }
    };
    return new Proxy(target, {
      get: (obj, prop) => {
        const value = Reflect.get(obj, prop, obj);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const result = (value as (...a: unknown[]) => unknown).apply(obj, args);
          if (!(result instanceof Promise)) return result;
          this.#inFlight++;
          return result.finally(done);
        };
      },
    });
  }

  /**
   * Resolves once no tracked call has been in flight for 4 consecutive event-loop turns (or after `maxWaitMs`:
   * calls that never settle, such as those of a killed replica, do not block the test).
   */
  async quiesce(): Promise<void> {
    const deadline = Date.now() + this.#maxWaitMs;
    let idle = 0;
    while (idle < 4 && Date.now() < deadline) {
      await turn();
      if (this.#inFlight === 0) {
        idle++;
        continue;
      }
      idle = 0;
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        setTimeout(r, 50).unref();
      });
    }
  }
}

/** A FakeClock whose `set` / `advance` / `tick` wait for quiescence around every timer they fire. */
export class SettlingClock extends FakeClock {
  readonly #tracker: InFlightTracker;

  constructor(start: number, tracker: InFlightTracker) {
    super(start);
    this.#tracker = tracker;
  }

  override async set(time: number | Date): Promise<void> {
    const target = typeof time === 'number' ? time : time.getTime();
    await this.#tracker.quiesce();
    for (;;) {
      const next = this.nextTimerAt();
      if (next === null || next > target) break;
      await super.set(next);
      await this.#tracker.quiesce();
    }
    await super.set(target);
    await this.#tracker.quiesce();
  }

  override async tick(): Promise<void> {
    await super.tick();
    await this.#tracker.quiesce();
  }
}
