// Write-behind of the event log: events are buffered and appended in one bulk write every `flushIntervalMs` (or at
// once when `maxBatch` are waiting), so the log adds about one store call per flush, not one per run transition.
// Best effort by design: a crash loses the events of the last flush window; the run ledger stays the truth.
import { randomBytes } from 'node:crypto';
import { systemClock } from '../clock.js';
import type { JobRun } from '../model.js';
import type { ScheduleService } from '../service.js';
import type { Clock, EventLogStore, Logger, NewJobEvent, SchedulerEventMap } from '../types.js';
import { EVENT_RETENTION_MS } from './constants.js';
import {
  changedScheduleFields,
  errorData,
  type JobEventType,
  runEventData,
  scheduleEventData,
  scheduleUpdateType,
} from './payloads.js';

/** The reason a flush timer is disarmed with (see `#disarm`). */
const DISARMED = 'disarmed';

/** Options of {@link EventLogWriter} and {@link attachEventLog}. */
export interface EventLogWriterOptions {
  /** Where events go (`MemoryStore`, `@craft/mongo`'s store). */
  store: EventLogStore;
  /** How long the first buffered event waits for company before the flush, in ms. @default 100 */
  flushIntervalMs?: number;
  /** Flush at once when this many events are buffered; also the largest append. @default 500 */
  maxBatch?: number;
  /** At most this many events wait while the store fails; beyond, the oldest are dropped (and counted). @default 10000 */
  maxBuffered?: number;
  /** Events older than this (by the store's clock) are deleted by the writer. @default 604800000 (7 days) */
  retentionMs?: number;
  /**
   * How often, at most, a flush is followed by deleting expired events, in ms; the first time one interval after the
   * writer was created. @default 3600000 (1 hour)
   */
  cleanupIntervalMs?: number;
  /** Timers of the flushes (not the events' time: the store stamps that). @default systemClock */
  clock?: Clock;
  /** Where failures are logged (warn). @default none */
  logger?: Logger;
}

/** Counters of an {@link EventLogWriter}. */
export interface EventLogWriterStats {
  /** Events appended. */
  appended: number;
  /** Events dropped because the buffer was full while the store failed. */
  dropped: number;
  /** Appends that failed (their events were kept for the next flush). */
  failedFlushes: number;
  /** Events waiting now. */
  pending: number;
}

const noopLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Buffers events and appends them in batches. Ids are `<writer tag><sequence>`: unique per writer, increasing in
 * the order the events were pushed, so events one writer appends in the same millisecond read back in order.
 */
export class EventLogWriter {
  readonly #store: EventLogStore;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #flushMs: number;
  readonly #maxBatch: number;
  readonly #maxBuffered: number;
  readonly #retentionMs: number;
  readonly #cleanupMs: number;
  readonly #tag = BigInt(`0x${randomBytes(8).toString('hex')}`)
    .toString(36)
    .padStart(13, '0')
    .slice(-10);
  readonly #buffer: NewJobEvent[] = [];
  readonly #detach: (() => void)[] = [];
  #seq = 0;
  #timer: AbortController | null = null;
  #timerImmediate = false;
  #flushing: Promise<void> | null = null;
  #lastCleanup: number;
  #failures = 0;
  #closed = false;
  #stats = { appended: 0, dropped: 0, failedFlushes: 0 };

  constructor(options: EventLogWriterOptions) {
    this.#store = options.store;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? noopLogger;
    this.#flushMs = Math.max(0, options.flushIntervalMs ?? 100);
    this.#maxBatch = Math.max(1, options.maxBatch ?? 500);
    this.#maxBuffered = Math.max(this.#maxBatch, options.maxBuffered ?? 10_000);
    this.#retentionMs = options.retentionMs ?? EVENT_RETENTION_MS;
    this.#cleanupMs = options.cleanupIntervalMs ?? 3_600_000;
    // The first deletion comes one interval after the writer started: a short-lived writer (a CLI command) costs
    // no extra store call; long-lived ones (the API's replicas) delete hourly.
    this.#lastCleanup = this.#clock.now();
  }

