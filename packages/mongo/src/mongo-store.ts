import { randomUUID } from 'node:crypto';
import {
  changesScheduleVersion,
  type EventCursor,
  type EventLogStore,
  type EventPage,
  type EventReadQuery,
  FINAL_RUN_STATUSES,
  type GlobalPauseState,
  type IdempotencyRecord,
  type IdempotencyReservation,
  type IdempotencyReserveResult,
  type IdempotencyStore,
  type IdempotentResponse,
  type JobRun,
  type JobSchedule,
  type NewJobEvent,
  type RunCondition,
  type RunQuery,
  type RunUpdate,
  type RunWrite,
  runToRecord,
  type ScheduleCondition,
  type ScheduleQuery,
  type SchedulerStore,
  type ScheduleUpdateOptions,
  type ScheduleWrite,
  schedulePatchToRecord,
  scheduleToRecord,
} from '@craft/scheduler';
import {
  type Collection,
  type Db,
  type Document,
  type Filter,
  ObjectId,
  type WriteConcernSettings,
} from 'mongodb';
import { AdapterCollections, checkCollectionName } from './collections.js';
import {
  ENABLED,
  type RunDocument,
  runConditionFilter,
  runFromDocument,
  runPatchToRecord,
  runQueryFilter,
  type ScheduleDocument,
  scheduleFromDocument,
  scheduleQueryFilter,
} from './documents.js';
import { isDuplicateKeyError, MongoInvalidOptionError } from './errors.js';
import { ensureIndexSpecs, type IndexSpec } from './indexes.js';
import { MongoEventLog } from './mongo-event-log.js';
import {
  DEFAULT_IDEMPOTENCY_COLLECTION,
  DEFAULT_IDEMPOTENCY_GC_AFTER_SECONDS,
  idempotencyIndexes,
  MongoIdempotencyKeys,
} from './mongo-idempotency.js';
import { type TimeSource, timeSource, type UpdateOps } from './time.js';
import type { MongoAdapterLogger, MongoSchedulerStoreOptions } from './types.js';
import { checkOperationTimeout, pinnedCollectionOptions, resolveWriteConcern } from './write-concern.js';

/** Default collection of schedules (spec section 1). */
export const DEFAULT_SCHEDULES_COLLECTION = 'job_schedules';
/** Default collection of runs. */
export const DEFAULT_RUNS_COLLECTION = 'job_runs';
/** Default collection of the scheduler's state (the global pause). */
export const DEFAULT_STATE_COLLECTION = 'scheduler_state';
/** `_id` of the global pause document in the state collection. */
export const GLOBAL_PAUSE_ID = 'global_pause';

/** The indexes {@link MongoSchedulerStore.ensureIndexes} creates on the schedules collection. */
export const SCHEDULE_INDEXES: readonly IndexSpec[] = [
  { key: { job_name: 1 }, options: { name: 'job_name_1', unique: true } },
  // Due schedules: is_enabled in (true, missing) and next_run_at <= now or missing, sorted by next_run_at (spec
  // section 1; kept for queries by next_run_at).
  { key: { is_enabled: 1, next_run_at: 1 }, options: { name: 'is_enabled_1_next_run_at_1' } },
  // Due schedules by due instant (spec section 10: next_due_at = slot + jitter offset). next_run_at is the third key
  // so documents without next_due_at (another program's, an older version's) are found by next_run_at through the
  // same index: next_due_at null, then a range on next_run_at.
  {
    key: { is_enabled: 1, next_due_at: 1, next_run_at: 1 },
    options: { name: 'is_enabled_1_next_due_at_1_next_run_at_1' },
  },
];

/**
 * The indexes {@link MongoSchedulerStore.ensureIndexes} creates on the runs collection. History is sorted by
 * `created_at`, ties by `_id` (insertion order), so both are part of every history index.
 */
export const RUN_INDEXES: readonly IndexSpec[] = [
  // The ledger key: one run per (schedule, slot), per (parent run, chained name), per manual run id.
  { key: { run_key: 1 }, options: { name: 'run_key_1', unique: true } },
  { key: { id: 1 }, options: { name: 'id_1', unique: true } },
  // History of a schedule / of a job type, newest first.
  { key: { job_name: 1, created_at: -1, _id: -1 }, options: { name: 'job_name_1_created_at_-1__id_-1' } },
  { key: { job_type: 1, created_at: -1, _id: -1 }, options: { name: 'job_type_1_created_at_-1__id_-1' } },
  // Runs by status. Live runs (pending/running) whose lease expired are found through it: the lease expiry is
  // then checked with $expr on the few live runs.
  { key: { status: 1, created_at: 1, _id: 1 }, options: { name: 'status_1_created_at_1__id_1' } },
  // Retention: final runs finished before a cutoff.
  { key: { status: 1, finished_at: 1 }, options: { name: 'status_1_finished_at_1' } },
  // Chained runs of a parent.
  {
    key: { parent_run_id: 1, created_at: 1, _id: 1 },
    options: { name: 'parent_run_id_1_created_at_1__id_1' },
  },
  // Unfiltered history, newest first.
  { key: { created_at: -1, _id: -1 }, options: { name: 'created_at_-1__id_-1' } },
];

