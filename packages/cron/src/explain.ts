import { formatOffset, formatWallMinute } from './civil.js';
import { CronArgumentError } from './errors.js';
import { type CronExpression, toEpochMs, toExpression } from './expression.js';
import { MAX_WALL, nextRunMs, nextWallMinute } from './next-run.js';
import { getZone } from './zone.js';

/** Window and zone for {@link explainRuns}. */
export interface ExplainOptions {
  /** Start of the window, inclusive: a run exactly at `from` is listed. */
  from: Date | number;
  /**
   * Stop after this many runs.
   * @default 10
   */
  count?: number;
  /** End of the window, exclusive. @default no end (only `count` limits the window) */
  until?: Date | number;
  /**
   * IANA time zone.
   * @default 'Europe/Stockholm'
   */
  timezone?: string;
}

/** One run of {@link explainRuns}. */
export interface ExplainedRun {
  /** The instant of the run. */
  at: Date;
  /** Wall-clock time in the zone, `YYYY-MM-DDTHH:mm`. */
  local: string;
  /** The zone's UTC offset at the run, `+01:00`. */
  offset: string;
}

/** A wall time that matches the expression but did not exist (spring-forward gap), so no run happened. */
export interface SkippedSlot {
  /** The missing wall-clock time, `YYYY-MM-DDTHH:mm`. */
  local: string;
  /** Why it was skipped. */
  reason: 'dst-gap';
  /** A sentence for people. */
  message: string;
}

/** Result of {@link explainRuns}. */
export interface RunExplanation {
  /** Canonical zone name. */
  timezone: string;
  /** Runs in the window, in order. */
  runs: ExplainedRun[];
  /** Matching wall times that a DST gap removed, in the window, in order. */
  skipped: SkippedSlot[];
}

/**
 * Runs in a window plus the slots DST skipped. Stops after `count` runs (default 10) or at `until`, whichever
 * comes first; the window runs from `from` (inclusive) to the last listed run (when `count` was reached) or
 * to `until` (exclusive).
 */
export function explainRuns(expression: string | CronExpression, options: ExplainOptions): RunExplanation {
  const expr = toExpression(expression);
  if (options === null || typeof options !== 'object') {
    throw new CronArgumentError('explainRuns: expected options { from, count?, until?, timezone? }');
  }
  const zone = getZone(options.timezone);
  const from = toEpochMs(options.from, 'from');
  const count = options.count ?? 10;
  if (!Number.isInteger(count) || count < 0) {
    throw new CronArgumentError(`count: expected a non-negative integer, got ${String(count)}`);
  }
  const until = options.until === undefined ? Number.POSITIVE_INFINITY : toEpochMs(options.until, 'until');
  const c = expr.compiled;
  const runs: ExplainedRun[] = [];
  let t = from - 1;
  let exhausted = false;
  while (runs.length < count) {
    t = nextRunMs(c, zone, t);
    if (Number.isNaN(t)) {
      exhausted = true;
      break;
    }
    if (t >= until) break;
    const offset = zone.segmentAt(t).offset;
    runs.push({
      at: new Date(t),
      local: formatWallMinute(Math.floor((t + offset) / 60000)),
      offset: formatOffset(offset),
    });
  }
  // Last instant (inclusive) whose gaps belong to the window.
  let end: number;
  if (runs.length === count) end = runs.length > 0 ? runs[runs.length - 1]!.at.getTime() : from - 1;
  else if (exhausted || until === Number.POSITIVE_INFINITY) end = Math.min(until - 1, MAX_WALL * 60000);
  else end = until - 1;

  const skipped: SkippedSlot[] = [];
  if (end >= from) {
    let seg = zone.segmentAt(from);
    while (seg.start <= end) {
      if (seg.start >= from && seg.offset > seg.prevOffset) {
        const gapLo = Math.ceil((seg.start + seg.prevOffset) / 60000);
        const gapHi = Math.ceil((seg.start + seg.offset) / 60000);
        const jumpFrom = formatWallMinute(gapLo).slice(11);
        const jumpTo = formatWallMinute(gapHi).slice(11);
        for (let w = nextWallMinute(c, gapLo); w < gapHi; w = nextWallMinute(c, w + 1)) {
          const local = formatWallMinute(w);
          skipped.push({
            local,
            reason: 'dst-gap',
            message:
              `${local.replace('T', ' ')} does not exist in ${zone.name}: clocks jump from ${jumpFrom} ` +
              `(${formatOffset(seg.prevOffset)}) to ${jumpTo} (${formatOffset(seg.offset)}), so this run is ` +
              'skipped that day, not shifted',
          });
        }
      }
      if (seg.end === Number.POSITIVE_INFINITY) break;
      seg = zone.segmentAt(seg.end);
    }
  }
  return { timezone: zone.name, runs, skipped };
}
