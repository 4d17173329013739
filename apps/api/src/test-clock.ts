import { type Clock, monotonicNow, systemClock } from '@craft/scheduler';

/** Settings of {@link testClock} (from `CRAFT_TEST_CLOCK_*`). */
export interface TestClockOptions {
  /** Scheduler milliseconds per real millisecond. @default 1 */
  speed?: number;
  /** Real instant (epoch ms) the acceleration starts from; replicas of one test share it. @default base.now() */
  epochMs?: number | undefined;
  /** Milliseconds added to the scheduler time (a skewed replica). @default 0 */
  offsetMs?: number;
}

/**
 * TEST-ONLY: the scheduler's clock under `CRAFT_TEST_CLOCK_SPEED` / `CRAFT_TEST_CLOCK_EPOCH_MS` /
 * `CRAFT_TEST_CLOCK_OFFSET_MS`: `now()` is `epoch + (base.now() - epoch) × speed + offset`, and `sleep(ms)` lasts
 * `ms / speed` of the base clock, so every replica given the same epoch and speed agrees on the time (up to its
 * offset) and wakes when a slot falls due. Returns `undefined` (use the real clock) when neither is set.
 * Leases are not affected: MongoDB judges them by the server's clock, in real time; so the engine's local lease
 * deadlines are measured on the base clock's monotonic time (`monotonic()`: real time), not on the accelerated one.
 */
export function testClock(options: TestClockOptions, base: Clock = systemClock): Clock | undefined {
  const speed = options.speed ?? 1;
  const offsetMs = options.offsetMs ?? 0;
  if (speed === 1 && offsetMs === 0) return undefined;
  const epochMs = options.epochMs ?? base.now();
  return {
    now: () => Math.floor(epochMs + (base.now() - epochMs) * speed + offsetMs),
    sleep: (ms, signal) => base.sleep(ms / speed, signal),
    monotonic: () => monotonicNow(base),
  };
}
