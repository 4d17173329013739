// What this replica knows of cancel requests (spec section 10) for the runs it holds. The request itself is stored on
// the run (`cancel_requested_at`, `_by`); a holder learns of it from the run record its lease renewal returns (every
// TTL/3, so at the next renewal at the latest), from a start compare-and-set that refused to start a run whose cancel
// was requested, or at once when the cancel was asked through this very replica. Whoever executes the run watches it
// here: an attempt's signal aborts with `RunCancelledError`, a wait (for a retry, for a free run slot) ends early.
import { RunCancelledError } from './errors.js';

type Watcher = (reason: RunCancelledError) => void;

/** The cancel requests this replica has seen for runs it executes or holds. */
export class CancelRequests {
  readonly #requested = new Map<string, string | null>();
  readonly #watchers = new Map<string, Set<Watcher>>();

  /** Records that `runId`'s cancel was requested by `by`, and tells its watchers (once). */
  request(runId: string, by: string | null): void {
    if (this.#requested.has(runId)) return;
    this.#requested.set(runId, by);
    const reason = new RunCancelledError(by);
    for (const w of this.#watchers.get(runId) ?? []) w(reason);
  }

  /** Whether a cancel of `runId` was seen. */
  has(runId: string): boolean {
    return this.#requested.has(runId);
  }

  /** Who asked for the cancel of `runId` (null when unknown or none). */
  by(runId: string): string | null {
    return this.#requested.get(runId) ?? null;
  }

  /** Calls `fn` when `runId`'s cancel is requested (at once if it already was); returns the unsubscribe. */
  watch(runId: string, fn: Watcher): () => void {
    const by = this.#requested.get(runId);
    if (by !== undefined) {
      fn(new RunCancelledError(by));
      return () => {};
    }
    let set = this.#watchers.get(runId);
    if (!set) {
      set = new Set();
      this.#watchers.set(runId, set);
    }
    set.add(fn);
    return () => {
      set.delete(fn);
      if (set.size === 0) this.#watchers.delete(runId);
    };
  }

  /** An AbortSignal that aborts (with `RunCancelledError`) when `runId`'s cancel is requested, and its disposer. */
  signal(runId: string): { signal: AbortSignal; dispose: () => void } {
    const controller = new AbortController();
    const dispose = this.watch(runId, (reason) => controller.abort(reason));
    return { signal: controller.signal, dispose };
  }

  /** Forgets `runId` (it ended, or this replica no longer holds it). */
  forget(runId: string): void {
    this.#requested.delete(runId);
    this.#watchers.delete(runId);
  }
}
