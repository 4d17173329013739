// Reading the event log for live subscribers: ONE poller per feed (per API process), fanning out to every
// subscriber, and a catch-up read per subscriber that resumes from an older position until it reaches the poller.
//
// Ordering and resumption (see the README's "Event log"): events are ordered by (store clock at append, id), and
// the feed delivers only events older than `settleMs` by the store's clock, so an append still in flight can never
// land behind a position already handed out. A subscriber's position only moves forward, so nothing is delivered
// twice to it, and a client that resumes with the last id it saw gets exactly what came after.
import { systemClock } from '../clock.js';
import type { Clock, EventCursor, EventLogStore, EventPage, JobEvent, Logger } from '../types.js';
import { DEFAULT_EVENT_POLL_INTERVAL_MS, DEFAULT_EVENT_SETTLE_MS, EVENT_RETENTION_MS } from './constants.js';
import {
  compareEventCursors,
  eventCursor,
  formatEventCursor,
  laterCursor,
  parseEventCursor,
} from './cursor.js';

/** Options of {@link EventFeed}. */
export interface EventFeedOptions {
  /** The log to read. */
  store: EventLogStore;
  /** How often the log is read while anyone listens, in ms. @default 250 */
  pollIntervalMs?: number;
  /** Events younger than this by the store's clock are not delivered yet (see {@link DEFAULT_EVENT_SETTLE_MS}). @default 1000 */
  settleMs?: number;
  /** Older events are ignored, and an older `Last-Event-ID` gets a reset. @default 604800000 (7 days) */
  retentionMs?: number;
  /** Events per read. @default 500 */
  batchSize?: number;
  /** Timers of the polls (not the events' time: the store judges that). @default systemClock */
  clock?: Clock;
  /** Where read failures are logged (warn). @default none */
  logger?: Logger;
}

/** Why a subscriber starts from now instead of where it asked. */
export type EventResetReason = 'expired' | 'invalid' | 'unknown';

/** Where a subscription starts ({@link EventFeed.resolveStart}). */
export interface EventStart {
  /** The position to subscribe from. */
  cursor: EventCursor;
  /**
   * Set when the requested `Last-Event-ID` cannot be resumed: `expired` (older than the retention, or its event
   * was deleted), `invalid` (not an id this service gives out), `unknown` (names a time ahead of the store's clock:
   * another database?). The subscription then starts from now; the client should reload its state.
   */
  reset: { reason: EventResetReason; lastEventId: string } | null;
}

/** Where a subscriber's events go. Called synchronously, in order. */
export interface EventSink {
  /** An event after the subscriber's position (and passing its filter). Return `false` to be dropped (too slow). */
  event(event: JobEvent, id: string): boolean | undefined;
  /** The subscription ended: the feed closed, or dropped this subscriber (`slow`). Not called after `close()`. */
  end(reason: 'closed' | 'slow'): void;
}

/** A live subscription. */
export interface EventSubscription {
  /** The subscriber's position: every event up to it was delivered or filtered out. */
  readonly cursor: EventCursor;
  /** Stops delivering. */
  close(): void;
}

interface Subscriber {
  cursor: EventCursor;
  sink: EventSink;
  filter: ((event: JobEvent) => boolean) | undefined;
  closed: boolean;
}

const noopLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
// A Last-Event-ID this far ahead of the store's clock was not given out by this log.
const FUTURE_TOLERANCE_MS = 60_000;

/** `types` and `jobName` filters as a predicate (undefined when neither is set). */
export function eventFilter(options: {
  jobName?: string | undefined;
  types?: readonly string[] | undefined;
}): ((event: JobEvent) => boolean) | undefined {
  const { jobName } = options;
  const types = options.types && options.types.length > 0 ? new Set(options.types) : undefined;
  if (jobName === undefined && types === undefined) return undefined;
  return (e) =>
    (jobName === undefined || e.jobName === jobName) && (types === undefined || types.has(e.type));
}

/**
 * Follows an {@link EventLogStore} for any number of subscribers with one poller: `resolveStart` decides where a
 * subscriber starts (its `Last-Event-ID`, a `since` instant, or now) and whether it needs a reset; `subscribe`
 * delivers every later event exactly once, in order. The poller runs only while someone listens.
 */
export class EventFeed {
  readonly #store: EventLogStore;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #pollMs: number;
  readonly #settleMs: number;
  readonly #retentionMs: number;
  readonly #batch: number;
  readonly #live = new Set<Subscriber>();
  readonly #all = new Set<Subscriber>();
  readonly #stop = new AbortController();
  #cursor: EventCursor | null = null;
  #loop: Promise<void> | null = null;
  #failures = 0;

  constructor(options: EventFeedOptions) {
    this.#store = options.store;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? noopLogger;
    this.#pollMs = Math.max(1, options.pollIntervalMs ?? DEFAULT_EVENT_POLL_INTERVAL_MS);
    this.#settleMs = Math.max(0, options.settleMs ?? DEFAULT_EVENT_SETTLE_MS);
    this.#retentionMs = options.retentionMs ?? EVENT_RETENTION_MS;
    this.#batch = Math.max(1, options.batchSize ?? 500);
  }

  /** Number of open subscriptions. */
  get size(): number {
    return this.#all.size;
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.#stop.signal.aborted;
  }

