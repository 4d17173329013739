/** Which server `MONGODB_URI` points at. */
export type MongoServerKind = 'mongo-java-server' | 'mongodb';

/** What {@link getServerKind} needs of a database: a `Db` of driver 6 or 7 fits. */
export interface CommandRunner {
  /** Runs a database command. */
  // biome-ignore lint/suspicious/noExplicitAny: the drivers type command replies as `Document` ({ [key]: any })
  command(command: Record<string, unknown>): Promise<Record<string, any>>;
}

/**
 * Tells the MongoDB-compatible test server (mongo-java-server) from a real MongoDB: its `buildInfo` reply has no
 * `gitVersion`, which every MongoDB build reports. Tests use it where the two must behave differently (TTL and
 * partial indexes, transactions; see tooling/README.md).
 */
export async function getServerKind(db: CommandRunner): Promise<MongoServerKind> {
  const info = await db.command({ buildInfo: 1 });
  return typeof info['gitVersion'] === 'string' ? 'mongodb' : 'mongo-java-server';
}
