import {
  FINAL_RUN_STATUSES,
  type JobRun,
  type JobSchedule,
  type RunCondition,
  type RunQuery,
  type RunUpdate,
  runToRecord,
  type ScheduleCondition,
  type ScheduleQuery,
  type SchedulerStore,
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
import { type TimeSource, timeSource, type UpdateOps } from './time.js';
import type { MongoAdapterLogger, MongoSchedulerStoreOptions } from './types.js';
import { checkOperationTimeout, pinnedCollectionOptions, resolveWriteConcern } from './write-concern.js';

/** Default collection of schedules (spec section 1). */
export const DEFAULT_SCHEDULES_COLLECTION = 'job_schedules';
/** Default collection of runs. */
export const DEFAULT_RUNS_COLLECTION = 'job_runs';

/** The indexes {@link MongoSchedulerStore.ensureIndexes} creates on the schedules collection. */
export const SCHEDULE_INDEXES: readonly IndexSpec[] = [
  { key: { job_name: 1 }, options: { name: 'job_name_1', unique: true } },
  // Due schedules: is_enabled in (true, missing) and next_run_at <= now or missing, sorted by next_run_at.
  { key: { is_enabled: 1, next_run_at: 1 }, options: { name: 'is_enabled_1_next_run_at_1' } },
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
}

const FINAL = [...FINAL_RUN_STATUSES];

/**
 * {@link SchedulerStore} on MongoDB: schedules in `job_schedules` (the spec's snake_case documents, so documents
 * written by other programs with only the seed's fields work), runs in `job_runs` with a unique `run_key` that
 * makes claiming a slot exactly-once. Every method is one single-document operation (or one query); no
 * transactions, no TTL, no change streams.
 *
 * Run leases are judged by the database server's clock by default (see {@link MongoSchedulerStoreOptions.clock}).
 * Expected conflicts come back as `false`/`null`; infrastructure failures throw `MongoUnavailableError`,
 * `MongoTimeoutError` or `MongoOperationError`.
 */
export class MongoSchedulerStore implements SchedulerStore {
  /** The database. */
  readonly db: Db;
  /** Name of the schedules collection. */
  readonly schedulesCollection: string;
  /** Name of the runs collection. */
  readonly runsCollection: string;
  /** The bound of each operation, in ms (`operationTimeoutMs`). */
  readonly operationTimeoutMs: number;
  readonly #time: TimeSource;
  readonly #writeConcern: WriteConcernSettings;
  readonly #logger: MongoAdapterLogger;
  readonly #collections: AdapterCollections<Collections>;

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
    this.#time = timeSource(options.clock);
    this.#writeConcern = resolveWriteConcern(
      'MongoSchedulerStore',
      options.writeConcern,
      this.operationTimeoutMs,
    );
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
  async collections(): Promise<{ schedules: Collection<Document>; runs: Collection<Document> }> {
    return this.#collections.opened('MongoSchedulerStore.collections');
  }

  #open(): Collections {
    // Pinned, whatever the URI or the Db says: primary reads, majority read and write concern with a bounded wait.
    const options = { ignoreUndefined: true, ...pinnedCollectionOptions(this.#writeConcern) };
    return {
      schedules: this.db.collection(this.schedulesCollection, options),
      runs: this.db.collection(this.runsCollection, options),
    };
  }

  /**
   * Creates the indexes of both collections (see `SCHEDULE_INDEXES`, `RUN_INDEXES`). Idempotent and safe to call
   * from every replica at startup, concurrently. Throws `MongoIndexConflictError` when an incompatible index or
   * duplicate data is in the way.
   */
  async ensureIndexes(): Promise<void> {
    const operation = 'MongoSchedulerStore.ensureIndexes';
    await this.#ensure(await this.#collections.opened(operation), operation);
  }

  async #ensure({ schedules, runs }: Collections, operation: string): Promise<void> {
    const warn = (m: string) => this.#logger.warn(`[craft-mongo] ${m}`);
    await ensureIndexSpecs(schedules, SCHEDULE_INDEXES, operation, warn);
    await ensureIndexSpecs(runs, RUN_INDEXES, operation, warn);
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

  /** Inserts a schedule; `false` when its `job_name` exists (duplicate key 11000). */
  async insertSchedule(schedule: JobSchedule): Promise<boolean> {
    return this.#collections.run('insertSchedule', async ({ schedules }, o) => {
      try {
        await schedules.insertOne({ ...scheduleToRecord(schedule) }, o);
        return true;
      } catch (error) {
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
    });
  }

  /**
   * Applies `patch` atomically when the schedule exists and `condition` holds (`nextRunAt` compare-and-set,
   * `null` matching a missing field; `fencingToken` against the storage-only `lock_token` field, which the same
   * write sets). One conditional `findOneAndUpdate`; `null` when nothing matched.
   */
  async updateSchedule(
    jobName: string,
    patch: Partial<Omit<JobSchedule, 'jobName'>>,
    condition: ScheduleCondition = {},
  ): Promise<JobSchedule | null> {
    return this.#collections.run('updateSchedule', async ({ schedules }, o) => {
      const filter: Filter<Document> = { job_name: jobName };
      // A Date matches that instant exactly; null matches null or a missing field.
      if (condition.nextRunAt !== undefined) filter['next_run_at'] = condition.nextRunAt;
      const set = schedulePatchToRecord(patch as Partial<JobSchedule>) as Record<string, unknown>;
      delete set['job_name'];
      if (condition.fencingToken !== undefined) {
        // Fenced write: refused once a lock holder with a newer token wrote (`lock_token` greater than ours); a
        // document no holder wrote yet (seed format, no `lock_token`) matches. The same write stores our token.
        filter['lock_token'] = { $not: { $gt: condition.fencingToken } };
        set['lock_token'] = condition.fencingToken;
      }
      const doc =
        Object.keys(set).length === 0
          ? await schedules.findOne(filter, o)
          : await schedules.findOneAndUpdate(filter, { $set: set }, { ...o, returnDocument: 'after' });
      return doc ? scheduleFromDocument(doc as ScheduleDocument) : null;
    });
  }

  /** Deletes a schedule (its runs stay); `true` when it existed. */
  async deleteSchedule(jobName: string): Promise<boolean> {
    return this.#collections.run('deleteSchedule', async ({ schedules }, o) => {
      const r = await schedules.deleteOne({ job_name: jobName }, o);
      return r.deletedCount === 1;
    });
  }

  /**
   * Enabled schedules (`is_enabled` true or missing) whose `next_run_at` is missing, null or `<= now`, missing
   * first then oldest, at most `limit`; served by the `(is_enabled, next_run_at)` index.
   */
  async listDueSchedules(now: Date, limit: number): Promise<JobSchedule[]> {
    if (limit <= 0) return [];
    return this.#collections.run('listDueSchedules', async ({ schedules }, o) => {
      // Missing/null next_run_at sorts before every date, so schedules written by other programs come first.
      const docs = await schedules
        .find({ ...ENABLED, $or: [{ next_run_at: null }, { next_run_at: { $lte: now } }] }, o)
        .sort({ next_run_at: 1 })
        .limit(limit)
        .toArray();
      return docs.map((d) => scheduleFromDocument(d as ScheduleDocument));
    });
  }

  /** The earliest `next_run_at` among enabled schedules, or `null`. */
  async getEarliestNextRunAt(): Promise<Date | null> {
    return this.#collections.run('getEarliestNextRunAt', async ({ schedules }, o) => {
      const doc = await schedules.findOne(
        { ...ENABLED, next_run_at: { $type: 'date' } },
        { ...o, sort: { next_run_at: 1 }, projection: { _id: 0, next_run_at: 1 } },
      );
      const value = doc?.['next_run_at'];
      return value instanceof Date ? value : null;
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
      const set = runPatchToRecord(update.set ?? {});
      const ops: UpdateOps = { $set: set };
      if (update.leaseForMs !== undefined) {
        checkLeaseMs('MongoSchedulerStore.updateRun', update.leaseForMs);
        set['lease_ms'] = update.leaseForMs;
        set['lease_expires_at'] = null;
        this.#time.stamp(ops, ['lease_renewed_at']);
      } else if ('lease_expires_at' in set) {
        // An absolute expiry replaces a store-clock lease.
        set['lease_ms'] = null;
        set['lease_renewed_at'] = null;
      }
      this.#time.stamp(ops, ['updated_at']);
      const doc = await runs.findOneAndUpdate(
        runConditionFilter(id, condition, this.#time),
        ops as Document,
        { ...o, returnDocument: 'after' },
      );
      return doc ? runFromDocument(doc as unknown as RunDocument) : null;
    });
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
}

function checkLeaseMs(operation: string, ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new MongoInvalidOptionError(operation, 'leaseForMs', ms, 'a finite number of milliseconds >= 0');
  }
}
