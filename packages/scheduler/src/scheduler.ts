import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { type CronExpression, DEFAULT_TIMEZONE, parseCron } from '@craft/cron';
import { builtinJobs } from './builtins.js';
import { claimSchedule } from './claim.js';
import { systemClock } from './clock.js';
import { DONE, type EngineContext, newRun } from './engine.js';
import {
  InvalidFieldError,
  InvalidParametersError,
  JobLockedError,
  RunAbandonedError,
  ScheduleNotFoundError,
  SchedulerStoppedError,
  toRunError,
  UnknownJobTypeError,
} from './errors.js';
import { executeBatch, type FollowUps } from './executor.js';
import {
  checkIdempotencyKey,
  checkSameManualRun,
  type IdempotencyOptions,
  type ManualRunRequest,
  manualRunKey,
  replayManualRun,
} from './idempotency.js';
import { type JobRun, type JobSchedule, jobLockKey } from './model.js';
import { checkParameters, JobRegistry, type JobTypeLookup, layeredJobs } from './registry.js';
import { ScheduleService } from './service.js';
import type {
  Clock,
  LockProvider,
  Logger,
  SchedulerEventMap,
  SchedulerEventName,
  SchedulerStore,
} from './types.js';

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
  /** How many schedules are claimed concurrently within a pass. @default 8 */
  claimConcurrency?: number;
  /**
   * At most this many skipped slots get a run record each per claim; older ones fold into one record whose
   * `result` says how many slots it stands for. @default 1000
   */
  maxSkipRecords?: number;
  /** Random source for backoff jitter (tests pass a fixed one). @default Math.random */
  random?: () => number;
}

/** Options of {@link JobScheduler.stop}. */
export interface StopOptions {
  /**
   * How long running handlers may finish before their signals abort (`ShutdownError`), in ms.
   * @default the scheduler's `shutdownGraceMs` (30000)
   */
  graceMs?: number | undefined;
  /**
   * What happens to the runs this instance holds and does not finish: handlers aborted after the grace period,
   * runs waiting to retry, and claimed, adopted or chained runs it had not started yet.
   *
   * - `true`: they go back to `pending` for another replica (a later pass of any scheduler picks them up): the
   *   aborted attempt is recorded `abandoned` with `CRAFT_SCHEDULER_SHUTDOWN`, and a run with no attempts left ends
   *   `abandoned`. Right for a replica that is being replaced (rolling deploy): the work continues elsewhere.
   * - `false`: they end here with status `failed` and the error `ShutdownError` (`CRAFT_SCHEDULER_SHUTDOWN`, "aborted
   *   by shutdown"): the aborted attempt is recorded `failed`; a run that had not started is recorded `failed` with
   *   no new attempt. Nothing of theirs runs again. Right when an operator interrupts the work (a CLI's SIGTERM or
   *   Ctrl-C). When resolved, no run this instance held is left `pending` or `running`.
   *
   * Once any `stop()` call passes `false`, it holds for the rest of the shutdown.
   * @default true
   */
  requeue?: boolean | undefined;
}

/** The outcome of one pass. */
export interface CycleResult {
  /** Every run record this pass created (pending runs it triggered, and slots it recorded as skipped). */
  runs: JobRun[];
  /**
   * Resolves once the runs this pass triggered or recovered have finished, and the runs they chained too
   * (transitively: chained runs chain further), with the final records of all of them: `runs` (skipped slots as
   * recorded), runs of dead replicas recovered and executed in this pass, and every chained run they triggered
   * (`trigger: 'chain'`, `parentRunId` set; including chained runs recorded `skipped`, and ones left `pending`
   * because their lock was held elsewhere or the scheduler stopped with requeue). Each run appears once.
   */
  done: Promise<JobRun[]>;
  /** Names of due schedules whose lock was taken (deferred to a later pass, not lost). */
  deferred: string[];
  /** Names of schedules whose missing `nextRunAt` was computed. */
  initialized: string[];
}

