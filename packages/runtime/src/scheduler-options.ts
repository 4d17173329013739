import type { CraftSettings } from './settings.js';

/** The `JobScheduler` options that come from settings. */
export interface SettingsSchedulerOptions {
  /** From `SCHEDULER_TIMEZONE`. */
  timezone: string;
  /** From `LOCK_TTL_SECONDS`: the lease of job locks and run leases. */
  lockTtlMs: number;
  /** From `POLL_INTERVAL_SECONDS`. */
  pollIntervalMs: number;
  /** From `MAX_CONCURRENT_RUNS` (when resolved): the most handlers the process runs at once. */
  maxConcurrentRuns?: number;
}

/**
 * The scheduler options a process takes from its settings. The API and the CLI both build their `JobScheduler`
 * with these, so one environment gives one lease (`LOCK_TTL_SECONDS`, default 300 s; the library's own
 * `lockTtlMs` default, 60 s, applies only to code that builds a scheduler without settings).
 */
export function schedulerOptions(
  settings: Pick<CraftSettings, 'timezone' | 'lockTtlSeconds' | 'pollIntervalSeconds'> &
    Partial<Pick<CraftSettings, 'maxConcurrentRuns'>>,
): SettingsSchedulerOptions {
  return {
    timezone: settings.timezone,
    lockTtlMs: settings.lockTtlSeconds * 1000,
    pollIntervalMs: settings.pollIntervalSeconds * 1000,
    ...(settings.maxConcurrentRuns === undefined ? {} : { maxConcurrentRuns: settings.maxConcurrentRuns }),
  };
}
