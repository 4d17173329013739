// The heartbeat of one held lease (spec section 11): renews it every TTL/3, keeps this replica's LOCAL lease
// deadline on the clock's monotonic time, and bounds every store and lock call made under the lease.
//
// - Local deadline: the send time of the last successful renewal (or of the acquire) + TTL − max(1 s, TTL/5). The
//   store judges the lease by its own clock from when the renewal ARRIVED, which is after we sent it, so the store's
//   expiry is never earlier than our deadline + the margin: past our deadline no other replica can have the lease
//   yet, and past it we stop (abort the handler, write nothing more), leaving the margin for in-flight writes.
// - A renewal that fails or hangs is retried (after a short pause, each try bounded) until the deadline; only a
//   renewal that answers "taken over" (`null`) loses the lease at once.
// - Every call made through `call()` is bounded: it fails with `StoreTimeoutError` once it is older than the call
//   timeout (TTL/6; checked when the heartbeat wakes, every TTL/3 while a lease is held, so within TTL/2), and with
//   the abort reason at the deadline. The call itself cannot be cancelled; the engine just stops waiting for it.
//
// A heartbeat covers a lock lease (`attach`) and the run leases of the runs executed under it, or only run leases
// (`runsOnly`): the chained runs a replica queued and has not started yet, so recovery elsewhere does not take them
// while they wait for a sibling (list order), or a run's own lease (`attachOwn`: a run of an `allow` schedule, whose
// run record is its lease and whose token fences its writes; a renewal that finds it no longer ours loses it at once).
//
// Each run-lease renewal returns the run record: a stored cancel request (spec section 10) is passed on to the
// replica's cancel registry there, so a holder learns of it within TTL/3.
import { monotonicNow } from './clock.js';
import { DONE, type EngineContext } from './engine.js';
import { LeaseExpiredError, LeaseLostError, StoreTimeoutError, toRunError } from './errors.js';
import { FINAL_RUN_STATUSES } from './model.js';
import type { Clock, Lease } from './types.js';

/** The lease arithmetic of one TTL. */
export interface LeaseTiming {
  /** The lease length. */
  readonly ttlMs: number;
  /** Renewals are sent this long after the last successful one (TTL/3). */
  readonly renewEveryMs: number;
  /** The safety margin before the lease's expiry: max(1 s, TTL/5), at most TTL/2 (for leases under 2 s). */
  readonly marginMs: number;
  /** A call older than this is treated as failed (TTL/6). */
  readonly callTimeoutMs: number;
  /** The pause before retrying a failed renewal or write (min(1 s, TTL/20)). */
  readonly retryDelayMs: number;
}

/** The timing of leases of `ttlMs` (spec section 11). */
export function leaseTiming(ttlMs: number): LeaseTiming {
  return {
    ttlMs,
    renewEveryMs: Math.max(1, Math.floor(ttlMs / 3)),
    marginMs: Math.min(Math.max(1000, ttlMs / 5), ttlMs / 2),
    callTimeoutMs: Math.max(1, ttlMs / 6),
    retryDelayMs: Math.max(1, Math.min(1000, ttlMs / 20)),
  };
}

// Per clock: how many of its sleep milliseconds pass per monotonic millisecond, when its timers run faster than its
// monotonic time (an accelerated test clock whose `monotonic()` is real time, the rate leases are judged in).
const timerRates = new WeakMap<Clock, number>();

/**
 * Sleeps until the monotonic instant `at`. On a clock whose timers run faster than its monotonic time, a sleep wakes
 * early: the rate seen is remembered for that clock and later sleeps are scaled by 97 % of it, so a target is reached
 * in one or two sleeps (never overslept). A clock whose timers run slower than its monotonic time oversleeps, and
 * must not be used (a lease deadline would be noticed late).
 */
export async function sleepUntil(clock: Clock, at: number, signal: AbortSignal): Promise<void> {
  for (;;) {
    const start = monotonicNow(clock);
    const left = at - start;
    if (left <= 0 || signal.aborted) return;
    const asked = left * (timerRates.get(clock) ?? 1);
    await clock.sleep(asked, signal);
    if (signal.aborted) return;
    const took = monotonicNow(clock) - start;
    // Only the fast direction is learned: a busy event loop makes sleeps longer, never shorter.
    if (took > 0 && took * 2 < asked) timerRates.set(clock, (0.97 * asked) / took);
  }
}

/**
 * Waits for `promise` at most `ms` of monotonic time (and not after `signal` aborts); throws `StoreTimeoutError`
 * (or the signal's reason) instead. For calls made outside a held lease (a pass's listing queries).
 */
