/** The database used when neither `MONGODB_DB` nor the URI's path names one (spec section 7). */
export const DEFAULT_DB_NAME = 'craft';

/** A `mongodb://` or `mongodb+srv://` connection string. */
export function isMongoUri(uri: string): boolean {
  return /^mongodb(\+srv)?:\/\//.test(uri);
}

/**
 * The database named in a connection string's path, as the driver reads it: `mongodb://a:1,b:2/jobs?w=1` →
 * `jobs`; `mongodb://host/` and `mongodb://host` → undefined. Percent-encoded names are decoded.
 */
export function databaseFromUri(uri: string): string | undefined {
  // Hosts (and credentials, which must be percent-encoded) contain no `/`; the path ends at `?`.
  const path = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]*)/.exec(uri)?.[1];
  if (!path) return undefined;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * The database a process opens (spec section 7): `MONGODB_DB` when set, else the database named in the
 * `MONGODB_URI` path, else `craft`. The API and the CLI both call this, so one environment opens one database.
 */
export function databaseName(mongodbUri: string | undefined, mongodbDb: string | undefined): string {
  return mongodbDb ?? (mongodbUri === undefined ? undefined : databaseFromUri(mongodbUri)) ?? DEFAULT_DB_NAME;
}

/** Why `name` cannot be a MongoDB database name, or undefined when it can. */
export function databaseNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (/[/\\. "$\0]/.test(name))
    return 'contains a character MongoDB does not allow in database names (/\\. "$)';
  if (Buffer.byteLength(name) > 63) return 'is longer than 63 bytes';
  return undefined;
}
