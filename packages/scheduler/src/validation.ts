import {
  type CronExpression,
  DEFAULT_TIMEZONE,
  DST_GAP_POLICIES,
  DST_OVERLAP_POLICIES,
  type DstGapPolicy,
  type DstOverlapPolicy,
  isValidTimezone,
  parseCron,
} from '@craft/cron';
import {
  ChainCycleError,
  InvalidCronExpressionError,
  InvalidFieldError,
  InvalidParametersError,
  InvalidScheduleTimezoneError,
  UnknownChainTargetError,
  UnknownJobTypeError,
} from './errors.js';
import {
  DEFAULT_MAX_CATCH_UP_RUNS,
  DEFAULT_MISSED_RUN_POLICY,
  DEFAULT_OVERLAP_POLICY,
  type JobSchedule,
  MAX_JITTER_SECONDS,
  MISSED_RUN_POLICIES,
  type MissedRunPolicy,
  OVERLAP_POLICIES,
  type OverlapPolicy,
  SCHEDULE_FIELD_TO_RECORD,
} from './model.js';
import { checkParameters, type JobTypeLookup } from './registry.js';
import { findSlotGapAtMost } from './slot-gap.js';
import type { ScheduleStore } from './types.js';

/** The fields of a schedule a user sets (camelCase); the others (`nextRunAt`, `lastRun*`, dates) are managed. */
export interface ScheduleInput {
  /** Unique name: 1–200 characters (code points), no control characters, no leading/trailing whitespace. */
  jobName: string;
  /** 5-field cron expression. */
  cronExpression: string;
  /** A registered job type. */
  jobType: string;
  /** @default null */
  description?: string | null;
  /** @default true */
  isEnabled?: boolean;
  /** Checked against the job type's schema. @default {} */
  parameters?: Record<string, unknown>;
  /** Integer ≥ 1, or null for the job's default. @default null */
  maxAttempts?: number | null;
  /** Integer ≥ 1 (seconds), or null for the job's default. @default null */
  timeoutSeconds?: number | null;
  /** Schedule names (else job types) run after a success; known and acyclic. @default [] */
  chain?: string[];
  /** IANA zone, or null for the scheduler's. @default null */
  timezone?: string | null;
  /** @default 'once' */
  missedRunPolicy?: MissedRunPolicy;
  /** Integer ≥ 0, or null for no limit. @default null */
  catchUpWindowSeconds?: number | null;
  /** Integer ≥ 1. @default 10 */
  maxCatchUpRuns?: number;
  /** A matching wall time in a spring-forward gap: `skip` or `shift`. @default 'skip' */
  dstGap?: DstGapPolicy;
  /** A matching wall time that occurs twice: `first`, `last` or `both`. @default 'first' */
  dstOverlap?: DstOverlapPolicy;
  /** Integer 0–3600, shorter than the smallest gap between consecutive slots (checked by the service). @default 0 */
  jitterSeconds?: number;
  /** Integer ≥ 1, or null: never pause itself. @default null */
  pauseAfterFailures?: number | null;
  /** What a due slot does while a run of this schedule still runs (spec section 10). @default 'defer' */
  overlapPolicy?: OverlapPolicy;
}

/** A validated {@link ScheduleInput} with every default filled in. */
export type ValidScheduleInput = Required<ScheduleInput>;

/** A partial change of a schedule (`jobName` cannot change). */
export type SchedulePatch = Partial<Omit<ScheduleInput, 'jobName'>>;

const RECORD_TO_INPUT: Record<string, keyof ScheduleInput> = {
  job_name: 'jobName',
  cron_expression: 'cronExpression',
  job_type: 'jobType',
  description: 'description',
  is_enabled: 'isEnabled',
  parameters: 'parameters',
  max_attempts: 'maxAttempts',
  timeout_seconds: 'timeoutSeconds',
  chain: 'chain',
  timezone: 'timezone',
  missed_run_policy: 'missedRunPolicy',
  catch_up_window_seconds: 'catchUpWindowSeconds',
  max_catch_up_runs: 'maxCatchUpRuns',
  dst_gap: 'dstGap',
  dst_overlap: 'dstOverlap',
  jitter_seconds: 'jitterSeconds',
  pause_after_failures: 'pauseAfterFailures',
  overlap_policy: 'overlapPolicy',
};
const MANAGED_RECORD_FIELDS = new Set([
  'last_run_at',
  'last_run_status',
  'next_run_at',
  'created_at',
  'updated_at',
  'version',
  'creation_key',
  'next_due_at',
  'updated_by',
  'managed_by',
]);

