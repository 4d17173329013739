// Where a schedule's slots fall and when each is due (spec section 10): the cron options a schedule evaluates its
// expression with (its zone and DST choices), and the deterministic jitter offset that makes a slot's run start at
// slot + offset. The offset is a pure function of (job_name, slot): every replica computes the same due instant, so
// jitter never weakens exactly-once (the run key stays the slot).
import { createHash } from 'node:crypto';
import type { CronOptions } from '@craft/cron';
import type { JobSchedule } from './model.js';

/** The cron options of a schedule: its zone (else the scheduler's) and its DST choices. */
export function scheduleCronOptions(
  schedule: Pick<JobSchedule, 'timezone' | 'dstGap' | 'dstOverlap'>,
  defaultZone: string,
): Required<CronOptions> {
  return {
    timezone: schedule.timezone ?? defaultZone,
    dstGap: schedule.dstGap ?? 'skip',
    dstOverlap: schedule.dstOverlap ?? 'first',
  };
}

/**
 * The jitter offset of a slot, in whole milliseconds in `[0, jitterSeconds × 1000)`: the first 48 bits of
 * SHA-256(`<job_name>\0<slot ISO>`) scaled to the range. 0 when `jitterSeconds` is 0.
 */
export function jitterOffsetMs(jobName: string, slot: Date, jitterSeconds: number): number {
  if (!(jitterSeconds > 0)) return 0;
  const digest = createHash('sha256').update(`${jobName}\u0000${slot.toISOString()}`).digest();
  const unit = digest.readUIntBE(0, 6) / 2 ** 48; // [0, 1)
  return Math.floor(unit * jitterSeconds * 1000);
}

/** The due instant of a slot: the slot plus its jitter offset (the slot itself without jitter). */
export function dueInstant(schedule: Pick<JobSchedule, 'jobName' | 'jitterSeconds'>, slot: Date): Date {
  const offset = jitterOffsetMs(schedule.jobName, slot, schedule.jitterSeconds ?? 0);
  return offset === 0 ? slot : new Date(slot.getTime() + offset);
}

/** The due instant of a schedule's `nextRunAt` (null when it has none). */
export function nextDueOf(
  schedule: Pick<JobSchedule, 'jobName' | 'jitterSeconds' | 'nextRunAt'>,
): Date | null {
  return schedule.nextRunAt === null ? null : dueInstant(schedule, schedule.nextRunAt);
}