interface Collections {
  schedules: Collection<Document>;
  runs: Collection<Document>;
  idempotency: Collection<Document>;
  state: Collection<Document>;
}

const FINAL = [...FINAL_RUN_STATUSES];

/**
 * {@link SchedulerStore} and {@link IdempotencyStore} on MongoDB: schedules in `job_schedules` (the spec's snake_case
 * documents, so documents written by other programs with only the seed's fields work), runs in `job_runs` with a
 * unique `run_key` that makes claiming a slot exactly-once, idempotency keys in `idempotency_keys` (unique
 * `(scope, key)`). Every method is one single-document operation (or one query); no transactions, no change
 * streams, and no TTL deletion that correctness depends on.
 *
 * Run leases are judged by the database server's clock by default (see {@link MongoSchedulerStoreOptions.clock}).
 * Expected conflicts come back as `false`/`null`; infrastructure failures throw `MongoUnavailableError`,
 * `MongoTimeoutError` or `MongoOperationError`.
 */
export class MongoSchedulerStore implements SchedulerStore, IdempotencyStore, EventLogStore {
  /** The database. */
  readonly db: Db;
  /** Name of the schedules collection. */
  readonly schedulesCollection: string;
  /** Name of the runs collection. */
  readonly runsCollection: string;
  /** Name of the scheduler state collection (the global pause). */
  readonly stateCollection: string;
  /** The bound of each operation, in ms (`operationTimeoutMs`). */
  readonly operationTimeoutMs: number;
  /** Name of the idempotency-keys collection. */
  readonly idempotencyCollection: string;
  /** Seconds after its reservation a key document is garbage-collected by the TTL index (MongoDB only). */
  readonly idempotencyGcAfterSeconds: number;
  readonly #keys: MongoIdempotencyKeys;
  /** Name of the events collection (the event log). */
  readonly eventsCollection: string;
  readonly #time: TimeSource;
  readonly #writeConcern: WriteConcernSettings;
  readonly #logger: MongoAdapterLogger;
  readonly #collections: AdapterCollections<Collections>;
  readonly #events: MongoEventLog;

