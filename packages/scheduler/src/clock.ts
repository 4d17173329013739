import { performance } from 'node:perf_hooks';
import type { Clock } from './types.js';

// setTimeout clamps delays above 2^31-1 ms to 1 ms, so long sleeps are chunked.
const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * The real clock: `Date.now()`, `setTimeout` (long sleeps are chunked; a pending sleep keeps Node alive, so a running
 * loop runner does too) and `performance.now()` as the monotonic clock of lease deadlines.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted) {
        setImmediate(resolve);
        return;
      }
      const end = Date.now() + Math.max(0, ms);
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const arm = () => {
        const left = end - Date.now();
        if (left <= 0) return done();
        timer = setTimeout(arm, Math.min(left, MAX_TIMEOUT_MS));
      };
      signal?.addEventListener('abort', done, { once: true });
      timer = setTimeout(arm, Math.min(Math.max(0, ms), MAX_TIMEOUT_MS));
    });
  },
};

interface FakeTimer {
  at: number;
  seq: number;
  resolve: () => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** Lets every queued promise continuation (and `setImmediate` callback queued before it) run. */
async function flush(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

/**
 * A manual clock for tests: time moves only through {@link FakeClock.advance} / {@link FakeClock.set}, which
 * fire due timers in time order (setting `now()` to each timer's instant first) and let the code they wake
 * run before moving on. Multi-year and DST scenarios run in milliseconds.
 */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: FakeTimer[] = [];

  /** @param start initial time (epoch ms or Date). @default 0 (1970-01-01T00:00:00Z) */
  constructor(start: number | Date = 0) {
    this.#now = typeof start === 'number' ? start : start.getTime();
  }

  /** The fake current time in epoch ms. */
  now(): number {
    return this.#now;
  }

  /** The monotonic clock of lease deadlines: the fake time itself, so deadlines in fake-time tests are exact. */
  monotonic(): number {
    return this.#now;
  }

  /** Resolves when the fake time reaches now + `ms` (or `signal` aborts). `ms <= 0` resolves on a later tick. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted || ms <= 0) {
        setImmediate(resolve);
        return;
      }
      const timer: FakeTimer = { at: this.#now + ms, seq: this.#seq++, resolve, signal, onAbort: undefined };
      if (signal) {
        timer.onAbort = () => {
          this.#timers = this.#timers.filter((t) => t !== timer);
          resolve();
        };
        signal.addEventListener('abort', timer.onAbort, { once: true });
      }
      this.#timers.push(timer);
    });
  }

  /** Number of sleeps waiting for fake time to pass. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** The instant of the earliest pending sleep, or `null`. */
  nextTimerAt(): number | null {
    let min: number | null = null;
    for (const t of this.#timers) if (min === null || t.at < min) min = t.at;
    return min;
  }

  /** Moves time forward by `ms`, firing timers in order (see class doc). Negative values are ignored. */
  async advance(ms: number): Promise<void> {
    await this.set(this.#now + Math.max(0, ms));
  }

  /** Moves time forward to `time` (never backwards), firing due timers in order. */
  async set(time: number | Date): Promise<void> {
    const target = typeof time === 'number' ? time : time.getTime();
    await flush();
    for (;;) {
      let next: FakeTimer | undefined;
      for (const t of this.#timers) {
        if (t.at <= target && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
      }
      if (!next) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      if (next.at > this.#now) this.#now = next.at;
      if (next.onAbort) next.signal?.removeEventListener('abort', next.onAbort);
      next.resolve();
      await flush();
    }
    if (target > this.#now) this.#now = target;
    await flush();
  }

  /** Lets pending promise continuations run without moving time. */
  async tick(): Promise<void> {
    await flush();
  }
}

/**
 * A view of another clock shifted by `offsetMs` (timers and the monotonic clock are shared). Simulates replicas
 * whose clocks differ by a few seconds.
 */
export function offsetClock(base: Clock, offsetMs: number): Clock {
  return {
    now: () => base.now() + offsetMs,
    sleep: (ms, signal) => base.sleep(ms, signal),
    monotonic: () => (base.monotonic ? base.monotonic() : base.now()),
  };
}

/** The clock's monotonic time (`monotonic()`, else `now()`): what lease deadlines are measured on. */
export function monotonicNow(clock: Clock): number {
  return clock.monotonic ? clock.monotonic() : clock.now();
}
