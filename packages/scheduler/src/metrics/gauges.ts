// The cluster-wide gauges (spec section 12), read from the store so every replica reports the same truth: the due
// backlog, live runs, paused schedules by who paused them, the global pause, and the age of the oldest overdue
// schedule that nothing holds — the one value that says "no replica is triggering".
import { jobLockKey } from '../model.js';
import { dueInstant } from '../slot-timing.js';
import type { Clock, LockProvider, SchedulerStore } from '../types.js';
import { PAUSED_BY_LABELS, type PausedByLabel, pausedByLabel } from './definitions.js';

/** What {@link readSchedulerGauges} reads. */
export interface GaugeSources {
  store: SchedulerStore;
  lock: LockProvider;
  clock: Clock;
}

/** Options of {@link readSchedulerGauges}. */
export interface GaugeOptions {
  /** At most this many due schedules are read (the backlog is capped there). @default 10000 */
  maxDue?: number;
  /**
   * At most this many of the oldest due schedules are checked for a held lock or a live run before the overdue age
   * is decided (each check is one or two reads). @default 100
   */
  maxInspected?: number;
}

/** One reading of the store gauges. */
export interface SchedulerGauges {
  /** Enabled schedules whose due instant passed (or whose `nextRunAt` is missing), not claimed yet. */
  dueBacklog: number;
  /**
   * Seconds since the due instant of the oldest overdue enabled schedule whose lock is free and that has no `running`
   * run with an unexpired lease; 0 when there is none or triggering is globally paused. A `defer` schedule whose run
   * still runs past its next slot holds its lock, so it does not count: this rises only when no replica claims.
   */
  oldestOverdueSeconds: number;
  /** The job name behind {@link oldestOverdueSeconds} (for logs; never a metric label), or null. */
  oldestOverdueSchedule: string | null;
  /** Disabled schedules by who paused them (every label present, 0 when none). */
  pausedBy: Record<PausedByLabel, number>;
  /** Runs pending and running. */
  live: { pending: number; running: number };
  /** Whether triggering is paused for every replica. */
  globallyPaused: boolean;
}

/** Whether a live (unexpired) run of `jobName` is running: a handler still works on it somewhere. */
async function hasLiveRun(store: SchedulerStore, jobName: string): Promise<boolean> {
  const running = await store.countRuns({ jobName, status: ['running'] });
  if (running === 0) return false;
  const expired = await store.countRuns({ jobName, status: ['running'], leaseExpired: true });
  return running > expired;
}

/** Reads the store gauges once (a few reads; callers cache the result for a few seconds). */
export async function readSchedulerGauges(
  sources: GaugeSources,
  options: GaugeOptions = {},
): Promise<SchedulerGauges> {
  const { store, lock, clock } = sources;
  const now = clock.now();
  const [pause, due, disabled, pending, running] = await Promise.all([
    store.getGlobalPause(),
    store.listDueSchedules(new Date(now), options.maxDue ?? 10_000),
    store.listSchedules({ enabled: false }),
    store.countRuns({ status: ['pending'] }),
    store.countRuns({ status: ['running'] }),
  ]);
  const pausedBy = Object.fromEntries(PAUSED_BY_LABELS.map((l) => [l, 0])) as Record<PausedByLabel, number>;
  for (const s of disabled) pausedBy[pausedByLabel(s.pausedBy)]++;
  let oldestOverdueSeconds = 0;
  let oldestOverdueSchedule: string | null = null;
  if (!pause.paused) {
    // Due schedules come oldest due instant first (missing next_run_at first: no age, skipped): the first one that
    // nothing holds is the oldest overdue one.
    const candidates = due.filter((s) => s.nextRunAt !== null).slice(0, options.maxInspected ?? 100);
    for (const s of candidates) {
      const dueAt = s.nextDueAt ?? dueInstant(s, s.nextRunAt as Date);
      if (dueAt.getTime() > now) continue;
      if (await lock.inspect(jobLockKey(s.jobName))) continue; // a replica claims it, or a `defer` run still runs
      // A live run keeps a `defer`-like schedule waiting by design; under `allow` runs overlap, so a due slot of an
      // `allow` schedule that nobody claims is overdue whatever runs.
      if (s.overlapPolicy !== 'allow' && (await hasLiveRun(store, s.jobName))) continue;
      oldestOverdueSeconds = (now - dueAt.getTime()) / 1000;
      oldestOverdueSchedule = s.jobName;
      break;
    }
  }
  return {
    dueBacklog: due.length,
    oldestOverdueSeconds,
    oldestOverdueSchedule,
    pausedBy,
    live: { pending, running },
    globallyPaused: pause.paused,
  };
}
