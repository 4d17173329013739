// Internal: the read and write guarantees pinned on every collection handle of the store and the lock (spec section
// 11): primary reads, majority read concern, majority write concern with a bounded wait — whatever the URI or the
// `Db` passed in says — and `w: 0` refused.
import { type Db, ReadPreference, type WriteConcernSettings } from 'mongodb';
import { MongoInvalidOptionError } from './errors.js';

/**
 * The write concern option of the store and the lock: `'auto'` (the default: `{ w: 'majority' }` with
 * `wtimeoutMS` = the operation timeout), or explicit driver settings such as `{ w: 'majority', journal: true }`.
 * Explicit settings without `wtimeoutMS` get the operation timeout as their bound. `w: 0` (unacknowledged) is
 * refused: acknowledgement is what turns a duplicate key into `false` and a failed compare-and-set into `null`.
 */
export type WriteConcernOption = 'auto' | WriteConcernSettings;

/** Default bound of one operation (server `maxTimeMS`, `wtimeoutMS` and the adapter's own wait), in ms. */
export const DEFAULT_OPERATION_TIMEOUT_MS = 10_000;

/** What kind of deployment a database is served by (from `hello`, or the legacy `isMaster`). */
export interface DeploymentInfo {
  /** `replicaSet` (hello has `setName`), `sharded` (`msg: 'isdbgrid'`) or `standalone`. */
  kind: 'replicaSet' | 'sharded' | 'standalone';
  /** The replica set name, when any. */
  setName: string | null;
}

const deployments = new WeakMap<Db, Promise<DeploymentInfo>>();

/** Asks the server what it is, once per `Db` (failures are not cached). For diagnostics. */
export function detectDeployment(db: Db): Promise<DeploymentInfo> {
  let pending = deployments.get(db);
  if (!pending) {
    pending = (async () => {
      let hello: Record<string, unknown>;
      try {
        hello = await db.admin().command({ hello: 1 });
      } catch (error) {
        // Servers that predate `hello` (and the MongoDB-compatible test server) answer the legacy command.
        if ((error as { code?: unknown }).code !== 59) throw error;
        hello = await db.admin().command({ isMaster: 1 });
      }
      if (typeof hello['setName'] === 'string') return { kind: 'replicaSet', setName: hello['setName'] };
      if (hello['msg'] === 'isdbgrid') return { kind: 'sharded', setName: null };
      return { kind: 'standalone', setName: null };
    })();
    deployments.set(db, pending);
    pending.catch(() => deployments.delete(db));
  }
  return pending;
}

/** Validates the `operationTimeoutMs` option of `component`. */
export function checkOperationTimeout(component: string, value: unknown): number {
  if (value === undefined) return DEFAULT_OPERATION_TIMEOUT_MS;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new MongoInvalidOptionError(component, 'operationTimeoutMs', value, 'a number of milliseconds > 0');
  }
  return value;
}

/**
 * The write concern for `option` (see {@link WriteConcernOption}); throws `MongoInvalidOptionError` for `w: 0`.
 */
export function resolveWriteConcern(
  component: string,
  option: WriteConcernOption | undefined,
  timeoutMs: number,
): WriteConcernSettings {
  if (option === undefined || option === 'auto') return { w: 'majority', wtimeoutMS: timeoutMs };
  if (option === null || typeof option !== 'object') {
    throw new MongoInvalidOptionError(component, 'writeConcern', option, "'auto' or write concern settings");
  }
  const w = (option as { w?: unknown }).w;
  if (w === 0 || w === '0') {
    throw new MongoInvalidOptionError(
      component,
      'writeConcern',
      option,
      'an acknowledged write concern (w: 0 is refused: without acknowledgement a duplicate key or a failed ' +
        "compare-and-set cannot be seen, so exactly-once claims and fencing would break; use 'majority')",
    );
  }
  return { ...option, wtimeoutMS: option.wtimeoutMS ?? timeoutMs };
}

/**
 * The options of every collection handle of the store and the lock: primary reads and majority read concern (a
 * claim read, a recovery scan or a lock check never sees a secondary's stale state, whatever the URI's
 * `readPreference` or `readConcernLevel`), and the resolved write concern (whatever the URI's `w`).
 */
export function pinnedCollectionOptions(writeConcern: WriteConcernSettings) {
  return {
    readPreference: ReadPreference.primary,
    readConcern: { level: 'majority' as const },
    writeConcern,
  };
}