/** Length in code points (what JSON Schema's `maxLength` counts), not UTF-16 units. */
const codePoints = (text: string): number => {
  let n = 0;
  for (const _ of text) n++;
  return n;
};

/**
 * Fields only the server sets (spec section 10): the pause (`enable` / `disable` change it) and the failure count
 * (the scheduler maintains it). A body that sets one is refused, naming the field.
 */
export const SERVER_MANAGED_FIELDS: readonly string[] = [
  'paused_reason',
  'paused_at',
  'paused_by',
  'consecutive_failures',
];

/**
 * Maps a snake_case (JSON / REST) schedule body to a {@link ScheduleInput}-shaped object (values unchecked;
 * pass the result to {@link validateScheduleInput}). Managed fields (`next_run_at`, `last_run_*`, `created_at`,
 * `updated_at`, `version`, `creation_key`) are ignored, so a body read from the API can be sent back; any other
 * unknown field is rejected with `InvalidFieldError`.
 */
export function scheduleInputFromRecord(
  record: Record<string, unknown>,
): Partial<Record<keyof ScheduleInput, unknown>> {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new InvalidFieldError('body', record, 'a JSON object with the schedule fields');
  }
  const out: Partial<Record<keyof ScheduleInput, unknown>> = {};
  for (const [key, value] of Object.entries(record)) {
    const mapped = RECORD_TO_INPUT[key];
    if (mapped) out[mapped] = value;
    else if (SERVER_MANAGED_FIELDS.includes(key)) {
      throw new InvalidFieldError(
        key,
        value,
        'no value: it is managed by the server (disable a schedule, with a reason, or enable it to change the pause; the scheduler counts failures)',
      );
    } else if (!MANAGED_RECORD_FIELDS.has(key) && key !== '_id') {
      throw new InvalidFieldError(key, value, `a known field (${Object.keys(RECORD_TO_INPUT).join(', ')})`);
    }
  }
  return out;
}

const f = (field: keyof JobSchedule) => SCHEDULE_FIELD_TO_RECORD[field];

function intField(field: keyof JobSchedule, value: unknown, min: number, nullable: boolean): number | null {
  if (value === null && nullable) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidFieldError(f(field), value, `an integer >= ${min}${nullable ? ' or null' : ''}`);
  }
  return value;
}

/** What {@link validateScheduleInput} needs besides the input. */
export interface ValidationContext {
  /** The job types known (to check `job_type`, `parameters` and chain names). */
  jobs: JobTypeLookup;
  /** Where other schedules live (to resolve chain names and detect cycles). Without it, chains may only name job types. */
  store?: Pick<ScheduleStore, 'getSchedule'>;
  /**
   * The chain the schedule has now, when an edit of a stored schedule is validated: its names are not checked for
   * existence again. The schedule or job type a name meant may have been deleted since (allowed: its runs then record
   * `unknown_chain_target`), and an edit that keeps the chain — enable, disable, a patch of another field — must not
   * be refused for it. New names must exist; cycles are checked either way. @default [] (a new schedule)
   */
  storedChain?: readonly string[];
  /** Parses cron expressions (defaults to `parseCron`; the scheduler passes its cache). */
  cron?: (expression: string) => CronExpression;
  /** The zone of schedules without their own (for the jitter check). @default 'Europe/Stockholm' */
  timezone?: string;
  /** Now, in epoch ms: the jitter check looks at the slots from then on. @default Date.now */
  now?: () => number;
}

/**
 * Checks a schedule's user fields and fills defaults. Throws a `ScheduleValidationError` subclass (stable `code`,
 * snake_case `field`) for the first problem: `InvalidFieldError`, `InvalidCronExpressionError` (with the cron
 * field, text and position), `InvalidScheduleTimezoneError`, `UnknownJobTypeError`, `InvalidParametersError`,
 * `UnknownChainTargetError`, `ChainCycleError`. Changes nothing anywhere.
 */
