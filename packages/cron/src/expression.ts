import { CronArgumentError } from './errors.js';
import { matchesMs, nextRunMs } from './next-run.js';
import { type CompiledCron, parseExpression } from './parse.js';
import type { CronOptions } from './types.js';
import { getZone } from './zone.js';

/** Epoch milliseconds of a `Date | number` argument; throws CronArgumentError when it is not a valid time. */
export function toEpochMs(value: Date | number, name: string): number {
  const ms = typeof value === 'number' ? value : value instanceof Date ? value.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new CronArgumentError(
      `${name}: expected a valid Date or epoch milliseconds, got ${value instanceof Date ? 'Invalid Date' : String(value)}`,
    );
  }
  return ms;
}

/**
 * A parsed cron expression: immutable, parsed once, each field precomputed as a bitmask. Day-of-week is ISO
 * (0 = Monday … 6 = Sunday). All time methods match the expression against wall-clock time in
 * `options.timezone` (default `Europe/Stockholm`) with the DST policy of the README: a wall time that does not
 * exist is skipped that day, a repeated wall time runs once, at its first occurrence.
 */
export class CronExpression {
  /** The text as given. */
  readonly source: string;
  /** The 5-field form after macro and name expansion, e.g. `'0 0 * * 6'` for `@weekly`. */
  readonly normalized: string;
  /** @internal Field bitmasks. */
  readonly compiled: CompiledCron;

  /** Parses `expression`; throws {@link CronSyntaxError} or {@link CronNeverFiresError}. */
  constructor(expression: string) {
    const parsed = parseExpression(expression);
    this.source = expression;
    this.normalized = parsed.normalized;
    this.compiled = parsed;
  }

  /** Same as {@link parseCron}. */
  static parse(expression: string): CronExpression {
    return new CronExpression(expression);
  }

  /** The first run strictly after `after`, or null if none before year 10000. */
  next(after: Date | number, options?: CronOptions): Date | null {
    const t = nextRunMs(this.compiled, getZone(options?.timezone), toEpochMs(after, 'after'));
    return Number.isNaN(t) ? null : new Date(t);
  }

  /** The next `count` runs strictly after `after`, in order (fewer only if the year-9999 limit is reached). */
  nextRuns(after: Date | number, count: number, options?: CronOptions): Date[] {
    if (!Number.isInteger(count) || count < 0) {
      throw new CronArgumentError(`count: expected a non-negative integer, got ${String(count)}`);
    }
    const zone = getZone(options?.timezone);
    let t = toEpochMs(after, 'after');
    const out: Date[] = [];
    const c = this.compiled;
    while (out.length < count) {
      t = nextRunMs(c, zone, t);
      if (Number.isNaN(t)) break;
      out.push(new Date(t));
    }
    return out;
  }

  /** A lazy iterator over successive runs strictly after `after`. */
  *runs(after: Date | number, options?: CronOptions): IterableIterator<Date> {
    const zone = getZone(options?.timezone);
    let t = toEpochMs(after, 'after');
    const c = this.compiled;
    for (;;) {
      t = nextRunMs(c, zone, t);
      if (Number.isNaN(t)) return;
      yield new Date(t);
    }
  }

  /**
   * Whether `instant` is a run time: its wall time matches, it is a whole minute, and it is not the second
   * occurrence of a wall time repeated by a fall-back transition.
   */
  matches(instant: Date | number, options?: CronOptions): boolean {
    return matchesMs(this.compiled, getZone(options?.timezone), toEpochMs(instant, 'instant'));
  }

  /** The source text. */
  toString(): string {
    return this.source;
  }
}

/** Parses a 5-field cron expression or macro (ISO weekdays). Throws CronSyntaxError / CronNeverFiresError. */
export function parseCron(expression: string): CronExpression {
  return new CronExpression(expression);
}

/** `expression` as a CronExpression (parsing strings). */
export function toExpression(expression: string | CronExpression): CronExpression {
  return expression instanceof CronExpression ? expression : new CronExpression(expression);
}

/** The first run strictly after `after`, or null. */
export function getNextRun(
  expression: string | CronExpression,
  after: Date | number,
  options?: CronOptions,
): Date | null {
  return toExpression(expression).next(after, options);
}

/** The next `count` runs strictly after `after`. */
export function getNextRuns(
  expression: string | CronExpression,
  after: Date | number,
  count: number,
  options?: CronOptions,
): Date[] {
  return toExpression(expression).nextRuns(after, count, options);
}

/** A lazy iterator over the runs strictly after `after`. */
export function iterateRuns(
  expression: string | CronExpression,
  after: Date | number,
  options?: CronOptions,
): IterableIterator<Date> {
  return toExpression(expression).runs(after, options);
}

/** Whether `instant` is a run time of `expression` (see {@link CronExpression.matches}). */
export function matches(
  expression: string | CronExpression,
  instant: Date | number,
  options?: CronOptions,
): boolean {
  return toExpression(expression).matches(instant, options);
}