  /**
   * Where a subscriber starts: after `lastEventId` when it can be resumed (see {@link EventStart.reset}), else after
   * `since` (clamped to the retention), else now. Reads the store (throws its errors: nothing is subscribed yet).
   */
  async resolveStart(
    from: { lastEventId?: string | null | undefined; since?: Date | null | undefined } = {},
  ): Promise<EventStart> {
    // An empty read (nothing is both older and younger than the settle time) that returns the store's horizon.
    const probe = await this.#read(null, { maxAgeMs: this.#settleMs });
    const now = probe.horizon.getTime() + this.#settleMs;
    const fromNow: EventCursor = { at: probe.horizon, id: null };
    const last = from.lastEventId?.trim();
    if (last) {
      const reset = (reason: EventResetReason): EventStart => ({
        cursor: fromNow,
        reset: { reason, lastEventId: last },
      });
      const cursor = parseEventCursor(last);
      if (!cursor) return reset('invalid');
      if (cursor.at.getTime() > now + FUTURE_TOLERANCE_MS) return reset('unknown');
      if (now - cursor.at.getTime() >= this.#retentionMs) return reset('expired');
      if (cursor.id !== null) {
        // The client saw this event; if the log no longer reaches back to it, events after it may be gone too.
        const oldest = await this.#store.oldestEventCursor();
        if (oldest === null || compareEventCursors(cursor, oldest) < 0) return reset('expired');
      }
      return { cursor, reset: null };
    }
    if (from.since) {
      const floor = now - this.#retentionMs;
      return { cursor: { at: new Date(Math.max(floor, from.since.getTime() - 1)), id: null }, reset: null };
    }
    return { cursor: fromNow, reset: null };
  }

  /**
   * Delivers every event after `start` (that passes `filter`) to `sink`, in order, until closed. Starts the poller
   * when it is the first subscriber.
   */
  subscribe(start: EventCursor, sink: EventSink, filter?: (event: JobEvent) => boolean): EventSubscription {
    const sub: Subscriber = { cursor: start, sink, filter, closed: false };
    if (this.closed) {
      sub.closed = true;
      queueMicrotask(() => sink.end('closed'));
    } else {
      this.#all.add(sub);
      this.#catchUp(sub).catch(() => {});
    }
    return {
      get cursor() {
        return sub.cursor;
      },
      close: () => this.#remove(sub),
    };
  }

  /** Ends every subscription (`end('closed')`) and stops polling. */
  async close(): Promise<void> {
    this.#stop.abort();
    for (const sub of [...this.#all]) {
      this.#remove(sub);
      sub.sink.end('closed');
    }
    await this.#loop;
  }

  #remove(sub: Subscriber): void {
    sub.closed = true;
    this.#all.delete(sub);
    this.#live.delete(sub);
  }

  #read(after: EventCursor | null, extra: { maxAgeMs?: number } = {}): Promise<EventPage> {
    return this.#store.readEvents({
      after,
      limit: this.#batch,
      settleMs: this.#settleMs,
      maxAgeMs: extra.maxAgeMs ?? this.#retentionMs,
    });
  }

  /** Reads on the subscriber's own until it reaches the poller's position, then joins it (no await in between). */
  async #catchUp(sub: Subscriber): Promise<void> {
    let failures = 0;
    while (!sub.closed) {
      if (!this.#loop) {
        // No poller: this subscriber's position becomes the poller's, which then reads for it.
        this.#cursor = sub.cursor;
        this.#live.add(sub);
        this.#loop = this.#run();
        return;
      }
      if (this.#cursor && compareEventCursors(sub.cursor, this.#cursor) >= 0) {
        // At or past the poller: every later page reaches it; events up to its own position are skipped there.
        this.#live.add(sub);
        return;
      }
      try {
        const page = await this.#read(sub.cursor);
        failures = 0;
        if (sub.closed) return;
        this.#deliver(sub, page);
      } catch (error) {
        failures++;
        this.#warn(error, failures);
        await this.#clock.sleep(this.#backoff(failures), this.#stop.signal);
      }
    }
  }

  async #run(): Promise<void> {
    try {
      while (!this.closed && this.#live.size > 0) {
        let full = false;
        try {
          const page = await this.#read(this.#cursor);
          this.#failures = 0;
          full = page.events.length >= this.#batch;
          for (const sub of [...this.#live]) this.#deliver(sub, page);
          this.#cursor = this.#advance(this.#cursor as EventCursor, page);
        } catch (error) {
          this.#failures++;
          this.#warn(error, this.#failures);
        }
        if (!full) await this.#clock.sleep(this.#backoff(this.#failures), this.#stop.signal);
      }
    } finally {
      // Synchronously with the last check above: a subscriber arriving now starts a new poller.
      this.#loop = null;
      this.#cursor = null;
    }
  }

  /** Hands `page`'s events after the subscriber's position to its sink, then moves its position. */
  #deliver(sub: Subscriber, page: EventPage): void {
    for (const event of page.events) {
      if (sub.closed) return;
      const key = eventCursor(event);
      if (compareEventCursors(key, sub.cursor) <= 0) continue;
      sub.cursor = key;
      if (sub.filter && !sub.filter(event)) continue;
      if (sub.sink.event(event, formatEventCursor(key)) === false) {
        this.#remove(sub);
        sub.sink.end('slow');
        return;
      }
    }
    sub.cursor = this.#advance(sub.cursor, page);
  }

  /** After a page: its last event when the page was full, else at least the horizon (nothing at or before it is missing). */
  #advance(cursor: EventCursor, page: EventPage): EventCursor {
    const last = page.events.at(-1);
    const afterLast = last ? laterCursor(cursor, eventCursor(last)) : cursor;
    if (page.events.length >= this.#batch) return afterLast;
    return laterCursor(afterLast, { at: page.horizon, id: null });
  }

  #backoff(failures: number): number {
    return failures === 0 ? this.#pollMs : Math.min(10_000, this.#pollMs * 2 ** Math.min(failures, 6));
  }

  #warn(error: unknown, failures: number): void {
    if (failures === 1 || failures % 20 === 0) {
      this.#logger.warn('event feed: reading the event log failed; retrying', {
        error: (error as Error).message,
        failures,
      });
    }
  }
}
