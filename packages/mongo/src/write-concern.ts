// Internal: resolving the write concern of lock and run-ledger writes.
import type { Db, WriteConcernSettings } from 'mongodb';
import { toAdapterError } from './errors.js';

/**
 * The write concern option of the store and the lock: `'auto'` (majority on replica sets and sharded clusters,
 * the server's default on a standalone server), or explicit driver settings such as `{ w: 'majority' }`.
 */
export type WriteConcernOption = 'auto' | WriteConcernSettings;

/** What kind of deployment a database is served by (from `hello`, or the legacy `isMaster`). */
export interface DeploymentInfo {
  /** `replicaSet` (hello has `setName`), `sharded` (`msg: 'isdbgrid'`) or `standalone`. */
  kind: 'replicaSet' | 'sharded' | 'standalone';
  /** The replica set name, when any. */
  setName: string | null;
}

const deployments = new WeakMap<Db, Promise<DeploymentInfo>>();

/** Asks the server what it is, once per `Db` (failures are not cached). */
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

/**
 * The write concern for `option`: explicit settings as given; for `'auto'`, `{ w: 'majority' }` on replica sets
 * and sharded clusters and `undefined` (the server's default, w:1) on a standalone server.
 */
export async function resolveWriteConcern(
  db: Db,
  option: WriteConcernOption | undefined,
  operation: string,
): Promise<WriteConcernSettings | undefined> {
  if (option !== undefined && option !== 'auto') return option;
  try {
    const info = await detectDeployment(db);
    return info.kind === 'standalone' ? undefined : { w: 'majority' };
  } catch (error) {
    throw toAdapterError(operation, error);
  }
}
