// The loop runner (spec section 5): `handleMissedRuns()` once, then passes until stopped — after each pass it sleeps
// until the earliest `next_run_at` (at most the poll interval), or until woken; a failing pass is logged and the loop
// goes on. `stop()` drains: no new claims or attempts, a grace period for running handlers, then their signals abort.
import { DONE, type EngineContext } from './engine.js';
import { SchedulerStoppedError, toRunError } from './errors.js';
import { bounded } from './heartbeat.js';

/** Options of {@link JobScheduler.stop}. */
export interface StopOptions {
  /**
   * How long running handlers may finish before their signals abort (`ShutdownError`), in ms.
   * @default the scheduler's `shutdownGraceMs` (30000)
   */
  graceMs?: number | undefined;
  /**
   * What happens to the runs this instance holds and does not finish: handlers aborted after the grace period,
   * runs waiting to retry, and claimed, adopted or chained runs it had not started yet.
   *
   * - `true`: they go back to `pending` for another replica (a later pass of any scheduler picks them up): the
   *   aborted attempt is recorded `abandoned` with `CRAFT_SCHEDULER_SHUTDOWN`, and a run with no attempts left ends
   *   `abandoned`. Right for a replica that is being replaced (rolling deploy): the work continues elsewhere.
   * - `false`: they end here with status `failed` and the error `ShutdownError` (`CRAFT_SCHEDULER_SHUTDOWN`, "aborted
   *   by shutdown"): the aborted attempt is recorded `failed`; a run that had not started is recorded `failed` with
   *   no new attempt. Nothing of theirs runs again. Right when an operator interrupts the work (a CLI's SIGTERM or
   *   Ctrl-C). When resolved, no run this instance held is left `pending` or `running`.
   *
   * Once any `stop()` call passes `false`, it holds for the rest of the shutdown.
   * @default true
   */
  requeue?: boolean | undefined;
}

/** What the loop runner drives. */
export interface LoopHost {
  readonly ctx: EngineContext;
  readonly pollIntervalMs: number;
  readonly graceMs: number;
  /** Aborted by `stop()` (the context's `softStop` is its signal). */
  readonly softStop: AbortController;
  /** Aborted when the grace period ends (the context's `hardStop`). */
  readonly hardStop: AbortController;
  /**
   * One pass; `startup` for the first one. Returns whether it took as many due schedules as it may, whether it left
   * due schedules unread because the replica ran as many handlers as it may (`atCap`), and whether triggering is
   * globally paused.
   */
  pass(startup: boolean): Promise<{ full: boolean; atCap?: boolean; result?: { paused: boolean } }>;
  /** Resolves when every execution has settled. */
  idle(): Promise<void>;
}

const noop = () => {};

/** Runs passes in the background for one scheduler. */
export class LoopRunner {
  readonly #host: LoopHost;
  #loop: Promise<void> | null = null;
  #wake = new AbortController();
  #lastPassFull = false;
  #lastPassAtCap = false;
  #paused = false;

  constructor(host: LoopHost) {
    this.#host = host;
  }

  /** Whether the loop runs. */
  get running(): boolean {
    return this.#loop !== null;
  }

  /** Makes a sleeping loop run a pass now. */
  wake(): void {
    this.#wake.abort(DONE);
  }

