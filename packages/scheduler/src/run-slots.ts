// The per-replica cap on concurrently running handlers (`maxConcurrentRuns`, `MAX_CONCURRENT_RUNS`; spec section 10):
// a handler takes a slot right before its attempt starts and gives it back when it settles — a handler that ignores
// its aborted signal keeps its slot until it really returns, since it still runs. Waiting for a slot happens before
// the attempt's start is written, so a run that waits stays `pending` (or between attempts) with its lease renewed.
// The pass claims nothing new while the replica is full: due slots stay due (deferred), never dropped.

/** A counting semaphore over the replica's handler executions. */
export class RunSlots {
  /** The cap. */
  readonly max: number;
  #inUse = 0;
  readonly #waiters: (() => void)[] = [];
  readonly #roomWatchers = new Set<() => void>();

  constructor(max: number) {
    this.max = max;
  }

  /** Handlers running now. */
  get inUse(): number {
    return this.#inUse;
  }

  /** Executions waiting for a slot. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Slots neither taken nor promised to a waiting execution (0 or less: {@link full}). */
  get free(): number {
    return this.max - this.#inUse - this.#waiters.length;
  }

  /** Whether a new claim would have to wait: every slot is taken or promised. */
  get full(): boolean {
    return this.free <= 0;
  }

  /** Takes a slot if one is free right now. */
  tryAcquire(): boolean {
    if (this.#inUse >= this.max || this.#waiters.length > 0) return false;
    this.#inUse++;
    return true;
  }

  /**
   * Takes a slot, waiting in line for one; resolves `false` (holding nothing) when `signal` aborts first. Every
   * `true` must be paired with one {@link release}.
   */
  acquire(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (this.tryAcquire()) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        this.#inUse++;
        resolve(true);
      };
      const onAbort = () => {
        const i = this.#waiters.indexOf(grant);
        if (i >= 0) this.#waiters.splice(i, 1);
        resolve(false);
      };
      this.#waiters.push(grant);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Gives a slot back (to the first waiter, if any). */
  release(): void {
    this.#inUse = Math.max(0, this.#inUse - 1);
    while (this.#inUse < this.max) {
      const next = this.#waiters.shift();
      if (!next) break;
      next();
    }
    if (!this.full) for (const watcher of [...this.#roomWatchers]) watcher();
  }

  /**
   * Resolves once the replica is no longer {@link full} (at once when it is not), or when `signal` aborts: what the
   * loop waits for after a pass that stopped at the cap, instead of its one-second retry.
   */
  whenRoom(signal: AbortSignal): Promise<void> {
    if (!this.full || signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        this.#roomWatchers.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.#roomWatchers.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
