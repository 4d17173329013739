import type { CronExpression } from '@craft/cron';
import {
  InvalidCronExpressionError,
  InvalidScheduleTimezoneError,
  RunNotFoundError,
  ScheduleExistsError,
  ScheduleNotFoundError,
} from './errors.js';
import { createSchedule, type JobRun, type JobSchedule } from './model.js';
import type { BackoffOptions, JobTypeLookup } from './registry.js';
import type { BackfillOptions, BackfillResult, CancelOptions, RunOptions } from './scheduler.js';
import type { Clock, RunQuery, ScheduleQuery, SchedulerStore } from './types.js';
import {
  type ScheduleInput,
  type SchedulePatch,
  type ValidScheduleInput,
  validateScheduleInput,
} from './validation.js';

/** What the service delegates manual runs, cancels and backfills to (the `JobScheduler`). */
export interface ManualRunner {
  /** See `JobScheduler.cancelRun`. */
  cancelRun?(id: string, options?: CancelOptions): Promise<JobRun>;
  /** See `JobScheduler.backfill`. */
  backfill?(jobName: string, options: BackfillOptions): Promise<BackfillResult>;
  /** See `JobScheduler.runNow`. */
  runNow(jobName: string, options?: RunOptions): Promise<{ run: JobRun; done: Promise<JobRun> }>;
  /** See `JobScheduler.runJob`. */
  runJob(
    jobType: string,
    parameters?: Record<string, unknown>,
    options?: RunOptions,
  ): Promise<{ run: JobRun; done: Promise<JobRun> }>;
}

/** Options of {@link ScheduleService} (normally built by `JobScheduler`; available as `scheduler.schedules`). */
export interface ScheduleServiceOptions {
  /** The store. */
  store: SchedulerStore;
  /** The job types (validation). */
  jobs: JobTypeLookup;
  /** Time source for `nextRunAt` and `createdAt`/`updatedAt`. */
  clock: Clock;
  /** Default zone of schedules without their own. */
  timezone: string;
  /** Parses (and caches) cron expressions. */
  cron: (expression: string) => CronExpression;
  /** Called after every change (the scheduler wakes its loop). */
  onChange?: () => void;
  /** Executes manual runs. */
  runner?: ManualRunner;
}

/** A registered job type as the API and CLI list it. */
export interface JobTypeInfo {
  /** The job type name. */
  type: string;
  /** Free text. */
  description: string | null;
  /** Default attempt budget. */
  maxAttempts: number;
  /** Default per-attempt timeout (s). */
  timeoutSeconds: number;
  /** Backoff between attempts. */
  backoff: BackoffOptions;
  /** The parameter JSON Schema, or null. */
  parameters: unknown;
}

/** One repaired schedule reported by {@link ScheduleService.repairNextRuns}. */
export interface NextRunRepair {
  /** The schedule. */
  jobName: string;
  /** The value found. */
  previous: Date | null;
  /** The value written. */
  nextRunAt: Date | null;
}

/**
 * Schedule management shared by the REST API and the CLI: every method validates with the same typed errors,
 * recomputes `nextRunAt` at once when `cronExpression`, `timezone` or `isEnabled` change (disabling clears it;
 * enabling computes it from that moment, so a disabled schedule accumulates no missed slots), and wakes the
 * scheduler loop of this process.
 */
export class ScheduleService {
  readonly #o: ScheduleServiceOptions;

  constructor(options: ScheduleServiceOptions) {
    this.#o = options;
  }

  #nextRun(s: Pick<JobSchedule, 'cronExpression' | 'timezone' | 'isEnabled'>): Date | null {
    if (!s.isEnabled) return null;
    return this.#o
      .cron(s.cronExpression)
      .next(this.#o.clock.now(), { timezone: s.timezone ?? this.#o.timezone });
  }

