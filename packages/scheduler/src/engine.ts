// Internal: what the engine's modules (pass, claim, execution, recovery, manual runs) share. Not public API.
import { randomUUID } from 'node:crypto';
import type { CronExpression } from '@craft/cron';
import type { CallBatcher } from './call-batcher.js';
import type { CancelRequests } from './cancel-requests.js';
import type { LeaseTiming } from './heartbeat.js';
import type { InsertBatcher } from './insert-batcher.js';
import type { LockBatcher } from './lock-batcher.js';
import { type JobRun, type JobSchedule, type RunTrigger, runLockKey } from './model.js';
import type { JobTypeLookup } from './registry.js';
import type { RunSlots } from './run-slots.js';
import type {
  Clock,
  Lease,
  LockProvider,
  Logger,
  RunWrite,
  SchedulerEventMap,
  SchedulerStore,
  ScheduleWrite,
} from './types.js';

export interface EngineContext {
  readonly store: SchedulerStore;
  readonly lock: LockProvider;
  readonly jobs: JobTypeLookup;
  readonly clock: Clock;
  readonly replicaId: string;
  readonly lockTtlMs: number;
  /** The lease arithmetic of `lockTtlMs` (renewal period, deadline margin, call timeout, retry pause). */
  readonly timing: LeaseTiming;
  /** Monotonic time of the clock (lease deadlines): `clock.monotonic()`, else `clock.now()`. */
  mono(): number;
  readonly pollIntervalMs: number;
  readonly timezone: string;
  readonly logger: Logger;
  readonly maxSkipRecords: number;
  readonly random: () => number;
  /** Aborts when stop() has waited its grace period: running handlers are aborted. */
  readonly hardStop: AbortSignal;
  /** Aborts when stop() is called: no new claims, no new attempts. */
  readonly softStop: AbortSignal;
  /**
   * How stop() treats runs it interrupts: `requeue` (default) hands them back as `pending`; false records them
   * `failed` (set by `stop({ requeue: false })` before `softStop` aborts).
   */
  readonly shutdown: { requeue: boolean };
  /** The public scheduler object, handed to handlers as `context.scheduler`. */
  readonly self: unknown;
  emit<K extends keyof SchedulerEventMap>(event: K, payload: SchedulerEventMap[K]): void;
  cron(expression: string): CronExpression;
  /** Registers background work so stop() and idle() can wait for it. */
  track<T>(promise: Promise<T>): Promise<T>;
  /** Run ids currently executed or queued by this process (recovery leaves them alone). */
  readonly active: Set<string>;
  /** Logs `message` once per `key` (e.g. per unknown job type) for the life of this scheduler. */
  warnOnce(key: string, message: string, data: Record<string, unknown>): void;
  /** Cancel requests seen for the runs this replica holds (cancel-requests.ts). */
  readonly cancels: CancelRequests;
  /** The cap on handlers running at once in this replica (run-slots.ts). */
  readonly slots: RunSlots;
  /** Run inserts of concurrent claims, gathered into one store call (insert-batcher.ts). */
  readonly inserts: InsertBatcher;
  /** Lock acquires of a batch's claims, gathered into one lock call (lock-batcher.ts). */
  readonly locks: LockBatcher;
  /** Guarded run writes of concurrent runs, gathered into one store call (write-batchers.ts). */
  readonly runWrites: CallBatcher<RunWrite, JobRun | null>;
  /** Guarded schedule writes of concurrent claims and runs, gathered into one store call (write-batchers.ts). */
  readonly scheduleWrites: CallBatcher<ScheduleWrite, JobSchedule | null>;
  /** Lock releases of runs that end together, gathered into one lock call (write-batchers.ts). */
  readonly releases: CallBatcher<Lease, void>;
}

export interface NewRunFields {
  runKey?: string;
  jobType: string;
  jobName: string | null;
  slot: Date | null;
  trigger: RunTrigger;
  parameters: Record<string, unknown>;
  maxAttempts: number;
  timeoutSeconds: number;
  lockKey: string;
  parentRunId?: string | null;
  fencingToken?: number | null;
  status?: 'pending' | 'skipped';
  result?: unknown;
  /** DST marker and intended wall time of the slot (spec section 10). @default null */
  dst?: JobRun['dst'];
  wallTime?: string | null;
  /** The slot plus its jitter offset. @default null */
  dueAt?: Date | null;
  /**
   * `own`: the run holds its own lease (`lockKey` becomes `run:<id>`: a run of an `allow` schedule), no schedule
   * lock. @default 'lock'
   */
  lease?: 'lock' | 'own';
  /** `false`: insert the run unleased (`leaseOwner` null), for any replica to adopt (backfill). @default true */
  leased?: boolean;
}

/** A fresh run record owned (leased) by this replica; skipped runs are final and unowned. */
export function newRun(ctx: EngineContext, f: NewRunFields): JobRun {
  const id = randomUUID();
  const now = new Date(ctx.clock.now());
  const skipped = f.status === 'skipped';
  const unleased = skipped || f.leased === false;
  return {
    id,
    runKey: f.runKey ?? id,
    jobType: f.jobType,
    jobName: f.jobName,
    slot: f.slot,
    trigger: f.trigger,
    parameters: f.parameters,
    status: skipped ? 'skipped' : 'pending',
    attempts: [],
    maxAttempts: f.maxAttempts,
    timeoutSeconds: f.timeoutSeconds,
    startedAt: null,
    finishedAt: skipped ? now : null,
    result: f.result ?? null,
    error: null,
    parentRunId: f.parentRunId ?? null,
    replicaId: ctx.replicaId,
    lockKey: f.lease === 'own' ? runLockKey(id) : f.lockKey,
    leaseOwner: unleased ? null : ctx.replicaId,
    leaseExpiresAt: unleased ? null : new Date(now.getTime() + ctx.lockTtlMs),
    fencingToken: f.fencingToken ?? null,
    cancelRequestedAt: null,
    cancelRequestedBy: null,
    createdAt: now,
    updatedAt: now,
    dst: f.dst ?? null,
    wallTime: f.wallTime ?? null,
    dueAt: f.dueAt ?? null,
  };
}

/** A JSON-safe copy of a handler result (undefined → null; unserialisable values are described). */
export function toJsonResult(value: unknown): unknown {
  if (value === undefined) return null;
  try {
    const s = JSON.stringify(value);
    return s === undefined ? null : JSON.parse(s);
  } catch (error) {
    return { unserializable: String(value), reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Abort reason for internal controllers (cheaper than the DOMException `abort()` creates). */
export const DONE = Object.freeze({ reason: 'done' });

/**
 * Collects the chained runs a batch triggers (and the runs they chain in turn) so `done` can wait for them and
 * report them: each entry resolves with the records of chained runs (final, or as last known).
 */
export interface FollowUps {
  push(promise: Promise<JobRun[]>): void;
}

/** Waits for every entry of a list that grows while it is awaited (chains chain further); returns their runs. */
export async function settleAll(list: Promise<JobRun[]>[]): Promise<JobRun[]> {
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

/**
 * Whether `run` holds its own lease (`lockKey` is `run:<id>`: a run of an `overlap_policy: allow` schedule) rather
 * than a schedule or job-type lock. Such a run takes no lock: its run record is its lease (owner, expiry, and a
 * fencing token of its own that each start increments), and its `last_run_*` writes are conditioned on
 * `last_run_at` instead of a lock token.
 */
export function ownsLease(run: Pick<JobRun, 'id' | 'lockKey'>): boolean {
  return run.lockKey === runLockKey(run.id);
}
