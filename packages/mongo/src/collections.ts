import { MongoInvalidOptionError, toAdapterError } from './errors.js';

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

/**
 * An adapter's collections, opened once per instance (the write concern is resolved on first use) and, with
 * `autoIndex`, with their indexes ensured once before the first operation: a missing unique index would silently
 * break exactly-once claims and lock exclusivity. Shared by the store and the lock.
 */
export class AdapterCollections<C> {
  readonly #opened: (operation: string) => Promise<C>;
  readonly #ready: (operation: string) => Promise<C>;

  /**
   * @param component the adapter's name in error messages (`MongoSchedulerStore`, `DistributedLock`)
   * @param open opens the collections (`operation` names the call that triggered it, for errors)
   * @param ensure creates the indexes (`operation` as for `open`)
   */
  constructor(
    private readonly component: string,
    open: (operation: string) => Promise<C>,
    ensure: (collections: C, operation: string) => Promise<void>,
    autoIndex: boolean,
  ) {
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

  /** Runs one operation on the collections (indexes ensured first), wrapping driver errors in typed ones. */
  async run<T>(operation: string, fn: (collections: C) => Promise<T>): Promise<T> {
    const name = `${this.component}.${operation}`;
    const collections = await this.#ready(name);
    try {
      return await fn(collections);
    } catch (error) {
      throw toAdapterError(name, error);
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
