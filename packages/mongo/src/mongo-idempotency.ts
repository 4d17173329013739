// Internal: the `IdempotencyStore` half of `MongoSchedulerStore`, over the `idempotency_keys` collection.
//
// A document: { scope, key, fingerprint, state: 'in_progress' | 'completed', token, response: { status, headers:
// [[name, value]], body } | null, reserved_at, ttl_ms, lease_renewed_at, lease_ms }. Times are the store's (the
// server's clock by default, see time.ts): the key expires at reserved_at + ttl_ms and an in-progress lease lapses
// at lease_renewed_at + lease_ms, both decided in the query with `$expr`. The TTL index on `reserved_at` only
// garbage-collects documents long after they expired (the test server ignores TTL indexes: nothing depends on it).
import type {
  IdempotencyRecord,
  IdempotencyReservation,
  IdempotencyReserveResult,
  IdempotentResponse,
} from '@craft/scheduler';
import { type Collection, type Document, type Filter, ObjectId } from 'mongodb';
import { isDuplicateKeyError, MongoInvalidOptionError } from './errors.js';
import type { IndexSpec } from './indexes.js';
import type { TimeSource, UpdateOps } from './time.js';

/** Default collection of idempotency keys. */
export const DEFAULT_IDEMPOTENCY_COLLECTION = 'idempotency_keys';

/** Default garbage-collection horizon of idempotency keys (2 days; keys the API keeps live 24 h). */
export const DEFAULT_IDEMPOTENCY_GC_AFTER_SECONDS = 172_800;

/** The indexes `ensureIndexes` creates on the idempotency collection (`gcAfterSeconds` sets the TTL). */
export function idempotencyIndexes(gcAfterSeconds: number): IndexSpec[] {
  return [
    // One record per scoped key: what makes a reservation atomic (an insert, or a duplicate key).
    { key: { scope: 1, key: 1 }, options: { name: 'scope_1_key_1', unique: true } },
    // Garbage collection on MongoDB only; expiry itself is decided in every query.
    {
      key: { reserved_at: 1 },
      options: { name: 'reserved_at_1_ttl', expireAfterSeconds: gcAfterSeconds },
    },
  ];
}

interface KeyDocument {
  scope: string;
  key: string;
  fingerprint: string;
  state: 'in_progress' | 'completed';
  token: string;
  response: { status: number; headers: [string, string][]; body: string } | null;
  reserved_at: Date;
  ttl_ms: number;
  lease_renewed_at: Date | null;
  lease_ms: number | null;
}

const EXPIRES_AT = { $add: ['$reserved_at', '$ttl_ms'] };
const LEASE_EXPIRES_AT = { $add: ['$lease_renewed_at', '$lease_ms'] };

function fromDocument(d: KeyDocument): IdempotencyRecord {
  return {
    scope: d.scope,
    key: d.key,
    fingerprint: d.fingerprint,
    state: d.state,
    token: d.token,
    response: d.response
      ? { status: d.response.status, headers: Object.fromEntries(d.response.headers), body: d.response.body }
      : null,
    createdAt: d.reserved_at,
    expiresAt: new Date(d.reserved_at.getTime() + d.ttl_ms),
    leaseExpiresAt:
      d.lease_renewed_at instanceof Date && typeof d.lease_ms === 'number'
        ? new Date(d.lease_renewed_at.getTime() + d.lease_ms)
        : null,
  };
}

/** The idempotency keys of one store: every method is one atomic single-document operation (plus reads). */
export class MongoIdempotencyKeys {
  constructor(
    private readonly time: TimeSource,
    private readonly gcAfterSeconds: number,
  ) {}

