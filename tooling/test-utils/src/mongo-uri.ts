import { MongoUriMissingError } from './errors.js';

/**
 * Returns `process.env.MONGODB_URI`, which the root `pnpm test` (or this package's global setup) sets to the
 * MongoDB-compatible test server, or which points at a real MongoDB.
 *
 * @throws {MongoUriMissingError} `CRAFT_TEST_MONGODB_URI_MISSING` when it is not set: MongoDB suites fail, never skip.
 */
export function requireMongoUri(): string {
  const uri = process.env.MONGODB_URI;
  if (!uri) throw new MongoUriMissingError(process.env.CRAFT_MONGODB_UNAVAILABLE);
  return uri;
}
