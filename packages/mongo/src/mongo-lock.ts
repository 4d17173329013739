import { randomUUID } from 'node:crypto';
import type { Lease, LockProvider } from '@craft/scheduler';
import type { Collection, Db, Document, Filter, WriteConcernSettings } from 'mongodb';
import { AdapterCollections, checkCollectionName, type OperationOptions } from './collections.js';
import type { StringIdDocument } from './documents.js';
import { isDuplicateKeyError, MongoInvalidOptionError } from './errors.js';
import { ensureIndexSpecs, type IndexSpec } from './indexes.js';
import { type TimeSource, timeSource, type UpdateOps } from './time.js';
import type { DistributedLockOptions, MongoAdapterLogger } from './types.js';
import { checkOperationTimeout, pinnedCollectionOptions, resolveWriteConcern } from './write-concern.js';

/** Default lock collection. */
export const DEFAULT_LOCK_COLLECTION = 'job_locks';
/** Default lease of `acquire(key, owner)` without a ttl, in seconds (the seed's value). */
export const DEFAULT_LOCK_TTL_SECONDS = 3600;
/** Default garbage-collection horizon of lock documents, in seconds (7 days). */
export const DEFAULT_LOCK_GC_AFTER_SECONDS = 604_800;

// How often acquire() starts over when the only obstacle was a token reserved by someone else meanwhile.
const MAX_ACQUIRE_ROUNDS = 8;

/**
 * Fencing tokens are `epoch * TOKEN_EPOCH + n`. An epoch comes from the key's counter document (which nothing
 * deletes) whenever a lock document is created or adopted; within it, each takeover of the document increments
 * its token in the same write that takes it. A document that garbage collection deleted is recreated in a later
 * epoch, so tokens still increase strictly per key forever, and a takeover of an existing lock document costs
 * one round trip. 2^32 takeovers fit in one epoch and 2^21 epochs in a safe integer.
 */
export const TOKEN_EPOCH = 2 ** 32;

/** A lock document whose token is older than `token` (or missing, in a document written by another program). */
const OLDER_TOKEN = (token: number): Filter<Document> => ({
  $or: [{ token: { $lt: token } }, { token: null }],
});

/** The lease expiry of a lock document as an aggregation expression: last acquire/renewal + lease length. */
const LOCK_EXPIRY = { $add: ['$renewed_at', '$ttl_ms'] };

/**
 * A lock document in `job_locks`: `{ lock_key, owner, token, ttl_ms, acquired_at, renewed_at, acquire_call }`.
 * `owner` is null once released. `renewed_at` is stamped with the time source's now (the server's `$currentDate` by
 * default); the lease expires at `renewed_at + ttl_ms`, judged in the query against `$$NOW`. `acquire_call` is the
 * id of the acquire call that took the document: a call that failed frees what it took by it.
 */
interface LockDocument {
  lock_key: string;
  owner: string | null;
  token: number;
  ttl_ms: number;
  acquired_at: Date;
  renewed_at: Date;
}

interface Collections {
  locks: Collection<Document>;
  tokens: Collection<StringIdDocument>;
}

/**
 * {@link LockProvider} on MongoDB (spec section 6): one document per key in `job_locks` with a unique index on
 * `lock_key`, e.g. `job:settlement`.
 *
 * - **One clock.** Expiry is decided inside the acquire query, against the database server's clock (`$$NOW`)
 *   by default, so replicas whose clocks disagree never both hold a lock; an injected `clock` replaces it for
 *   simulated-time tests.
 * - **Atomic acquire.** Taking a lock is one conditional `findOneAndUpdate` (free or expired → ours); a taken lock
 *   returns `null`, never throws; two concurrent first-time creations race on the unique index and the loser
 *   gets `null`.
 * - **Fencing.** Tokens are `epoch * 2^32 + n`: the epoch comes from a per-key counter document
 *   (`job_lock_tokens`, `$inc`) that nothing deletes, taken when a lock document is created or adopted; each
 *   takeover of the document increments its token in the same write (one round trip). So tokens increase strictly
 *   per key forever, also after the TTL index garbage-collects lock documents.
 * - **GC only.** On MongoDB a TTL index on `renewed_at` deletes lock documents `gcAfterSeconds` after their last
 *   renewal; it never makes a lock free (expiry is decided in the query). The test server ignores TTL indexes.
 */