export async function validateScheduleInput(
  input: unknown,
  ctx: ValidationContext,
): Promise<ValidScheduleInput> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidFieldError('body', input, 'an object with the schedule fields');
  }
  const i = input as Record<string, unknown>;
  const jobName = i['jobName'];
  if (
    typeof jobName !== 'string' ||
    jobName.length === 0 ||
    codePoints(jobName) > 200 ||
    jobName.trim() !== jobName ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    /[\u0000-\u001f\u007f]/.test(jobName) ||
    // A lone surrogate has no UTF-8 form: the name could not be written in a URL (or stored as is in MongoDB).
    /[\ud800-\udfff]/u.test(jobName)
  ) {
    throw new InvalidFieldError(
      'job_name',
      jobName,
      'a string of 1-200 characters without control characters, lone surrogates or surrounding whitespace',
    );
  }
  const description = i['description'] ?? null;
  if (description !== null && (typeof description !== 'string' || codePoints(description) > 2000)) {
    throw new InvalidFieldError('description', description, 'a string of at most 2000 characters, or null');
  }
  const cronExpression = i['cronExpression'];
  if (typeof cronExpression !== 'string') {
    throw new InvalidFieldError('cron_expression', cronExpression, 'a 5-field cron expression string');
  }
  let cron: CronExpression;
  try {
    cron = (ctx.cron ?? parseCron)(cronExpression);
  } catch (error) {
    throw new InvalidCronExpressionError(cronExpression, error);
  }
  const timezone = i['timezone'] ?? null;
  if (timezone !== null && (typeof timezone !== 'string' || !isValidTimezone(timezone))) {
    throw new InvalidScheduleTimezoneError(timezone);
  }
  const isEnabled = i['isEnabled'] ?? true;
  if (typeof isEnabled !== 'boolean') throw new InvalidFieldError('is_enabled', isEnabled, 'true or false');
  const jobType = i['jobType'];
  if (typeof jobType !== 'string' || jobType.length === 0) {
    throw new InvalidFieldError('job_type', jobType, 'the name of a registered job type');
  }
  if (!ctx.jobs.get(jobType))
    throw new UnknownJobTypeError(
      jobType,
      ctx.jobs.list().map((d) => d.type),
    );
  const parameters = i['parameters'] ?? {};
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
    throw new InvalidFieldError('parameters', parameters, 'an object');
  }
  const issues = checkParameters(ctx.jobs, jobType, parameters);
  if (issues.length > 0) throw new InvalidParametersError(jobType, issues);
  const maxAttempts = intField('maxAttempts', i['maxAttempts'] ?? null, 1, true);
  const timeoutSeconds = intField('timeoutSeconds', i['timeoutSeconds'] ?? null, 1, true);
  const missedRunPolicy = i['missedRunPolicy'] ?? DEFAULT_MISSED_RUN_POLICY;
  if (!MISSED_RUN_POLICIES.includes(missedRunPolicy as MissedRunPolicy)) {
    throw new InvalidFieldError(
      'missed_run_policy',
      missedRunPolicy,
      `one of ${MISSED_RUN_POLICIES.join(', ')}`,
    );
  }
  const catchUpWindowSeconds = intField('catchUpWindowSeconds', i['catchUpWindowSeconds'] ?? null, 0, true);
  const maxCatchUpRuns = intField(
    'maxCatchUpRuns',
    i['maxCatchUpRuns'] ?? DEFAULT_MAX_CATCH_UP_RUNS,
    1,
    false,
  );
  const dstGap = i['dstGap'] ?? 'skip';
  if (!(DST_GAP_POLICIES as readonly unknown[]).includes(dstGap)) {
    throw new InvalidFieldError('dst_gap', dstGap, `one of ${DST_GAP_POLICIES.join(', ')}`);
  }
  const dstOverlap = i['dstOverlap'] ?? 'first';
  if (!(DST_OVERLAP_POLICIES as readonly unknown[]).includes(dstOverlap)) {
    throw new InvalidFieldError('dst_overlap', dstOverlap, `one of ${DST_OVERLAP_POLICIES.join(', ')}`);
  }
  const jitterSeconds = intField('jitterSeconds', i['jitterSeconds'] ?? 0, 0, false) as number;
  if (jitterSeconds > MAX_JITTER_SECONDS) {
    throw new InvalidFieldError(
      'jitter_seconds',
      jitterSeconds,
      `an integer from 0 to ${MAX_JITTER_SECONDS}`,
    );
  }
  if (jitterSeconds > 0) {
    // Jitter must stay shorter than the smallest gap between consecutive slots (DST choices included), so a
    // jittered run always starts before the next slot is due.
    const options = {
      timezone: (timezone as string | null) ?? ctx.timezone ?? DEFAULT_TIMEZONE,
      dstGap: dstGap as DstGapPolicy,
      dstOverlap: dstOverlap as DstOverlapPolicy,
    };
    const gap = findSlotGapAtMost(cron, options, jitterSeconds * 1000, (ctx.now ?? Date.now)());
    if (gap) {
      throw new InvalidFieldError(
        'jitter_seconds',
        jitterSeconds,
        `less than the smallest gap between consecutive slots, which is ${gap.gapMs / 1000} s (${gap.where}${
          options.dstGap !== 'skip' || options.dstOverlap !== 'first'
            ? `, with dst_gap ${options.dstGap} and dst_overlap ${options.dstOverlap}`
            : ''
        }); lower jitter_seconds below ${gap.gapMs / 1000}`,
      );
    }
  }
  const pauseAfterFailures = intField('pauseAfterFailures', i['pauseAfterFailures'] ?? null, 1, true);
  const overlapPolicy = i['overlapPolicy'] ?? DEFAULT_OVERLAP_POLICY;
  if (!OVERLAP_POLICIES.includes(overlapPolicy as OverlapPolicy)) {
    throw new InvalidFieldError('overlap_policy', overlapPolicy, `one of ${OVERLAP_POLICIES.join(', ')}`);
  }
  const chain = i['chain'] ?? [];
  if (!Array.isArray(chain) || chain.some((c) => typeof c !== 'string' || c.length === 0)) {
    throw new InvalidFieldError('chain', chain, 'an array of schedule or job type names');
  }
  if (new Set(chain).size !== chain.length) {
    throw new InvalidFieldError('chain', chain, 'an array without duplicate names');
  }
  const valid: ValidScheduleInput = {
    jobName,
    description: description as string | null,
    cronExpression,
    isEnabled,
    jobType,
    parameters: parameters as Record<string, unknown>,
    maxAttempts,
    timeoutSeconds,
    chain: chain as string[],
    timezone: timezone as string | null,
    missedRunPolicy: missedRunPolicy as MissedRunPolicy,
    catchUpWindowSeconds,
    maxCatchUpRuns: maxCatchUpRuns as number,
    dstGap: dstGap as DstGapPolicy,
    dstOverlap: dstOverlap as DstOverlapPolicy,
    jitterSeconds,
    pauseAfterFailures,
    overlapPolicy: overlapPolicy as OverlapPolicy,
  };
  // Without a chain the schedule starts no chain, so no cycle can pass through it (and there is no name to check):
  // skipping the walk saves a create its promise hops (issue "Scale", the API's POST).
  if (valid.chain.length > 0) await checkChain(valid, ctx);
  return valid;
}

