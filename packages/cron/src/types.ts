/** The five fields of a cron expression, in order. */
export type CronFieldName = 'minute' | 'hour' | 'day-of-month' | 'month' | 'day-of-week';

/**
 * What happens to a matching wall time that does not exist because the clocks jump forward (a spring-forward
 * gap, or any other forward change of the zone's UTC offset):
 * - `'skip'`: no run that day; the next run is the next existing matching time.
 * - `'shift'`: one run at the first instant after the gap (02:30 on a day the clocks jump 02:00→03:00 runs at
 *   03:00). All matching wall times of one gap fold into that one run, together with a match at that instant.
 */
export type DstGapPolicy = 'skip' | 'shift';

/**
 * What happens to a matching wall time that occurs twice because the clocks go back (a fall-back overlap, or any
 * other backward change of the zone's UTC offset):
 * - `'first'`: one run, at the first occurrence (the earlier UTC instant).
 * - `'last'`: one run, at the second occurrence.
 * - `'both'`: a run at each occurrence (interval schedules such as `*\/15` keep a real 15-minute rhythm).
 */
export type DstOverlapPolicy = 'first' | 'last' | 'both';

/**
 * How a slot relates to an offset change: `'shifted'` (it stands for wall times a gap removed, under
 * `dstGap: 'shift'`), `'first'` or `'second'` (its wall time occurs twice and this is the first or second
 * occurrence). Ordinary slots have `null`.
 */
export type DstMarker = 'shifted' | 'first' | 'second';

/** Options shared by every function that evaluates an expression in time. */
export interface CronOptions {
  /**
   * IANA time zone whose wall-clock time the expression is matched against, e.g. `'America/New_York'` or
   * `'UTC'`.
   * @default 'Europe/Stockholm'
   */
  timezone?: string;
  /**
   * A matching wall time that does not exist (spring forward): `'skip'` it that day or `'shift'` it to the
   * first instant after the gap. See {@link DstGapPolicy}.
   * @default 'skip'
   */
  dstGap?: DstGapPolicy;
  /**
   * A matching wall time that occurs twice (fall back): run at the `'first'` occurrence, the `'last'`, or
   * `'both'`. See {@link DstOverlapPolicy}.
   * @default 'first'
   */
  dstOverlap?: DstOverlapPolicy;
}

/**
 * One slot (run time) of an expression with what DST did to it; from {@link CronExpression.slotInfo},
 * {@link CronExpression.nextSlots} and `explainRuns().runs`.
 */
export interface SlotInfo {
  /** The instant of the run: the slot, and the engine's run key. */
  at: Date;
  /** Wall-clock time in the zone at `at`, `YYYY-MM-DDTHH:mm`. */
  local: string;
  /** The zone's UTC offset at `at`, e.g. `+01:00`. */
  offset: string;
  /**
   * The wall time the expression intended, `YYYY-MM-DDTHH:mm`: equal to `local`, except for a shifted slot,
   * where it is the earliest missing wall time the slot stands for (`2025-03-30T02:30` for a run at 03:00).
   */
  wallTime: string;
  /** What DST did to the slot, or `null` for an ordinary slot. See {@link DstMarker}. */
  dst: DstMarker | null;
}

/** The zone used when no `timezone` option is given. */
export const DEFAULT_TIMEZONE = 'Europe/Stockholm';

/** The `dstGap` used when none is given: skip a missing wall time that day (the seed's rule). */
export const DEFAULT_DST_GAP: DstGapPolicy = 'skip';

/** The `dstOverlap` used when none is given: run a repeated wall time at its first occurrence (the seed's rule). */
export const DEFAULT_DST_OVERLAP: DstOverlapPolicy = 'first';

/** Every {@link DstGapPolicy}, default first (for enums in schemas and CLI choices). */
export const DST_GAP_POLICIES = ['skip', 'shift'] as const satisfies readonly DstGapPolicy[];

/** Every {@link DstOverlapPolicy}, default first (for enums in schemas and CLI choices). */
export const DST_OVERLAP_POLICIES = ['first', 'last', 'both'] as const satisfies readonly DstOverlapPolicy[];

/** Field names in expression order. */
export const FIELD_NAMES: readonly CronFieldName[] = [
  'minute',
  'hour',
  'day-of-month',
  'month',
  'day-of-week',
];
