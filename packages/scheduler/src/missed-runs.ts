import type { CronExpression } from '@craft/cron';
import type { MissedRunPolicy, RunTrigger } from './model.js';

/** Why a slot was recorded as skipped (stored in the skipped run's `result.reason`). */
export type SkipReason =
  /** Policy `skip`. */
  | 'policy_skip'
  /** Policy `once`: a more recent slot (current, or the latest missed one) runs instead. */
  | 'superseded'
  /** Policy `all`: beyond `max_catch_up_runs`. */
  | 'max_catch_up_runs'
  /** Older than `catch_up_window_seconds`. */
  | 'catch_up_window'
  /** Overlap policy `skip`: a run of the schedule was still running (spec section 10). */
  | 'overlap';

/** The decision for one passed slot. */
export interface SlotDecision {
  /** The slot instant. */
  slot: Date;
  /** `schedule` for a current slot, `catch_up` for a missed one. */
  trigger: RunTrigger;
  /** Run it, or record it as skipped. */
  action: 'run' | 'skip';
  /** Set when `action` is `skip`. */
  reason?: SkipReason;
  /**
   * When more skipped slots passed than `maxSkipRecords`, the oldest ones are folded into this (the oldest)
   * record: how many slots it stands for, and the last of them.
   */
  folded?: { count: number; lastSlot: Date };
}

/** Input of {@link planSlots}. */
export interface SlotPlanInput {
  /** The parsed cron expression. */
  cron: CronExpression;
  /** The zone the cron is evaluated in. */
  timezone: string;
  /** The schedule's `nextRunAt`: the first slot not yet claimed (may be a non-slot after a direct edit). */
  from: Date;
  /** The claimer's now (epoch ms). */
  now: number;
  /** Slots due within this many ms are current and always run. */
  pollIntervalMs: number;
  /** The schedule's missed-run policy. */
  policy: MissedRunPolicy;
  /** Missed slots older than this many seconds are skipped; null: no limit. */
  catchUpWindowSeconds: number | null;
  /** With `all`: at most this many missed slots run. */
  maxCatchUpRuns: number;
  /** At most this many skipped slots get a record each; older ones fold into one record. */
  maxSkipRecords: number;
}

/** Result of {@link planSlots}. */
export interface SlotPlan {
  /** Every passed slot (oldest first), each run or skipped; folded slots appear once. */
  decisions: SlotDecision[];
  /** The first slot strictly after `now`: the schedule's new `nextRunAt` (null if the cron never fires again). */
  next: Date | null;
}

/**
 * Applies spec section 5 to the slots of a schedule that have passed since `from`: current slots (due within the
 * poll interval) run under every policy; missed slots follow the policy and the catch-up window. Pure: a
 * function of its input only. Streams the slots, so a year of minutely slots needs constant memory: skipped
 * slots beyond `maxSkipRecords` fold into one record (the oldest).
 */
export function planSlots(input: SlotPlanInput): SlotPlan {
  const { cron, timezone, now, policy } = input;
  const windowMs =
    input.catchUpWindowSeconds === null ? Number.POSITIVE_INFINITY : input.catchUpWindowSeconds * 1000;
  const runs: SlotDecision[] = [];
  const skips: SlotDecision[] = [];
  let fold = null as SlotDecision | null;
  let hasCurrent = false;
  let allRun = 0;
  let onceCandidate: Date | null = null;

  const maxRecords = Math.max(2, input.maxSkipRecords);
  const skip = (slot: Date, reason: SkipReason) => {
    skips.push({ slot, trigger: 'catch_up', action: 'skip', reason });
    while (skips.length + (fold ? 1 : 0) > maxRecords) {
      const oldest = skips.shift() as SlotDecision;
      if (!fold) fold = { ...oldest, folded: { count: 1, lastSlot: oldest.slot } };
      else fold.folded = { count: (fold.folded?.count ?? 1) + 1, lastSlot: oldest.slot };
    }
  };

  let s: Date | null = cron.matches(input.from, { timezone })
    ? input.from
    : cron.next(input.from, { timezone });
  while (s !== null && s.getTime() <= now) {
    const age = now - s.getTime();
    if (age <= input.pollIntervalMs) {
      runs.push({ slot: s, trigger: 'schedule', action: 'run' });
      hasCurrent = true;
    } else if (age > windowMs) {
      skip(s, 'catch_up_window');
    } else if (policy === 'skip') {
      skip(s, 'policy_skip');
    } else if (policy === 'all') {
      if (allRun < input.maxCatchUpRuns) {
        runs.push({ slot: s, trigger: 'catch_up', action: 'run' });
        allRun++;
      } else skip(s, 'max_catch_up_runs');
    } else {
      if (onceCandidate) skip(onceCandidate, 'superseded');
      onceCandidate = s;
    }
    s = cron.next(s, { timezone });
  }
  if (onceCandidate) {
    if (hasCurrent) skip(onceCandidate, 'superseded');
    else runs.push({ slot: onceCandidate, trigger: 'catch_up', action: 'run' });
  }
  const decisions = [...(fold ? [fold] : []), ...skips, ...runs].sort(
    (a, b) => a.slot.getTime() - b.slot.getTime(),
  );
  return { decisions, next: s };
}