/** Rejects chain names that are unknown, and chains that reach the schedule being saved again. */
async function checkChain(schedule: ValidScheduleInput, ctx: ValidationContext): Promise<void> {
  const cache = new Map<string, string[] | null>();
  cache.set(schedule.jobName, schedule.chain);
  // Resolve a name to the chain of the schedule it names (null: a bare job type, whose runs do not chain).
  const chainOf = async (name: string): Promise<string[] | null | undefined> => {
    if (cache.has(name)) return cache.get(name);
    const s = ctx.store ? await ctx.store.getSchedule(name) : null;
    const value = s ? s.chain : ctx.jobs.get(name) ? null : undefined;
    if (value !== undefined) cache.set(name, value);
    return value;
  };
  const kept = new Set(ctx.storedChain ?? []);
  for (const name of schedule.chain) {
    if (!kept.has(name) && (await chainOf(name)) === undefined) throw new UnknownChainTargetError(name);
  }
  // Depth-first search for a cycle reachable from the saved schedule.
  const onPath: string[] = [];
  const done = new Set<string>();
  const visit = async (name: string): Promise<void> => {
    const idx = onPath.indexOf(name);
    if (idx >= 0) throw new ChainCycleError([...onPath.slice(idx), name]);
    if (done.has(name)) return;
    const next = await chainOf(name);
    onPath.push(name);
    for (const n of next ?? []) await visit(n);
    onPath.pop();
    done.add(name);
  };
  await visit(schedule.jobName);
}
