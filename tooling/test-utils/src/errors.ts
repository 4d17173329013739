/** Base class of every error thrown by `@craft/test-utils`; `code` is stable and safe to match on. */
export class TestUtilsError extends Error {
  /** Stable machine-readable code, `CRAFT_TEST_*`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * `MONGODB_URI` is not set, so a MongoDB suite cannot run. Thrown instead of skipping: a MongoDB suite that does
 * not run must fail. The message carries `CRAFT_MONGODB_UNAVAILABLE` (why the root test command could not start
 * the test server) when it is set.
 */
export class MongoUriMissingError extends TestUtilsError {
  constructor(reason?: string) {
    super(
      'CRAFT_TEST_MONGODB_URI_MISSING',
      'requireMongoUri: MONGODB_URI is not set, so this MongoDB suite cannot run (it fails rather than skips).' +
        (reason ? ` The test server could not start: ${reason.replace(/\.+$/, '')}.` : '') +
        ' Run the tests with `pnpm test` at the repository root (it starts the MongoDB-compatible test server), ' +
        'add `globalSetup: ["@craft/test-utils/global-setup"]` to this package\'s vitest config, or set ' +
        'MONGODB_URI=mongodb://HOST:PORT/ (`node tooling/mongo-test-server/launch.mjs` prints one).',
    );
  }
}

/** A database-name prefix that leaves nothing usable once MongoDB's forbidden characters are removed. */
export class TestDatabaseNameError extends TestUtilsError {
  /** The prefix as given. */
  readonly prefix: string;

  constructor(prefix: string) {
    super(
      'CRAFT_TEST_DB_PREFIX_INVALID',
      `randomDbName: prefix ${JSON.stringify(prefix)} has no letter, digit, "_" or "-"; ` +
        'pass the test file or package name, e.g. "mongo-lock"',
    );
    this.prefix = prefix;
  }
}

/** Every code this package throws. */
export const TEST_UTILS_ERROR_CODES = [
  'CRAFT_TEST_MONGODB_URI_MISSING',
  'CRAFT_TEST_DB_PREFIX_INVALID',
] as const;