export async function bounded<T>(
  ctx: EngineContext,
  operation: string,
  ms: number,
  promise: Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const stop = new AbortController();
  // Forward `signal` by hand: AbortSignal.any() costs a weak reference per call.
  const onAbort = () => stop.abort(DONE);
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  // The bound is monotonic time, like the lease it derives from: on a clock whose timers run faster than its
  // monotonic time (an accelerated test clock) a plain sleep(ms) would end the wait `speed` times too early.
  const timer = sleepUntil(ctx.clock, monotonicNow(ctx.clock) + ms, stop.signal).then(() => {
    if (signal?.aborted) throw signal.reason;
    if (stop.signal.aborted) return;
    throw new StoreTimeoutError(operation, ms);
  });
  promise.catch(() => {});
  try {
    return await Promise.race([promise, timer as Promise<never>]);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stop.abort(DONE);
  }
}

interface InFlight {
  since: number;
  operation: string;
  fail(error: unknown): void;
}

/** Renews one lease (a lock lease and/or run leases) and enforces its local deadline. */
export class Heartbeat {
  /** Run leases renewed with this heartbeat (the runs executed under the lock, or the queued chained runs). */
  readonly runIds = new Set<string>();
  /** Queued runs whose lease renewal answered "not yours" (`runsOnly`): they must not be started. */
  readonly lostRuns = new Set<string>();
  readonly #ctx: EngineContext;
  readonly #label: string;
  readonly #runsOnly: boolean;
  readonly #abort = new AbortController();
  readonly #inFlight = new Set<InFlight>();
  #stopped = false;
  #lease: Lease | null = null;
  // The token of a run's own lease (attachOwn): fences the run's writes like a lock token; no lock is held.
  #ownToken: number | null = null;
  #deadline: number;
  #nextRenewal: number;
  // Wakes the loop from its sleep (or a renewal from its wait): aborted by stop(), the lease's end, and a re-plan.
  #nap = new AbortController();
  #wakeAt = Number.POSITIVE_INFINITY;
  #lostBy: 'deadline' | 'taken_over' | null = null;
  #loop: Promise<void> | null = null;

  /**
   * @param label what the lease covers (a lock key, or `runs of <parent>`), for errors and logs
   * @param basis the monotonic send time of the call that granted the lease (acquire, insert); the deadline counts
   *   from it
   * @param runsOnly a heartbeat of queued run leases only (no lock)
   */
  constructor(ctx: EngineContext, label: string, basis: number, runsOnly = false) {
    this.#ctx = ctx;
    this.#label = label;
    this.#runsOnly = runsOnly;
    this.#deadline = basis + ctx.timing.ttlMs - ctx.timing.marginMs;
    // The first wake is at basis + TTL/3 in any case: an acquire answered a moment later then wakes nothing early
    // (a job shorter than TTL/3 costs one timer), and a lease still not attached by then sleeps on to its deadline.
    this.#nextRenewal = basis + ctx.timing.renewEveryMs;
    this.#loop = this.#run();
  }

  /** The lock lease, once attached. */
  get lease(): Lease | null {
    return this.#lease;
  }