  /**
   * @param db the database (e.g. `client.db('craft')`); its (or its client's) read preference, read concern and
   *   write concern are not used: the store pins its own (see {@link MongoSchedulerStoreOptions.writeConcern}).
   */
  constructor(db: Db, options: MongoSchedulerStoreOptions = {}) {
    this.db = db;
    this.operationTimeoutMs = checkOperationTimeout('MongoSchedulerStore', options.operationTimeoutMs);
    this.schedulesCollection = checkCollectionName(
      'MongoSchedulerStore',
      'schedulesCollection',
      options.schedulesCollection ?? DEFAULT_SCHEDULES_COLLECTION,
    );
    this.runsCollection = checkCollectionName(
      'MongoSchedulerStore',
      'runsCollection',
      options.runsCollection ?? DEFAULT_RUNS_COLLECTION,
    );
    this.idempotencyCollection = checkCollectionName(
      'MongoSchedulerStore',
      'idempotencyCollection',
      options.idempotencyCollection ?? DEFAULT_IDEMPOTENCY_COLLECTION,
    );
    const gc = options.idempotencyGcAfterSeconds ?? DEFAULT_IDEMPOTENCY_GC_AFTER_SECONDS;
    if (!Number.isSafeInteger(gc) || gc < 1) {
      throw new MongoInvalidOptionError(
        'MongoSchedulerStore',
        'idempotencyGcAfterSeconds',
        gc,
        'a whole number of seconds >= 1',
      );
    }
    this.idempotencyGcAfterSeconds = gc;
    this.stateCollection = checkCollectionName(
      'MongoSchedulerStore',
      'stateCollection',
      options.stateCollection ?? DEFAULT_STATE_COLLECTION,
    );
    this.#time = timeSource(options.clock);
    this.#keys = new MongoIdempotencyKeys(this.#time, gc);
    this.#writeConcern = resolveWriteConcern(
      'MongoSchedulerStore',
      options.writeConcern,
      this.operationTimeoutMs,
    );
    this.#events = new MongoEventLog(db, {
      collectionName: options.eventsCollection,
      gcAfterSeconds: options.eventsGcAfterSeconds,
      clock: options.clock,
      writeConcern: this.#writeConcern,
      operationTimeoutMs: this.operationTimeoutMs,
      logger: options.logger,
      autoIndex: options.autoIndex,
    });
    this.eventsCollection = this.#events.collectionName;
    this.#logger = options.logger ?? console;
    this.#collections = new AdapterCollections<Collections>(
      'MongoSchedulerStore',
      async () => this.#open(),
      (collections, operation) => this.#ensure(collections, operation),
      options.autoIndex ?? true,
      this.operationTimeoutMs,
    );
  }

  /** `server` when leases are judged by the database server's clock, `clock` with an injected clock. */
  get timeSource(): 'server' | 'clock' {
    return this.#time.kind;
  }

  /** The write concern of every write (majority with a bounded `wtimeoutMS` unless `writeConcern` says otherwise). */
  async writeConcern(): Promise<WriteConcernSettings> {
    return { ...this.#writeConcern };
  }

  /**
   * The collection handles every operation of this store uses, with the pinned read preference (`primary`), read
   * concern (`majority`) and write concern; for diagnostics and tests.
   */
  async collections(): Promise<{
    schedules: Collection<Document>;
    runs: Collection<Document>;
    idempotency: Collection<Document>;
    state: Collection<Document>;
  }> {
    return this.#collections.opened('MongoSchedulerStore.collections');
  }

  #open(): Collections {
    // Pinned, whatever the URI or the Db says: primary reads, majority read and write concern with a bounded wait.
    const options = { ignoreUndefined: true, ...pinnedCollectionOptions(this.#writeConcern) };
    return {
      schedules: this.db.collection(this.schedulesCollection, options),
      runs: this.db.collection(this.runsCollection, options),
      idempotency: this.db.collection(this.idempotencyCollection, options),
      state: this.db.collection(this.stateCollection, options),
    };
  }

  /**
   * Creates the indexes of the three collections (see `SCHEDULE_INDEXES`, `RUN_INDEXES`, `idempotencyIndexes`).
   * Idempotent and safe to call from every replica at startup, concurrently. Throws `MongoIndexConflictError` when
   * an incompatible index or duplicate data is in the way.
   */
  async ensureIndexes(): Promise<void> {
    const operation = 'MongoSchedulerStore.ensureIndexes';
    await this.#ensure(await this.#collections.opened(operation), operation);
    await this.#events.ensureIndexes();
  }

  async #ensure({ schedules, runs, idempotency }: Collections, operation: string): Promise<void> {
    const warn = (m: string) => this.#logger.warn(`[craft-mongo] ${m}`);
    await ensureIndexSpecs(schedules, SCHEDULE_INDEXES, operation, warn);
    await ensureIndexSpecs(runs, RUN_INDEXES, operation, warn);
    await ensureIndexSpecs(idempotency, idempotencyIndexes(this.idempotencyGcAfterSeconds), operation, warn);
  }

  /* ------------------------------------------------------------------------------------------------------------
   * Schedules
   * ---------------------------------------------------------------------------------------------------------- */

  /** The schedule named `jobName` (`job_name`), or `null`. One `find` by the unique index. */
  async getSchedule(jobName: string): Promise<JobSchedule | null> {
    return this.#collections.run('getSchedule', async ({ schedules }, o) => {
      const doc = await schedules.findOne({ job_name: jobName }, o);
      return doc ? scheduleFromDocument(doc as ScheduleDocument) : null;
    });
  }

  /** Schedules matching `query`, by `job_name` ascending (binary order). */
  async listSchedules(query: ScheduleQuery = {}): Promise<JobSchedule[]> {
    if (query.limit !== undefined && query.limit <= 0) return [];
    return this.#collections.run('listSchedules', async ({ schedules }, o) => {
      let cursor = schedules.find(scheduleQueryFilter(query), o).sort({ job_name: 1 });
      if (query.limit !== undefined) cursor = cursor.limit(query.limit);
      return (await cursor.toArray()).map((d) => scheduleFromDocument(d as ScheduleDocument));
    });
  }

  /** Inserts a schedule at `version` 1; `false` when its `job_name` exists (duplicate key 11000). */
  async insertSchedule(schedule: JobSchedule): Promise<boolean> {
    return this.#collections.run('insertSchedule', async ({ schedules }, o) => {
      try {
        await schedules.insertOne({ ...scheduleToRecord(schedule), version: 1 }, o);
        return true;
      } catch (error) {
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
    });
  }

  /**
   * Applies `patch` atomically when the schedule exists and `condition` holds (`nextRunAt`, `lastRunAt` and
   * `version` compare-and-sets; `null` matches a missing field, version 0 a document without one;
   * `lastRunAtNotAfter`; `fencingToken` against the storage-only `lock_token` field, which the same write sets),
   * incrementing `version` in the same write when the patch edits a user field. One conditional
   * `findOneAndUpdate`; `null` when nothing matched.
   */
  async updateSchedule(
    jobName: string,
    patch: Partial<Omit<JobSchedule, 'jobName'>>,
    condition: ScheduleCondition = {},
    options: ScheduleUpdateOptions = {},
  ): Promise<JobSchedule | null> {
    return this.#collections.run('updateSchedule', async ({ schedules }, o) => {
      const { filter, set } = scheduleWriteOps(jobName, patch, condition);
      const count = options.countRun;
      if (count !== undefined) {
        // Counted once per run (counted_run_id, storage-only): a failure adds 1 only where this run was not counted
        // yet; where it was (a retried write whose first try landed) the rest of the write applies unchanged.
        const counted = { ...set, counted_run_id: count.runId };
        const first =
          count.outcome === 'success'
            ? await schedules.findOneAndUpdate(
                filter,
                { $set: { ...counted, consecutive_failures: 0 } },
                { ...o, returnDocument: 'after' },
              )
            : await schedules.findOneAndUpdate(
                { ...filter, counted_run_id: { $ne: count.runId } },
                { $set: counted, $inc: { consecutive_failures: 1 } },
                { ...o, returnDocument: 'after' },
              );
        if (first || count.outcome === 'success') {
          return first ? scheduleFromDocument(first as ScheduleDocument) : null;
        }
        const again = await schedules.findOneAndUpdate(
          { ...filter, counted_run_id: count.runId },
          { $set: counted },
          { ...o, returnDocument: 'after' },
        );
        return again ? scheduleFromDocument(again as ScheduleDocument) : null;
      }
      const bump = changesScheduleVersion(patch as Partial<JobSchedule>);
      if (Object.keys(set).length === 0) {
        const doc = await schedules.findOne(filter, o);
        return doc ? scheduleFromDocument(doc as ScheduleDocument) : null;
      }
      // The document before the write, and the write's own result computed from it: exact under concurrent
      // updates (the test server's returnDocument 'after' may show a later write), and $inc on a missing version
      // (a document another program wrote) counts from 0.
      const before = await schedules.findOneAndUpdate(
        filter,
        { $set: set, ...(bump ? { $inc: { version: 1 } } : {}) },
        { ...o, returnDocument: 'before' },
      );
      if (!before) return null;
      const version = typeof before['version'] === 'number' ? before['version'] : 0;
      return scheduleFromDocument({
        ...before,
        ...set,
        version: bump ? version + 1 : version,
      } as ScheduleDocument);
    });
  }

  /**
   * Several schedule writes in one `bulkWrite` (unordered) of the same conditional updates {@link updateSchedule}
   * makes (fenced, counted once per run on success, `version` bumped for a user's edit), each also setting the
   * storage-only `write_tag` to a tag of its own, then ONE read of the written schedules by `job_name`: a write
   * applied exactly when its schedule carries its tag (see {@link updateRuns}). Writes that take more than one
   * command alone (a counted failure, a write without fields) and later writes of a schedule already in the call
   * go alone, after the batch. 2 round trips for the batch instead of one per write.
   */
  async updateSchedules(writes: readonly ScheduleWrite[]): Promise<(JobSchedule | null)[]> {
    if (writes.length === 0) return [];
    const answers: (JobSchedule | null)[] = writes.map(() => null);
    const plain = (w: ScheduleWrite) => w.options?.countRun?.outcome !== 'failure';
    const { first, again } = splitRepeats(writes, (w) => w.jobName);
    const ops: { i: number; filter: Filter<Document>; update: Document }[] = [];
    const call = randomUUID();
    for (const i of first) {
      const w = writes[i] as ScheduleWrite;
      const { filter, set } = scheduleWriteOps(w.jobName, w.patch, w.condition ?? {});
      if (!plain(w) || Object.keys(set).length === 0) {
        again.push(i);
        continue;
      }
      const count = w.options?.countRun;
      // As updateSchedule: a success counted resets the count and records the run counted.
      if (count !== undefined) Object.assign(set, { counted_run_id: count.runId, consecutive_failures: 0 });
      set['write_tag'] = `${call}:${i}`;
      const bump = changesScheduleVersion(w.patch as Partial<JobSchedule>);
      ops.push({ i, filter, update: { $set: set, ...(bump ? { $inc: { version: 1 } } : {}) } });
    }
    if (ops.length > 0) {
      await this.#collections.run('updateSchedules', async ({ schedules }, o) => {
        const written = await schedules.bulkWrite(
          ops.map(({ filter, update }) => ({ updateOne: { filter, update } })),
          { ...o, ordered: false },
        );
        if (written.matchedCount === 0) return;
        const names = ops.map(({ i }) => (writes[i] as ScheduleWrite).jobName);
        const docs = await schedules.find({ job_name: { $in: names } }, o).toArray();
        const byTag = new Map(docs.map((d) => [d['write_tag'], d]));
        for (const { i } of ops) {
          const doc = byTag.get(`${call}:${i}`);
          if (doc) answers[i] = scheduleFromDocument(doc as ScheduleDocument);
        }
      });
    }
    for (const i of again.sort((a, b) => a - b)) {
      const w = writes[i] as ScheduleWrite;
      answers[i] = await this.updateSchedule(w.jobName, w.patch, w.condition, w.options);
    }
    return answers;
  }

  /** Deletes a schedule (its runs stay) when `condition` holds; `true` when it was deleted. */
  async deleteSchedule(jobName: string, condition: ScheduleCondition = {}): Promise<boolean> {
    return this.#collections.run('deleteSchedule', async ({ schedules }, o) => {
      const r = await schedules.deleteOne(scheduleConditionFilter(jobName, condition), o);
      return r.deletedCount === 1;
    });
  }

  /**
   * Enabled schedules (`is_enabled` true or missing) that are due: `next_due_at <= now`, or — without
   * `next_due_at` (a document of another program or an older version) — `next_run_at` missing, null or `<= now`.
   * Missing first, then by due instant; at most `limit`; served by the `(is_enabled, next_due_at, next_run_at)`
   * index.
   */
  async listDueSchedules(now: Date, limit: number): Promise<JobSchedule[]> {
    if (limit <= 0) return [];
    return this.#collections.run('listDueSchedules', async ({ schedules }, o) => {
      // Missing/null values sort before every date, so schedules written by other programs come first.
      const docs = await schedules
        .find(
          {
            ...ENABLED,
            $or: [
              { next_due_at: { $lte: now } },
              { next_due_at: null, next_run_at: null },
              { next_due_at: null, next_run_at: { $lte: now } },
            ],
          },
          o,
        )
        .sort({ next_due_at: 1, next_run_at: 1 })
        .limit(limit)
        .toArray();
      return docs.map((d) => scheduleFromDocument(d as ScheduleDocument));
    });
  }

  /**
   * The earliest due instant among enabled schedules: `next_due_at`, or `next_run_at` of a document without
   * `next_due_at`; `null` when none has one. Two index-served reads of one document each.
   */
  async getEarliestNextRunAt(): Promise<Date | null> {
    return this.#collections.run('getEarliestNextRunAt', async ({ schedules }, o) => {
      const [byDue, byRun] = await Promise.all([
        schedules.findOne(
          { ...ENABLED, next_due_at: { $type: 'date' } },
          { ...o, sort: { next_due_at: 1 }, projection: { _id: 0, next_due_at: 1 } },
        ),
        schedules.findOne(
          { ...ENABLED, next_due_at: null, next_run_at: { $type: 'date' } },
          { ...o, sort: { next_run_at: 1 }, projection: { _id: 0, next_run_at: 1 } },
        ),
      ]);
      const a = byDue?.['next_due_at'];
      const b = byRun?.['next_run_at'];
      const due = a instanceof Date ? a : null;
      const run = b instanceof Date ? b : null;
      if (due === null || run === null) return due ?? run;
      return due.getTime() <= run.getTime() ? due : run;
    });
  }

  /** The global pause (spec section 10): one read of `{ _id: 'global_pause' }` in the state collection. */
  async getGlobalPause(): Promise<GlobalPauseState> {
    return this.#collections.run('getGlobalPause', async ({ state }, o) => {
      const doc = await state.findOne({ _id: GLOBAL_PAUSE_ID as unknown as Document['_id'] }, o);
      return pauseFromDocument(doc);
    });
  }

  /** Replaces the global pause document (an upsert). */
  async setGlobalPause(pause: GlobalPauseState): Promise<void> {
    await this.#collections.run('setGlobalPause', async ({ state }, o) => {
      await state.replaceOne(
        { _id: GLOBAL_PAUSE_ID as unknown as Document['_id'] },
        {
          paused: pause.paused,
          reason: pause.reason,
          since: pause.since,
          by: pause.by,
          windows: pause.windows.map((w) => ({ from: w.from, to: w.to, catch_up: w.catchUp })),
        },
        { ...o, upsert: true },
      );
    });
  }

  /* ------------------------------------------------------------------------------------------------------------
   * Runs
   * ---------------------------------------------------------------------------------------------------------- */

  /**
   * Inserts a run; `false` when its `run_key` or `id` exists (that is how a slot is claimed exactly once). With
   * `leaseForMs` and a `leaseOwner`, the lease is stamped with the store's clock (the server's by default).
   */
  async insertRun(run: JobRun, options: { leaseForMs?: number } = {}): Promise<boolean> {
    return this.#collections.run('insertRun', async ({ runs }, o) => {
      const record = runToRecord(run) as unknown as Record<string, unknown>;
      const leaseForMs = options.leaseForMs;
      try {
        if (leaseForMs === undefined || run.leaseOwner === null) {
          await runs.insertOne({ _id: new ObjectId(), ...record, lease_ms: null, lease_renewed_at: null }, o);
          return true;
        }
        checkLeaseMs('MongoSchedulerStore.insertRun', leaseForMs);
        // `$currentDate` (the server's clock) only exists in updates, so the insert is an upsert whose filter can
        // never match an existing document (a fresh `_id`): it inserts, or fails with a duplicate key on `run_key`
        // or `id`, and never touches another replica's run.
        const { run_key: runKey, id, ...rest } = record;
        const update: UpdateOps = {
          $setOnInsert: { ...rest, lease_expires_at: null },
          $set: { lease_ms: leaseForMs },
        };
        this.#time.stamp(update, ['lease_renewed_at']);
        await runs.updateOne({ _id: new ObjectId(), run_key: runKey, id }, update as Document, {
          ...o,
          upsert: true,
        });
        return true;
      } catch (error) {
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
    });
  }

  /**
   * Inserts several runs in one `bulkWrite` (unordered), each exactly as {@link insertRun} does: `false` for a run
   * whose `run_key` or `id` exists (its duplicate-key write error), `true` for the others. Any other write error, or
   * a failure of the call, throws (then some runs may have been inserted: the engine retries each one).
   */
  async insertRuns(runs: readonly JobRun[], options: { leaseForMs?: number } = {}): Promise<boolean[]> {
    if (runs.length === 0) return [];
    return this.#collections.run('insertRuns', async ({ runs: col }, o) => {
      const leaseForMs = options.leaseForMs;
      if (leaseForMs !== undefined) checkLeaseMs('MongoSchedulerStore.insertRuns', leaseForMs);
      const ops = runs.map((run) => {
        const record = runToRecord(run) as unknown as Record<string, unknown>;
        if (leaseForMs === undefined || run.leaseOwner === null) {
          return {
            insertOne: {
              document: { _id: new ObjectId(), ...record, lease_ms: null, lease_renewed_at: null },
            },
          };
        }
        // As insertRun: an upsert whose filter never matches (a fresh _id), so the server stamps the lease.
        const { run_key: runKey, id, ...rest } = record;
        const update: UpdateOps = {
          $setOnInsert: { ...rest, lease_expires_at: null },
          $set: { lease_ms: leaseForMs },
        };
        this.#time.stamp(update, ['lease_renewed_at']);
        return {
          updateOne: {
            filter: { _id: new ObjectId(), run_key: runKey, id },
            update: update as Document,
            upsert: true,
          },
        };
      });
      const inserted = runs.map(() => true);
      try {
        await col.bulkWrite(ops, { ...o, ordered: false });
      } catch (error) {
        const e = error as { writeErrors?: unknown; writeConcernError?: unknown };
        // The driver gives one write error or a list of them.
        const raw = e.writeErrors;
        const writeErrors = (raw == null ? [] : Array.isArray(raw) ? raw : [raw]) as {
          index: number;
          code?: unknown;
        }[];
        // Only duplicate keys are answers (that run was not inserted); anything else fails the call.
        const duplicates = writeErrors.every((w) => w.code === 11000 || w.code === 11001);
        if (writeErrors.length === 0 || !duplicates || e.writeConcernError) throw error;
        for (const w of writeErrors) inserted[w.index] = false;
      }
      return inserted;
    });
  }

  /** The run with this id, or `null`. */
  async getRun(id: string): Promise<JobRun | null> {
    return this.#collections.run('getRun', async ({ runs }, o) => {
      const doc = await runs.findOne({ id }, o);
      return doc ? runFromDocument(doc as unknown as RunDocument) : null;
    });
  }

  /** The run with this run key, or `null`. */
  async getRunByKey(runKey: string): Promise<JobRun | null> {
    return this.#collections.run('getRunByKey', async ({ runs }, o) => {
      const doc = await runs.findOne({ run_key: runKey }, o);
      return doc ? runFromDocument(doc as unknown as RunDocument) : null;
    });
  }

  /**
   * Applies `update` atomically when the run exists and `condition` holds (status, owner, fencing token, lease
   * judged by the store's clock); stamps `updated_at`. One conditional `findOneAndUpdate`; `null` when nothing
   * matched.
   */
  async updateRun(id: string, update: RunUpdate, condition: RunCondition = {}): Promise<JobRun | null> {
    return this.#collections.run('updateRun', async ({ runs }, o) => {
      const doc = await runs.findOneAndUpdate(
        runConditionFilter(id, condition, this.#time),
        this.#runUpdateOps('MongoSchedulerStore.updateRun', update) as Document,
        { ...o, returnDocument: 'after' },
      );
      return doc ? runFromDocument(doc as unknown as RunDocument) : null;
    });
  }

  /** The update operators of one run write: the patch, the lease by the store's clock, `updated_at`. */
  #runUpdateOps(method: string, update: RunUpdate): UpdateOps {
    const set = runPatchToRecord(update.set ?? {});
    const ops: UpdateOps = { $set: set };
    if (update.leaseForMs !== undefined) {
      checkLeaseMs(method, update.leaseForMs);
      set['lease_ms'] = update.leaseForMs;
      set['lease_expires_at'] = null;
      this.#time.stamp(ops, ['lease_renewed_at']);
    } else if ('lease_expires_at' in set) {
      // An absolute expiry replaces a store-clock lease.
      set['lease_ms'] = null;
      set['lease_renewed_at'] = null;
    }
    this.#time.stamp(ops, ['updated_at']);
    return ops;
  }

  /**
   * Several run writes in one `bulkWrite` (unordered) of the same conditional updates {@link updateRun} makes, each
   * also setting the storage-only `write_tag` to a tag of its own, then ONE read of the written runs by `id`: a
   * write applied exactly when its run carries its tag (no other write sets that tag; a later tagged write of the
   * same run by another call would only make an applied write answer `null`, as if refused — a run written by two
   * holders at once is lost to one of them anyway). A run written twice in one call: the later writes go alone,
   * after the batch. 2 round trips for the batch instead of one per write.
   */
  async updateRuns(writes: readonly RunWrite[]): Promise<(JobRun | null)[]> {
    if (writes.length === 0) return [];
    const { first, again } = splitRepeats(writes, (w) => w.id);
    const call = randomUUID();
    const answers: (JobRun | null)[] = writes.map(() => null);
    await this.#collections.run('updateRuns', async ({ runs }, o) => {
      const ops = first.map((i) => {
        const w = writes[i] as RunWrite;
        const update = this.#runUpdateOps('MongoSchedulerStore.updateRuns', w.update);
        (update.$set as Record<string, unknown>)['write_tag'] = `${call}:${i}`;
        return {
          updateOne: {
            filter: runConditionFilter(w.id, w.condition ?? {}, this.#time),
            update: update as Document,
          },
        };
      });
      const written = await runs.bulkWrite(ops, { ...o, ordered: false });
      if (written.matchedCount === 0) return;
      const ids = first.map((i) => (writes[i] as RunWrite).id);
      const docs = await runs.find({ id: { $in: ids } }, o).toArray();
      const byTag = new Map(docs.map((d) => [d['write_tag'], d]));
      for (const i of first) {
        const doc = byTag.get(`${call}:${i}`);
        if (doc) answers[i] = runFromDocument(doc as unknown as RunDocument);
      }
    });
    for (const i of again) {
      const w = writes[i] as RunWrite;
      answers[i] = await this.updateRun(w.id, w.update, w.condition);
    }
    return answers;
  }

  /** Runs matching `query`, by `created_at` then insertion order (`_id`), newest first unless `order: 'asc'`. */
  async listRuns(query: RunQuery = {}): Promise<JobRun[]> {
    // MongoDB reads limit(0) as "no limit".
    if (query.limit !== undefined && query.limit <= 0) return [];
    return this.#collections.run('listRuns', async ({ runs }, o) => {
      const dir = query.order === 'asc' ? 1 : -1;
      let cursor = runs.find(runQueryFilter(query, this.#time), o).sort({ created_at: dir, _id: dir });
      if (query.offset) cursor = cursor.skip(query.offset);
      if (query.limit !== undefined) cursor = cursor.limit(query.limit);
      return (await cursor.toArray()).map((d) => runFromDocument(d as unknown as RunDocument));
    });
  }

  /** Number of runs matching `query` (paging ignored). */
  async countRuns(query: RunQuery = {}): Promise<number> {
    return this.#collections.run('countRuns', ({ runs }, o) =>
      runs.countDocuments(runQueryFilter(query, this.#time), o),
    );
  }

  /** Deletes final runs finished before `finishedBefore` (never live ones); returns how many. */
  async deleteRuns(filter: { finishedBefore: Date }): Promise<number> {
    return this.#collections.run('deleteRuns', async ({ runs }, o) => {
      const r = await runs.deleteMany(
        {
          status: { $in: FINAL },
          finished_at: { $lt: filter.finishedBefore },
        },
        o,
      );
      return r.deletedCount;
    });
  }

  /* ------------------------------------------------------------------------------------------------------------
   * Idempotency keys
   * ---------------------------------------------------------------------------------------------------------- */

  /** Reserves a key: an insert, else a compare-and-set on an expired record or a lapsed lease (see the contract). */
  async reserveIdempotencyKey(reservation: IdempotencyReservation): Promise<IdempotencyReserveResult> {
    return this.#collections.run('reserveIdempotencyKey', ({ idempotency }) =>
      this.#keys.reserve(idempotency, reservation),
    );
  }

  /** Extends the in-progress lease held with `token`. */
  async renewIdempotencyKey(scope: string, key: string, token: string, leaseMs: number): Promise<boolean> {
    return this.#collections.run('renewIdempotencyKey', ({ idempotency }) =>
      this.#keys.renew(idempotency, scope, key, token, leaseMs),
    );
  }

  /** Stores the answer of the reservation held with `token`. */
  async completeIdempotencyKey(
    scope: string,
    key: string,
    token: string,
    response: IdempotentResponse,
  ): Promise<boolean> {
    return this.#collections.run('completeIdempotencyKey', ({ idempotency }) =>
      this.#keys.complete(idempotency, scope, key, token, response),
    );
  }

  /** Deletes the in-progress reservation held with `token`. */
  async releaseIdempotencyKey(scope: string, key: string, token: string): Promise<boolean> {
    return this.#collections.run('releaseIdempotencyKey', ({ idempotency }) =>
      this.#keys.release(idempotency, scope, key, token),
    );
  }

  /** The unexpired record of a key, or `null`. */
  async getIdempotencyKey(scope: string, key: string): Promise<IdempotencyRecord | null> {
    return this.#collections.run('getIdempotencyKey', ({ idempotency }) =>
      this.#keys.get(idempotency, scope, key),
    );
  }

  /* ------------------------------------------------------------------------------------------------------------
   * Event log (collection `job_events`; see mongo-event-log.ts)
   * ---------------------------------------------------------------------------------------------------------- */

  /** Appends events stamped by the server's clock: one ordered bulk write; ids already stored are skipped. */
  appendEvents(events: readonly NewJobEvent[]): Promise<void> {
    return this.#events.appendEvents(events);
  }

  /** Events after a position: the server's clock (one `hello`), then one indexed `find` on `(at, _id)`. */
  readEvents(query: EventReadQuery): Promise<EventPage> {
    return this.#events.readEvents(query);
  }

  /** Deletes events older than `olderThanMs` by the server's clock (one indexed `deleteMany`). */
  deleteEvents(filter: { olderThanMs: number }): Promise<number> {
    return this.#events.deleteEvents(filter);
  }

  /** The oldest stored event's position. */
  oldestEventCursor(): Promise<EventCursor | null> {
    return this.#events.oldestEventCursor();
  }
}

