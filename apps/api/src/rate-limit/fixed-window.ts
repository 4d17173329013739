/** What one request's {@link FixedWindowCounter.hit} found. */
export interface WindowHit {
  /** Requests of this key in its current window, this one included. */
  count: number;
  /** Milliseconds until the key's window ends (the whole window for the first request of one). */
  resetInMs: number;
}

interface Window {
  count: number;
  start: number;
}

/**
 * Counts requests per key in fixed windows: a key's window starts with its first request and lasts `windowMs`; the
 * next request after it starts a new one. Synchronous and in this process only (issue "Scale": `@fastify/rate-limit`,
 * which did the same with its in-memory store, cost about a tenth of a GET's CPU in promise hops).
 *
 * At most `maxKeys` keys are kept. The map is ordered by window start (a new window re-inserts its key), so when it is
 * full the key whose window started longest ago — the most likely to have ended — is dropped; a dropped key that is
 * still in its window starts counting again, as with an LRU store that is full.
 */
export class FixedWindowCounter {
  readonly #windows = new Map<string, Window>();
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;

  constructor(options: { windowMs: number; maxKeys?: number; now?: () => number }) {
    this.#windowMs = options.windowMs;
    this.#maxKeys = options.maxKeys ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Counts one request of `key`. */
  hit(key: string): WindowHit {
    const now = this.#now();
    let window = this.#windows.get(key);
    if (window === undefined || window.start + this.#windowMs <= now) {
      if (window !== undefined) this.#windows.delete(key);
      else if (this.#windows.size >= this.#maxKeys)
        this.#windows.delete(this.#windows.keys().next().value as string);
      window = { count: 0, start: now };
      this.#windows.set(key, window);
    }
    window.count += 1;
    return { count: window.count, resetInMs: window.start + this.#windowMs - now };
  }

  /** How many keys are kept. */
  get size(): number {
    return this.#windows.size;
  }
}
