import type { CronExpression } from '@craft/cron';
import {
  IdempotencyKeyReusedError,
  InvalidCronExpressionError,
  InvalidFieldError,
  InvalidScheduleTimezoneError,
  RunNotFoundError,
  ScheduleExistsError,
  ScheduleNotFoundError,
  ScheduleVersionMismatchError,
} from './errors.js';
import { checkIdempotencyKey, creationKey, type IdempotencyOptions } from './idempotency.js';
import { createSchedule, type JobRun, type JobSchedule, MAX_REASON_LENGTH } from './model.js';
import { type PreviewInput, type PreviewWindow, previewRuns, type RunPreview } from './preview.js';
import type { BackoffOptions, JobTypeLookup } from './registry.js';
import type { BackfillOptions, BackfillResult, CancelOptions, ManualRun, RunOptions } from './scheduler.js';
import { dueInstant, scheduleCronOptions } from './slot-timing.js';
import type {
  Clock,
  GlobalPauseState,
  RunQuery,
  ScheduleQuery,
  SchedulerEventMap,
  SchedulerStore,
} from './types.js';
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
  runNow(jobName: string, options?: RunOptions): Promise<ManualRun>;
  /** See `JobScheduler.runJob`. */
  runJob(jobType: string, parameters?: Record<string, unknown>, options?: RunOptions): Promise<ManualRun>;
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
  /** Emits the scheduler's events (`scheduler:paused`, `scheduler:resumed`). */
  emit?: <K extends keyof SchedulerEventMap>(event: K, payload: SchedulerEventMap[K]) => void;
}

/** Options of the service's edits (`update`, `patch`, `delete`, `enable`, `disable`). */
export interface EditOptions {
  /**
   * Optimistic concurrency: the edit applies only while the schedule's `version` is this one (the version the
   * caller read; the API's `If-Match`), as one compare-and-set in the store; otherwise it throws
   * `ScheduleVersionMismatchError` and changes nothing. Without it an edit applies to whatever version is stored
   * (still atomically: a concurrent edit is never half-overwritten).
   * @default undefined (no precondition)
   */
  ifVersion?: number | undefined;
}

/** Options of {@link ScheduleService.create}. */
export interface CreateOptions extends IdempotencyOptions {}

// Edits without a precondition re-read and retry when a concurrent edit won the compare-and-set this often.
const EDIT_ATTEMPTS = 5;

/**
 * Changes made through a {@link ScheduleService}, delivered by {@link ScheduleService.on} (names follow
 * `area:action`). The event log (`attachEventLog`) records them; the engine's own writes (`next_run_at`,
 * `last_run_*`) are not changes.
 */
export interface ScheduleServiceEventMap {
  /** A schedule was created. */
  'schedule:created': { schedule: JobSchedule };
  /** A schedule's definition was saved (update, patch, enable, disable); `previous` is what it replaced. */
  'schedule:updated': { schedule: JobSchedule; previous: JobSchedule };
  /** A schedule was deleted (its runs stay); `schedule` is what was deleted. */
  'schedule:deleted': { schedule: JobSchedule };
}

/**
 * Who makes a change (spec section 10, audit): stored as `updated_by` (and `paused_by` when it disables). The
 * REST API passes the token's `sub`, the CLI `cli`, `syncSchedules()` `sync`.
 */
export interface ChangeOptions {
  /** Who makes the change. @default 'code' */
  by?: string | undefined;
}

/** Options of `update` and `patch`: who, the version precondition, and (for `syncSchedules`) the owner. */
export type SaveOptions = ChangeOptions & EditOptions & { managedBy?: string };

/** Options of {@link ScheduleService.disable}. */
export interface DisableOptions extends ChangeOptions {
  /** Why it is disabled (stored as `paused_reason`, at most 500 characters). @default null */
  reason?: string | null | undefined;
}

/** Options of {@link ScheduleService.pauseAll}. */
export interface PauseAllOptions extends ChangeOptions {
  /** Why triggering is paused (at most 500 characters). @default null */
  reason?: string | null | undefined;
}

/** Options of {@link ScheduleService.resumeAll}. */
export interface ResumeAllOptions extends ChangeOptions {
  /**
   * `false`: slots that fell due while paused are recorded `skipped` (reason `paused`). `true`: they are missed
   * slots like any other, and each schedule's missed-run policy applies.
   * @default false
   */
  catchUp?: boolean | undefined;
}

