import type { Clock, Lease, LockProvider } from '../types.js';
import { makeTime, type SuiteTestApi, type SuiteTime, type TimeOptions } from './types.js';

/** Options of {@link lockSuite}. */
export interface LockSuiteOptions extends TimeOptions {
  /** Returns a fresh lock provider for one test, judging expiry by `ctx.clock` in `fake` mode. */
  createLock(ctx: { clock: Clock }): LockProvider | Promise<LockProvider>;
  /** Called after each test (close connections, drop the database). */
  destroyLock?(lock: LockProvider): void | Promise<void>;
  /**
   * Deletes expired lock records the way the backend's garbage collection would (e.g. a TTL index). When given,
   * the suite checks that fencing tokens keep increasing across garbage collection.
   */
  collectGarbage?(lock: LockProvider): void | Promise<void>;
}

/**
 * The lock conformance suite: exclusivity, expiry and takeover, renewal, release by a non-owner, fencing. Uses
 * only the public `LockProvider` contract.
 */
export function lockSuite(api: SuiteTestApi, options: LockSuiteOptions): void {
  const { describe, it, expect } = api;
  const withLock = (fn: (lock: LockProvider, time: SuiteTime) => Promise<void>) => async () => {
    const time = makeTime(options);
    const lock = await options.createLock({ clock: time.clock });
    try {
      await fn(lock, time);
    } finally {
      await options.destroyLock?.(lock);
    }
  };
  let n = 0;
  const key = () => `job:suite-${Date.now().toString(36)}-${n++}`;

  describe('LockProvider', () => {
    it(
      'grants a free key and refuses it to everyone else (also its owner) while the lease lasts',
      withLock(async (lock, time) => {
        const k = key();
        const lease = await lock.acquire(k, 'a', time.leaseMs);
        expect(lease).not.toBeNull();
        expect(lease?.key).toBe(k);
        expect(lease?.owner).toBe('a');
        expect(lease?.token).toBeGreaterThan(0);
        expect(await lock.acquire(k, 'b', time.leaseMs)).toBeNull();
        expect(await lock.acquire(k, 'a', time.leaseMs)).toBeNull();
        expect((await lock.inspect(k))?.owner).toBe('a');
        expect(await lock.acquire(key(), 'b', time.leaseMs)).not.toBeNull();
      }),
    );

    it(
      'gives a key to exactly one of many concurrent acquirers',
      withLock(async (lock, time) => {
        const k = key();
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => lock.acquire(k, `owner-${i}`, time.leaseMs)),
        );
        const winners = results.filter((r): r is Lease => r !== null);
        expect(winners).toHaveLength(1);
        expect((await lock.inspect(k))?.owner).toBe(winners[0]?.owner);
      }),
    );

    it(
      'lets another owner take over an expired lease with a greater fencing token',
      withLock(async (lock, time) => {
        const k = key();
        const first = (await lock.acquire(k, 'a', time.leaseMs)) as Lease;
        await time.advance(time.leaseMs * 1.5);
        expect(await lock.inspect(k)).toBeNull();
        const second = await lock.acquire(k, 'b', time.leaseMs);
        expect(second?.owner).toBe('b');
        expect(second?.token).toBeGreaterThan(first.token);
        // The old holder can neither renew nor release any more.
        expect(await lock.renew(first)).toBeNull();
        expect(await lock.release(first)).toBe(false);
        expect((await lock.inspect(k))?.owner).toBe('b');
      }),
    );

    it(
      'releases for the owner only; a non-owner release returns false and changes nothing',
      withLock(async (lock, time) => {
        const k = key();
        const lease = (await lock.acquire(k, 'a', time.leaseMs)) as Lease;
        expect(await lock.release({ ...lease, owner: 'intruder' })).toBe(false);
        expect(await lock.release({ ...lease, token: lease.token + 1 })).toBe(false);
        expect((await lock.inspect(k))?.owner).toBe('a');
        expect(await lock.acquire(k, 'b', time.leaseMs)).toBeNull();
        expect(await lock.release(lease)).toBe(true);
        expect(await lock.release(lease)).toBe(false);
        expect(await lock.inspect(k)).toBeNull();
        const next = await lock.acquire(k, 'b', time.leaseMs);
        expect(next?.token).toBeGreaterThan(lease.token);
      }),
    );

    it(
      'renews a held lease (same token, later expiry) so it outlives its original ttl',
      withLock(async (lock, time) => {
        const k = key();
        const lease = (await lock.acquire(k, 'a', time.leaseMs)) as Lease;
        await time.advance(time.leaseMs * 0.6);
        const renewed = await lock.renew(lease, time.leaseMs);
        expect(renewed?.token).toBe(lease.token);
        expect(renewed?.expiresAt.getTime()).toBeGreaterThan(lease.expiresAt.getTime());
        await time.advance(time.leaseMs * 0.6);
        expect(await lock.acquire(k, 'b', time.leaseMs)).toBeNull();
        expect((await lock.inspect(k))?.owner).toBe('a');
        expect(await lock.release(renewed as Lease)).toBe(true);
        expect(await lock.renew(lease)).toBeNull();
      }),
    );

    it(
      'hands out strictly increasing fencing tokens per key across release, expiry and garbage collection',
      withLock(async (lock, time) => {
        const k = key();
        const other = key();
        const tokens: number[] = [];
        for (let i = 0; i < 6; i++) {
          const lease = (await lock.acquire(k, `o${i % 2}`, time.leaseMs)) as Lease;
          expect(lease).not.toBeNull();
          tokens.push(lease.token);
          await lock.acquire(other, 'x', time.leaseMs);
          if (i % 2 === 0) await lock.release(lease);
          else {
            await time.advance(time.leaseMs * 1.5);
            await options.collectGarbage?.(lock);
          }
        }
        for (let i = 1; i < tokens.length; i++) {
          expect(tokens[i] as number).toBeGreaterThan(tokens[i - 1] as number);
        }
      }),
    );
  });

  // The batched acquire (optional member): each key answers exactly as `acquire` would.
  describe('LockProvider.acquireMany', () => {
    const many = (lock: LockProvider) => {
      if (typeof lock.acquireMany !== 'function') return null;
      return lock.acquireMany.bind(lock);
    };

    it(
      'grants the free keys, refuses the held ones (also to their owner), and answers in the order asked',
      withLock(async (lock, time) => {
        const acquireMany = many(lock);
        if (!acquireMany) return;
        const [free1, heldByB, free2, heldByA, fresh] = [key(), key(), key(), key(), key()];
        // Existing free lock documents (acquired and released), held ones, and a key never locked.
        for (const k of [free1, free2])
          await lock.release((await lock.acquire(k, 'x', time.leaseMs)) as Lease);
        const b = (await lock.acquire(heldByB, 'b', time.leaseMs)) as Lease;
        const a = (await lock.acquire(heldByA, 'a', time.leaseMs)) as Lease;
        const leases = await acquireMany([free1, heldByB, free2, heldByA, fresh], 'a', time.leaseMs);
        expect(leases.map((l) => l?.key ?? null)).toEqual([free1, null, free2, null, fresh]);
        for (const l of leases) if (l) expect(l.owner).toBe('a');
        expect((await lock.inspect(heldByB))?.token).toBe(b.token);
        expect((await lock.inspect(heldByA))?.token).toBe(a.token);
        // Each granted lease is a real one: exclusive, renewable and releasable with its token.
        for (const l of leases.filter((x): x is Lease => x !== null)) {
          expect(await lock.acquire(l.key, 'b', time.leaseMs)).toBeNull();
          expect((await lock.inspect(l.key))?.token).toBe(l.token);
          expect((await lock.renew(l))?.token).toBe(l.token);
          expect(await lock.release(l)).toBe(true);
        }
      }),
    );

    it(
      'takes over expired leases with greater tokens, and grants a key listed twice once',
      withLock(async (lock, time) => {
        const acquireMany = many(lock);
        if (!acquireMany) return;
        const [k1, k2] = [key(), key()];
        const old1 = (await lock.acquire(k1, 'a', time.leaseMs)) as Lease;
        const old2 = (await lock.acquire(k2, 'a', time.leaseMs)) as Lease;
        await time.advance(time.leaseMs * 1.5);
        const leases = await acquireMany([k1, k2, k1], 'b', time.leaseMs);
        expect(leases[0]?.token).toBeGreaterThan(old1.token);
        expect(leases[1]?.token).toBeGreaterThan(old2.token);
        expect(leases[2]).toBeNull();
        // The former holder is fenced off.
        expect(await lock.renew(old1)).toBeNull();
        expect(await lock.release(old2)).toBe(false);
        expect((await lock.inspect(k1))?.owner).toBe('b');
        // And later single acquires keep the tokens increasing.
        await lock.release(leases[0] as Lease);
        expect((await lock.acquire(k1, 'c', time.leaseMs))?.token).toBeGreaterThan(
          leases[0]?.token as number,
        );
      }),
    );

    it(
      'gives each key to exactly one of many concurrent batched and single acquirers',
      withLock(async (lock, time) => {
        const acquireMany = many(lock);
        if (!acquireMany) return;
        const keys = Array.from({ length: 6 }, () => key());
        // Half of them have lock documents already (released), half are new.
        for (const k of keys.slice(0, 3))
          await lock.release((await lock.acquire(k, 'x', time.leaseMs)) as Lease);
        const results = await Promise.all([
          ...Array.from({ length: 4 }, (_, i) => acquireMany(keys, `batch-${i}`, time.leaseMs)),
          ...keys.map((k, i) => lock.acquire(k, `single-${i}`, time.leaseMs)),
        ]);
        const batched = results.slice(0, 4) as (Lease | null)[][];
        const singles = results.slice(4) as (Lease | null)[];
        for (const [i, k] of keys.entries()) {
          const winners = [...batched.map((r) => r[i] ?? null), singles[i] ?? null].filter(
            (l): l is Lease => l !== null,
          );
          expect(winners).toHaveLength(1);
          expect((await lock.inspect(k))?.owner).toBe(winners[0]?.owner);
          expect((await lock.inspect(k))?.token).toBe(winners[0]?.token);
        }
      }),
    );
  });
  // The batched release (optional member): each lease is freed exactly as `release` would free it.
  describe('LockProvider.releaseMany', () => {
    it(
      'frees the leases still held with their tokens, leaves the others alone, and answers how many it freed',
      withLock(async (lock, time) => {
        if (typeof lock.releaseMany !== 'function') return;
        const releaseMany = lock.releaseMany.bind(lock);
        const [k1, k2, k3, k4] = [key(), key(), key(), key()];
        const a1 = (await lock.acquire(k1, 'a', time.leaseMs)) as Lease;
        const a2 = (await lock.acquire(k2, 'a', time.leaseMs)) as Lease;
        const b3 = (await lock.acquire(k3, 'b', time.leaseMs)) as Lease;
        // k4: a stale lease of 'a', taken over by 'c' after it expired.
        const stale = (await lock.acquire(k4, 'a', time.leaseMs)) as Lease;
        await time.advance(time.leaseMs * 1.5);
        const c4 = (await lock.acquire(k4, 'c', time.leaseMs)) as Lease;
        const renewed1 = (await lock.renew(a1)) as Lease;
        const renewed2 = (await lock.renew(a2)) as Lease;
        const renewed3 = (await lock.renew(b3)) as Lease;
        expect(renewed3).not.toBeNull();
        // b's lease named with a's owner, and a's stale lease: neither is freed.
        const freed = await releaseMany([renewed1, { ...renewed3, owner: 'a' }, stale, renewed2]);
        expect(freed).toBe(2);
        expect(await lock.inspect(k1)).toBeNull();
        expect(await lock.inspect(k2)).toBeNull();
        expect((await lock.inspect(k3))?.owner).toBe('b');
        expect((await lock.inspect(k4))?.token).toBe(c4.token);
        // Freed keys are free for anyone, with greater tokens.
        expect((await lock.acquire(k1, 'd', time.leaseMs))?.token).toBeGreaterThan(renewed1.token);
        expect(await releaseMany([])).toBe(0);
      }),
    );
  });
}