  #validate(input: unknown): Promise<ValidScheduleInput> {
    return validateScheduleInput(input, { jobs: this.#o.jobs, store: this.#o.store, cron: this.#o.cron });
  }

  /** Creates a schedule. Throws a validation error or `ScheduleExistsError`; stores nothing then. */
  async create(input: ScheduleInput): Promise<JobSchedule> {
    const valid = await this.#validate(input);
    const now = new Date(this.#o.clock.now());
    const schedule = createSchedule({
      ...valid,
      nextRunAt: this.#nextRun(valid),
      createdAt: now,
      updatedAt: now,
    });
    if (!(await this.#o.store.insertSchedule(schedule))) throw new ScheduleExistsError(valid.jobName);
    this.#o.onChange?.();
    return schedule;
  }

  /**
   * Replaces a schedule's user fields (omitted optional fields take their defaults). Throws a validation error
   * or `ScheduleNotFoundError`; changes nothing then.
   */
  async update(
    jobName: string,
    input: Omit<ScheduleInput, 'jobName'> & { jobName?: string },
  ): Promise<JobSchedule> {
    const current = await this.get(jobName);
    return this.#save(current, { ...input, jobName });
  }

  /** Changes only the given fields. Throws a validation error or `ScheduleNotFoundError`; changes nothing then. */
  async patch(jobName: string, patch: SchedulePatch): Promise<JobSchedule> {
    const current = await this.get(jobName);
    const merged: Record<string, unknown> = { ...userFields(current) };
    for (const [k, v] of Object.entries(patch)) if (v !== undefined && k !== 'jobName') merged[k] = v;
    return this.#save(current, merged);
  }

  async #save(current: JobSchedule, input: unknown): Promise<JobSchedule> {
    const valid = await this.#validate(input);
    const timingChanged =
      valid.cronExpression !== current.cronExpression ||
      valid.timezone !== current.timezone ||
      valid.isEnabled !== current.isEnabled;
    const { jobName: _ignored, ...fields } = valid;
    const patch: Partial<JobSchedule> = { ...fields, updatedAt: new Date(this.#o.clock.now()) };
    if (timingChanged || (valid.isEnabled && current.nextRunAt === null))
      patch.nextRunAt = this.#nextRun(valid);
    const updated = await this.#o.store.updateSchedule(current.jobName, patch);
    if (!updated) throw new ScheduleNotFoundError(current.jobName);
    this.#o.onChange?.();
    return updated;
  }

  /** Enables a schedule; `nextRunAt` is computed from now. */
  enable(jobName: string): Promise<JobSchedule> {
    return this.patch(jobName, { isEnabled: true });
  }

  /** Disables a schedule; `nextRunAt` is cleared. */
  disable(jobName: string): Promise<JobSchedule> {
    return this.patch(jobName, { isEnabled: false });
  }

  /** Deletes a schedule (its run history stays). Returns the deleted schedule; throws `ScheduleNotFoundError`. */
  async delete(jobName: string): Promise<JobSchedule> {
    const current = await this.get(jobName);
    if (!(await this.#o.store.deleteSchedule(jobName))) throw new ScheduleNotFoundError(jobName);
    this.#o.onChange?.();
    return current;
  }

  /** The schedule; throws `ScheduleNotFoundError`. */
  async get(jobName: string): Promise<JobSchedule> {
    const s = await this.#o.store.getSchedule(jobName);
    if (!s) throw new ScheduleNotFoundError(jobName);
    return s;
  }

  /** Schedules matching `query`, sorted by name. */
  list(query?: ScheduleQuery): Promise<JobSchedule[]> {
    return this.#o.store.listSchedules(query);
  }

  /** The next `count` run instants of a stored schedule after `from` (default now). */
  async previewNextRuns(jobName: string, count = 5, from?: Date): Promise<Date[]> {
    const s = await this.get(jobName);
    return this.preview({ cronExpression: s.cronExpression, timezone: s.timezone }, count, from);
  }

  /**
   * The next `count` run instants of an expression (not stored) after `from` (default now). Throws
   * `InvalidCronExpressionError` / `InvalidScheduleTimezoneError`.
   */
  preview(input: { cronExpression: string; timezone?: string | null }, count = 5, from?: Date): Date[] {
    let cron: CronExpression;
    try {
      cron = this.#o.cron(input.cronExpression);
    } catch (error) {
      throw new InvalidCronExpressionError(input.cronExpression, error);
    }
    try {
      return cron.nextRuns(from ?? this.#o.clock.now(), count, {
        timezone: input.timezone ?? this.#o.timezone,
      });
    } catch (error) {
      throw new InvalidScheduleTimezoneError(input.timezone, 'timezone', error);
    }
  }

  /**
   * Repairs `nextRunAt` of every enabled schedule where it is missing or is not a slot of its current cron
   * expression and timezone (e.g. after an edit straight in the database): sets it to the first slot after now.
   * A valid value, even one already due, is left for the normal claim. Schedules with an invalid cron or zone
   * are reported, not changed. (The built-in job `calculate_next_schedules` calls this.)
   */
  async repairNextRuns(): Promise<{ checked: number; repaired: NextRunRepair[]; invalid: string[] }> {
    const repaired: NextRunRepair[] = [];
    const invalid: string[] = [];
    let checked = 0;
    let after: string | undefined;
    for (;;) {
      const page = await this.#o.store.listSchedules({
        enabled: true,
        limit: 500,
        ...(after ? { afterJobName: after } : {}),
      });
      if (page.length === 0) break;
      for (const s of page) {
        checked++;
        const timezone = s.timezone ?? this.#o.timezone;
        try {
          const cron = this.#o.cron(s.cronExpression);
          if (s.nextRunAt && cron.matches(s.nextRunAt, { timezone })) continue;
          const nextRunAt = cron.next(this.#o.clock.now(), { timezone });
          const updated = await this.#o.store.updateSchedule(
            s.jobName,
            { nextRunAt },
            { nextRunAt: s.nextRunAt },
          );
          if (updated) repaired.push({ jobName: s.jobName, previous: s.nextRunAt, nextRunAt });
        } catch {
          invalid.push(s.jobName);
        }
      }
      after = page[page.length - 1]?.jobName;
    }
    if (repaired.length > 0) this.#o.onChange?.();
    return { checked, repaired, invalid };
  }

  /** Runs a schedule now, `options` overriding its attempts and timeout for this run (see `JobScheduler.runNow`). */
  runNow(jobName: string, options?: RunOptions): Promise<{ run: JobRun; done: Promise<JobRun> }> {
    if (!this.#o.runner) throw new Error('ScheduleService: no runner configured');
    return options === undefined ? this.#o.runner.runNow(jobName) : this.#o.runner.runNow(jobName, options);
  }

  /** Runs a job type now, `options` overriding its attempts and timeout for this run (see `JobScheduler.runJob`). */
  runJob(
    jobType: string,
    parameters?: Record<string, unknown>,
    options?: RunOptions,
  ): Promise<{ run: JobRun; done: Promise<JobRun> }> {
    if (!this.#o.runner) throw new Error('ScheduleService: no runner configured');
    return options === undefined
      ? this.#o.runner.runJob(jobType, parameters)
      : this.#o.runner.runJob(jobType, parameters, options);
  }

  /** Cancels a run (see `JobScheduler.cancelRun`). */
  cancelRun(id: string, options?: CancelOptions): Promise<JobRun> {
    if (!this.#o.runner?.cancelRun) throw new Error('ScheduleService: no runner configured');
    return this.#o.runner.cancelRun(id, options);
  }

  /** Backfills a schedule's slots in a range (see `JobScheduler.backfill`). */
  backfill(jobName: string, options: BackfillOptions): Promise<BackfillResult> {
    if (!this.#o.runner?.backfill) throw new Error('ScheduleService: no runner configured');
    return this.#o.runner.backfill(jobName, options);
  }

  /** Run history, newest first unless `query.order` says otherwise. */
  listRuns(query?: RunQuery): Promise<JobRun[]> {
    return this.#o.store.listRuns(query);
  }

  /** Number of runs matching `query`. */
  countRuns(query?: RunQuery): Promise<number> {
    return this.#o.store.countRuns(query);
  }

  /** One run; throws `RunNotFoundError`. */
  async getRun(id: string): Promise<JobRun> {
    const run = await this.#o.store.getRun(id);
    if (!run) throw new RunNotFoundError(id);
    return run;
  }

  /** The registered job types (user and built-in), sorted by name. */
  listJobTypes(): JobTypeInfo[] {
    return this.#o.jobs.list().map((d) => ({
      type: d.type,
      description: d.description,
      maxAttempts: d.maxAttempts,
      timeoutSeconds: d.timeoutSeconds,
      backoff: { ...d.backoff },
      parameters: d.parameters,
    }));
  }
}

function userFields(s: JobSchedule): ScheduleInput {
  return {
    jobName: s.jobName,
    cronExpression: s.cronExpression,
    jobType: s.jobType,
    description: s.description,
    isEnabled: s.isEnabled,
    parameters: s.parameters,
    maxAttempts: s.maxAttempts,
    timeoutSeconds: s.timeoutSeconds,
    chain: s.chain,
    timezone: s.timezone,
    missedRunPolicy: s.missedRunPolicy,
    catchUpWindowSeconds: s.catchUpWindowSeconds,
    maxCatchUpRuns: s.maxCatchUpRuns,
    overlapPolicy: s.overlapPolicy,
  };
}
