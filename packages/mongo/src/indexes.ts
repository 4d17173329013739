// Internal: idempotent, concurrency-safe index creation shared by the store and the lock.
import type { Collection, Document } from 'mongodb';
import { isDuplicateKeyError, MongoIndexConflictError, toAdapterError } from './errors.js';

/** An index the adapter needs. */
export interface IndexSpec {
  /** The key pattern, e.g. `{ job_name: 1 }`. */
  key: Record<string, 1 | -1>;
  /**
   * `unique` and `expireAfterSeconds` are checked against an existing index on the same keys; `name` is only used
   * when creating it (an existing index of another name is reused).
   */
  options: { name: string; unique?: boolean; expireAfterSeconds?: number };
}

// Codes meaning "someone else is creating or just created it": retry and re-check.
const RACE_CODES = new Set([
  48, // NamespaceExists (implicit collection creation raced)
  68, // IndexAlreadyExists (older servers)
  85, // IndexOptionsConflict: same keys, other name/options (another replica won a race with other options)
  86, // IndexKeySpecsConflict: same name, other keys/options
  276, // IndexBuildAlreadyInProgress
  11000, // duplicate key while two replicas create the collection's first document/index concurrently
]);

const sameKey = (a: Document, b: Record<string, 1 | -1>): boolean => {
  const ak = Object.entries(a);
  const bk = Object.entries(b);
  return (
    ak.length === bk.length && ak.every(([k, v], i) => bk[i]?.[0] === k && Number(bk[i]?.[1]) === Number(v))
  );
};

/**
 * Creates every index in `specs` that does not exist yet. An existing index with the same keys satisfies a spec
 * when its `unique` flag matches (its name does not matter, so indexes created by other programs are reused);
 * a TTL index with a shorter `expireAfterSeconds` is lengthened with `collMod` where the server supports it. Safe to
 * run from many replicas at once: creating an identical index is a no-op, and a lost race is re-checked.
 */
export async function ensureIndexSpecs<T extends Document>(
  collection: Collection<T>,
  specs: readonly IndexSpec[],
  operation: string,
  warn: (message: string) => void,
): Promise<void> {
  for (const spec of specs) {
    for (let attempt = 0; ; attempt++) {
      try {
        const existing = await listIndexes(collection);
        const match = existing.find((ix) => sameKey(ix['key'] as Document, spec.key));
        if (match) {
          await reconcile(collection, spec, match, operation, warn);
          break;
        }
        await collection.createIndex(spec.key, spec.options);
        break;
      } catch (error) {
        if (error instanceof MongoIndexConflictError) throw error;
        const code = (error as { code?: unknown }).code;
        // A unique index that cannot be built because documents already collide is a data problem, not a race.
        if (isDuplicateKeyError(error) && spec.options.unique && (await indexMissing(collection, spec))) {
          throw new MongoIndexConflictError(
            operation,
            collection.collectionName,
            { key: spec.key, options: { ...spec.options } },
            'existing documents have duplicate values for it',
            `Find them with an aggregation grouping by ${Object.keys(spec.key).join(', ')}, remove or rename the ` +
              'duplicates, and call ensureIndexes() again.',
            error,
          );
        }
        if (typeof code === 'number' && RACE_CODES.has(code) && attempt < 5) {
          await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
          continue;
        }
        throw toAdapterError(operation, error);
      }
    }
  }
}

async function listIndexes<T extends Document>(collection: Collection<T>): Promise<Document[]> {
  try {
    return await collection.indexes();
  } catch (error) {
    if ((error as { code?: unknown }).code === 26) return []; // NamespaceNotFound: the collection does not exist yet
    throw error;
  }
}

async function indexMissing<T extends Document>(
  collection: Collection<T>,
  spec: IndexSpec,
): Promise<boolean> {
  const existing = await listIndexes(collection).catch(() => []);
  return !existing.some((ix) => sameKey(ix['key'] as Document, spec.key));
}

async function reconcile<T extends Document>(
  collection: Collection<T>,
  spec: IndexSpec,
  match: Document,
  operation: string,
  warn: (message: string) => void,
): Promise<void> {
  if (Boolean(spec.options.unique) !== Boolean(match['unique'])) {
    throw new MongoIndexConflictError(
      operation,
      collection.collectionName,
      { key: spec.key, options: { ...spec.options } },
      `the existing index "${String(match['name'])}" on the same keys is ${match['unique'] ? '' : 'not '}unique`,
      `Drop it (db.${collection.collectionName}.dropIndex(${JSON.stringify(String(match['name']))})) and call ` +
        'ensureIndexes() again.',
    );
  }
  const wanted = spec.options.expireAfterSeconds;
  const current = match['expireAfterSeconds'];
  // Only ever lengthen a TTL: a shorter one could collect a document another replica still relies on.
  if (wanted === undefined || (typeof current === 'number' && current >= wanted)) return;
  try {
    await collection.db.command({
      collMod: collection.collectionName,
      index: { keyPattern: spec.key, expireAfterSeconds: wanted },
    });
  } catch (error) {
    warn(
      `the TTL index "${String(match['name'])}" on "${collection.collectionName}" expires after ` +
        `${String(match['expireAfterSeconds'])} s, not ${wanted} s, and collMod failed (${(error as Error).message}); ` +
        'the existing value is kept',
    );
  }
}
