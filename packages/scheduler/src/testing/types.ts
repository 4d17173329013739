import { FakeClock, systemClock } from '../clock.js';
import type { Clock } from '../types.js';

/** The subset of `expect(...)` matchers the suites use (vitest and jest both provide them). */
export interface Expectation {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toBeNull(): void;
  toBeTruthy(): void;
  toBeGreaterThan(n: number): void;
  toBeGreaterThanOrEqual(n: number): void;
  toBeLessThan(n: number): void;
  toBeLessThanOrEqual(n: number): void;
  toHaveLength(n: number): void;
  toContain(item: unknown): void;
  not: Omit<Expectation, 'not'>;
}

/**
 * The test functions a suite registers its tests with: pass vitest's (or jest's) `{ describe, it, expect }`, so
 * `@craft/scheduler` needs no test runner at run time.
 */
export interface SuiteTestApi {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: () => Promise<void> | void): void;
  expect(actual: unknown): Expectation;
}

/** Time handed to the factories. */
export interface SuiteTime {
  /** The clock the store / lock must judge expiry by (a `FakeClock` in `fake` mode, else the system clock). */
  clock: Clock;
  /** Lets `ms` of that clock's time pass (advances the fake clock, or sleeps). */
  advance(ms: number): Promise<void>;
  /** A lease length suited to the mode (60 s fake; `realTimeLeaseMs` real). */
  leaseMs: number;
}

/** Options shared by the storage and lock suites. */
export interface TimeOptions {
  /**
   * `fake` (default): the factory receives a `FakeClock` and the adapter must judge time by it (the in-memory
   * implementations, or a database adapter with a clock option for tests). `real`: the adapter uses its own
   * time source (e.g. the database server clock); the suite waits in real time with short leases.
   * @default 'fake'
   */
  time?: 'fake' | 'real';
  /** Lease length used in `real` mode, in ms (waits are 1.5× this). @default 600 */
  realTimeLeaseMs?: number;
}

export function makeTime(options: TimeOptions): SuiteTime {
  if (options.time === 'real') {
    return {
      clock: systemClock,
      advance: (ms) => new Promise((r) => setTimeout(r, ms)),
      leaseMs: options.realTimeLeaseMs ?? 600,
    };
  }
  const clock = new FakeClock(Date.parse('2030-01-01T00:00:00.000Z'));
  return { clock, advance: (ms) => clock.advance(ms), leaseMs: 60_000 };
}