export class DistributedLock implements LockProvider {
  /** The database. */
  readonly db: Db;
  /** Name of the lock collection. */
  readonly collectionName: string;
  /** Name of the fencing-token counter collection. */
  readonly tokenCollectionName: string;
  /** Lease of `acquire()` without a ttl, in ms. */
  readonly defaultTtlMs: number;
  /** The garbage-collection horizon, in seconds. */
  readonly gcAfterSeconds: number;
  readonly #time: TimeSource;
  /** The bound of each operation, in ms (`operationTimeoutMs`). */
  readonly operationTimeoutMs: number;
  readonly #writeConcern: WriteConcernSettings;
  readonly #logger: MongoAdapterLogger;
  readonly #collections: AdapterCollections<Collections>;

  /** @param db the database (e.g. `client.db('craft')`). */
  constructor(db: Db, options: DistributedLockOptions = {}) {
    this.db = db;
    const ttlSeconds = options.ttlSeconds ?? DEFAULT_LOCK_TTL_SECONDS;
    if (!Number.isFinite(ttlSeconds) || ttlSeconds <= 0) {
      throw new MongoInvalidOptionError(
        'DistributedLock',
        'ttlSeconds',
        ttlSeconds,
        'a number of seconds > 0',
      );
    }
    const gc = options.gcAfterSeconds ?? DEFAULT_LOCK_GC_AFTER_SECONDS;
    if (!Number.isInteger(gc) || gc <= ttlSeconds) {
      throw new MongoInvalidOptionError(
        'DistributedLock',
        'gcAfterSeconds',
        gc,
        `an integer number of seconds greater than ttlSeconds (${ttlSeconds})`,
      );
    }
    this.defaultTtlMs = ttlSeconds * 1000;
    this.gcAfterSeconds = gc;
    this.collectionName = checkCollectionName(
      'DistributedLock',
      'collectionName',
      options.collectionName ?? DEFAULT_LOCK_COLLECTION,
    );
    this.tokenCollectionName = checkCollectionName(
      'DistributedLock',
      'tokenCollectionName',
      options.tokenCollectionName ?? `${this.collectionName}_tokens`,
    );
    this.#time = timeSource(options.clock);
    this.operationTimeoutMs = checkOperationTimeout('DistributedLock', options.operationTimeoutMs);
    this.#writeConcern = resolveWriteConcern(
      'DistributedLock',
      options.writeConcern,
      this.operationTimeoutMs,
    );
    this.#logger = options.logger ?? console;
    this.#collections = new AdapterCollections<Collections>(
      'DistributedLock',
      async () => this.#open(),
      (collections, operation) => this.#ensure(collections, operation),
      options.autoIndex ?? true,
      this.operationTimeoutMs,
    );
  }

  /** `server` when expiry is judged by the database server's clock, `clock` with an injected clock. */
  get timeSource(): 'server' | 'clock' {
    return this.#time.kind;
  }

  /** The write concern of every lock write (majority with a bounded `wtimeoutMS` unless `writeConcern` says otherwise). */
  async writeConcern(): Promise<WriteConcernSettings> {
    return { ...this.#writeConcern };
  }

  /**
   * The collection handles every operation of this lock uses, with the pinned read preference (`primary`), read
   * concern (`majority`) and write concern; for diagnostics and tests.
   */
  async collections(): Promise<{ locks: Collection<Document>; tokens: Collection<StringIdDocument> }> {
    return this.#collections.opened('DistributedLock.collections');
  }

  #open(): Collections {
    // Pinned, whatever the URI or the Db says: a lock check on a secondary could see a lock as free that the primary
    // already gave away.
    const options = pinnedCollectionOptions(this.#writeConcern);
    return {
      locks: this.db.collection(this.collectionName, options),
      tokens: this.db.collection<StringIdDocument>(this.tokenCollectionName, options),
    };
  }

  /**
   * Creates the unique index on `lock_key` and, as garbage collection only, a TTL index on `renewed_at`
   * (`expireAfterSeconds: gcAfterSeconds`). Idempotent and safe to call from every replica concurrently.
   */
  async ensureIndexes(): Promise<void> {
    const operation = 'DistributedLock.ensureIndexes';
    await this.#ensure(await this.#collections.opened(operation), operation);
  }

  async #ensure({ locks }: Collections, operation: string): Promise<void> {
    const specs: IndexSpec[] = [
      { key: { lock_key: 1 }, options: { name: 'lock_key_1', unique: true } },
      {
        key: { renewed_at: 1 },
        options: { name: 'renewed_at_1_gc', expireAfterSeconds: this.gcAfterSeconds },
      },
    ];
    await ensureIndexSpecs(locks, specs, operation, (m) => this.#logger.warn(`[craft-mongo] ${m}`));
  }

  /**
   * Takes `key` for `owner` for `ttlMs` (default `ttlSeconds`). Returns a lease with a fencing token greater
   * than every token ever issued for `key`, or `null` when an unexpired lease exists (also `owner`'s own).
   * When it throws, it holds nothing: whatever of it reached the server is freed (see {@link acquireMany}).
   */
  async acquire(key: string, owner: string, ttlMs: number = this.defaultTtlMs): Promise<Lease | null> {
    this.#checkTtl('acquire', ttlMs);
    const call = randomUUID();
    try {
      return await this.#acquiring(undefined, (c, o) => this.#takeKey(c, key, owner, ttlMs, call, o));
    } catch (error) {
      this.#freeCall([key], owner, call);
      throw error;
    }
  }

  /**
   * Takes `key` (one to three steps): returns our lease, or `null` when it is held. Every document it takes is
   * tagged with `call` (`acquire_call`), so that a call that failed can free what it took (see {@link #freeCall}).
   */
  async #takeKey(
    { locks, tokens }: Collections,
    key: string,
    owner: string,
    ttlMs: number,
    call: string,
    o: OperationOptions,
  ): Promise<Lease | null> {
    const free = { $or: [{ owner: null }, { $expr: { $lte: [LOCK_EXPIRY, this.#time.nowExpr()] } }] };
    // 1. The common case, one round trip: a lock document of this implementation (token in an epoch) that is
    //    free or expired (judged against the shared clock) becomes ours, its token incremented in the same write.
    const bump: UpdateOps & { $inc?: Record<string, number> } = {
      $set: { owner, ttl_ms: ttlMs, acquire_call: call },
      $inc: { token: 1 },
    };
    this.#time.stamp(bump, ['acquired_at', 'renewed_at']);
    const bumped = await locks.findOneAndUpdate(
      { lock_key: key, token: { $gte: TOKEN_EPOCH }, ...free },
      bump as Document,
      { ...o, returnDocument: 'after' },
    );
    // The test server may return a document that already shows a later concurrent write; only one that is still
    // ours tells our token (a lease that lapsed and was taken over at once is lost anyway: not ours).
    if (bumped) {
      const doc = bumped as unknown as LockDocument;
      return doc.owner === owner ? toLease(key, owner, doc.token, doc) : null;
    }
    // 2. Held and unexpired: taken, this pass defers (2 round trips in all).
    const held = await locks.findOne(
      { lock_key: key, owner: { $ne: null }, $expr: { $gt: [LOCK_EXPIRY, this.#time.nowExpr()] } },
      { ...o, projection: { _id: 1 } },
    );
    if (held) return null;
    // 3. No document (the first lock of the key, or one garbage-collected), a document without an epoch token (an
    //    earlier version's, or another program's), or one released just now: start a new epoch.
    for (let round = 0; round < MAX_ACQUIRE_ROUNDS; round++) {
      const epoch = await reserveToken(tokens, key, o);
      const token = epoch * TOKEN_EPOCH;
      const take: UpdateOps = { $set: { owner, token, ttl_ms: ttlMs, acquire_call: call } };
      this.#time.stamp(take, ['acquired_at', 'renewed_at']);
      const taken = await locks.findOneAndUpdate(
        { lock_key: key, $and: [OLDER_TOKEN(token), free] },
        take as Document,
        { ...o, returnDocument: 'after' },
      );
      if (taken) return toLease(key, owner, token, taken as unknown as LockDocument);
      if (round > 0) {
        // Looked at in step 2 for the first round.
        const stillHeld = await locks.findOne(
          { lock_key: key, owner: { $ne: null }, $expr: { $gt: [LOCK_EXPIRY, this.#time.nowExpr()] } },
          { ...o, projection: { _id: 1 } },
        );
        if (stillHeld) return null;
      }
      // Create it. The filter never matches a held lock: a held or newer lock makes the upsert collide on the
      // unique lock_key index instead, and the next round looks again. ($expr is not allowed in an upsert.)
      try {
        const created = await locks.findOneAndUpdate(
          { lock_key: key, owner: null, ...OLDER_TOKEN(token) },
          take as Document,
          { ...o, upsert: true, returnDocument: 'after' },
        );
        if (created) {
          // An epoch reserved before ours may be older than one already used (and garbage-collected with its
          // document): only keep the lock if nobody reserved an epoch after ours; else start over.
          const counter = await tokens.findOne({ _id: key }, o);
          if (counter?.['seq'] === epoch)
            return toLease(key, owner, token, created as unknown as LockDocument);
          await locks.updateOne({ lock_key: key, owner, token }, { $set: { owner: null } }, o);
        }
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
    }
    return null;
  }

  /**
   * Takes several keys for `owner` at once (the engine sends the lock acquires of one batch of due schedules
   * together): every lock document that is free or expired becomes ours in ONE unordered `bulkWrite` of the same
   * conditional update `acquire` makes (token incremented in the write, expiry judged by the shared clock), each
   * tagged with this call's id, and ONE read of the tagged documents tells the tokens. Of the keys left, the ones
   * held right now are answered `null` after one more read; the rest (no lock document yet, or one without an
   * epoch token) are taken one by one, concurrently, as {@link acquire} takes them. Each key answers exactly as
   * `acquire` would; a key listed twice is granted once. 2 round trips for a batch of existing locks instead of one
   * per key.
   *
   * **When it throws, it holds none of its keys.** One key taken one by one failing (a dropped connection) fails
   * the call at once for the others too: they send no further step, and once all have settled, every document this
   * call tagged and still holds is freed. (Before, the others went on alone — one held up by the dropped connection
   * would take its lock after the connection came back, in the name of a call that had failed, and nobody released
   * it for a whole lease.) The freeing is one more write, sent when the call fails: a write of the call still on
   * its way then (a slow link) lands before it when the two travel in order. It may itself fail while the database
   * is unreachable, or be overtaken by such a write on another connection; that lock lapses at its lease's expiry.
   */
  async acquireMany(
    keys: readonly string[],
    owner: string,
    ttlMs: number = this.defaultTtlMs,
  ): Promise<(Lease | null)[]> {
    this.#checkTtl('acquire', ttlMs);
    const unique = [...new Set(keys)];
    if (unique.length === 0) return keys.map(() => null);
    const call = randomUUID();
    let got: Map<string, Lease>;
    try {
      got = await this.#acquireAll(unique, owner, ttlMs, call);
    } catch (error) {
      this.#freeCall(unique, owner, call);
      throw error;
    }
    const answered = new Set<string>();
    return keys.map((k) => {
      if (answered.has(k)) return null; // not re-entrant: a repeated key is taken once
      answered.add(k);
      return got.get(k) ?? null;
    });
  }

  /** The keys of {@link acquireMany}, each once: the leases granted, by key (a key missing is held elsewhere). */
  async #acquireAll(
    unique: string[],
    owner: string,
    ttlMs: number,
    call: string,
  ): Promise<Map<string, Lease>> {
    const leases = await this.#acquiring(undefined, async ({ locks }, o) => {
      const now = this.#time.nowExpr();
      const free = { $or: [{ owner: null }, { $expr: { $lte: [LOCK_EXPIRY, now] } }] };
      const ops = unique.map((key) => {
        const bump: UpdateOps & { $inc?: Record<string, number> } = {
          $set: { owner, ttl_ms: ttlMs, acquire_call: call },
          $inc: { token: 1 },
        };
        this.#time.stamp(bump, ['acquired_at', 'renewed_at']);
        return {
          updateOne: {
            filter: { lock_key: key, token: { $gte: TOKEN_EPOCH }, ...free },
            update: bump as Document,
          },
        };
      });
      const written = await locks.bulkWrite(ops, { ...o, ordered: false });
      const got = new Map<string, Lease>();
      if (written.matchedCount > 0) {
        // Only a document still tagged with this call and owned by us tells our token (every acquire tags what it
        // takes with its own call id, so a lease taken over meanwhile is not mistaken for ours). Filtered here,
        // not in the query: `lock_key` alone is served by its unique index, also on the test server (which scans
        // the collection as soon as the query names another field).
        const docs = await locks.find({ lock_key: { $in: unique } }, o).toArray();
        for (const d of docs) {
          const doc = d as unknown as LockDocument & { acquire_call?: unknown };
          if (doc.acquire_call !== call || doc.owner !== owner) continue;
          got.set(doc.lock_key, toLease(doc.lock_key, owner, doc.token, doc));
        }
      }
      const rest = unique.filter((k) => !got.has(k));
      if (rest.length === 0) return { got, rest };
      const heldDocs = await locks
        .find(
          { lock_key: { $in: rest }, owner: { $ne: null }, $expr: { $gt: [LOCK_EXPIRY, now] } },
          { ...o, projection: { lock_key: 1 } },
        )
        .toArray();
      const held = new Set(heldDocs.map((d) => d['lock_key'] as string));
      return { got, rest: rest.filter((k) => !held.has(k)) };
    });
    // No lock document yet (the first lock of a key), or one to adopt into a new epoch: one by one, concurrently,
    // under the same tag. The first failure stops the others (no further step is sent) and fails the call.
    const stop = new AbortController();
    const adopted = await Promise.allSettled(
      leases.rest.map((k) =>
        this.#acquiring(stop.signal, (c, o) => this.#takeKey(c, k, owner, ttlMs, call, o)).catch(
          (error: unknown) => {
            if (!stop.signal.aborted) stop.abort(error);
            throw error;
          },
        ),
      ),
    );
    // The call fails with the failure that stopped the others (theirs only say they were stopped).
    if (stop.signal.aborted) throw stop.signal.reason;
    for (const [i, result] of adopted.entries()) {
      if (result.status === 'fulfilled' && result.value)
        leases.got.set(leases.rest[i] as string, result.value);
    }
    return leases.got;
  }

  /**
   * Runs one acquire operation, bounded like every operation and stopped early by `stop` as by the bound: a command
   * still waiting for a server is dropped and no further step is sent.
   */
  #acquiring<T>(
    stop: AbortSignal | undefined,
    fn: (collections: Collections, options: OperationOptions) => Promise<T>,
  ): Promise<T> {
    return this.#collections.run('acquire', (collections, bound) =>
      fn(
        collections,
        stop && bound.signal ? { ...bound, signal: AbortSignal.any([bound.signal, stop]) } : bound,
      ),
    );
  }

  /**
   * Frees every document of `keys` that the acquire call `call` took for `owner` and nobody took over since (a
   * takeover re-tags it), in the background: a failed acquire must hold nothing. Best effort: it fails too while
   * the database is unreachable, and such a lock then lapses at its lease's expiry.
   */
  #freeCall(keys: readonly string[], owner: string, call: string): void {
    this.#collections
      .run('release', ({ locks }, o) =>
        locks.updateMany(
          { lock_key: { $in: [...keys] }, owner, acquire_call: call },
          { $set: { owner: null } },
          o,
        ),
      )
      .catch(() => {});
  }

  /**
   * Extends a held lease to `ttlMs` (default: its current length) from now. Returns the renewed lease (same
   * token), or `null` when `lease.owner` no longer holds `lease.token` (released, or taken over).
   */
  async renew(lease: Lease, ttlMs?: number): Promise<Lease | null> {
    if (ttlMs !== undefined) this.#checkTtl('renew', ttlMs);
    return this.#collections.run('renew', async ({ locks }, o) => {
      const update: UpdateOps = ttlMs === undefined ? {} : { $set: { ttl_ms: ttlMs } };
      this.#time.stamp(update, ['renewed_at']);
      const doc = await locks.findOneAndUpdate(
        { lock_key: lease.key, owner: lease.owner, token: lease.token },
        update as Document,
        { ...o, returnDocument: 'after' },
      );
      return doc ? toLease(lease.key, lease.owner, lease.token, doc as unknown as LockDocument) : null;
    });
  }

  /** Releases a lease held by `lease.owner` with `lease.token`; returns `false` (changing nothing) otherwise. */
  async release(lease: Lease): Promise<boolean> {
    return this.#collections.run('release', async ({ locks }, o) => {
      const r = await locks.updateOne(
        { lock_key: lease.key, owner: lease.owner, token: lease.token },
        { $set: { owner: null } },
        o,
      );
      return r.matchedCount === 1;
    });
  }

  /**
   * Releases several leases in one unordered `bulkWrite` of the same conditional update {@link release} makes (freed
   * only where `lease.owner` still holds `lease.token`); returns how many were freed. 1 round trip for the batch.
   */
  async releaseMany(leases: readonly Lease[]): Promise<number> {
    if (leases.length === 0) return 0;
    return this.#collections.run('release', async ({ locks }, o) => {
      const r = await locks.bulkWrite(
        leases.map((lease) => ({
          updateOne: {
            filter: { lock_key: lease.key, owner: lease.owner, token: lease.token },
            update: { $set: { owner: null } },
          },
        })),
        { ...o, ordered: false },
      );
      return r.modifiedCount;
    });
  }

  /** The current holder of `key`, or `null` when it is free or expired. For diagnostics only. */
  async inspect(key: string): Promise<Lease | null> {
    return this.#collections.run('inspect', async ({ locks }, o) => {
      const doc = await locks.findOne(
        {
          lock_key: key,
          owner: { $ne: null },
          $expr: { $gt: [LOCK_EXPIRY, this.#time.nowExpr()] },
        },
        o,
      );
      return doc ? leaseOf(doc as unknown as LockDocument) : null;
    });
  }

  /**
   * Deletes every lock document that is free (released, or its lease expired) and returns how many. Never
   * needed for correctness; it does at once what the TTL index does on MongoDB over time, for servers without
   * TTL support (and for tests proving that fencing tokens survive garbage collection).
   */
  async collectGarbage(): Promise<number> {
    return this.#collections.run('collectGarbage', async ({ locks }, o) => {
      const r = await locks.deleteMany(
        { $or: [{ owner: null }, { $expr: { $lte: [LOCK_EXPIRY, this.#time.nowExpr()] } }] },
        o,
      );
      return r.deletedCount;
    });
  }

  #checkTtl(operation: string, ttlMs: number): void {
    if (!Number.isFinite(ttlMs) || ttlMs <= 0 || ttlMs >= this.gcAfterSeconds * 1000) {
      throw new MongoInvalidOptionError(
        `DistributedLock.${operation}`,
        'ttlMs',
        ttlMs,
        `a lease in ms > 0 and shorter than gcAfterSeconds (${this.gcAfterSeconds} s), so garbage collection ` +
          'never deletes a held lock; raise gcAfterSeconds for longer leases',
      );
    }
  }
}

/** Reserves the next fencing epoch of `key` from its counter document (created on first use, never deleted). */
async function reserveToken(
  tokens: Collection<StringIdDocument>,
  key: string,
  o: OperationOptions,
): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    try {
      // 'before' + 1 rather than 'after': the value this increment produced, even on servers that serialise the
      // returned document after a concurrent update (the test server does).
      const before = await tokens.findOneAndUpdate(
        { _id: key },
        { $inc: { seq: 1 } },
        { ...o, upsert: true, returnDocument: 'before' },
      );
      const seq = before === null ? 0 : before['seq'];
      if (typeof seq !== 'number') throw new Error(`fencing counter of "${key}" holds ${String(seq)}`);
      return seq + 1;
    } catch (error) {
      // Two first-time upserts of the same counter: the loser retries and increments the winner's document.
      if (isDuplicateKeyError(error) && attempt < 3) continue;
      throw error;
    }
  }
}

/**
 * The lease this process was granted: key, owner and token are ours by construction; the expiry comes from the
 * returned document's server stamp. (On a server that serialises the returned document after a later concurrent
 * update, as the test server may, that stamp can belong to a later holder; the lease is then already lost, and
 * renew/release will say so.)
 */
function toLease(key: string, owner: string, token: number, doc: LockDocument): Lease {
  const stamp = doc.renewed_at instanceof Date ? doc.renewed_at.getTime() : 0;
  const ttl = typeof doc.ttl_ms === 'number' ? doc.ttl_ms : 0;
  return { key, owner, token, expiresAt: new Date(stamp + ttl) };
}

/** A lease read from a lock document (inspect). */
function leaseOf(doc: LockDocument): Lease {
  return toLease(doc.lock_key, doc.owner as string, doc.token, doc);
}