  /** Counters (appended, dropped, failed flushes, pending). */
  get stats(): EventLogWriterStats {
    return { ...this.#stats, pending: this.#buffer.length };
  }

  /** Buffers one event (the flush timer starts with the first one). Ignored after {@link close}. */
  push(type: string, jobName: string | null, runId: string | null, data: Record<string, unknown>): void {
    if (this.#closed) return;
    const id = `${this.#tag}${(this.#seq++).toString(36).padStart(8, '0')}`;
    this.#buffer.push({ id, type, jobName, runId, data });
    if (this.#buffer.length > this.#maxBuffered) this.#drop(this.#buffer.length - this.#maxBuffered);
    if (this.#buffer.length >= this.#maxBatch) this.#arm(0);
    else this.#arm(this.#flushMs);
  }

  /** Registers a function {@link close} calls (the listeners of {@link attachEventLog}). */
  onClose(detach: () => void): void {
    this.#detach.push(detach);
  }

  /** Appends everything buffered now (after an append in flight); one store call per `maxBatch` events. */
  async flush(): Promise<void> {
    for (;;) {
      while (this.#flushing) await this.#flushing;
      if (this.#buffer.length === 0) return;
      this.#disarm();
      const run = this.#append();
      this.#flushing = run;
      try {
        await run;
      } finally {
        if (this.#flushing === run) this.#flushing = null;
      }
      // A failed append leaves the events buffered: stop here (the retry timer takes over).
      if (this.#failures > 0) return;
    }
  }

  /** Stops listening, then appends what is buffered (one attempt). Safe to call twice. */
  async close(): Promise<void> {
    for (const detach of this.#detach.splice(0)) detach();
    this.#closed = true;
    this.#disarm();
    this.#failures = 0;
    await this.flush();
  }

  async #append(): Promise<void> {
    const batch = this.#buffer.splice(0, this.#maxBatch);
    try {
      await this.#store.appendEvents(batch);
      this.#stats.appended += batch.length;
      this.#failures = 0;
    } catch (error) {
      // Kept for the next flush: appends are idempotent per id, so a write that landed but whose answer was lost
      // is not duplicated by the retry.
      this.#buffer.unshift(...batch);
      if (this.#buffer.length > this.#maxBuffered) this.#drop(this.#buffer.length - this.#maxBuffered);
      this.#stats.failedFlushes++;
      this.#failures++;
      if (this.#failures === 1 || this.#failures % 50 === 0) {
        this.#logger.warn('event log: append failed; events kept for the next flush', {
          error: (error as Error).message,
          failures: this.#failures,
          pending: this.#buffer.length,
        });
      }
      if (!this.#closed) this.#arm(Math.min(5000, this.#flushMs * 2 ** Math.min(this.#failures, 6)));
      return;
    }
    if (this.#buffer.length > 0 && !this.#closed)
      this.#arm(this.#buffer.length >= this.#maxBatch ? 0 : this.#flushMs);
    await this.#cleanup();
  }

  async #cleanup(): Promise<void> {
    const now = this.#clock.now();
    if (now - this.#lastCleanup < this.#cleanupMs) return;
    this.#lastCleanup = now;
    try {
      await this.#store.deleteEvents({ olderThanMs: this.#retentionMs });
    } catch (error) {
      this.#logger.warn('event log: deleting expired events failed', { error: (error as Error).message });
    }
  }

  #drop(n: number): void {
    // While the store fails, every push past the bound drops one event: `shift` is O(1) in V8 (the array's start
    // moves), `splice(0, 1)` copies the whole buffer (about 50 µs for 10,000 events, on every event of an outage).
    if (n <= 64) for (let i = 0; i < n; i++) this.#buffer.shift();
    else this.#buffer.splice(0, n);
    this.#stats.dropped += n;
    if (this.#stats.dropped === n || this.#stats.dropped % 1000 < n) {
      this.#logger.warn('event log: buffer full while the store fails; oldest events dropped', {
        dropped: this.#stats.dropped,
      });
    }
  }

  #arm(ms: number): void {
    if (this.#closed && ms > 0) return;
    if (this.#timer) {
      // A flush is already due; an immediate one replaces a later one below (once: every push past a full batch
      // asks for one, issue "Scale").
      if (ms > 0 || this.#timerImmediate) return;
      this.#disarm();
    }
    const timer = new AbortController();
    this.#timer = timer;
    this.#timerImmediate = ms <= 0;
    this.#clock.sleep(ms, timer.signal).then(() => {
      if (timer.signal.aborted || this.#timer !== timer) return;
      this.#timer = null;
      this.flush().catch(() => {});
    });
  }

  #disarm(): void {
    // With a reason: abort() without one builds a DOMException (with its stack) on every write that re-arms.
    this.#timer?.abort(DISARMED);
    this.#timer = null;
  }
}

/** What {@link attachEventLog} subscribes to: a `JobScheduler` (its `on` and its `schedules`). */
export interface EventProducer {
  on<K extends keyof SchedulerEventMap>(
    event: K,
    listener: (payload: SchedulerEventMap[K]) => void,
  ): () => void;
  readonly schedules: Pick<ScheduleService, 'on'>;
}

/**
 * Records a scheduler's run lifecycle and its schedule changes in the event log: subscribes to the scheduler's
 * public events (`run:*`) and to its `ScheduleService` (`schedule:*`), writes behind through an
 * {@link EventLogWriter}, flushes when the scheduler stops. Call `close()` on the result after `scheduler.stop()`
 * (and before closing the store): it unsubscribes and appends what is still buffered.
 *
 * Each event is produced once, by the replica where it happened (the claimer creates a run, its executor starts and
 * finishes it, a recovering replica abandons it).
 */
export function attachEventLog(scheduler: EventProducer, options: EventLogWriterOptions): EventLogWriter {
  const writer = new EventLogWriter(options);
  const run = (type: JobEventType, r: JobRun, extra?: Record<string, unknown>) =>
    writer.push(type, r.jobName, r.id, runEventData(r, extra));
  const off = [
    scheduler.on('run:created', ({ run: r }) => run('run:created', r)),
    scheduler.on('run:started', ({ run: r, attempt }) => run('run:started', r, { attempt })),
    scheduler.on('run:succeeded', ({ run: r, durationMs }) =>
      run('run:succeeded', r, { duration_ms: durationMs }),
    ),
    scheduler.on('run:retrying', ({ run: r, attempt, delayMs, error }) =>
      run('run:retrying', r, { attempt, delay_ms: delayMs, error: errorData(error) }),
    ),
    scheduler.on('run:failed', ({ run: r, error }) => run('run:failed', r, { error: errorData(error) })),
    scheduler.on('run:timed_out', ({ run: r }) => run('run:timed_out', r, { error: errorData(r.error) })),
    scheduler.on('run:skipped', ({ run: r, reason }) => run('run:skipped', r, { reason })),
    scheduler.on('run:abandoned', ({ run: r, retried }) => run('run:abandoned', r, { retried })),
    scheduler.on('run:cancelled', ({ run: r, by }) => run('run:cancelled', r, { by })),
    scheduler.on('run:lease_lost', (payload) => {
      const reason = (payload as { reason?: unknown }).reason;
      run('run:lease_lost', payload.run, typeof reason === 'string' ? { reason } : {});
    }),
    scheduler.schedules.on('schedule:created', ({ schedule }) =>
      writer.push('schedule:created', schedule.jobName, null, scheduleEventData(schedule)),
    ),
    scheduler.schedules.on('schedule:updated', ({ schedule, previous }) =>
      writer.push(
        scheduleUpdateType(previous, schedule),
        schedule.jobName,
        null,
        scheduleEventData(schedule, { changed: changedScheduleFields(previous, schedule) }),
      ),
    ),
    scheduler.schedules.on('schedule:deleted', ({ schedule }) =>
      writer.push('schedule:deleted', schedule.jobName, null, scheduleEventData(schedule)),
    ),
    scheduler.on('scheduler:stopped', () => {
      writer.flush().catch(() => {});
    }),
  ];
  for (const unsubscribe of off) writer.onClose(unsubscribe);
  return writer;
}
