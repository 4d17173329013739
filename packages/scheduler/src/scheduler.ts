import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { type CronExpression, DEFAULT_TIMEZONE, parseCron } from '@craft/cron';
import { type BackfillOptions, type BackfillResult, startBackfill } from './backfill.js';
import { builtinJobs } from './builtins.js';
import { type CancelOptions, cancelRun } from './cancel.js';
import { CancelRequests } from './cancel-requests.js';
import { monotonicNow, systemClock } from './clock.js';
import type { EngineContext } from './engine.js';
import { InvalidFieldError, ScheduleNotFoundError, toRunError, UnknownJobTypeError } from './errors.js';
import { leaseTiming } from './heartbeat.js';
import { InsertBatcher } from './insert-batcher.js';
import { LockBatcher } from './lock-batcher.js';
import { LoopRunner, type StopOptions } from './loop-runner.js';
import { checkRunOptions, type ManualRun, type RunOptions, startManualRun } from './manual-runs.js';
import type { JobRun } from './model.js';
import { type CycleResult, type PassSettings, runPass } from './pass.js';
import { JobRegistry, type JobTypeLookup, layeredJobs } from './registry.js';
import { RunSlots } from './run-slots.js';
import { ScheduleService } from './service.js';
import { inSpan } from './tracing/spans.js';
import type {
  Clock,
  LockProvider,
  Logger,
  SchedulerEventMap,
  SchedulerEventName,
  SchedulerStore,
} from './types.js';
import { releaseBatcher, runWriteBatcher, scheduleWriteBatcher } from './write-batchers.js';

export type { BackfillOptions, BackfillResult } from './backfill.js';
export type { CancelOptions } from './cancel.js';
export type { StopOptions } from './loop-runner.js';
export type { ManualRun, RunOptions } from './manual-runs.js';
export type { CycleResult } from './pass.js';

/** Options of {@link JobScheduler}. This interface is the single source of truth for scheduler configuration. */
export interface JobSchedulerOptions {
  /** Where schedules and runs live (`MemoryStore`, or `@craft/mongo`'s store). */
  store: SchedulerStore;
  /** The lock serialising executions of a schedule (`MemoryLock`, or `@craft/mongo`'s `DistributedLock`). */
  lock: LockProvider;
  /** The user's job types. Built-in jobs are layered below them unless `builtins` is false. @default empty */
  registry?: JobTypeLookup;
  /** IANA zone for schedules without their own `timezone`. @default 'Europe/Stockholm' */
  timezone?: string;
  /** Time source for due checks, timeouts, backoff and the loop. @default systemClock */
  clock?: Clock;
  /** This replica's identity (lock owner, run `replica_id`). @default `<hostname>:<pid>:<random>` */
  replicaId?: string;
  /**
   * Lease length of job locks and run leases, in ms. Leases are renewed every third of it while a job runs, so
   * a job may outlive it; a dead replica's runs are recovered about this long after it died.
   * @default 60000
   */
  lockTtlMs?: number;
  /**
   * Longest sleep of the loop runner between passes, in ms; also the age up to which a passed slot counts as
   * current (it runs under every missed-run policy). @default 60000
   */
  pollIntervalMs?: number;
  /** Register the built-in jobs `calculate_next_schedules` and `cleanup_run_history`. @default true */
  builtins?: boolean;
  /** Where the scheduler logs (warnings and errors by default go to the console). @default console (warn/error) */
  logger?: Logger;
  /** How long `stop()` lets running handlers finish before aborting their signals, in ms. @default 30000 */
  shutdownGraceMs?: number;
  /** At most this many due schedules are claimed per pass (the loop runs another pass at once). @default 1000 */
  maxDuePerPass?: number;
  /**
   * How many schedules are claimed concurrently within a pass. Half of them (at most 16) are re-read, locked and
   * recorded together (one query, one `acquireMany`, one `insertRuns` per half), so more means fewer round trips per
   * slot. The default matches the default `maxConcurrentRuns`: a pass claims about as many as the replica may run.
   * @default 32
   */
  claimConcurrency?: number;
  /**
   * At most this many skipped slots get a run record each per claim; older ones fold into one record whose
   * `result` says how many slots it stands for. @default 1000
   */
  maxSkipRecords?: number;
  /** Random source for backoff jitter (tests pass a fixed one). @default Math.random */
  random?: () => number;
  /**
   * The most handlers this replica runs at once, whatever triggered them (scheduled slots, `allow` overlaps,
   * backfills, chains, manual runs). At the cap, a pass leaves due schedules due (deferred, never dropped) and runs
   * already claimed wait for a slot before their attempt starts (their leases renewed). An integer >= 1.
   * @default 32
   */
  maxConcurrentRuns?: number;
}

