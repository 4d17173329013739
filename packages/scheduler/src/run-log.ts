// The fields every log line about a run carries (spec section 12), and loggers bound to them.
import type { JobRun } from './model.js';
import type { Logger } from './types.js';

/** The log fields of a run: `runId`, `schedule` (its job name, null for a bare job type), `slot`, `attempt`, `jobType`. */
export interface RunLogFields extends Record<string, unknown> {
  runId: string;
  schedule: string | null;
  slot: string | null;
  attempt: number;
  jobType: string;
}

/**
 * The log fields of `run`. `attempt` defaults to the number of attempts recorded so far (the running or the last
 * attempt; 0 before the first started).
 */
export function runLogFields(
  run: Pick<JobRun, 'id' | 'jobName' | 'slot' | 'attempts' | 'jobType'>,
  attempt: number = run.attempts.length,
): RunLogFields {
  return {
    runId: run.id,
    schedule: run.jobName,
    slot: run.slot ? run.slot.toISOString() : null,
    attempt,
    jobType: run.jobType,
  };
}

/**
 * A logger whose every line carries `bindings`: the logger's own `child` when it has one (pino: one stream, the
 * bindings serialised once), else a wrapper that merges them into each line's data (a line's own data wins).
 */
export function bindLogger(base: Logger, bindings: Record<string, unknown>): Logger {
  if (typeof base.child === 'function') return base.child(bindings);
  const merge = (d?: Record<string, unknown>) => ({ ...bindings, ...d });
  return {
    debug: (m, d) => base.debug(m, merge(d)),
    info: (m, d) => base.info(m, merge(d)),
    warn: (m, d) => base.warn(m, merge(d)),
    error: (m, d) => base.error(m, merge(d)),
    child: (more) => bindLogger(base, { ...bindings, ...more }),
  };
}
