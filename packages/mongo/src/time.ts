// Internal: the ONE time source the store and the lock judge leases by.
//
// Server mode (default): every "now" is the database server's clock. Writes stamp fields with `$currentDate`
// and filters compare with `$$NOW` inside `$expr`; no replica's own clock is ever read. A lease is stored as
// (stamp, length in ms) and its expiry is `stamp + length`, computed by the server in the filter. Pipeline
// updates (`[{ $set: { x: { $add: ['$$NOW', ms] } } }]`) would let the server store the expiry instant itself,
// but the MongoDB-compatible test server does not support them, so one code path works on both.
//
// Clock mode (`clock` option): the same documents and filters with an injected Clock's instant in place of the
// server's: `$set` of `new Date(clock.now())` instead of `$currentDate`, a date literal instead of `$$NOW`.
// For simulated-time tests; every store and lock of a simulation must share the one clock.
import type { Clock } from '@craft/scheduler';

/** An update document under construction. */
export interface UpdateOps {
  $set?: Record<string, unknown>;
  $currentDate?: Record<string, true>;
  $setOnInsert?: Record<string, unknown>;
}

/** The time source of a store or lock. */
export interface TimeSource {
  /** `server` (the database's clock) or `clock` (an injected Clock). */
  readonly kind: 'server' | 'clock';
  /** "Now" for an aggregation expression: `'$$NOW'`, or the clock's instant as a date literal. */
  nowExpr(): unknown;
  /** Adds operators to `update` that set each of `fields` to now. */
  stamp(update: UpdateOps, fields: readonly string[]): void;
}

export function timeSource(clock: Clock | undefined): TimeSource {
  if (!clock) {
    return {
      kind: 'server',
      nowExpr: () => '$$NOW',
      stamp(update, fields) {
        update.$currentDate ??= {};
        for (const f of fields) update.$currentDate[f] = true;
      },
    };
  }
  return {
    kind: 'clock',
    nowExpr: () => ({ $literal: new Date(clock.now()) }),
    stamp(update, fields) {
      const now = new Date(clock.now());
      update.$set ??= {};
      for (const f of fields) update.$set[f] = now;
    },
  };
}
