import { formatOffset, formatWallMinute } from './civil.js';
import { shiftedWallMinutes } from './dst-policy.js';
import { CronArgumentError } from './errors.js';
import { type CronExpression, nextSlotMs, slotInfoMs, toEpochMs, toExpression } from './expression.js';
import { MAX_WALL, nextWallMinute } from './next-run.js';
import { dstPolicy, policyNames, SHIFT } from './options.js';
import type { CronOptions, DstGapPolicy, DstOverlapPolicy, SlotInfo } from './types.js';
import { getZone, type Segment } from './zone.js';

/** Window, zone and DST options for {@link explainRuns}. */
export interface ExplainOptions extends CronOptions {
  /** Start of the window, inclusive: a run exactly at `from` is listed. */
  from: Date | number;
  /**
   * Stop after this many runs.
   * @default 10
   */
  count?: number;
  /** End of the window, exclusive. @default no end (only `count` limits the window) */
  until?: Date | number;
}

/**
 * One run of {@link explainRuns}: `{ at, local, offset, wallTime, dst }`. `dst` is `'shifted'` for the run after
 * a gap under `dstGap: 'shift'` (then `wallTime` is the earliest missing wall time it stands for), `'first'` or
 * `'second'` for a wall time that occurs twice, else null.
 */
export type ExplainedRun = SlotInfo;

/** A wall time that matches the expression but does not exist (spring-forward gap), so it does not run. */
export interface SkippedSlot {
  /** The missing wall-clock time, `YYYY-MM-DDTHH:mm`. */
  local: string;
  /** Why it was skipped. */
  reason: 'dst-gap';
  /** A sentence for people. */
  message: string;
}

/** A wall time that matches the expression but does not exist, run at the first minute after the gap instead. */
export interface ShiftedSlot {
  /** The missing wall-clock time, `YYYY-MM-DDTHH:mm`. */
  local: string;
  /** Why it moved. */
  reason: 'dst-gap';
  /** The run it moved to (listed in `runs`, with `dst: 'shifted'`): the first instant after the gap. */
  at: Date;
  /** Wall-clock time of that run, `YYYY-MM-DDTHH:mm`. */
  runLocal: string;
  /** A sentence for people. */
  message: string;
}

/** Result of {@link explainRuns}. */
export interface RunExplanation {
  /** Canonical zone name. */
  timezone: string;
  /** The DST gap policy applied. */
  dstGap: DstGapPolicy;
  /** The DST overlap policy applied. */
  dstOverlap: DstOverlapPolicy;
  /** Runs in the window, in order, with their DST markers. */
  runs: ExplainedRun[];
  /** Matching wall times that a DST gap removed, in the window, in order (`dstGap: 'skip'` only). */
  skipped: SkippedSlot[];
  /**
   * Matching wall times that a DST gap removed and that run at the first minute after it instead, in order, one
   * entry per wall time (`dstGap: 'shift'` only; several point at the same run when a gap holds several).
   */
  shifted: ShiftedSlot[];
}

/** `clocks jump from 02:00 (+01:00) to 03:00 (+02:00)` for the gap before `seg`. */
function jumpText(seg: Segment): string {
  const gapLo = Math.ceil((seg.start + seg.prevOffset) / 60000);
  const gapHi = Math.ceil((seg.start + seg.offset) / 60000);
  return (
    `clocks jump from ${formatWallMinute(gapLo).slice(11)} (${formatOffset(seg.prevOffset)}) to ` +
    `${formatWallMinute(gapHi).slice(11)} (${formatOffset(seg.offset)})`
  );
}

/**
 * Runs in a window with their DST markers, plus the matching wall times DST skipped (`dstGap: 'skip'`) or shifted
 * (`dstGap: 'shift'`). Stops after `count` runs (default 10) or at `until`, whichever comes first; the window runs
 * from `from` (inclusive) to the last listed run (when `count` was reached) or to `until` (exclusive).
 */
export function explainRuns(expression: string | CronExpression, options: ExplainOptions): RunExplanation {
  const expr = toExpression(expression);
  if (options === null || typeof options !== 'object') {
    throw new CronArgumentError(
      'explainRuns: expected options { from, count?, until?, timezone?, dstGap?, dstOverlap? }',
    );
  }
  const zone = getZone(options.timezone);
  const policy = dstPolicy(options);
  const from = toEpochMs(options.from, 'from');
  const count = options.count ?? 10;
  if (!Number.isInteger(count) || count < 0) {
    throw new CronArgumentError(`count: expected a non-negative integer, got ${String(count)}`);
  }
  const until = options.until === undefined ? Number.POSITIVE_INFINITY : toEpochMs(options.until, 'until');
  const c = expr.compiled;
  const runs: ExplainedRun[] = [];
  const shifted: ShiftedSlot[] = [];
  let t = from - 1;
  let exhausted = false;
  while (runs.length < count) {
    t = nextSlotMs(c, zone, t, policy);
    if (Number.isNaN(t)) {
      exhausted = true;
      break;
    }
    if (t >= until) break;
    const run = slotInfoMs(c, zone, t, policy)!;
    runs.push(run);
    if (run.dst === 'shifted') {
      const jump = jumpText(zone.segmentAt(t));
      const to = `${run.local.slice(11)} (${run.offset})`;
      for (const w of shiftedWallMinutes(c, zone, t)) {
        const local = formatWallMinute(w);
        shifted.push({
          local,
          reason: 'dst-gap',
          at: run.at,
          runLocal: run.local,
          message:
            `${local.replace('T', ' ')} does not exist in ${zone.name}: ${jump}, so this run is shifted to ${to}, ` +
            'the first minute after the gap (one run for the whole gap)',
        });
      }
    }
  }
  // Last instant (inclusive) whose gaps belong to the window.
  let end: number;
  if (runs.length === count) end = runs.length > 0 ? runs[runs.length - 1]!.at.getTime() : from - 1;
  else if (exhausted || until === Number.POSITIVE_INFINITY) end = Math.min(until - 1, MAX_WALL * 60000);
  else end = until - 1;

  const skipped: SkippedSlot[] = [];
  if (end >= from && !(policy & SHIFT)) {
    let seg = zone.segmentAt(from);
    while (seg.start <= end) {
      if (seg.start >= from && seg.offset > seg.prevOffset) {
        const gapLo = Math.ceil((seg.start + seg.prevOffset) / 60000);
        const gapHi = Math.ceil((seg.start + seg.offset) / 60000);
        const jump = jumpText(seg);
        for (let w = nextWallMinute(c, gapLo); w < gapHi; w = nextWallMinute(c, w + 1)) {
          const local = formatWallMinute(w);
          skipped.push({
            local,
            reason: 'dst-gap',
            message:
              `${local.replace('T', ' ')} does not exist in ${zone.name}: ${jump}, so this run is skipped that ` +
              'day, not shifted',
          });
        }
      }
      if (seg.end === Number.POSITIVE_INFINITY) break;
      seg = zone.segmentAt(seg.end);
    }
  }
  return { timezone: zone.name, ...policyNames(policy), runs, skipped, shifted };
}