/** Default of {@link JobSchedulerOptions.maxConcurrentRuns}. */
export const DEFAULT_MAX_CONCURRENT_RUNS = 32;

/** The outcome of {@link JobScheduler.handleMissedRuns}. */
export interface MissedRunsResult extends CycleResult {
  /** Runs of dead replicas found in this pass and marked (an attempt) abandoned. */
  abandoned: JobRun[];
}

const noop = () => {};
const consoleLogger: Logger = {
  debug: noop,
  info: noop,
  warn: (m, d) => console.warn(`[craft-scheduler] ${m}`, d ?? ''),
  error: (m, d) => console.error(`[craft-scheduler] ${m}`, d ?? ''),
};

/**
 * The scheduling engine. One instance per process (replica); any number of replicas may share a store and a
 * lock. See the README for the guarantees (exactly-once triggering per slot, missed-run policies, leases, the
 * delivery guarantee of spec section 11). The work is done by the modules this class wires together: `pass.ts`
 * (one pass: recovery, claims), `claim.ts`, `execute.ts` (attempts), `run-transitions.ts` (every status change, from the guarded calls of `guarded-writes.ts`),
 * `heartbeat.ts` (leases and their local deadlines), `chain.ts`, `recovery.ts`, `manual-runs.ts` and
 * `loop-runner.ts`.
 */
export class JobScheduler {
  /** The schedule management API (create, update, enable, preview, run now …) over the same store. */
  readonly schedules: ScheduleService;
  /** The job types this scheduler runs (user registry over built-ins). */
  readonly jobs: JobTypeLookup;
  /** The store. */
  readonly store: SchedulerStore;
  /** The lock provider. */
  readonly lock: LockProvider;
  /** The clock. */
  readonly clock: Clock;
  /** The default timezone. */
  readonly timezone: string;
  /** This replica's id. */
  readonly replicaId: string;
  /** Lease length in ms. */
  readonly lockTtlMs: number;
  /** Poll interval in ms. */
  readonly pollIntervalMs: number;
  /** The cap on handlers running at once in this replica. */
  readonly maxConcurrentRuns: number;

  readonly #events = new EventEmitter();
  readonly #logger: Logger;
  readonly #ctx: EngineContext;
  readonly #cronCache = new Map<string, CronExpression>();
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #softStop = new AbortController();
  readonly #hardStop = new AbortController();
  readonly #warned = new Set<string>();
  readonly #pass: PassSettings;
  readonly #loop: LoopRunner;

