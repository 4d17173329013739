// One MongoDB round-trip measurement shared by `mongo.bench.mjs` and `scale.bench.mjs`: `runRoundTripWorkload` of
// `@craft/scheduler/testing` (also behind the round-trip gates) on a fresh database — `due` of `total` enabled
// schedules due now, `replicas` schedulers each with its own MongoClient, passing as the loop runner does until every
// due slot ran once — with every command the clients send meanwhile counted (the driver's command monitoring; a
// bulkWrite is one). The database is dropped afterwards.
import { randomBytes } from 'node:crypto';
import { scheduleToRecord } from '@craft/scheduler';
import { runRoundTripWorkload } from '@craft/scheduler/testing';
import { openReplicaStorage } from './mongo-replica.mjs';

/**
 * @param {{ uri: string, admin: import('mongodb').MongoClient, replicas: number, total: number, due: number, prefix: string }} o
 * `admin`: a client of the same server, for seeding and dropping; `prefix`: the database name's
 * @returns {Promise<{ ms: number, commands: number, byCommand: Map<string, number>, leftDue: number }>} throws unless
 *   every due slot ran exactly once; `leftDue`: rounds that ended with a slot every walk had left (RoundTripResult)
 */
export async function measureMongoRoundTrips({ uri, admin, replicas, total, due, prefix }) {
  const dbName = `${prefix}_${randomBytes(4).toString('hex')}`;
  const clients = [];
  const byCommand = new Map();
  let commands = 0;
  let counting = false;
  try {
    const result = await runRoundTripWorkload({
      replicas,
      total,
      due,
      clock: 'real',
      async create() {
        // One-time set-up (connection, indexes, write concern) outside the count.
        const { client, store, lock } = await openReplicaStorage(uri, dbName, { monitorCommands: true });
        client.on('commandStarted', (e) => {
          if (!counting) return;
          commands++;
          byCommand.set(e.commandName, (byCommand.get(e.commandName) ?? 0) + 1);
        });
        clients.push(client);
        await store.getSchedule('warm-up');
        await lock.inspect('warm-up');
        return { store, lock };
      },
      async seed(schedules) {
        const col = admin.db(dbName).collection('job_schedules');
        for (let i = 0; i < schedules.length; i += 5_000) {
          await col.insertMany(
            schedules.slice(i, i + 5_000).map((s) => ({ ...scheduleToRecord(s), version: 1 })),
            { ordered: false },
          );
        }
      },
      onStart: () => {
        counting = true;
      },
      onEnd: () => {
        counting = false;
      },
    });
    if (result.succeeded !== due || result.runs !== due) {
      throw new Error(
        `${replicas} replica(s): ${result.succeeded} succeeded runs and ${result.runs} runs for ${due} due slots`,
      );
    }
    return { ms: result.ms, commands, byCommand, leftDue: result.leftDue };
  } finally {
    for (const c of clients) await c.close();
    await admin.db(dbName).dropDatabase();
  }
}