/**
 * Per-run overrides of a manual run (`runJob`, `runNow`). They apply to that one run only (they are stored on its
 * record); the job type's defaults and the schedule are unchanged. With `idempotencyKey` the run's key is
 * `manual:<sha256 of [scope, key]>`, so a retry with the same key (and scope) starts nothing and answers the run
 * the first call started (`ManualRun.replayed`), whichever process asks; the same key for another job type,
 * schedule, parameters or overrides is an `IdempotencyKeyReusedError`.
 */
export interface RunOptions extends IdempotencyOptions {
  /**
   * Attempt budget of this run: an integer >= 1.
   * @default the schedule's `maxAttempts` (for `runNow`), else the job type's `maxAttempts`
   */
  maxAttempts?: number | undefined;
  /**
   * Timeout of each attempt of this run, in seconds: an integer >= 1.
   * @default the schedule's `timeoutSeconds` (for `runNow`), else the job type's `timeoutSeconds`
   */
  timeoutSeconds?: number | undefined;
}

/** The outcome of a manual run. */
export interface ManualRun {
  /** The run record as created (status `pending`). */
  run: JobRun;
  /** Resolves with the final record (including chained runs having finished). */
  done: Promise<JobRun>;
  /**
   * `true` when `RunOptions.idempotencyKey` named a run that already existed: `run` is that run (it may be running
   * elsewhere, or finished), nothing was started, and `done` resolves once the store shows it final.
   * @default undefined (a new run)
   */
  replayed?: boolean;
}

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
 * lock. See the README for the guarantees (exactly-once triggering per slot, missed-run policies, leases).
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

  readonly #events = new EventEmitter();
  readonly #logger: Logger;
  readonly #ctx: EngineContext;
  readonly #cronCache = new Map<string, CronExpression>();
  // (expression, zone) pairs already checked by computing a next run: the check is not repeated every pass.
  readonly #validCronZones = new Set<string>();
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #softStop = new AbortController();
  readonly #hardStop = new AbortController();
  readonly #shutdown = { requeue: true };
  readonly #graceMs: number;
  readonly #maxDue: number;
  readonly #concurrency: number;
  #loop: Promise<void> | null = null;
  #wake: AbortController = new AbortController();
  #warnedTypes = new Set<string>();
  #lastPassFull = false;

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
    this.#graceMs = options.shutdownGraceMs ?? 30_000;
    this.#maxDue = options.maxDuePerPass ?? 1000;
    this.#concurrency = Math.max(1, options.claimConcurrency ?? 8);
    const user = options.registry ?? new JobRegistry();
    this.jobs = options.builtins === false ? user : layeredJobs(user, new JobRegistry(builtinJobs()));
    this.#ctx = {
      store: this.store,
      lock: this.lock,
      jobs: this.jobs,
      clock: this.clock,
      replicaId: this.replicaId,
      lockTtlMs: this.lockTtlMs,
      pollIntervalMs: this.pollIntervalMs,
      timezone: this.timezone,
      logger: this.#logger,
      maxSkipRecords: options.maxSkipRecords ?? 1000,
      random: options.random ?? Math.random,
      hardStop: this.#hardStop.signal,
      softStop: this.#softStop.signal,
      shutdown: this.#shutdown,
      self: this,
      active: new Set<string>(),
      emit: (event, payload) => this.#emit(event, payload),
      cron: (expression) => this.cron(expression),
      track: (promise) => this.#track(promise),
    };
    this.schedules = new ScheduleService({
      store: this.store,
      jobs: this.jobs,
      clock: this.clock,
      timezone: this.timezone,
      cron: (e) => this.cron(e),
      onChange: () => this.wake(),
      runner: this,
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

  /** Whether the loop runner is running. */
  get running(): boolean {
    return this.#loop !== null;
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
    const { result } = await this.#pass(false);
    return result;
  }

  /**
   * The startup pass (spec section 5): marks runs of dead replicas (expired lease) abandoned, retrying them if
   * attempts remain, and applies the missed-run policy to every schedule. Safe when several replicas call it at
   * the same moment (locks and the run ledger keep every slot exactly-once).
   */
  async handleMissedRuns(): Promise<MissedRunsResult> {
    const { result, abandoned } = await this.#pass(true);
    return { ...result, abandoned };
  }

  async #pass(startup: boolean): Promise<{ result: CycleResult; abandoned: JobRun[] }> {
    if (this.#softStop.signal.aborted) throw new SchedulerStoppedError();
    const t0 = this.clock.now();
    const done: Promise<JobRun[]>[] = [];
    const { abandoned, recovered } = await this.#recover(startup);
    done.push(...recovered);
    const runs: JobRun[] = [];
    const deferred: string[] = [];
    const initialized: string[] = [];
    let skipped = 0;
    const now = this.clock.now();
    const due = await this.store.listDueSchedules(new Date(now), this.#maxDue);
    this.#lastPassFull = due.length >= this.#maxDue;
    // Each pass walks the due list in its own random order, so replicas passing at the same moment spread over
    // different schedules instead of contending for the same locks one after another. Results are reported in
    // the list's order.
    const order = shuffledIndexes(due.length);
    const outcomes: ScheduleOutcome[] = new Array(due.length).fill(null);
    let next = 0;
    const worker = async () => {
      while (next < order.length && !this.#softStop.signal.aborted) {
        const index = order[next++] as number;
        const schedule = due[index] as JobSchedule;
        try {
          outcomes[index] = await this.#processSchedule(schedule, now);
        } catch (error) {
          this.#logger.error('claiming a schedule failed', {
            jobName: schedule.jobName,
            error: toRunError(error).message,
          });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, due.length) }, worker));
    due.forEach((schedule, index) => {
      const r = outcomes[index];
      if (r === 'deferred') deferred.push(schedule.jobName);
      else if (r === 'initialized') initialized.push(schedule.jobName);
      else if (r) {
        runs.push(...r.created);
        skipped += r.created.filter((x) => x.status === 'skipped').length;
        done.push(r.done);
      }
    });
    const skippedRuns = runs.filter((r) => r.status === 'skipped');
    const all = Promise.all(done).then((lists) => {
      const byId = new Map<string, JobRun>();
      for (const r of skippedRuns) byId.set(r.id, r);
      for (const list of lists) for (const r of list) byId.set(r.id, r);
      return [...byId.values()];
    });
    this.#emit('cycle:completed', {
      triggered: runs.length - skipped,
      skipped,
      deferred: deferred.length,
      durationMs: this.clock.now() - t0,
    });
    return { result: { runs, done: all, deferred, initialized }, abandoned };
  }

  async #processSchedule(schedule: JobSchedule, now: number): Promise<ScheduleOutcome> {
    if (!this.jobs.get(schedule.jobType)) {
      if (!this.#warnedTypes.has(schedule.jobType)) {
        this.#warnedTypes.add(schedule.jobType);
        this.#logger.warn('schedule has a job type this replica does not know; left for other replicas', {
          jobName: schedule.jobName,
          jobType: schedule.jobType,
        });
      }
      return null;
    }
    const timezone = schedule.timezone ?? this.timezone;
    let cron: CronExpression;
    try {
      cron = this.cron(schedule.cronExpression);
      const pair = `${timezone}\u0000${schedule.cronExpression}`;
      if (!this.#validCronZones.has(pair)) {
        cron.next(now, { timezone }); // validates the zone
        if (this.#validCronZones.size > 10_000) this.#validCronZones.clear();
        this.#validCronZones.add(pair);
      }
    } catch (error) {
      this.#logger.error('schedule has an invalid cron expression or timezone; not triggered', {
        jobName: schedule.jobName,
        error: toRunError(error).message,
      });
      return null;
    }
    if (schedule.nextRunAt === null) {
      const nextRunAt = cron.next(now, { timezone });
      const updated = await this.store.updateSchedule(schedule.jobName, { nextRunAt }, { nextRunAt: null });
      if (updated) this.#emit('schedule:repaired', { jobName: schedule.jobName, previous: null, nextRunAt });
      return 'initialized';
    }
    // Still due? (Another replica may have claimed it since the list was read; then this costs one read, not a
    // lock acquire and release.) The same read is the claim's input: a claim that races another one after it is
    // kept exactly-once by the run keys and the compare-and-set of next_run_at (see claim.ts).
    const fresh = await this.store.getSchedule(schedule.jobName);
    if (!fresh?.isEnabled || fresh.nextRunAt === null || fresh.nextRunAt.getTime() > now) return null;
    const key = jobLockKey(schedule.jobName);
    const lease = await this.lock.acquire(key, this.replicaId, this.lockTtlMs);
    if (!lease) {
      this.#emit('lock:contended', { key, jobName: schedule.jobName });
      return 'deferred';
    }
    try {
      const claim = await claimSchedule(this.#ctx, fresh, lease, now);
      if (claim.toRun.length === 0) {
        await this.lock.release(lease);
        return { created: claim.created, done: Promise.resolve([]) };
      }
      const followUps: Promise<JobRun[]>[] = [];
      const collector: FollowUps = { push: (p) => followUps.push(p) };
      const batch = this.#track(executeBatch(this.#ctx, lease, claim.toRun, collector, claim.startHint));
      return {
        created: claim.created,
        done: batch.then(async (r) => [...r, ...(await settleAll(followUps))]),
      };
    } catch (error) {
      await this.lock.release(lease).catch(noop);
      throw error;
    }
  }

  /**
   * Finds runs whose lease expired (their replica died, or a chained run whose lock was taken): a `running` one
   * gets its attempt marked abandoned and goes back to `pending` if attempts remain (else ends `abandoned`);
   * pending ones are then executed here if their lock is free.
   */
  async #recover(all: boolean): Promise<{ abandoned: JobRun[]; recovered: Promise<JobRun[]>[] }> {
    const abandoned: JobRun[] = [];
    const recovered: Promise<JobRun[]>[] = [];
    const expired = await this.store.listRuns({
      status: ['pending', 'running'],
      leaseExpired: true,
      order: 'asc',
      limit: all ? 10_000 : this.#maxDue,
    });
    for (let run of expired) {
      if (this.#softStop.signal.aborted) break;
      if (this.#ctx.active.has(run.id)) continue;
      if (run.status === 'running') {
        const now = new Date(this.clock.now());
        const error = toRunError(new RunAbandonedError(run.replicaId));
        const attempts = run.attempts.map((a) => ({ ...a }));
        const last = attempts[attempts.length - 1];
        if (last && last.status === 'running') {
          last.status = 'abandoned';
          last.finishedAt = now;
          last.error = error;
        }
        const retry = attempts.length < run.maxAttempts;
        const updated = await this.store.updateRun(
          run.id,
          {
            set: retry
              ? { status: 'pending', attempts, error, leaseOwner: null }
              : { status: 'abandoned', attempts, error, leaseOwner: null, finishedAt: now },
          },
          { status: ['running'], fencingToken: run.fencingToken, leaseExpired: true },
        );
        if (!updated) continue;
        abandoned.push(updated);
        this.#emit('run:abandoned', { run: updated, retried: retry });
        if (!retry) {
          if (updated.jobName) {
            await this.store.updateSchedule(updated.jobName, { lastRunStatus: 'abandoned' }).catch(noop);
          }
          continue;
        }
        run = updated;
      }
      const lease = await this.lock.acquire(run.lockKey, this.replicaId, this.lockTtlMs);
      if (!lease) {
        this.#emit('lock:contended', { key: run.lockKey, jobName: run.jobName });
        continue;
      }
      const adopted = await this.store.updateRun(
        run.id,
        { set: { leaseOwner: this.replicaId }, leaseForMs: this.lockTtlMs },
        { status: ['pending'], leaseExpired: true },
      );
      if (!adopted) {
        await this.lock.release(lease).catch(noop);
        continue;
      }
      const followUps: Promise<JobRun[]>[] = [];
      const batch = this.#track(
        executeBatch(this.#ctx, lease, [adopted], { push: (p) => followUps.push(p) }),
      );
      recovered.push(batch.then(async (r) => [...r, ...(await settleAll(followUps))]));
    }
    return { abandoned, recovered };
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
    return this.#manual(
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
    return this.#manual(
      {
        jobType: schedule.jobType,
        jobName,
        parameters: schedule.parameters,
        maxAttempts: limits.maxAttempts ?? schedule.maxAttempts ?? def.maxAttempts,
        timeoutSeconds: limits.timeoutSeconds ?? schedule.timeoutSeconds ?? def.timeoutSeconds,
      },
      { ...options, parameters: null, ...limits },
    );
  }

  async #manual(
    f: {
      jobType: string;
      jobName: string | null;
      parameters: Record<string, unknown>;
      maxAttempts: number;
      timeoutSeconds: number;
    },
    options: IdempotencyOptions & Pick<ManualRunRequest, 'parameters' | 'maxAttempts' | 'timeoutSeconds'>,
  ): Promise<ManualRun> {
    if (this.#softStop.signal.aborted) throw new SchedulerStoppedError();
    // With an idempotency key the run key is derived from it: an existing run is the answer (a retry), and the
    // unique run key keeps two concurrent first calls from both inserting a run.
    const key = checkIdempotencyKey(options.idempotencyKey);
    const runKey = key === undefined ? undefined : manualRunKey(options.idempotencyScope ?? '', key);
    const request: ManualRunRequest = { ...options, jobType: f.jobType, jobName: f.jobName };
    const existing = async (): Promise<ManualRun | null> => {
      const run = runKey === undefined ? null : await this.store.getRunByKey(runKey);
      if (!run) return null;
      checkSameManualRun(run, request);
      return replayManualRun(this.store, this.clock, this.#ctx.hardStop, run);
    };
    const before = await existing();
    if (before) return before;
    const issues = checkParameters(this.jobs, f.jobType, f.parameters);
    if (issues.length > 0) throw new InvalidParametersError(f.jobType, issues);
    const lockKey = jobLockKey(f.jobName ?? f.jobType);
    const lease = await this.lock.acquire(lockKey, this.replicaId, this.lockTtlMs);
    if (!lease) {
      // A concurrent first call with the same key may hold the lock and have inserted the run by now.
      const raced = await existing();
      if (raced) return raced;
      throw new JobLockedError(lockKey);
    }
    try {
      const run = newRun(this.#ctx, {
        ...f,
        ...(runKey === undefined ? {} : { runKey }),
        slot: null,
        trigger: 'manual',
        lockKey,
        fencingToken: lease.token,
      });
      if (!(await this.store.insertRun(run, { leaseForMs: this.lockTtlMs }))) {
        // Only a keyed run can collide (a random id never does): another call inserted this key's run first.
        await this.lock.release(lease).catch(noop);
        const raced = await existing();
        if (raced) return raced;
        throw new JobLockedError(lockKey);
      }
      this.#emit('run:created', { run });
      const followUps: Promise<JobRun[]>[] = [];
      const batch = this.#track(executeBatch(this.#ctx, lease, [run], { push: (p) => followUps.push(p) }));
      const done = batch.then(async ([final]) => {
        await settleAll(followUps);
        return final ?? run;
      });
      return { run, done };
    } catch (error) {
      await this.lock.release(lease).catch(noop);
      throw error;
    }
  }

  /* ---------------------------------------------------------------------------------------------------------- */

  /** Makes a sleeping loop runner run a pass now (called when a schedule is saved through this process). */
  wake(): void {
    this.#wake.abort(DONE);
  }

  /**
   * Starts the loop runner: `handleMissedRuns()` once, then passes until {@link stop}: after each pass it sleeps
   * until the earliest `nextRunAt` (at most the poll interval, so schedules added elsewhere are seen), or until
   * {@link wake}. A failing pass is logged (`cycle:failed`) and the loop goes on. Resolves after the startup pass.
   */
  async start(): Promise<void> {
    if (this.#loop) return;
    if (this.#softStop.signal.aborted) throw new SchedulerStoppedError();
    let startup: () => void = noop;
    const started = new Promise<void>((r) => {
      startup = r;
    });
    this.#loop = this.#runLoop(startup);
    this.#emit('scheduler:started', { replicaId: this.replicaId });
    await started;
  }

  async #runLoop(startup: () => void): Promise<void> {
    let first = true;
    while (!this.#softStop.signal.aborted) {
      this.#wake = new AbortController();
      try {
        if (first) await this.handleMissedRuns();
        else await this.checkAndRunDueJobs();
      } catch (error) {
        if (this.#softStop.signal.aborted) break;
        this.#lastPassFull = false;
        this.#emit('cycle:failed', { error });
        this.#logger.error('scheduler pass failed; retrying at the next interval', {
          error: toRunError(error).message,
        });
      }
      if (first) {
        first = false;
        startup();
      }
      if (this.#softStop.signal.aborted) break;
      let delay = this.pollIntervalMs;
      try {
        if (this.#lastPassFull) {
          // More due schedules than one pass takes: go again at once.
          await this.clock.sleep(0);
          continue;
        }
        const earliest = await this.store.getEarliestNextRunAt();
        if (earliest) {
          const until = earliest.getTime() - this.clock.now();
          // A schedule still due after a pass is deferred (its lock is taken): retry soon, not in a busy loop.
          delay = Math.min(this.pollIntervalMs, until > 0 ? until : Math.min(1000, this.pollIntervalMs));
        }
      } catch (error) {
        this.#logger.warn('could not read the earliest next_run_at', { error: toRunError(error).message });
      }
      const wake = this.#wake.signal;
      const stopOrWake = AbortSignal.any([wake, this.#softStop.signal]);
      await this.clock.sleep(delay, stopOrWake);
    }
    startup();
  }

  /**
   * Stops the loop runner and drains: no new claims or attempts; running handlers get `graceMs` to finish, then
   * their signals abort (`ShutdownError`). Resolves when every execution of this instance has settled.
   *
   * What happens to the runs it interrupts depends on `requeue` (see {@link StopOptions}): by default they go back
   * to `pending` for another replica (the aborted attempt recorded `abandoned`; a run with no attempts left ends
   * `abandoned`); with `requeue: false` they end `failed` here and nothing of theirs runs again.
   */
  async stop(options: StopOptions = {}): Promise<void> {
    const graceMs = options.graceMs ?? this.#graceMs;
    if (options.requeue === false) this.#shutdown.requeue = false;
    this.#softStop.abort(DONE);
    this.wake();
    if (this.#loop) await this.#loop;
    const drained = this.idle().then(() => true);
    const grace = new AbortController();
    const timedOut = this.clock.sleep(graceMs, grace.signal).then(() => false);
    const ok = await Promise.race([drained, timedOut]);
    grace.abort(DONE);
    if (!ok) {
      this.#hardStop.abort();
      await this.idle();
    }
    if (this.#loop) {
      this.#loop = null;
      this.#emit('scheduler:stopped', { replicaId: this.replicaId });
    }
  }
}

/** Checks the per-run overrides; throws `InvalidFieldError` (snake_case field) for a value that is not an integer >= 1. */
function checkRunOptions(options: RunOptions): { maxAttempts?: number; timeoutSeconds?: number } {
  const out: { maxAttempts?: number; timeoutSeconds?: number } = {};
  const fields = [
    ['maxAttempts', 'max_attempts'],
    ['timeoutSeconds', 'timeout_seconds'],
  ] as const;
  for (const [key, field] of fields) {
    const value: unknown = options[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw new InvalidFieldError(field, value, 'an integer >= 1', {
        component: 'JobScheduler',
        noun: 'run option',
        fix: `Pass a whole number of ${key === 'maxAttempts' ? 'attempts' : 'seconds'}, or leave it out for the default.`,
      });
    }
    out[key] = value;
  }
  return out;
}

/** What a pass did with one due schedule. */
type ScheduleOutcome = 'deferred' | 'initialized' | null | { created: JobRun[]; done: Promise<JobRun[]> };

/** `0 … n-1` in a random order (Fisher–Yates). */
function shuffledIndexes(n: number): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    const t = out[i] as number;
    out[i] = out[j] as number;
    out[j] = t;
  }
  return out;
}

/** Waits for every entry of a list that grows while it is awaited (chains chain further); returns their runs. */
async function settleAll(list: Promise<JobRun[]>[]): Promise<JobRun[]> {
  const out: JobRun[] = [];
  let seen = 0;
  while (seen < list.length) {
    const batch = list.slice(seen);
    seen = list.length;
    for (const settled of await Promise.allSettled(batch)) {
      if (settled.status === 'fulfilled') out.push(...settled.value);
    }
  }
  return out;
}