/** The filter of a schedule under `condition` (one exact instant; null/missing; a version, 0 matching none). */
function scheduleConditionFilter(jobName: string, condition: ScheduleCondition): Filter<Document> {
  const filter: Filter<Document> = { job_name: jobName };
  // A Date matches that instant exactly; null matches null or a missing field.
  if (condition.nextRunAt !== undefined) filter['next_run_at'] = condition.nextRunAt;
  if (condition.version !== undefined) {
    filter['version'] = condition.version === 0 ? { $in: [0, null] } : condition.version;
  }
  // The last run is still the one that started then (runs of an `allow` schedule hold no lock to fence with).
  if (condition.lastRunAt !== undefined) filter['last_run_at'] = condition.lastRunAt;
  // last_run_at only moves forward: missing, null, or not after the writer's start.
  if (condition.lastRunAtNotAfter !== undefined) {
    filter['$and'] = [
      { $or: [{ last_run_at: null }, { last_run_at: { $lte: condition.lastRunAtNotAfter } }] },
    ];
  }
  // A missing is_enabled is true, a missing consecutive_failures is 0 (their defaults).
  if (condition.isEnabled !== undefined) {
    filter['is_enabled'] = condition.isEnabled ? { $in: [true, null] } : false;
  }
  if (condition.consecutiveFailures !== undefined) {
    filter['consecutive_failures'] =
      condition.consecutiveFailures === 0 ? { $in: [0, null] } : condition.consecutiveFailures;
  }
  return filter;
}

