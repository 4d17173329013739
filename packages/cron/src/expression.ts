import { formatOffset, formatWallMinute } from './civil.js';
import { classifySlot, NOT_A_SLOT, nextRunPolicy, SHIFTED, slotRegister } from './dst-policy.js';
import { CronArgumentError } from './errors.js';
import { matchesMs, nextRunMs } from './next-run.js';
import { dstPolicy } from './options.js';
import { type CompiledCron, parseExpression } from './parse.js';
import type { CronOptions, DstMarker, SlotInfo } from './types.js';
import { getZone, type ZoneRules } from './zone.js';

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

/** The next slot strictly after `after` (ms) under `policy` (0: the default walk), or NaN. */
export function nextSlotMs(c: CompiledCron, zone: ZoneRules, after: number, policy: number): number {
  return policy === 0 ? nextRunMs(c, zone, after) : nextRunPolicy(c, zone, after, policy);
}

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 0) {
    throw new CronArgumentError(`count: expected a non-negative integer, got ${String(count)}`);
  }
}

// Indexed by classifySlot's kinds: ORDINARY, SHIFTED, FIRST, SECOND.
const MARKERS: readonly (DstMarker | null)[] = [null, 'shifted', 'first', 'second'];

/** The {@link SlotInfo} of instant `t` (ms) under `policy`, or null when `t` is not a slot. */
export function slotInfoMs(c: CompiledCron, zone: ZoneRules, t: number, policy: number): SlotInfo | null {
  const kind = classifySlot(c, zone, t, policy);
  if (kind === NOT_A_SLOT) return null;
  const local = formatWallMinute(slotRegister.wall);
  return {
    at: new Date(t),
    local,
    offset: formatOffset(slotRegister.offset),
    wallTime: kind === SHIFTED ? formatWallMinute(slotRegister.intended) : local,
    dst: MARKERS[kind]!,
  };
}

/**
 * A parsed cron expression: immutable, parsed once, each field precomputed as a bitmask. Day-of-week is ISO
 * (0 = Monday … 6 = Sunday). All time methods match the expression against wall-clock time in
 * `options.timezone` (default `Europe/Stockholm`) under the DST options `dstGap` (default `'skip'`: a wall time
 * that does not exist does not run that day) and `dstOverlap` (default `'first'`: a repeated wall time runs once,
 * at its first occurrence); see the README's "DST choices".
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
    const zone = getZone(options?.timezone);
    const policy = dstPolicy(options);
    const ms = toEpochMs(after, 'after');
    const t =
      policy === 0 ? nextRunMs(this.compiled, zone, ms) : nextRunPolicy(this.compiled, zone, ms, policy);
    return Number.isNaN(t) ? null : new Date(t);
  }

  /** The next `count` runs strictly after `after`, in order (fewer only if the year-9999 limit is reached). */
  nextRuns(after: Date | number, count: number, options?: CronOptions): Date[] {
    checkCount(count);
    const zone = getZone(options?.timezone);
    const policy = dstPolicy(options);
    let t = toEpochMs(after, 'after');
    const out: Date[] = [];
    const c = this.compiled;
    if (policy === 0) {
      while (out.length < count) {
        t = nextRunMs(c, zone, t);
        if (Number.isNaN(t)) break;
        out.push(new Date(t));
      }
    } else {
      while (out.length < count) {
        t = nextRunPolicy(c, zone, t, policy);
        if (Number.isNaN(t)) break;
        out.push(new Date(t));
      }
    }
    return out;
  }

  /** A lazy iterator over successive runs strictly after `after`. Options are read once, at the first call. */
  *runs(after: Date | number, options?: CronOptions): IterableIterator<Date> {
    const zone = getZone(options?.timezone);
    const policy = dstPolicy(options);
    let t = toEpochMs(after, 'after');
    const c = this.compiled;
    for (;;) {
      t = nextSlotMs(c, zone, t, policy);
      if (Number.isNaN(t)) return;
      yield new Date(t);
    }
  }

  /**
   * Whether `instant` is a slot, exactly as {@link next} would produce it under the same options: a whole wall
   * minute whose wall time matches, taken at the occurrence(s) `dstOverlap` selects; with `dstGap: 'shift'`, also
   * the first instant after a gap when a missing wall time matches.
   */
  matches(instant: Date | number, options?: CronOptions): boolean {
    const zone = getZone(options?.timezone);
    const policy = dstPolicy(options);
    const t = toEpochMs(instant, 'instant');
    if (policy === 0) return matchesMs(this.compiled, zone, t);
    return classifySlot(this.compiled, zone, t, policy) !== NOT_A_SLOT;
  }

  /**
   * What the slot at `instant` is: `{ at, local, offset, wallTime, dst }` (see {@link SlotInfo}), or `null` when
   * `instant` is not a slot under these options (exactly when {@link matches} is false). For the engine to
   * record a run's DST marker and intended wall time.
   */
  slotInfo(instant: Date | number, options?: CronOptions): SlotInfo | null {
    const zone = getZone(options?.timezone);
    const policy = dstPolicy(options);
    return slotInfoMs(this.compiled, zone, toEpochMs(instant, 'instant'), policy);
  }

  /** The next `count` slots strictly after `after` with their {@link SlotInfo}; the same instants as `nextRuns`. */
  nextSlots(after: Date | number, count: number, options?: CronOptions): SlotInfo[] {
    checkCount(count);
    const zone = getZone(options?.timezone);
    const policy = dstPolicy(options);
    let t = toEpochMs(after, 'after');
    const out: SlotInfo[] = [];
    const c = this.compiled;
    while (out.length < count) {
      t = nextSlotMs(c, zone, t, policy);
      if (Number.isNaN(t)) break;
      out.push(slotInfoMs(c, zone, t, policy)!);
    }
    return out;
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

/** The {@link SlotInfo} of `instant`, or null when it is not a slot (see {@link CronExpression.slotInfo}). */
export function getSlotInfo(
  expression: string | CronExpression,
  instant: Date | number,
  options?: CronOptions,
): SlotInfo | null {
  return toExpression(expression).slotInfo(instant, options);
}

/** The next `count` slots strictly after `after`, with DST markers (see {@link CronExpression.nextSlots}). */
export function getNextSlots(
  expression: string | CronExpression,
  after: Date | number,
  count: number,
  options?: CronOptions,
): SlotInfo[] {
  return toExpression(expression).nextSlots(after, count, options);
}

/** Whether `instant` is a run time of `expression` (see {@link CronExpression.matches}). */
export function matches(
  expression: string | CronExpression,
  instant: Date | number,
  options?: CronOptions,
): boolean {
  return toExpression(expression).matches(instant, options);
}
