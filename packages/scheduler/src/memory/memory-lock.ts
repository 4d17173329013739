import { systemClock } from '../clock.js';
import type { Clock, Lease, LockProvider } from '../types.js';

/** Options of {@link MemoryLock}. */
export interface MemoryLockOptions {
  /** The time source judging expiry. Share one clock between all locks of a simulation. @default systemClock */
  clock?: Clock;
}

interface Held {
  owner: string;
  token: number;
  expiresAt: number;
  ttlMs: number;
}

/**
 * In-process {@link LockProvider}: the embedded default and the reference implementation for the conformance
 * suite. One instance is one "database": share it between scheduler instances to simulate replicas.
 */
export class MemoryLock implements LockProvider {
  readonly #clock: Clock;
  readonly #held = new Map<string, Held>();
  // Last token per key; never deleted, so tokens keep increasing after release or expiry.
  readonly #tokens = new Map<string, number>();

  constructor(options: MemoryLockOptions = {}) {
    this.#clock = options.clock ?? systemClock;
  }

  async acquire(key: string, owner: string, ttlMs: number): Promise<Lease | null> {
    await Promise.resolve();
    return this.#take(key, owner, ttlMs);
  }

  async acquireMany(keys: readonly string[], owner: string, ttlMs: number): Promise<(Lease | null)[]> {
    await Promise.resolve();
    return keys.map((key) => this.#take(key, owner, ttlMs));
  }

  #take(key: string, owner: string, ttlMs: number): Lease | null {
    const now = this.#clock.now();
    const cur = this.#held.get(key);
    if (cur && cur.expiresAt > now) return null;
    const token = (this.#tokens.get(key) ?? 0) + 1;
    this.#tokens.set(key, token);
    const held: Held = { owner, token, expiresAt: now + ttlMs, ttlMs };
    this.#held.set(key, held);
    return toLease(key, held);
  }

  async renew(lease: Lease, ttlMs?: number): Promise<Lease | null> {
    await Promise.resolve();
    const cur = this.#held.get(lease.key);
    if (!cur || cur.owner !== lease.owner || cur.token !== lease.token) return null;
    if (ttlMs !== undefined) cur.ttlMs = ttlMs;
    cur.expiresAt = this.#clock.now() + cur.ttlMs;
    return toLease(lease.key, cur);
  }

  async release(lease: Lease): Promise<boolean> {
    await Promise.resolve();
    return this.#free(lease);
  }

  async releaseMany(leases: readonly Lease[]): Promise<number> {
    await Promise.resolve();
    return leases.filter((lease) => this.#free(lease)).length;
  }

  #free(lease: Lease): boolean {
    const cur = this.#held.get(lease.key);
    if (!cur || cur.owner !== lease.owner || cur.token !== lease.token) return false;
    this.#held.delete(lease.key);
    return true;
  }

  async inspect(key: string): Promise<Lease | null> {
    await Promise.resolve();
    const cur = this.#held.get(key);
    if (!cur || cur.expiresAt <= this.#clock.now()) return null;
    return toLease(key, cur);
  }

  /** Drops expired lock entries (tokens are kept). Simulates a TTL index garbage-collecting lock documents. */
  collectGarbage(): number {
    const now = this.#clock.now();
    let n = 0;
    for (const [key, held] of this.#held) {
      if (held.expiresAt <= now) {
        this.#held.delete(key);
        n++;
      }
    }
    return n;
  }
}

function toLease(key: string, held: Held): Lease {
  return { key, owner: held.owner, token: held.token, expiresAt: new Date(held.expiresAt) };
}