  constructor(options: JobSchedulerOptions) {
    this.store = options.store;
    this.lock = options.lock;
    this.clock = options.clock ?? systemClock;
    this.timezone = options.timezone ?? DEFAULT_TIMEZONE;
    this.replicaId =
      options.replicaId ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
    this.lockTtlMs = options.lockTtlMs ?? 60_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 60_000;
    this.#logger = options.logger ?? consoleLogger;
    const cap = options.maxConcurrentRuns ?? DEFAULT_MAX_CONCURRENT_RUNS;
    if (!Number.isSafeInteger(cap) || cap < 1) {
      throw new InvalidFieldError('max_concurrent_runs', cap, 'an integer >= 1', {
        component: 'JobScheduler',
        noun: 'option',
        fix: 'Pass a whole number of handlers (MAX_CONCURRENT_RUNS), or leave it out for 32.',
      });
    }
    this.maxConcurrentRuns = cap;
    this.#pass = {
      maxDue: options.maxDuePerPass ?? 1000,
      concurrency: Math.max(1, options.claimConcurrency ?? 32),
      validCronZones: new Set<string>(),
      carry: null,
      frontier: null,
    };
    const user = options.registry ?? new JobRegistry();
    this.jobs = options.builtins === false ? user : layeredJobs(user, new JobRegistry(builtinJobs()));
    const clock = this.clock;
    this.#ctx = {
      store: this.store,
      lock: this.lock,
      jobs: this.jobs,
      clock,
      replicaId: this.replicaId,
      lockTtlMs: this.lockTtlMs,
      timing: leaseTiming(this.lockTtlMs),
      mono: () => monotonicNow(clock),
      pollIntervalMs: this.pollIntervalMs,
      timezone: this.timezone,
      logger: this.#logger,
      maxSkipRecords: options.maxSkipRecords ?? 1000,
      random: options.random ?? Math.random,
      hardStop: this.#hardStop.signal,
      softStop: this.#softStop.signal,
      shutdown: { requeue: true },
      self: this,
      active: new Set<string>(),
      emit: (event, payload) => this.#emit(event, payload),
      cron: (expression) => this.cron(expression),
      track: (promise) => this.#track(promise),
      warnOnce: (key, message, data) => {
        if (this.#warned.has(key)) return;
        this.#warned.add(key);
        this.#logger.warn(message, data);
      },
      cancels: new CancelRequests(),
      slots: new RunSlots(cap),
      inserts: new InsertBatcher(options.store),
      locks: new LockBatcher(options.lock),
      runWrites: runWriteBatcher(options.store),
      scheduleWrites: scheduleWriteBatcher(options.store),
      releases: releaseBatcher(options.lock),
    };
    this.#loop = new LoopRunner({
      ctx: this.#ctx,
      pollIntervalMs: this.pollIntervalMs,
      graceMs: options.shutdownGraceMs ?? 30_000,
      softStop: this.#softStop,
      hardStop: this.#hardStop,
      pass: async (startup) => await this.#tracedPass(startup),
      idle: () => this.idle(),
    });
    this.schedules = new ScheduleService({
      store: this.store,
      jobs: this.jobs,
      clock: this.clock,
      timezone: this.timezone,
      cron: (e) => this.cron(e),
      onChange: () => this.wake(),
      runner: this,
      emit: (event, payload) => this.#emit(event, payload),
    });
  }

  /* ---------------------------------------------------------------------------------------------------------- */

  /** Subscribes to an event; returns a function that unsubscribes. */
  on<K extends SchedulerEventName>(event: K, listener: (payload: SchedulerEventMap[K]) => void): () => void {
    this.#events.on(event, listener);
    return () => this.#events.off(event, listener);
  }

  /** Unsubscribes a listener added with {@link on}. */
  off<K extends SchedulerEventName>(event: K, listener: (payload: SchedulerEventMap[K]) => void): void {
    this.#events.off(event, listener);
  }

  #emit<K extends SchedulerEventName>(event: K, payload: SchedulerEventMap[K]): void {
    try {
      this.#events.emit(event, payload);
    } catch (error) {
      this.#logger.error('event listener threw', { event, error: toRunError(error).message });
    }
  }

  /** The parsed cron expression (cached). Throws `@craft/cron` errors for invalid text. */
  cron(expression: string): CronExpression {
    let c = this.#cronCache.get(expression);
    if (!c) {
      c = parseCron(expression);
      if (this.#cronCache.size > 10_000) this.#cronCache.clear();
      this.#cronCache.set(expression, c);
    }
    return c;
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight.add(promise);
    const remove = () => this.#inFlight.delete(promise);
    promise.then(remove, remove);
    return promise;
  }

  /** Resolves when every execution started by this instance has finished (tests, CLI). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /**
   * Resolves once this replica runs (or has claimed to run) fewer handlers than `maxConcurrentRuns` — at once when it
   * does — or when `signal` aborts. For code that drives passes itself with {@link checkAndRunDueJobs}: a pass that
   * finds the replica full leaves the rest of its due schedules `deferred`, and the next pass is worth making once
   * this resolves (the loop runner does the same).
   */
  whenRunSlotFree(signal?: AbortSignal): Promise<void> {
    return this.#ctx.slots.whenRoom(signal ?? new AbortController().signal);
  }

  /** Whether the loop runner is running. */
  get running(): boolean {
    return this.#loop.running;
  }

  /* ---------------------------------------------------------------------------------------------------------- */

  /**
   * One pass (spec section 5): recovers runs of dead replicas, computes `nextRunAt` for enabled schedules that
   * lack it, and claims every due schedule's passed slots (current slots run; missed slots follow the
   * schedule's policy; each is run or recorded as skipped). A schedule whose lock is taken is deferred.
   * Resolves once claims are made; `done` resolves when the triggered runs, and the runs they chained
   * (transitively), finished, with all their final records.
   */
  async checkAndRunDueJobs(): Promise<CycleResult> {
    return (await this.#tracedPass(false)).result;
  }

  /** One pass inside its span `craft.pass` (claims are its children; free without OpenTelemetry). */
  #tracedPass(startup: boolean): ReturnType<typeof runPass> {
    return inSpan(
      'craft.pass',
      { 'craft.startup': startup, 'craft.replica': this.replicaId },
      () => runPass(this.#ctx, this.#pass, startup),
      ({ result, abandoned }) => ({
        'craft.outcome': result.paused ? 'paused' : 'completed',
        'craft.triggered': result.runs.filter((r) => r.status !== 'skipped').length,
        'craft.skipped': result.runs.filter((r) => r.status === 'skipped').length,
        'craft.deferred': result.deferred.length,
        'craft.abandoned': abandoned.length,
      }),
    );
  }

  /**
   * The startup pass (spec section 5): marks runs of dead replicas (expired lease) abandoned, retrying them if
   * attempts remain, and applies the missed-run policy to every schedule. Safe when several replicas call it at
   * the same moment (locks and the run ledger keep every slot exactly-once).
   */
  async handleMissedRuns(): Promise<MissedRunsResult> {
    const { result, abandoned } = await this.#tracedPass(true);
    return { ...result, abandoned };
  }

  /* ---------------------------------------------------------------------------------------------------------- */

  /**
   * Runs a registered job type now, outside any schedule (trigger `manual`, lock `job:<jobType>`), with the job
   * type's `maxAttempts` and `timeoutSeconds` unless `options` overrides them for this run. Throws
   * `UnknownJobTypeError`, `InvalidFieldError` (a bad option), `InvalidParametersError` or `JobLockedError`
   * (another execution of this job type runs) without recording anything.
   */
  async runJob(
    jobType: string,
    parameters: Record<string, unknown> = {},
    options: RunOptions = {},
  ): Promise<ManualRun> {
    const def = this.jobs.get(jobType);
    if (!def)
      throw new UnknownJobTypeError(
        jobType,
        this.jobs.list().map((d) => d.type),
      );
    const limits = checkRunOptions(options);
    return startManualRun(
      this.#ctx,
      {
        jobType,
        jobName: null,
        parameters,
        maxAttempts: limits.maxAttempts ?? def.maxAttempts,
        timeoutSeconds: limits.timeoutSeconds ?? def.timeoutSeconds,
      },
      { ...options, parameters, ...limits },
    );
  }

  /**
   * Runs a schedule now with its job type, parameters and limits (trigger `manual`, lock `job:<jobName>`); its
   * `nextRunAt` is unchanged and its chain follows a success. `options` overrides the attempt budget and timeout
   * for this run only. Throws `ScheduleNotFoundError`, `InvalidFieldError` (a bad option), `UnknownJobTypeError`,
   * `InvalidParametersError` or `JobLockedError` without recording anything.
   */
  async runNow(jobName: string, options: RunOptions = {}): Promise<ManualRun> {
    const limits = checkRunOptions(options);
    const schedule = await this.store.getSchedule(jobName);
    if (!schedule) throw new ScheduleNotFoundError(jobName);
    const def = this.jobs.get(schedule.jobType);
    if (!def)
      throw new UnknownJobTypeError(
        schedule.jobType,
        this.jobs.list().map((d) => d.type),
      );
    return startManualRun(
      this.#ctx,
      {
        jobType: schedule.jobType,
        jobName,
        parameters: schedule.parameters,
        maxAttempts: limits.maxAttempts ?? schedule.maxAttempts ?? def.maxAttempts,
        timeoutSeconds: limits.timeoutSeconds ?? schedule.timeoutSeconds ?? def.timeoutSeconds,
        // Under `allow` a run-now takes no lock (never refused for a running run); no policy makes it cancel anything.
        ownLease: schedule.overlapPolicy === 'allow',
      },
      { ...options, parameters: null, ...limits },
    );
  }

  /**
   * Cancels a run (spec section 10). A `pending` run that no replica holds is recorded `cancelled` at once (by a
   * compare-and-set); otherwise the request is stored on the run (`cancelRequestedAt`, `cancelRequestedBy`: `by`) and
   * the replica that holds it stops it — a pending one never starts; a running one's signal aborts with
   * `RunCancelledError` (on this replica at once, elsewhere at that replica's next lease renewal, within `lockTtlMs /
   * 3`) and the run is recorded `cancelled` once its handler settled. Not retried; its chain does not fire. Resolves
   * with the run as it stands (`cancelled`, or still live with the request stored). Throws `RunNotFoundError`, or
   * `RunFinishedError` for a run that already finished (nothing changes).
   */
  cancelRun(id: string, options: CancelOptions = {}): Promise<JobRun> {
    return cancelRun(this.#ctx, id, options);
  }

  /**
   * Backfills a schedule (spec section 10): every slot in `[from, to)` (`to` not after now) becomes a run with trigger
   * `backfill`, oldest first, one at a time under the schedule lock (under `overlapPolicy: 'allow'`, up to
   * `concurrency` at once). The missed-run policy and window do not apply; a disabled schedule can be backfilled. A
   * slot that already has a record (any status, `skipped` included) is reported in `alreadyRecorded` and not run
   * again. Throws `ScheduleNotFoundError`, `UnknownJobTypeError`, `InvalidFieldError` (`from`, `to`, `max_slots`,
   * `concurrency`) or `BackfillTooLargeError` (more slots than `maxSlots`, default 1,000) without recording anything.
   */
  async backfill(jobName: string, options: BackfillOptions): Promise<BackfillResult> {
    const schedule = await this.store.getSchedule(jobName);
    if (!schedule) throw new ScheduleNotFoundError(jobName);
    if (!this.jobs.get(schedule.jobType))
      throw new UnknownJobTypeError(
        schedule.jobType,
        this.jobs.list().map((d) => d.type),
      );
    return startBackfill(this.#ctx, schedule, options);
  }

  /* ---------------------------------------------------------------------------------------------------------- */

  /** Makes a sleeping loop runner run a pass now (called when a schedule is saved through this process). */
  wake(): void {
    this.#loop.wake();
  }

  /**
   * Starts the loop runner: `handleMissedRuns()` once, then passes until {@link stop}: after each pass it sleeps
   * until the earliest `nextRunAt` (at most the poll interval, so schedules added elsewhere are seen), or until
   * {@link wake}. A failing pass is logged (`cycle:failed`) and the loop goes on. Resolves after the startup pass.
   */
  start(): Promise<void> {
    return this.#loop.start();
  }

  /**
   * Stops the loop runner and drains: no new claims or attempts; running handlers get `graceMs` to finish, then
   * their signals abort (`ShutdownError`). Resolves when every execution of this instance has settled.
   *
   * What happens to the runs it interrupts depends on `requeue` (see {@link StopOptions}): by default they go back
   * to `pending` for another replica (the aborted attempt recorded `abandoned`; a run with no attempts left ends
   * `abandoned`); with `requeue: false` they end `failed` here and nothing of theirs runs again.
   */
  stop(options: StopOptions = {}): Promise<void> {
    return this.#loop.stop(options);
  }
}