function pauseFromDocument(doc: Document | null): GlobalPauseState {
  const date = (v: unknown) => (v instanceof Date ? v : null);
  const windows = Array.isArray(doc?.['windows']) ? (doc['windows'] as Document[]) : [];
  return {
    paused: doc?.['paused'] === true,
    reason: typeof doc?.['reason'] === 'string' ? doc['reason'] : null,
    since: date(doc?.['since']),
    by: typeof doc?.['by'] === 'string' ? doc['by'] : null,
    windows: windows
      .filter((w) => w['from'] instanceof Date && w['to'] instanceof Date)
      .map((w) => ({ from: w['from'] as Date, to: w['to'] as Date, catchUp: w['catch_up'] === true })),
  };
}

function checkLeaseMs(operation: string, ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new MongoInvalidOptionError(operation, 'leaseForMs', ms, 'a finite number of milliseconds >= 0');
  }
}

/**
 * The filter and `$set` of one schedule write (`updateSchedule`, `updateSchedules`): the condition's filter, and the
 * patch's fields without `job_name` and `version` (the store's).
 */
function scheduleWriteOps(
  jobName: string,
  patch: Partial<Omit<JobSchedule, 'jobName'>>,
  condition: ScheduleCondition,
): { filter: Filter<Document>; set: Record<string, unknown> } {
  const filter = scheduleConditionFilter(jobName, condition);
  const set = schedulePatchToRecord(patch as Partial<JobSchedule>) as Record<string, unknown>;
  delete set['job_name'];
  delete set['version'];
  if (condition.fencingToken !== undefined) {
    // Fenced write: refused once a lock holder with a newer token wrote (`lock_token` greater than ours); a
    // document no holder wrote yet (seed format, no `lock_token`) matches. The same write stores our token.
    filter['lock_token'] = { $not: { $gt: condition.fencingToken } };
    set['lock_token'] = condition.fencingToken;
  }
  return { filter, set };
}

/** The indexes of the first write per key, and of the writes repeating a key already in the call (sent alone). */
function splitRepeats<T>(writes: readonly T[], key: (w: T) => string): { first: number[]; again: number[] } {
  const seen = new Set<string>();
  const first: number[] = [];
  const again: number[] = [];
  writes.forEach((w, i) => {
    const k = key(w);
    if (seen.has(k)) again.push(i);
    else {
      seen.add(k);
      first.push(i);
    }
  });
  return { first, again };
}
