// Conformance tests of the `IdempotencyStore` contract, registered by `storeSuite` (option `idempotency`).
import { randomUUID } from 'node:crypto';
import { isIdempotencyStore } from '../idempotency.js';
import type { IdempotencyReservation, IdempotencyStore, IdempotentResponse } from '../types.js';
import type { StoreSuiteOptions } from './store-suite.js';
import { makeTime, type SuiteTestApi, type SuiteTime } from './types.js';

const HOUR = 3_600_000;

/** The idempotency-key part of the storage contract: atomic reservation, leases, stored answers, expiry. */
export function idempotencySuite(api: SuiteTestApi, options: StoreSuiteOptions): void {
  const { describe, it, expect } = api;
  const withStore = (fn: (store: IdempotencyStore, time: SuiteTime) => Promise<void>) => async () => {
    const time = makeTime(options);
    const store = await options.createStore({ clock: time.clock });
    try {
      if (!isIdempotencyStore(store)) {
        throw new Error(
          'idempotencySuite: the store does not implement IdempotencyStore (reserveIdempotencyKey, ' +
            'renewIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey, getIdempotencyKey); implement ' +
            'it or pass { idempotency: false }',
        );
      }
      await fn(store, time);
    } finally {
      await options.destroyStore?.(store);
    }
  };
  const reservation = (
    time: SuiteTime,
    fields: Partial<IdempotencyReservation> = {},
  ): IdempotencyReservation => ({
    scope: 'alice',
    key: 'k1',
    fingerprint: 'POST /jobs/run/noop {}',
    token: randomUUID(),
    ttlMs: 24 * HOUR,
    leaseMs: time.leaseMs,
    ...fields,
  });
  const answer: IdempotentResponse = {
    status: 202,
    headers: { location: '/jobs/runs/r1', 'content-type': 'application/json; charset=utf-8' },
    body: '{"id":"r1","note":"ünïcødé ✓"}',
  };

  describe('IdempotencyStore', () => {
    it(
      'reserves a fresh key once; a second reservation sees it in progress with its fingerprint',
      withStore(async (store, time) => {
        const first = await store.reserveIdempotencyKey(reservation(time));
        expect(first.outcome).toBe('reserved');
        if (first.outcome !== 'reserved') return;
        expect(first.takenOver).toBe(false);
        expect(first.record.state).toBe('in_progress');
        expect(first.record.response).toBeNull();
        expect(first.record.expiresAt.getTime() - first.record.createdAt.getTime()).toBe(24 * HOUR);
        const second = await store.reserveIdempotencyKey(reservation(time, { fingerprint: 'other' }));
        expect(second.outcome).toBe('exists');
        expect(second.record.fingerprint).toBe('POST /jobs/run/noop {}');
        expect(second.record.token).toBe(first.record.token);
        expect(second.record.state).toBe('in_progress');
      }),
    );

    it(
      'lets exactly one of concurrent reservations of one key win',
      withStore(async (store, time) => {
        const results = await Promise.all(
          Array.from({ length: 8 }, () => store.reserveIdempotencyKey(reservation(time, { key: 'race' }))),
        );
        expect(results.filter((r) => r.outcome === 'reserved')).toHaveLength(1);
      }),
    );

    it(
      'keeps scopes apart: the same key of two subjects is two keys',
      withStore(async (store, time) => {
        expect((await store.reserveIdempotencyKey(reservation(time, { scope: 'alice' }))).outcome).toBe(
          'reserved',
        );
        expect((await store.reserveIdempotencyKey(reservation(time, { scope: 'bob' }))).outcome).toBe(
          'reserved',
        );
        expect(await store.getIdempotencyKey('carol', 'k1')).toBeNull();
      }),
    );

    it(
      'stores the answer of its holder and returns it to later reservations, byte for byte',
      withStore(async (store, time) => {
        const held = await store.reserveIdempotencyKey(reservation(time));
        const token = held.record.token;
        expect(await store.completeIdempotencyKey('alice', 'k1', randomUUID(), answer)).toBe(false);
        expect(await store.completeIdempotencyKey('alice', 'k1', token, answer)).toBe(true);
        const got = await store.getIdempotencyKey('alice', 'k1');
        expect(got?.state).toBe('completed');
        expect(got?.response).toEqual(answer);
        expect(got?.leaseExpiresAt).toBeNull();
        const retry = await store.reserveIdempotencyKey(reservation(time));
        expect(retry.outcome).toBe('exists');
        expect(retry.record.response).toEqual(answer);
        // Completed is final: neither its old holder nor anyone else changes it.
        expect(await store.completeIdempotencyKey('alice', 'k1', token, { ...answer, status: 500 })).toBe(
          false,
        );
        expect(await store.releaseIdempotencyKey('alice', 'k1', token)).toBe(false);
        expect(await store.renewIdempotencyKey('alice', 'k1', token, time.leaseMs)).toBe(false);
        expect((await store.getIdempotencyKey('alice', 'k1'))?.response).toEqual(answer);
      }),
    );

    it(
      'releases an in-progress key for its holder only, so a retry can run',
      withStore(async (store, time) => {
        const held = await store.reserveIdempotencyKey(reservation(time));
        expect(await store.releaseIdempotencyKey('alice', 'k1', randomUUID())).toBe(false);
        expect(await store.getIdempotencyKey('alice', 'k1')).not.toBeNull();
        expect(await store.releaseIdempotencyKey('alice', 'k1', held.record.token)).toBe(true);
        expect(await store.getIdempotencyKey('alice', 'k1')).toBeNull();
        const again = await store.reserveIdempotencyKey(reservation(time));
        expect(again.outcome).toBe('reserved');
      }),
    );

    it(
      'hands a lapsed in-progress key to a retry with the same fingerprint only; the old holder can no longer complete',
      withStore(async (store, time) => {
        const first = await store.reserveIdempotencyKey(reservation(time));
        await time.advance(time.leaseMs * 1.5);
        const other = await store.reserveIdempotencyKey(reservation(time, { fingerprint: 'other' }));
        expect(other.outcome).toBe('exists');
        const taker = await store.reserveIdempotencyKey(reservation(time));
        expect(taker.outcome).toBe('reserved');
        if (taker.outcome !== 'reserved') return;
        expect(taker.takenOver).toBe(true);
        expect(taker.record.token).not.toBe(first.record.token);
        // The key keeps the expiry of its first reservation.
        expect(taker.record.expiresAt.getTime()).toBe(first.record.expiresAt.getTime());
        expect(await store.completeIdempotencyKey('alice', 'k1', first.record.token, answer)).toBe(false);
        expect(await store.completeIdempotencyKey('alice', 'k1', taker.record.token, answer)).toBe(true);
      }),
    );

    it(
      'keeps a renewed lease from lapsing',
      withStore(async (store, time) => {
        const held = await store.reserveIdempotencyKey(reservation(time));
        await time.advance(time.leaseMs * 0.6);
        expect(await store.renewIdempotencyKey('alice', 'k1', held.record.token, time.leaseMs)).toBe(true);
        expect(await store.renewIdempotencyKey('alice', 'k1', randomUUID(), time.leaseMs)).toBe(false);
        await time.advance(time.leaseMs * 0.6);
        // 1.2 leases after the reservation, 0.6 after the renewal: still held.
        expect((await store.reserveIdempotencyKey(reservation(time))).outcome).toBe('exists');
      }),
    );

    it(
      'forgets a key once it expires (decided by time, not by a TTL index): a retry is a new request',
      withStore(async (store, time) => {
        const ttlMs = time.leaseMs * 2;
        const held = await store.reserveIdempotencyKey(reservation(time, { ttlMs }));
        expect(await store.completeIdempotencyKey('alice', 'k1', held.record.token, answer)).toBe(true);
        await time.advance(ttlMs * 0.5);
        expect((await store.getIdempotencyKey('alice', 'k1'))?.state).toBe('completed');
        await time.advance(ttlMs * 0.75);
        expect(await store.getIdempotencyKey('alice', 'k1')).toBeNull();
        const fresh = await store.reserveIdempotencyKey(
          reservation(time, { fingerprint: 'new request', ttlMs }),
        );
        expect(fresh.outcome).toBe('reserved');
        if (fresh.outcome !== 'reserved') return;
        expect(fresh.takenOver).toBe(false);
        expect(fresh.record.fingerprint).toBe('new request');
        expect(fresh.record.response).toBeNull();
      }),
    );
  });
}
