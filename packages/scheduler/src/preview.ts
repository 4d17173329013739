// Previews (spec section 10: "previews show the effect of dst_gap, dst_overlap and jitter_seconds"): what a schedule
// will do in a window — each run's slot, DST marker, intended wall time and planned start (slot + jitter offset),
// and the wall times a spring-forward gap skips or shifts. The API's preview routes, the CLI and (through the API)
// the dashboard all call this one function, so they never disagree with each other or with the engine.
import {
  CronError,
  type CronExpression,
  DEFAULT_DST_GAP,
  DEFAULT_DST_OVERLAP,
  type DstGapPolicy,
  type DstMarker,
  type DstOverlapPolicy,
  explainRuns,
  parseCron,
  type ShiftedSlot,
  type SkippedSlot,
} from '@craft/cron';
import { InvalidCronExpressionError, InvalidFieldError, InvalidScheduleTimezoneError } from './errors.js';
import { MAX_JITTER_SECONDS } from './model.js';
import { jitterOffsetMs } from './slot-timing.js';

/** What to preview: a stored schedule's fields, or a draft's. */
export interface PreviewInput {
  /** The cron expression. */
  cronExpression: string;
  /** The zone, or null for the scheduler's. @default null */
  timezone?: string | null | undefined;
  /** @default 'skip' */
  dstGap?: DstGapPolicy | undefined;
  /** @default 'first' */
  dstOverlap?: DstOverlapPolicy | undefined;
  /** Jitter of each run's start (0–3600). @default 0 */
  jitterSeconds?: number | undefined;
  /** The schedule's name: jitter offsets are a function of it (required when `jitterSeconds` > 0). */
  jobName?: string | undefined;
}

/** The window of a preview. */
export interface PreviewWindow {
  /** Start, inclusive. @default now + 1 ms (strictly after now, as next_run_at) */
  from?: Date | number | undefined;
  /** End, exclusive. @default none */
  until?: Date | number | undefined;
  /** At most this many runs. @default 10 */
  count?: number | undefined;
}

/** One previewed run. */
export interface PreviewRun {
  /** The slot (the run key's instant). */
  at: Date;
  /** The planned start: the slot plus its jitter offset (the slot without jitter). */
  dueAt: Date;
  /** The jitter offset in ms. */
  jitterMs: number;
  /** Wall time at the slot, `YYYY-MM-DDTHH:mm`. */
  local: string;
  /** UTC offset at the slot, e.g. `+02:00`. */
  offset: string;
  /** The wall time the expression intended (differs from `local` for a shifted slot). */
  wallTime: string;
  /** `shifted`, `first`, `second` (a repeated wall time), or null. */
  dst: DstMarker | null;
}

/** What {@link previewRuns} answers. */
export interface RunPreview {
  timezone: string;
  dstGap: DstGapPolicy;
  dstOverlap: DstOverlapPolicy;
  jitterSeconds: number;
  runs: PreviewRun[];
  /** Matching wall times a gap removes under `dstGap: 'skip'`. */
  skipped: SkippedSlot[];
  /** Matching wall times a gap moves to its end under `dstGap: 'shift'` (`at`: the run that stands for them). */
  shifted: ShiftedSlot[];
}

/**
 * Previews `input` over `window`. Throws the schedule validation errors: `InvalidCronExpressionError`,
 * `InvalidScheduleTimezoneError`, `InvalidFieldError` (`dst_gap`, `dst_overlap`, `jitter_seconds`, or `job_name`
 * when jitter is asked for without a name).
 */
export function previewRuns(
  input: PreviewInput,
  window: PreviewWindow,
  defaults: { timezone: string; cron?: (expression: string) => CronExpression; now?: number },
): RunPreview {
  const jitterSeconds = input.jitterSeconds ?? 0;
  if (!Number.isSafeInteger(jitterSeconds) || jitterSeconds < 0 || jitterSeconds > MAX_JITTER_SECONDS) {
    throw new InvalidFieldError(
      'jitter_seconds',
      jitterSeconds,
      `an integer from 0 to ${MAX_JITTER_SECONDS}`,
    );
  }
  if (jitterSeconds > 0 && !input.jobName) {
    throw new InvalidFieldError(
      'job_name',
      input.jobName,
      'the schedule name: jitter offsets are a function of the name and the slot',
    );
  }
  let cron: CronExpression;
  try {
    cron = (defaults.cron ?? parseCron)(input.cronExpression);
  } catch (error) {
    throw new InvalidCronExpressionError(input.cronExpression, error);
  }
  const timezone = input.timezone ?? defaults.timezone;
  const dstGap = input.dstGap ?? DEFAULT_DST_GAP;
  const dstOverlap = input.dstOverlap ?? DEFAULT_DST_OVERLAP;
  let explained: ReturnType<typeof explainRuns>;
  try {
    explained = explainRuns(cron, {
      from: window.from ?? (defaults.now ?? Date.now()) + 1,
      count: window.count ?? 10,
      timezone,
      dstGap,
      dstOverlap,
      ...(window.until === undefined ? {} : { until: window.until }),
    });
  } catch (error) {
    if (error instanceof CronError && error.code === 'CRAFT_CRON_INVALID_TIMEZONE') {
      throw new InvalidScheduleTimezoneError(timezone, 'timezone', error);
    }
    if (error instanceof CronError && error.code === 'CRAFT_CRON_INVALID_OPTION') {
      const option = (error as { option?: string }).option;
      throw new InvalidFieldError(
        option === 'dstOverlap' ? 'dst_overlap' : 'dst_gap',
        option === 'dstOverlap' ? dstOverlap : dstGap,
        option === 'dstOverlap' ? 'one of first, last, both' : 'one of skip, shift',
      );
    }
    throw new InvalidCronExpressionError(input.cronExpression, error);
  }
  return {
    timezone: explained.timezone,
    dstGap,
    dstOverlap,
    jitterSeconds,
    runs: explained.runs.map((r) => {
      const jitterMs = jitterOffsetMs(input.jobName ?? '', r.at, jitterSeconds);
      return {
        at: r.at,
        dueAt: new Date(r.at.getTime() + jitterMs),
        jitterMs,
        local: r.local,
        offset: r.offset,
        wallTime: r.wallTime,
        dst: r.dst,
      };
    }),
    skipped: explained.skipped,
    shifted: explained.shifted,
  };
}
