import { systemClock } from '../clock.js';
import type {
  Clock,
  IdempotencyRecord,
  IdempotencyReservation,
  IdempotencyReserveResult,
  IdempotencyStore,
  IdempotentResponse,
} from '../types.js';

const copy = (r: IdempotencyRecord): IdempotencyRecord => ({
  ...r,
  response: r.response ? { ...r.response, headers: { ...r.response.headers } } : null,
  createdAt: new Date(r.createdAt.getTime()),
  expiresAt: new Date(r.expiresAt.getTime()),
  leaseExpiresAt: r.leaseExpiresAt ? new Date(r.leaseExpiresAt.getTime()) : null,
});

/**
 * In-process {@link IdempotencyStore}: the reference implementation, used by `MemoryStore`. Time (expiry, leases) is
 * the injected clock's. Expired records are dropped when touched, never by a timer.
 */
export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly #clock: Clock;
  readonly #records = new Map<string, IdempotencyRecord>();

  constructor(options: { clock?: Clock } = {}) {
    this.#clock = options.clock ?? systemClock;
  }

  #live(scope: string, key: string, now: number): IdempotencyRecord | undefined {
    const id = JSON.stringify([scope, key]);
    const r = this.#records.get(id);
    if (r && r.expiresAt.getTime() <= now) {
      this.#records.delete(id);
      return undefined;
    }
    return r;
  }

  async reserveIdempotencyKey(r: IdempotencyReservation): Promise<IdempotencyReserveResult> {
    await Promise.resolve();
    const now = this.#clock.now();
    const current = this.#live(r.scope, r.key, now);
    const fresh = (createdAt: number): IdempotencyRecord => ({
      scope: r.scope,
      key: r.key,
      fingerprint: r.fingerprint,
      state: 'in_progress',
      token: r.token,
      response: null,
      createdAt: new Date(createdAt),
      expiresAt: new Date(createdAt + r.ttlMs),
      leaseExpiresAt: new Date(now + r.leaseMs),
    });
    if (!current) {
      const record = fresh(now);
      this.#records.set(JSON.stringify([r.scope, r.key]), record);
      return { outcome: 'reserved', record: copy(record), takenOver: false };
    }
    const lapsed =
      current.state === 'in_progress' &&
      current.leaseExpiresAt !== null &&
      current.leaseExpiresAt.getTime() <= now;
    if (lapsed && current.fingerprint === r.fingerprint) {
      // Take over a dead holder's reservation; the key keeps its original expiry.
      current.token = r.token;
      current.leaseExpiresAt = new Date(now + r.leaseMs);
      return { outcome: 'reserved', record: copy(current), takenOver: true };
    }
    return { outcome: 'exists', record: copy(current) };
  }

  #held(scope: string, key: string, token: string): IdempotencyRecord | undefined {
    const r = this.#live(scope, key, this.#clock.now());
    return r && r.state === 'in_progress' && r.token === token ? r : undefined;
  }

  async renewIdempotencyKey(scope: string, key: string, token: string, leaseMs: number): Promise<boolean> {
    await Promise.resolve();
    const r = this.#held(scope, key, token);
    if (!r) return false;
    r.leaseExpiresAt = new Date(this.#clock.now() + leaseMs);
    return true;
  }

  async completeIdempotencyKey(
    scope: string,
    key: string,
    token: string,
    response: IdempotentResponse,
  ): Promise<boolean> {
    await Promise.resolve();
    const r = this.#held(scope, key, token);
    if (!r) return false;
    r.state = 'completed';
    r.response = { ...response, headers: { ...response.headers } };
    r.leaseExpiresAt = null;
    return true;
  }

  async releaseIdempotencyKey(scope: string, key: string, token: string): Promise<boolean> {
    await Promise.resolve();
    if (!this.#held(scope, key, token)) return false;
    return this.#records.delete(JSON.stringify([scope, key]));
  }

  async getIdempotencyKey(scope: string, key: string): Promise<IdempotencyRecord | null> {
    await Promise.resolve();
    const r = this.#live(scope, key, this.#clock.now());
    return r ? copy(r) : null;
  }
}
