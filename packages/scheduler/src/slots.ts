// The slots of a schedule, computed from its cron expression and the options that decide where its slots fall (its
// zone and its DST choices, spec section 10: `scheduleCronOptions`), so every computation that lists slots outside
// a claim — backfill, the overlap policy's skip records — agrees with the claim.
import type { CronExpression, CronOptions } from '@craft/cron';
import type { JobSchedule } from './model.js';
import { scheduleCronOptions } from './slot-timing.js';

/** The options every slot computation of `schedule` passes to `@craft/cron` (zone and DST choices). */
export function slotOptions(
  schedule: Pick<JobSchedule, 'timezone' | 'dstGap' | 'dstOverlap'>,
  defaultZone: string,
): CronOptions {
  return scheduleCronOptions(schedule, defaultZone);
}

/** What {@link slotsInRange} found. */
export interface SlotRange {
  /** The slots in `[from, to)`, oldest first (at most `limit`). */
  slots: Date[];
  /** How many slots the range holds (exact when `exact`; a lower bound once counting passed `countLimit`). */
  count: number;
  /** Whether `count` is exact. */
  exact: boolean;
}

/**
 * The slots of `cron` (with `options`) in `[from, to)`, oldest first: at most `limit` of them are listed, and they are
 * counted up to `countLimit` (a cron can have half a million slots a year, so a huge range is not counted to its end).
 */
export function slotsInRange(
  cron: CronExpression,
  options: CronOptions,
  from: Date,
  to: Date,
  limit: number,
  countLimit = 1_000_000,
): SlotRange {
  const slots: Date[] = [];
  let count = 0;
  const end = to.getTime();
  let s: Date | null = cron.matches(from, options) ? from : cron.next(from, options);
  while (s !== null && s.getTime() < end) {
    if (count >= countLimit) return { slots, count, exact: false };
    count++;
    if (slots.length < limit) slots.push(s);
    s = cron.next(s, options);
  }
  return { slots, count, exact: true };
}