/** The most recent ended pause windows the global pause state keeps. */
export const MAX_PAUSE_WINDOWS = 20;

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
  readonly #listeners = new Map<string, Set<(payload: never) => void>>();

  constructor(options: ScheduleServiceOptions) {
    this.#o = options;
  }

  /**
   * Subscribes to changes made through this service (this process only; the event log carries them to others).
   * Returns a function that unsubscribes. Listeners must not throw: an exception is swallowed.
   */
  on<K extends keyof ScheduleServiceEventMap>(
    event: K,
    listener: (payload: ScheduleServiceEventMap[K]) => void,
  ): () => void {
    const set = this.#listeners.get(event) ?? new Set();
    this.#listeners.set(event, set);
    const fn = listener as (payload: never) => void;
    set.add(fn);
    return () => set.delete(fn);
  }

  #emit<K extends keyof ScheduleServiceEventMap>(event: K, payload: ScheduleServiceEventMap[K]): void {
    for (const listener of this.#listeners.get(event) ?? []) {
      try {
        (listener as (p: ScheduleServiceEventMap[K]) => void)(payload);
      } catch {
        // A listener's failure must not fail the change that was already stored.
      }
    }
  }

  /** The first slot after now and its due instant (both null when disabled). */
  #nextTiming(s: ValidScheduleInput): { nextRunAt: Date | null; nextDueAt: Date | null } {
    if (!s.isEnabled) return { nextRunAt: null, nextDueAt: null };
    const nextRunAt = this.#o
      .cron(s.cronExpression)
      .next(this.#o.clock.now(), scheduleCronOptions(s, this.#o.timezone));
    return { nextRunAt, nextDueAt: nextRunAt && dueInstant(s, nextRunAt) };
  }

  /**
   * Validates a schedule's user fields exactly as `create` and `update` do, without storing anything. `lookup`
   * resolves chain names first (schedules not saved yet, e.g. the other definitions of `syncSchedules()`), then the
   * store.
   */
  check(
    input: unknown,
    lookup?: (name: string) => JobSchedule | null | undefined,
  ): Promise<ValidScheduleInput> {
    const store = this.#o.store;
    return validateScheduleInput(input, {
      jobs: this.#o.jobs,
      store: {
        getSchedule: async (name) => lookup?.(name) ?? (await store.getSchedule(name)),
      },
      cron: this.#o.cron,
      timezone: this.#o.timezone,
      now: () => this.#o.clock.now(),
    });
  }

  /** Validates a schedule's user fields; `storedChain`: the chain of the stored schedule an edit starts from. */
  #validate(input: unknown, storedChain?: readonly string[]): Promise<ValidScheduleInput> {
    return validateScheduleInput(input, {
      jobs: this.#o.jobs,
      store: this.#o.store,
      ...(storedChain ? { storedChain } : {}),
      cron: this.#o.cron,
      timezone: this.#o.timezone,
      now: () => this.#o.clock.now(),
    });
  }

  /**
   * Creates a schedule (version 1). Throws a validation error or `ScheduleExistsError`; stores nothing then.
   * `options.by` is recorded as `updated_by` (and `paused_by` of a schedule created disabled).
   *
   * With `idempotencyKey`, the schedule records a digest of the key (and scope) and of the validated input: a
   * retry of the same creation, even after the caller died before it heard the answer, returns the schedule that
   * creation made (as it stands now) instead of `ScheduleExistsError`; the same key with another input for that
   * name is an `IdempotencyKeyReusedError`. A schedule of that name created otherwise is still "exists".
   */
  async create(
    input: ScheduleInput,
    options: CreateOptions & ChangeOptions & { managedBy?: string } = {},
  ): Promise<JobSchedule> {
    const key = checkIdempotencyKey(options.idempotencyKey);
    const valid = await this.#validate(input);
    const now = new Date(this.#o.clock.now());
    const by = options.by ?? 'code';
    const digest = key === undefined ? null : creationKey(options.idempotencyScope ?? '', key, valid);
    const schedule = createSchedule({
      ...valid,
      ...this.#nextTiming(valid),
      createdAt: now,
      updatedAt: now,
      creationKey: digest,
      updatedBy: by,
      managedBy: options.managedBy ?? null,
      ...(valid.isEnabled ? {} : { pausedAt: now, pausedBy: by }),
    });
    if (!(await this.#o.store.insertSchedule(schedule))) {
      const existing = digest === null ? null : await this.#o.store.getSchedule(valid.jobName);
      if (existing?.creationKey && digest !== null) {
        if (existing.creationKey === digest) return existing;
        // Same key (the part before the colon), other input: the key was reused.
        if (existing.creationKey.split(':')[0] === digest.split(':')[0]) {
          throw new IdempotencyKeyReusedError(`create schedule ${JSON.stringify(valid.jobName)}`);
        }
      }
      throw new ScheduleExistsError(valid.jobName);
    }
    this.#o.onChange?.();
    this.#emit('schedule:created', { schedule });
    return schedule;
  }

  /**
   * Replaces a schedule's user fields (omitted optional fields take their defaults). Throws a validation error,
   * `ScheduleNotFoundError` or (with `ifVersion`) `ScheduleVersionMismatchError`; changes nothing then.
   */
  async update(
    jobName: string,
    input: Omit<ScheduleInput, 'jobName'> & { jobName?: string },
    options: SaveOptions = {},
  ): Promise<JobSchedule> {
    return this.#edit(jobName, options, () => ({ ...input, jobName }));
  }

  /**
   * Changes only the given fields. Throws a validation error, `ScheduleNotFoundError` or (with `ifVersion`)
   * `ScheduleVersionMismatchError`; changes nothing then.
   */
  async patch(jobName: string, patch: SchedulePatch, options: SaveOptions = {}): Promise<JobSchedule> {
    return this.#edit(jobName, options, (current) => {
      const merged: Record<string, unknown> = { ...userFields(current) };
      for (const [k, v] of Object.entries(patch)) if (v !== undefined && k !== 'jobName') merged[k] = v;
      return merged;
    });
  }

  /**
   * Reads the schedule, builds the new definition from it, validates it, and writes it with a compare-and-set on
   * the version read, so an edit never overwrites a concurrent one it did not see. Invalid input is refused before
   * the precondition is judged (as HTTP does: a precondition only decides between success and 412). With
   * `ifVersion` a lost race is the caller's `ScheduleVersionMismatchError`; without it, the edit is redone on the
   * new version.
   */
  async #edit(
    jobName: string,
    options: SaveOptions & { reason?: string | null; enable?: boolean },
    build: (current: JobSchedule) => unknown,
  ): Promise<JobSchedule> {
    const ifVersion = checkVersion(options.ifVersion);
    for (let attempt = 1; ; attempt++) {
      const current = await this.get(jobName);
      const valid = await this.#validate(build(current), current.chain);
      if (ifVersion !== undefined && current.version !== ifVersion) {
        throw new ScheduleVersionMismatchError(jobName, ifVersion, current.version);
      }
      const updated = await this.#save(current, valid, options);
      if (updated) return updated;
      if (ifVersion !== undefined || attempt >= EDIT_ATTEMPTS) {
        const now = await this.get(jobName);
        throw new ScheduleVersionMismatchError(jobName, ifVersion ?? current.version, now.version);
      }
    }
  }

  /** Writes a validated edit of `current`; `null` when its version changed meanwhile (nothing written). */
  async #save(
    current: JobSchedule,
    valid: ValidScheduleInput,
    options: ChangeOptions & { managedBy?: string; reason?: string | null; enable?: boolean },
  ): Promise<JobSchedule | null> {
    const by = options.by ?? 'code';
    const now = new Date(this.#o.clock.now());
    // Changing any of these recomputes next_run_at from now (spec sections 1 and 10).
    const timingChanged =
      valid.cronExpression !== current.cronExpression ||
      valid.timezone !== current.timezone ||
      valid.isEnabled !== current.isEnabled ||
      valid.dstGap !== current.dstGap ||
      valid.dstOverlap !== current.dstOverlap;
    const { jobName: _ignored, ...fields } = valid;
    const patch: Partial<JobSchedule> = { ...fields, updatedAt: now, updatedBy: by };
    if (options.managedBy !== undefined) patch.managedBy = options.managedBy;
    if (timingChanged || (valid.isEnabled && current.nextRunAt === null)) {
      Object.assign(patch, this.#nextTiming(valid));
    } else if (valid.jitterSeconds !== current.jitterSeconds && current.nextRunAt !== null) {
      // A new jitter moves only the due instant: the slot stays the first unclaimed one (a slot that passed but
      // was not due yet is not lost).
      patch.nextDueAt = dueInstant(valid, current.nextRunAt);
    }
    if (!valid.isEnabled && (current.isEnabled || options.reason !== undefined)) {
      // Disabled now (or disabled again with a reason): who, when and why (spec section 10).
      Object.assign(patch, { pausedAt: now, pausedBy: by, pausedReason: options.reason ?? null });
    } else if (valid.isEnabled && (!current.isEnabled || options.enable)) {
      // An enable clears the pause and resets the failure count.
      Object.assign(patch, { pausedAt: null, pausedBy: null, pausedReason: null, consecutiveFailures: 0 });
    }
    // Compare-and-set on the version read: the store bumps it in the same write.
    const updated = await this.#o.store.updateSchedule(current.jobName, patch, { version: current.version });
    if (updated) {
      this.#o.onChange?.();
      this.#emit('schedule:updated', { schedule: updated, previous: current });
    }
    return updated;
  }

  /**
   * Enables a schedule: `nextRunAt` is computed from now (no missed slots), the pause (`paused_*`) is cleared and
   * `consecutive_failures` is reset (also when it was enabled already).
   */
  async enable(jobName: string, options: ChangeOptions & EditOptions = {}): Promise<JobSchedule> {
    return this.#edit(jobName, { ...options, enable: true }, (current) => ({
      ...userFields(current),
      isEnabled: true,
    }));
  }

  /**
   * Disables a schedule with an optional reason: `nextRunAt` is cleared; `paused_reason`, `paused_at` and
   * `paused_by` say why, when and who (disabling a disabled schedule again replaces them).
   */
  async disable(jobName: string, options: DisableOptions & EditOptions = {}): Promise<JobSchedule> {
    const reason = checkReason(options.reason, 'reason');
    return this.#edit(jobName, { ...options, reason }, (current) => ({
      ...userFields(current),
      isEnabled: false,
    }));
  }

  /** The global pause state (spec section 10). */
  pauseState(): Promise<GlobalPauseState> {
    return this.#o.store.getGlobalPause();
  }

  /**
   * Pauses triggering on every replica (each checks it once per pass; runs in flight finish). Pausing while paused
   * replaces the reason and who, and keeps when it began.
   */
  async pauseAll(options: PauseAllOptions = {}): Promise<GlobalPauseState> {
    const reason = checkReason(options.reason, 'reason');
    const by = options.by ?? 'code';
    const current = await this.#o.store.getGlobalPause();
    const state: GlobalPauseState = {
      ...current,
      paused: true,
      reason: reason ?? null,
      by,
      since: current.paused && current.since ? current.since : new Date(this.#o.clock.now()),
    };
    await this.#o.store.setGlobalPause(state);
    this.#o.emit?.('scheduler:paused', { reason: state.reason, by });
    return state;
  }

  /**
   * Resumes triggering. Slots that fell due while paused are recorded `skipped` (reason `paused`) by their next
   * claim, unless `catchUp` (then each schedule's missed-run policy applies). Resuming while not paused changes
   * nothing.
   */
  async resumeAll(options: ResumeAllOptions = {}): Promise<GlobalPauseState> {
    const current = await this.#o.store.getGlobalPause();
    if (!current.paused) return current;
    const by = options.by ?? 'code';
    const now = new Date(this.#o.clock.now());
    const window = { from: current.since ?? now, to: now, catchUp: options.catchUp === true };
    const state: GlobalPauseState = {
      paused: false,
      reason: null,
      since: null,
      by,
      windows: [...current.windows, window].slice(-MAX_PAUSE_WINDOWS),
    };
    await this.#o.store.setGlobalPause(state);
    this.#o.emit?.('scheduler:resumed', { by, catchUp: window.catchUp });
    this.#o.onChange?.();
    return state;
  }

  /**
   * Deletes a schedule (its run history stays). Returns the deleted schedule; throws `ScheduleNotFoundError`, or
   * (with `ifVersion`) `ScheduleVersionMismatchError` when its version is another one (then nothing is deleted).
   */
  async delete(jobName: string, options: EditOptions = {}): Promise<JobSchedule> {
    const ifVersion = checkVersion(options.ifVersion);
    for (let attempt = 1; ; attempt++) {
      const current = await this.get(jobName);
      if (ifVersion !== undefined && current.version !== ifVersion) {
        throw new ScheduleVersionMismatchError(jobName, ifVersion, current.version);
      }
      // Compare-and-set on the version read: what is returned is what was deleted.
      if (await this.#o.store.deleteSchedule(jobName, { version: current.version })) {
        this.#o.onChange?.();
        this.#emit('schedule:deleted', { schedule: current });
        return current;
      }
      if (ifVersion !== undefined || attempt >= EDIT_ATTEMPTS) {
        const now = await this.get(jobName);
        throw new ScheduleVersionMismatchError(jobName, ifVersion ?? current.version, now.version);
      }
    }
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

  /** The next `count` run instants (slots) of a stored schedule after `from` (default now), with its DST choices. */
  async previewNextRuns(jobName: string, count = 5, from?: Date): Promise<Date[]> {
    const s = await this.get(jobName);
    return this.preview(s, count, from);
  }

  /**
   * What a schedule (stored, or a draft) will do in a window: its runs with their DST markers, intended wall times
   * and planned starts (slot + jitter offset), the wall times a gap skips or shifts. See {@link previewRuns}.
   */
  explain(input: PreviewInput, window: PreviewWindow = {}): RunPreview {
    return previewRuns(
      input,
      { from: this.#o.clock.now() + 1, ...window },
      { timezone: this.#o.timezone, cron: this.#o.cron },
    );
  }

  /**
   * The next `count` run instants of an expression (not stored) after `from` (default now). Throws
   * `InvalidCronExpressionError` / `InvalidScheduleTimezoneError`.
   */
  preview(
    input: {
      cronExpression: string;
      timezone?: string | null;
      dstGap?: JobSchedule['dstGap'];
      dstOverlap?: JobSchedule['dstOverlap'];
    },
    count = 5,
    from?: Date,
  ): Date[] {
    let cron: CronExpression;
    try {
      cron = this.#o.cron(input.cronExpression);
    } catch (error) {
      throw new InvalidCronExpressionError(input.cronExpression, error);
    }
    try {
      return cron.nextRuns(
        from ?? this.#o.clock.now(),
        count,
        scheduleCronOptions(
          {
            timezone: input.timezone ?? null,
            dstGap: input.dstGap ?? 'skip',
            dstOverlap: input.dstOverlap ?? 'first',
          },
          this.#o.timezone,
        ),
      );
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
        const options = scheduleCronOptions(s, this.#o.timezone);
        try {
          const cron = this.#o.cron(s.cronExpression);
          if (s.nextRunAt && cron.matches(s.nextRunAt, options)) {
            // A valid slot; only a due instant that does not belong to it (or is missing) is set right.
            const due = dueInstant(s, s.nextRunAt);
            if (s.nextDueAt?.getTime() !== due.getTime()) {
              await this.#o.store.updateSchedule(s.jobName, { nextDueAt: due }, { nextRunAt: s.nextRunAt });
            }
            continue;
          }
          const nextRunAt = cron.next(this.#o.clock.now(), options);
          const updated = await this.#o.store.updateSchedule(
            s.jobName,
            { nextRunAt, nextDueAt: nextRunAt && dueInstant(s, nextRunAt) },
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
  runNow(jobName: string, options?: RunOptions): Promise<ManualRun> {
    if (!this.#o.runner) throw new Error('ScheduleService: no runner configured');
    return options === undefined ? this.#o.runner.runNow(jobName) : this.#o.runner.runNow(jobName, options);
  }

  /** Runs a job type now, `options` overriding its attempts and timeout for this run (see `JobScheduler.runJob`). */
  runJob(jobType: string, parameters?: Record<string, unknown>, options?: RunOptions): Promise<ManualRun> {
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

function checkVersion(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidFieldError('version', value, 'an integer >= 0', {
      noun: 'option',
      fix: 'Pass the version read from the schedule.',
    });
  }
  return value;
}

/** The user fields of a stored schedule, as a {@link ScheduleInput}. */
export function userFields(s: JobSchedule): ScheduleInput {
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
    dstGap: s.dstGap,
    dstOverlap: s.dstOverlap,
    jitterSeconds: s.jitterSeconds,
    pauseAfterFailures: s.pauseAfterFailures,
    overlapPolicy: s.overlapPolicy,
  };
}

/** A reason as given (trimmed; empty means none), or an `InvalidFieldError` naming `field`. */
function checkReason(reason: unknown, field: string): string | null | undefined {
  if (reason === undefined || reason === null) return reason;
  if (typeof reason !== 'string' || reason.length > MAX_REASON_LENGTH) {
    throw new InvalidFieldError(
      field,
      reason,
      `a string of at most ${MAX_REASON_LENGTH} characters, or null`,
    );
  }
  const trimmed = reason.trim();
  return trimmed === '' ? null : trimmed;
}
