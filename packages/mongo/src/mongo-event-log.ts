// The event log on MongoDB (spec section 12): collection `job_events`, one document per event, ordered by the
// database server's clock at append (`$currentDate`) and the writer's id. Read by polling (no change streams).
import {
  type Clock,
  EVENT_ID_PATTERN,
  EVENT_RETENTION_MS,
  type EventCursor,
  type EventLogStore,
  type EventPage,
  type EventReadQuery,
  type JobEvent,
  type NewJobEvent,
} from '@craft/scheduler';
import type { AnyBulkWriteOperation, Collection, Db, Filter, WriteConcernSettings } from 'mongodb';
import { AdapterCollections, checkCollectionName } from './collections.js';
import { isDuplicateKeyError, MongoInvalidOptionError } from './errors.js';
import { ensureIndexSpecs, type IndexSpec } from './indexes.js';
import type { MongoAdapterLogger } from './types.js';

/** Default collection of the event log. */
export const DEFAULT_EVENTS_COLLECTION = 'job_events';
/** Default TTL of event documents on MongoDB: 8 days (one more than the 7 days readers keep; GC only). */
export const DEFAULT_EVENTS_GC_AFTER_SECONDS = 8 * 86_400;

/**
 * The indexes of the events collection: `(at, _id)` serves every read (a range after a position, sorted by it),
 * the deletion by age and the oldest position; the TTL index on `at` is garbage collection on MongoDB only.
 */
export function eventIndexes(gcAfterSeconds: number = DEFAULT_EVENTS_GC_AFTER_SECONDS): IndexSpec[] {
  return [
    { key: { at: 1, _id: 1 }, options: { name: 'at_1__id_1' } },
    { key: { at: 1 }, options: { name: 'at_1_ttl', expireAfterSeconds: gcAfterSeconds } },
  ];
}

/** An event document. */
export interface EventDocument {
  /** The writer's event id. */
  _id: string;
  /** The server's clock at append (or the injected clock's): the ordering key. */
  at: Date;
  type: string;
  job_name: string | null;
  run_id: string | null;
  data: Record<string, unknown>;
}

/** Options of {@link MongoEventLog} (given through `MongoSchedulerStoreOptions`). */
export interface MongoEventLogOptions {
  /** @default 'job_events' */
  collectionName?: string;
  /** @default 691200 (8 days) */
  gcAfterSeconds?: number;
  /** Unset: the database server's clock. */
  clock?: Clock | undefined;
  /** @default 'auto' */
  writeConcern: WriteConcernSettings;
  /** The bound of each operation, in ms (the store's `operationTimeoutMs`). */
  operationTimeoutMs: number;
  /** @default console */
  logger?: MongoAdapterLogger | undefined;
  /** @default true */
  autoIndex?: boolean | undefined;
}

interface Collections {
  events: Collection<EventDocument>;
}

/** How the server's clock is read: `hello`, or the legacy `isMaster` where `hello` is unknown (the test server). */
const clockCommands = new WeakMap<Db, 'hello' | 'isMaster'>();

/**
 * {@link EventLogStore} on MongoDB, part of `MongoSchedulerStore`. Appends are one ordered bulk of upserts whose
 * filter only an absent document matches (`{ _id, at: { $exists: false } }`): a new event is inserted with
 * `$currentDate`, an id already stored is a duplicate-key error that is skipped (never re-stamped). Reads take the
 * server's clock (`hello.localTime`) first and then query the `(at, _id)` index with plain range filters.
 */
export class MongoEventLog implements EventLogStore {
  readonly db: Db;
  /** Name of the events collection. */
  readonly collectionName: string;
  /** TTL of event documents on MongoDB, in seconds. */
  readonly gcAfterSeconds: number;
  readonly #clock: Clock | undefined;
  readonly #writeConcern: WriteConcernSettings;
  readonly #logger: MongoAdapterLogger;
  readonly #collections: AdapterCollections<Collections>;

