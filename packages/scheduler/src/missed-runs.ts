import type { CronExpression, DstGapPolicy, DstOverlapPolicy } from '@craft/cron';
import type { MissedRunPolicy, RunTrigger } from './model.js';
import type { PauseWindow } from './types.js';

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
  /** Due while triggering was paused for every replica, and the resume did not ask to catch up. */
  | 'paused'
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
  /** The schedule's DST gap choice. @default 'skip' */
  dstGap?: DstGapPolicy;
  /** The schedule's DST overlap choice. @default 'first' */
  dstOverlap?: DstOverlapPolicy;
  /**
   * The due instant of a slot (the slot plus its jitter offset): it decides which slots have passed, which are
   * current and which are older than the catch-up window. @default the slot itself
   */
  due?: (slot: Date) => Date;
  /** Ended global pauses: a slot due inside one that did not catch up is skipped (`paused`). @default [] */
  pauses?: readonly PauseWindow[];
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
  /** The first slot due strictly after `now`: the schedule's new `nextRunAt` (null if the cron never fires again). */
  next: Date | null;
  /** The due instant of {@link SlotPlan.next}: the schedule's new `nextDueAt`. */
  nextDue: Date | null;
}

/**
 * Applies spec section 5 to the slots of a schedule that have passed since `from`: current slots (due within the
 * poll interval) run under every policy; missed slots follow the policy and the catch-up window. Pure: a
 * function of its input only. Streams the slots, so a year of minutely slots needs constant memory: skipped
 * slots beyond `maxSkipRecords` fold into one record (the oldest).
 */
export function planSlots(input: SlotPlanInput): SlotPlan {
  const { cron, now, policy } = input;
  const options = {
    timezone: input.timezone,
    dstGap: input.dstGap ?? 'skip',
    dstOverlap: input.dstOverlap ?? 'first',
  } as const;
  const due = input.due ?? ((slot: Date) => slot);
  const pauses = (input.pauses ?? []).filter((p) => !p.catchUp);
  const paused = (at: number) => pauses.some((p) => at >= p.from.getTime() && at < p.to.getTime());
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

  let s: Date | null = cron.matches(input.from, options) ? input.from : cron.next(input.from, options);
  let sDue = s === null ? null : due(s).getTime();
  while (s !== null && (sDue as number) <= now) {
    // Ages count from the due instant (slot + jitter offset), so a jittered slot is current for a whole poll interval.
    const age = now - (sDue as number);
    if (paused(sDue as number)) {
      skip(s, 'paused');
    } else if (age <= input.pollIntervalMs) {
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
    s = cron.next(s, options);
    sDue = s === null ? null : due(s).getTime();
  }
  if (onceCandidate) {
    if (hasCurrent) skip(onceCandidate, 'superseded');
    else runs.push({ slot: onceCandidate, trigger: 'catch_up', action: 'run' });
  }
  const decisions = [...(fold ? [fold] : []), ...skips, ...runs].sort(
    (a, b) => a.slot.getTime() - b.slot.getTime(),
  );
  return { decisions, next: s, nextDue: sDue === null ? null : new Date(sDue) };
}