  /** Starts the loop; resolves after the startup pass. */
  async start(): Promise<void> {
    if (this.#loop) return;
    const { ctx } = this.#host;
    if (ctx.softStop.aborted) throw new SchedulerStoppedError();
    let startup: () => void = noop;
    const started = new Promise<void>((r) => {
      startup = r;
    });
    this.#loop = this.#run(startup);
    ctx.emit('scheduler:started', { replicaId: ctx.replicaId });
    await started;
  }

  async #run(startup: () => void): Promise<void> {
    const host = this.#host;
    const { ctx } = host;
    let first = true;
    while (!ctx.softStop.aborted) {
      this.#wake = new AbortController();
      const passStartedAt = ctx.clock.now();
      let passFailed = false;
      try {
        const outcome = await host.pass(first);
        this.#lastPassFull = outcome.full;
        this.#lastPassAtCap = outcome.atCap === true;
        this.#paused = outcome.result?.paused === true;
      } catch (error) {
        if (ctx.softStop.aborted) break;
        passFailed = true;
        this.#lastPassFull = false;
        this.#lastPassAtCap = false;
        this.#paused = false;
        ctx.emit('cycle:failed', { error });
        ctx.logger.error('scheduler pass failed; retrying at the next interval', {
          error: toRunError(error).message,
        });
      }
      if (first) {
        first = false;
        startup();
      }
      if (ctx.softStop.aborted) break;
      let delay = host.pollIntervalMs;
      try {
        if (this.#paused) {
          // Globally paused: due slots stay due; look again after the poll interval (or when woken by a resume made
          // through this process), not every second.
          await ctx.clock.sleep(host.pollIntervalMs, AbortSignal.any([this.#wake.signal, ctx.softStop]));
          continue;
        }
        if (this.#lastPassAtCap) {
          // The pass stopped at the run cap with due schedules left unread: the next one goes as soon as a run slot
          // frees (a burst of due slots is not held to one pass a second), or after a second, as for a deferred slot
          // — never at once, even when the pass took as many as it may (`full`): that would spin while nothing frees.
          const either = new AbortController();
          const until = AbortSignal.any([this.#wake.signal, ctx.softStop, either.signal]);
          await Promise.race([
            ctx.clock.sleep(Math.min(1000, host.pollIntervalMs), until),
            ctx.slots.whenRoom(until),
          ]);
          either.abort(DONE);
          continue;
        }
        if (this.#lastPassFull) {
          // More due schedules than one pass takes: go again at once.
          await ctx.clock.sleep(0);
          continue;
        }
        const earliest = await bounded(
          ctx,
          'getEarliestNextRunAt',
          ctx.lockTtlMs,
          ctx.store.getEarliestNextRunAt(),
          ctx.softStop,
        );
        if (earliest) {
          const at = earliest.getTime();
          const until = at - ctx.clock.now();
          if (until > 0) delay = Math.min(host.pollIntervalMs, until);
          // Due since the pass began (its listing may have missed it): go again at once — waiting here was most of
          // the trigger lag when due instants are spread (jitter) and passes take a while.
          else if (at > passStartedAt && !passFailed) delay = 0;
          // Due already when the pass began and still due: deferred (its lock is taken), or the pass failed. Retry
          // soon, not in a busy loop (a slot gets one immediate pass at most: in the next it was due at its start).
          else delay = Math.min(1000, host.pollIntervalMs);
        }
      } catch (error) {
        ctx.logger.warn('could not read the earliest next_run_at', { error: toRunError(error).message });
      }
      const stopOrWake = AbortSignal.any([this.#wake.signal, ctx.softStop]);
      await ctx.clock.sleep(delay, stopOrWake);
    }
    startup();
  }

  /** Stops and drains (see {@link StopOptions}). */
  async stop(options: StopOptions = {}): Promise<void> {
    const host = this.#host;
    const { ctx } = host;
    const graceMs = options.graceMs ?? host.graceMs;
    if (options.requeue === false) ctx.shutdown.requeue = false;
    host.softStop.abort(DONE);
    this.wake();
    if (this.#loop) await this.#loop;
    const drained = host.idle().then(() => true);
    const grace = new AbortController();
    const timedOut = ctx.clock.sleep(graceMs, grace.signal).then(() => false);
    const ok = await Promise.race([drained, timedOut]);
    grace.abort(DONE);
    if (!ok) {
      host.hardStop.abort();
      await host.idle();
    }
    if (this.#loop) {
      this.#loop = null;
      ctx.emit('scheduler:stopped', { replicaId: ctx.replicaId });
    }
  }
}