  #live(): Filter<Document> {
    return { $expr: { $gt: [EXPIRES_AT, this.time.nowExpr()] } };
  }

  #held(scope: string, key: string, token: string): Filter<Document> {
    // The holder's token, still in progress, and not expired: a taken-over or completed key is not held.
    return { scope, key, token, state: 'in_progress', ...this.#live() };
  }

  #check(operation: string, r: Pick<IdempotencyReservation, 'ttlMs' | 'leaseMs'>): void {
    for (const [option, ms] of [
      ['ttlMs', r.ttlMs],
      ['leaseMs', r.leaseMs],
    ] as const) {
      if (!Number.isFinite(ms) || ms <= 0) {
        throw new MongoInvalidOptionError(operation, option, ms, 'a finite number of milliseconds > 0');
      }
    }
    if (r.ttlMs > this.gcAfterSeconds * 1000) {
      throw new MongoInvalidOptionError(
        operation,
        'ttlMs',
        r.ttlMs,
        `at most the garbage-collection horizon (idempotencyGcAfterSeconds: ${this.gcAfterSeconds} s)`,
      );
    }
  }

  async reserve(c: Collection<Document>, r: IdempotencyReservation): Promise<IdempotencyReserveResult> {
    this.#check('MongoSchedulerStore.reserveIdempotencyKey', r);
    const fresh = {
      fingerprint: r.fingerprint,
      state: 'in_progress',
      token: r.token,
      response: null,
      ttl_ms: r.ttlMs,
      lease_ms: r.leaseMs,
    };
    for (let attempt = 0; attempt < 5; attempt++) {
      // 1. A key never seen: an upsert whose filter cannot match (a fresh _id) inserts, stamping the store's
      //    time, or fails on the unique (scope, key) index when the key exists.
      try {
        const insert: UpdateOps = { $setOnInsert: { scope: r.scope, key: r.key, ...fresh } };
        this.time.stamp(insert, ['reserved_at', 'lease_renewed_at']);
        await c.updateOne({ _id: new ObjectId(), scope: r.scope, key: r.key }, insert as Document, {
          upsert: true,
        });
        const doc = await c.findOne({ scope: r.scope, key: r.key, token: r.token });
        if (doc)
          return {
            outcome: 'reserved',
            record: fromDocument(doc as unknown as KeyDocument),
            takenOver: false,
          };
        continue;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
      // 2. Only an expired record: replace it (compare-and-set on "expired", so one caller wins).
      const replace: UpdateOps = { $set: { ...fresh } };
      this.time.stamp(replace, ['reserved_at', 'lease_renewed_at']);
      const replaced = await c.findOneAndUpdate(
        { scope: r.scope, key: r.key, $expr: { $lte: [EXPIRES_AT, this.time.nowExpr()] } },
        replace as Document,
        { returnDocument: 'after' },
      );
      if (replaced) {
        return {
          outcome: 'reserved',
          record: fromDocument(replaced as unknown as KeyDocument),
          takenOver: false,
        };
      }
      // 3. The same request, in progress, whose holder's lease lapsed: take it over (compare-and-set on the lapse).
      const takeover: UpdateOps = { $set: { token: r.token, lease_ms: r.leaseMs } };
      this.time.stamp(takeover, ['lease_renewed_at']);
      const taken = await c.findOneAndUpdate(
        {
          scope: r.scope,
          key: r.key,
          state: 'in_progress',
          fingerprint: r.fingerprint,
          $expr: {
            $and: [
              { $gt: [EXPIRES_AT, this.time.nowExpr()] },
              { $lte: [LEASE_EXPIRES_AT, this.time.nowExpr()] },
            ],
          },
        },
        takeover as Document,
        { returnDocument: 'after' },
      );
      if (taken)
        return {
          outcome: 'reserved',
          record: fromDocument(taken as unknown as KeyDocument),
          takenOver: true,
        };
      // 4. Held by someone else, or completed: answer it (gone meanwhile: released or expired, so try again).
      const current = await c.findOne({ scope: r.scope, key: r.key });
      if (current) return { outcome: 'exists', record: fromDocument(current as unknown as KeyDocument) };
    }
    throw new Error(
      `MongoSchedulerStore.reserveIdempotencyKey: the key changed under five attempts in a row (scope ${JSON.stringify(
        r.scope,
      )}); retry`,
    );
  }

  async renew(
    c: Collection<Document>,
    scope: string,
    key: string,
    token: string,
    leaseMs: number,
  ): Promise<boolean> {
    this.#check('MongoSchedulerStore.renewIdempotencyKey', { ttlMs: 1, leaseMs });
    const ops: UpdateOps = { $set: { lease_ms: leaseMs } };
    this.time.stamp(ops, ['lease_renewed_at']);
    const r = await c.updateOne(this.#held(scope, key, token), ops as Document);
    return r.matchedCount === 1;
  }

  async complete(
    c: Collection<Document>,
    scope: string,
    key: string,
    token: string,
    response: IdempotentResponse,
  ): Promise<boolean> {
    const stored = {
      status: response.status,
      // Pairs, not an object: a header name may contain a dot, which a field name must not.
      headers: Object.entries(response.headers),
      body: response.body,
    };
    const r = await c.updateOne(this.#held(scope, key, token), {
      $set: { state: 'completed', response: stored, lease_renewed_at: null, lease_ms: null },
    });
    return r.matchedCount === 1;
  }

  async release(c: Collection<Document>, scope: string, key: string, token: string): Promise<boolean> {
    const r = await c.deleteOne(this.#held(scope, key, token));
    return r.deletedCount === 1;
  }

  async get(c: Collection<Document>, scope: string, key: string): Promise<IdempotencyRecord | null> {
    const doc = await c.findOne({ scope, key, ...this.#live() });
    return doc ? fromDocument(doc as unknown as KeyDocument) : null;
  }
}