  constructor(db: Db, options: MongoEventLogOptions) {
    this.db = db;
    this.collectionName = checkCollectionName(
      'MongoSchedulerStore',
      'eventsCollection',
      options.collectionName ?? DEFAULT_EVENTS_COLLECTION,
    );
    const gc = options.gcAfterSeconds ?? DEFAULT_EVENTS_GC_AFTER_SECONDS;
    // Readers keep 7 days: a TTL below that would delete events they still count on.
    if (!Number.isInteger(gc) || gc * 1000 < EVENT_RETENTION_MS) {
      throw new MongoInvalidOptionError(
        'MongoSchedulerStore',
        'eventsGcAfterSeconds',
        gc,
        `an integer number of seconds of at least ${EVENT_RETENTION_MS / 1000} (the 7 days events are kept)`,
      );
    }
    this.gcAfterSeconds = gc;
    this.#clock = options.clock;
    this.#writeConcern = options.writeConcern;
    this.#logger = options.logger ?? console;
    this.#collections = new AdapterCollections<Collections>(
      'MongoSchedulerStore',
      async () => this.#open(),
      (collections, operation) => this.#ensure(collections, operation),
      options.autoIndex ?? true,
      options.operationTimeoutMs,
    );
  }

  async #open(): Promise<Collections> {
    return {
      events: this.db.collection<EventDocument>(this.collectionName, {
        ignoreUndefined: true,
        // The store's pinned write concern (majority with a bounded wait unless configured otherwise).
        writeConcern: this.#writeConcern,
        // Reads see an append as soon as the primary applied it, so the settle time only has to cover the moment
        // between `$currentDate` and the write's own commit, not replication lag (see the README).
        readPreference: 'primary',
        readConcern: { level: 'local' },
      }),
    };
  }

  /** Creates the indexes (`eventIndexes()`); idempotent. Part of `MongoSchedulerStore.ensureIndexes()`. */
  async ensureIndexes(): Promise<void> {
    const operation = 'MongoSchedulerStore.ensureIndexes';
    await this.#ensure(await this.#collections.opened(operation), operation);
  }

  async #ensure({ events }: Collections, operation: string): Promise<void> {
    await ensureIndexSpecs(events, eventIndexes(this.gcAfterSeconds), operation, (m) =>
      this.#logger.warn(`[craft-mongo] ${m}`),
    );
  }

  /** The log's now: the injected clock, else the database server's (`localTime` of `hello` / `isMaster`). */
  async #now(): Promise<number> {
    if (this.#clock) return this.#clock.now();
    const known = clockCommands.get(this.db);
    if (known !== 'isMaster') {
      try {
        const hello = await this.db.admin().command({ hello: 1 });
        clockCommands.set(this.db, 'hello');
        return localTime(hello);
      } catch (error) {
        if ((error as { code?: unknown }).code !== 59) throw error;
        clockCommands.set(this.db, 'isMaster');
      }
    }
    return localTime(await this.db.admin().command({ isMaster: 1 }));
  }

  async appendEvents(events: readonly NewJobEvent[]): Promise<void> {
    if (events.length === 0) return;
    for (const e of events) {
      if (typeof e.id !== 'string' || !EVENT_ID_PATTERN.test(e.id)) {
        throw new MongoInvalidOptionError(
          'MongoSchedulerStore.appendEvents',
          'id',
          e.id,
          '1-64 characters of [0-9A-Za-z_-]',
        );
      }
    }
    await this.#collections.run('appendEvents', async ({ events: col }) => {
      const ops: AnyBulkWriteOperation<EventDocument>[] = events.map((e) => ({
        updateOne: {
          // Matches nothing that exists: a stored id is a duplicate key (skipped), never re-stamped.
          filter: { _id: e.id, at: { $exists: false } } as Filter<EventDocument>,
          update: {
            $setOnInsert: {
              type: e.type,
              job_name: e.jobName,
              run_id: e.runId,
              data: e.data,
              ...(this.#clock ? { at: new Date(this.#clock.now()) } : {}),
            },
            ...(this.#clock ? {} : { $currentDate: { at: true as const } }),
          },
          upsert: true,
        },
      }));
      // Ordered, so the server stamps the batch in its order. After duplicates (a retried append), the rest is sent
      // again: MongoDB stops at the first error; the test server goes on, and then the resend is all duplicates.
      let from = 0;
      while (from < ops.length) {
        try {
          await col.bulkWrite(ops.slice(from), { ordered: true });
          return;
        } catch (error) {
          const writeErrors = (
            error as { writeErrors?: { index: number; code?: number }[] | { index: number; code?: number } }
          ).writeErrors;
          const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
          if (list.length === 0 || !list.every((w) => w.code === 11000) || !isDuplicateKeyError(error))
            throw error;
          from += Math.max(...list.map((w) => w.index)) + 1;
        }
      }
    });
  }

  async readEvents(query: EventReadQuery): Promise<EventPage> {
    return this.#collections.run('readEvents', async ({ events }) => {
      const now = await this.#now();
      let horizon = now - (query.settleMs ?? 0);
      const limit = Math.max(1, query.limit);
      // Filters compare whole milliseconds as ranges, never with equality: the test server keeps `$currentDate`
      // below the millisecond (MongoDB stores milliseconds), and a range means the same on both.
      const at: Record<string, Date> = { $lt: new Date(horizon + 1) };
      if (query.maxAgeMs !== undefined) at['$gte'] = new Date(now - query.maxAgeMs + 1);
      const after = afterFilter(query.after ?? null);
      const filter: Filter<EventDocument> = after ? { $and: [{ at }, after] } : { at };
      const docs = await events.find(filter).sort({ at: 1, _id: 1 }).limit(limit).toArray();
      const page = docs.map(fromDocument).sort(byPosition);
      if (page.length < limit) return { events: page, horizon: new Date(horizon) };
      // A full page: its last millisecond may hold more events that sort (by id) before some it returned, where
      // the server sorted by a finer stamp. Return the milliseconds before it, and say they are complete only up
      // to there; when the whole page is one millisecond, read all of it and order it by id.
      const lastMs = (page.at(-1) as JobEvent).at.getTime();
      const complete = page.filter((e) => e.at.getTime() < lastMs);
      if (complete.length > 0) {
        horizon = Math.min(horizon, lastMs - 1);
        return { events: complete, horizon: new Date(horizon) };
      }
      const bucket = { at: { $gte: new Date(lastMs), $lt: new Date(lastMs + 1) } };
      const all = await events.find(after ? { $and: [bucket, after] } : bucket).toArray();
      return { events: all.map(fromDocument).sort(byPosition).slice(0, limit), horizon: new Date(horizon) };
    });
  }

  async deleteEvents(filter: { olderThanMs: number }): Promise<number> {
    return this.#collections.run('deleteEvents', async ({ events }) => {
      const cutoff = new Date((await this.#now()) - filter.olderThanMs);
      const result = await events.deleteMany({ at: { $lt: cutoff } });
      return result.deletedCount;
    });
  }

  async oldestEventCursor(): Promise<EventCursor | null> {
    return this.#collections.run('oldestEventCursor', async ({ events }) => {
      const first = await events.findOne({}, { sort: { at: 1, _id: 1 }, projection: { _id: 1, at: 1 } });
      if (!first) return null;
      // The smallest id of that millisecond (the test server orders by a stamp finer than a millisecond).
      const ms = first.at.getTime();
      const doc = await events.findOne(
        { at: { $gte: new Date(ms), $lt: new Date(ms + 1) } },
        { sort: { _id: 1 }, projection: { _id: 1, at: 1 } },
      );
      return doc ? { at: doc.at, id: doc._id } : { at: first.at, id: first._id };
    });
  }
}

/** Events after a position, by whole milliseconds (see `readEvents`). */
function afterFilter(after: EventCursor | null): Filter<EventDocument> | null {
  if (!after) return null;
  const next = new Date(after.at.getTime() + 1);
  if (after.id === null) return { at: { $gte: next } };
  return { $or: [{ at: { $gte: next } }, { at: { $gte: after.at, $lt: next }, _id: { $gt: after.id } }] };
}

const byPosition = (a: JobEvent, b: JobEvent) =>
  a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function localTime(reply: Record<string, unknown>): number {
  const t = reply['localTime'];
  if (!(t instanceof Date)) throw new Error('the server reported no localTime');
  return t.getTime();
}

function fromDocument(doc: EventDocument): JobEvent {
  return {
    id: doc._id,
    at: doc.at,
    type: doc.type,
    jobName: doc.job_name ?? null,
    runId: doc.run_id ?? null,
    data: doc.data ?? {},
  };
}
