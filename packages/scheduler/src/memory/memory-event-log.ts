import { systemClock } from '../clock.js';
import { compareEventCursors, EVENT_ID_PATTERN, eventCursor } from '../events/cursor.js';
import type {
  Clock,
  EventCursor,
  EventLogStore,
  EventPage,
  EventReadQuery,
  JobEvent,
  NewJobEvent,
} from '../types.js';
import { deepCopy } from './deep-copy.js';

/** Options of {@link MemoryEventLog}. */
export interface MemoryEventLogOptions {
  /** The log's time source (`at` stamps, settle and age). @default systemClock */
  clock?: Clock;
}

const copyEvent = (e: JobEvent): JobEvent => ({
  ...e,
  at: new Date(e.at.getTime()),
  data: deepCopy(e.data),
});

/**
 * In-process {@link EventLogStore} (part of `MemoryStore`): events kept sorted by (`at`, `id`), stamped with the
 * injected clock. The reference implementation of the event log contract.
 */
export class MemoryEventLog implements EventLogStore {
  readonly #clock: Clock;
  readonly #events: JobEvent[] = [];
  readonly #ids = new Set<string>();

  constructor(options: MemoryEventLogOptions = {}) {
    this.#clock = options.clock ?? systemClock;
  }

  async appendEvents(events: readonly NewJobEvent[]): Promise<void> {
    await Promise.resolve();
    for (const e of events) checkEvent(e);
    for (const e of events) {
      if (this.#ids.has(e.id)) continue;
      const stored: JobEvent = {
        id: e.id,
        type: e.type,
        jobName: e.jobName,
        runId: e.runId,
        data: deepCopy(e.data),
        at: new Date(this.#clock.now()),
      };
      // Sorted insert: the clock never goes back, so this is the end unless an id of this millisecond sorts later.
      // (An event is its own cursor: compared as it is, no copy per step.)
      let i = this.#events.length;
      while (i > 0 && compareEventCursors(this.#events[i - 1] as JobEvent, stored) > 0) i--;
      if (i === this.#events.length) this.#events.push(stored);
      else this.#events.splice(i, 0, stored);
      this.#ids.add(e.id);
    }
  }

  async readEvents(query: EventReadQuery): Promise<EventPage> {
    await Promise.resolve();
    const now = this.#clock.now();
    const horizon = new Date(now - (query.settleMs ?? 0));
    const floor = query.maxAgeMs === undefined ? Number.NEGATIVE_INFINITY : now - query.maxAgeMs;
    const after = query.after ?? null;
    const out: JobEvent[] = [];
    // Binary search for the first event after `after` (the list is sorted by position).
    let lo = 0;
    let hi = this.#events.length;
    while (after && lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareEventCursors(this.#events[mid] as JobEvent, after) <= 0) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.#events.length && out.length < query.limit; i++) {
      const e = this.#events[i] as JobEvent;
      const t = e.at.getTime();
      if (t > horizon.getTime()) break;
      if (t <= floor) continue;
      out.push(copyEvent(e));
    }
    return { events: out, horizon };
  }

  async deleteEvents(filter: { olderThanMs: number }): Promise<number> {
    await Promise.resolve();
    const cutoff = this.#clock.now() - filter.olderThanMs;
    let n = 0;
    while (n < this.#events.length && (this.#events[n] as JobEvent).at.getTime() < cutoff) n++;
    for (const e of this.#events.splice(0, n)) this.#ids.delete(e.id);
    return n;
  }

  async oldestEventCursor(): Promise<EventCursor | null> {
    await Promise.resolve();
    const first = this.#events[0];
    return first ? eventCursor(first) : null;
  }
}

/** Rejects an event the contract does not allow (a programming error of the writer). */
export function checkEvent(e: NewJobEvent): void {
  if (typeof e.id !== 'string' || !EVENT_ID_PATTERN.test(e.id)) {
    throw new TypeError(
      `event log: event id ${JSON.stringify(e.id)} is not 1-64 characters of [0-9A-Za-z_-]`,
    );
  }
  if (typeof e.type !== 'string' || e.type.length === 0 || e.type.length > 100) {
    throw new TypeError(
      `event log: event type ${JSON.stringify(e.type)} must be a string of 1-100 characters`,
    );
  }
}
