import { MongoInvalidOptionError, MongoTimeoutError, toAdapterError } from './errors.js';

/** A promise memoised until it rejects: a failed attempt is retried by the next call instead of cached. */
function memoRetry<T>(make: (operation: string) => Promise<T>): (operation: string) => Promise<T> {
  let current: Promise<T> | null = null;
  return (operation) => {
    if (!current) {
      const pending = make(operation);
      current = pending;
      pending.catch(() => {
        if (current === pending) current = null;
      });
    }
    return current;
  };
}

/** The per-operation options every call passes to the driver: the server-side time limit, and the run's signal. */
export interface OperationOptions {
  /** The server gives up on the operation after this many ms (`maxTimeMS`). */
  maxTimeMS: number;
  /**
   * Aborts once the adapter gave up on the operation ({@link AdapterCollections.run}): a command still waiting for a
   * server or a connection is dropped, and a later step of a multi-step operation is never sent.
   */
  signal?: AbortSignal;
}

// The adapter's own wait exceeds the server's limit by this much, so the server's own timeout error (with its code)
// wins when the server answers at all; the adapter's bound catches a connection that never answers.
const CLIENT_SLACK_MS = 1000;

/**
 * An adapter's collections, opened once per instance and, with `autoIndex`, with their indexes ensured once before
 * the first operation: a missing unique index would silently break exactly-once claims and lock exclusivity. Every
 * operation is bounded twice: the server's `maxTimeMS` (the operation timeout), and the adapter's own wait (the
 * operation timeout + 1 s), after which it fails with `MongoTimeoutError` even if the connection never answers (a
 * stalled socket, a partition). Shared by the store and the lock.
 */
export class AdapterCollections<C> {
  readonly #opened: (operation: string) => Promise<C>;
  readonly #ready: (operation: string) => Promise<C>;
  readonly #options: OperationOptions;

  /**
   * @param component the adapter's name in error messages (`MongoSchedulerStore`, `DistributedLock`)
   * @param open opens the collections (`operation` names the call that triggered it, for errors)
   * @param ensure creates the indexes (`operation` as for `open`)
   * @param timeoutMs the operation timeout
   */
  constructor(
    private readonly component: string,
    open: (operation: string) => Promise<C>,
    ensure: (collections: C, operation: string) => Promise<void>,
    autoIndex: boolean,
    private readonly timeoutMs: number,
  ) {
    this.#options = { maxTimeMS: Math.max(1, Math.round(timeoutMs)) };
    this.#opened = memoRetry(open);
    this.#ready = memoRetry(async (operation) => {
      const collections = await this.#opened(operation);
      if (autoIndex) await ensure(collections, operation);
      return collections;
    });
  }

  /** The collections, without waiting for the indexes; `operation` (e.g. `DistributedLock.ensureIndexes`) names the caller in errors. */
  opened(operation: string): Promise<C> {
    return this.#opened(operation);
  }

  /**
   * Runs one operation on the collections (indexes ensured first), bounded (see the class comment), wrapping driver
   * errors in typed ones. `fn` passes `options` (`maxTimeMS`) to its driver call.
   */
  async run<T>(operation: string, fn: (collections: C, options: OperationOptions) => Promise<T>): Promise<T> {
    const name = `${this.component}.${operation}`;
    const collections = await this.#ready(name);
    let timer: NodeJS.Timeout | undefined;
    const limit = this.timeoutMs + CLIENT_SLACK_MS;
    // Once the caller is told the operation failed, nothing more of it may reach the server: a multi-step operation
    // (a lock acquire that creates its document) would otherwise go on and take a lock nobody waits for.
    const abort = new AbortController();
    const gaveUp = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new MongoTimeoutError(name, new Error(`no answer within ${limit} ms`));
        abort.abort(error);
        reject(error);
      }, limit);
    });
    try {
      const call = fn(collections, { ...this.#options, signal: abort.signal });
      call.catch(() => {});
      return await Promise.race([call, gaveUp]);
    } catch (error) {
      throw toAdapterError(name, error);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Validates a collection name option of `component`: non-empty, without `$` or NUL. */
export function checkCollectionName(component: string, option: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.includes('$') || value.includes('\0')) {
    throw new MongoInvalidOptionError(
      component,
      option,
      value,
      'a non-empty collection name without "$" or NUL',
    );
  }
  return value;
}