  /** The fencing token of the attached lock lease, or of the run's own lease. */
  get token(): number {
    if (this.#lease) return this.#lease.token;
    if (this.#ownToken !== null) return this.#ownToken;
    throw new Error(`Heartbeat ${this.#label}: no lock lease attached`);
  }

  /** Aborts (with `LeaseExpiredError` or `LeaseLostError`) when the lease is gone for this replica. */
  get signal(): AbortSignal {
    this.#check();
    return this.#abort.signal;
  }

  /** Whether the local deadline passed or the lease was taken over (checked against the clock right now). */
  get expired(): boolean {
    this.#check();
    return this.#abort.signal.aborted;
  }

  /** Why the lease is gone: its local deadline passed, or a renewal found it taken over; null while held. */
  get lostBy(): 'deadline' | 'taken_over' | null {
    this.#check();
    return this.#lostBy;
  }

  /** Milliseconds left before the local deadline (monotonic; <= 0 once passed). */
  timeLeftMs(): number {
    return this.#deadline - this.#ctx.mono();
  }

  /** The local deadline as an estimate on the scheduler's wall clock. */
  deadlineDate(): Date {
    return new Date(this.#ctx.clock.now() + this.timeLeftMs());
  }

  /** Adds a run lease to renew with this heartbeat (from its next renewal on). */
  cover(runId: string): void {
    this.runIds.add(runId);
  }

  /** Attaches the lock lease granted by an acquire sent at `basis` (monotonic); renewals start from it. */
  attach(lease: Lease, basis: number): void {
    this.#lease = lease;
    this.#extend(basis);
    // Re-plan only if the loop sleeps past the first renewal (it normally wakes at construction + TTL/3, before).
    if (this.#wakeAt > this.#nextRenewal) this.#nap.abort(DONE);
  }

  /**
   * Attaches a run's own lease (a run of an `allow` schedule; no lock): `token` fences its writes (the run's stored
   * token + 1, written by its start), `basis` is the monotonic send time of the write that made the run ours (its
   * insert or adoption). The run must be covered (`cover`); a renewal that finds it no longer ours loses the lease.
   */
  attachOwn(token: number, basis: number): void {
    this.#ownToken = token;
    this.#extend(basis);
    if (this.#wakeAt > this.#nextRenewal) this.#nap.abort(DONE);
  }

  /**
   * Runs one store or lock call under this lease: rejects with the abort reason once the lease is gone (at once if
   * it already is), and with `StoreTimeoutError` once the call is older than the call timeout. The underlying call
   * is not cancelled (the caller just stops waiting for it).
   */
  call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    if (this.expired) return Promise.reject(this.#abort.signal.reason);
    return new Promise<T>((resolve, reject) => {
      const entry: InFlight = { since: this.#ctx.mono(), operation, fail: reject };
      this.#inFlight.add(entry);
      let p: Promise<T>;
      try {
        p = fn();
      } catch (error) {
        this.#inFlight.delete(entry);
        reject(error);
        return;
      }
      p.then(
        (v) => {
          this.#inFlight.delete(entry);
          resolve(v);
        },
        (e: unknown) => {
          this.#inFlight.delete(entry);
          reject(e);
        },
      );
    });
  }

  /**
   * Acquires this heartbeat's lock through `acquire`, bounded like {@link call}. A lease granted after the call gave
   * up (its bound or the deadline passed first) is nobody's to use or to release: it is released as soon as it
   * arrives, so it does not keep the key locked for a whole TTL (a multi-step acquire held up by a dropped connection
   * can take the lock long after the claim gave up on it). The release is fenced by the lease's token.
   */
  acquire(acquire: () => Promise<Lease | null>): Promise<Lease | null> {
    let sent: Promise<Lease | null> | undefined;
    return this.call('acquire', () => {
      sent = acquire();
      return sent;
    }).catch((error: unknown) => {
      sent?.then((late) => (late ? this.#ctx.lock.release(late) : undefined)).catch(() => {});
      throw error;
    });
  }

  /** Sleeps `ms` of monotonic time, waking early when the lease is gone. */
  async pause(ms: number): Promise<void> {
    if (this.expired) return;
    // Monotonic time, as the deadline it is measured against (see bounded()).
    await sleepUntil(
      this.#ctx.clock,
      this.#ctx.mono() + Math.max(1, Math.min(ms, this.timeLeftMs())),
      this.#abort.signal,
    );
  }

  /**
   * Ends the lease here as if its deadline passed (a write that kept failing for a whole lease period: the store is
   * unreachable, so this replica stops and lets recovery elsewhere take over once the lease expires).
   */
  giveUp(): void {
    this.#end('deadline', new LeaseExpiredError(this.#label));
  }

  /** Stops renewing (the lease is kept as it is: released or left to expire by the caller). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#nap.abort(DONE);
    await this.#loop;
  }

  #extend(basis: number): void {
    const t = this.#ctx.timing;
    this.#deadline = basis + t.ttlMs - t.marginMs;
    this.#nextRenewal = basis + t.renewEveryMs;
  }

  #check(): void {
    if (!this.#abort.signal.aborted && !this.#stopped && this.#ctx.mono() >= this.#deadline) {
      this.#end('deadline', new LeaseExpiredError(this.#label));
    }
  }

  /**
   * Whether the run `id` (its own lease, this heartbeat's) is final with this lease's fencing token: it ended under
   * the lease, by this replica's write (writes are fenced by the token; another holder would have a greater one).
   * A read that fails answers false: the lease is then given up, as before the read.
   */
  async #endedUnderOwnLease(id: string, limit: number, stopped: AbortSignal): Promise<boolean> {
    try {
      const run = await bounded(this.#ctx, 'getRun', limit, this.#ctx.store.getRun(id), stopped);
      return run !== null && FINAL_RUN_STATUSES.includes(run.status) && run.fencingToken === this.#ownToken;
    } catch {
      return false;
    }
  }

  #end(by: 'deadline' | 'taken_over', reason: Error): void {
    if (this.#abort.signal.aborted) return;
    this.#lostBy = by;
    this.#abort.abort(reason);
    for (const c of this.#inFlight) c.fail(reason);
    this.#inFlight.clear();
    this.#nap.abort(DONE);
  }

  #sweep(now: number): void {
    const limit = this.#ctx.timing.callTimeoutMs;
    for (const c of this.#inFlight) {
      if (now - c.since < limit) continue;
      this.#inFlight.delete(c);
      c.fail(new StoreTimeoutError(c.operation, limit));
    }
  }

  async #run(): Promise<void> {
    const ctx = this.#ctx;
    while (!this.#stopped) {
      const now = ctx.mono();
      this.#check();
      if (this.#abort.signal.aborted) return;
      this.#sweep(now);
      const renewing =
        this.#lease !== null || this.#ownToken !== null || (this.#runsOnly && this.runIds.size > 0);
      if (renewing && now >= this.#nextRenewal) {
        await this.#renew();
        continue;
      }
      // Wakes for the next renewal (before a lease is attached: the time of the first one) and the deadline only: one
      // timer per lease. Hung calls are swept at those wakes, so a call is failed within the call timeout + TTL/3,
      // well before the deadline.
      this.#wakeAt = this.#nextRenewal > now ? Math.min(this.#deadline, this.#nextRenewal) : this.#deadline;
      if (this.#nap.signal.aborted) this.#nap = new AbortController();
      await sleepUntil(ctx.clock, this.#wakeAt, this.#nap.signal);
    }
  }

  /** One renewal round; a failure schedules a retry after a short pause (the deadline decides when to give up). */
  async #renew(): Promise<void> {
    const ctx = this.#ctx;
    const t = ctx.timing;
    const send = ctx.mono();
    const limit = Math.max(1, Math.min(t.callTimeoutMs, this.#deadline - send));
    // stop() and the lease's end abort the current nap: the renewal stops waiting then.
    if (this.#nap.signal.aborted) this.#nap = new AbortController();
    const stopped = this.#nap.signal;
    let allRenewed = true;
    const lease = this.#lease;
    if (lease) {
      let renewed: Lease | null;
      try {
        renewed = await bounded(ctx, 'renew', limit, ctx.lock.renew(lease, t.ttlMs), stopped);
      } catch (error) {
        if (this.#stopped || this.#abort.signal.aborted) return;
        ctx.logger.warn('lock renewal failed; retrying until the lease deadline', {
          key: lease.key,
          error: toRunError(error).message,
          deadlineInMs: Math.round(this.timeLeftMs()),
        });
        this.#nextRenewal = ctx.mono() + t.retryDelayMs;
        return;
      }
      if (this.#stopped) return;
      if (!renewed) {
        this.#end('taken_over', new LeaseLostError(lease.key));
        return;
      }
      this.#lease = renewed;
    }
    for (const id of [...this.runIds]) {
      if (this.#stopped || this.#abort.signal.aborted) return;
      try {
        const r = await bounded(
          ctx,
          'updateRun',
          limit,
          ctx.store.updateRun(
            id,
            { leaseForMs: t.ttlMs },
            { leaseOwner: ctx.replicaId, status: ['pending', 'running'] },
          ),
          stopped,
        );
        if (r === null) {
          // Finished meanwhile, or no longer ours: stop renewing it (a queued one must not be started).
          this.runIds.delete(id);
          if (this.#runsOnly) this.lostRuns.add(id);
          // A run's own lease no longer ours (recovery elsewhere took it over): the lease is gone. Not when the run
          // ended under this very lease: a renewal sent as the handler ends can reach the store just after this
          // replica's own final write, whose answer is still on its way — ending the lease then would report that
          // landed write as lost (no `run:succeeded`, no chained runs).
          if (
            this.#ownToken !== null &&
            !this.#stopped &&
            !(await this.#endedUnderOwnLease(id, limit, stopped))
          )
            this.#end('taken_over', new LeaseLostError(this.#label));
        } else if (r.cancelRequestedAt !== null) {
          // A cancel was requested (stored on the run): the executor of this run learns it here, within TTL/3.
          ctx.cancels.request(id, r.cancelRequestedBy);
        }
      } catch (error) {
        allRenewed = false;
        ctx.logger.warn('run lease renewal failed', { id, error: toRunError(error).message });
      }
    }
    // The deadline moves only when every lease this heartbeat holds was renewed in this round: the lock and the run
    // leases (a replica that reaches the lock but not the store cannot write its runs' results either).
    if (allRenewed) this.#extend(send);
    else this.#nextRenewal = ctx.mono() + t.retryDelayMs;
  }
}
