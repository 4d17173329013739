#!/usr/bin/env node
// @craft/mongo: time for 1 replica, and for 3, to claim and start every due slot (no-op job, run to success) on
// MongoDB, with runs/s and database round trips per slot (every command the scheduler clients send, counted
// with the driver's command monitoring: the figure that carries over to any server).
//
//   pnpm bench mongo                       starts the MongoDB-compatible test server (unless MONGODB_URI is set)
//   MONGODB_URI=mongodb://… pnpm bench mongo   a real MongoDB: 100,000 schedules of which 10,000 due
//   node bench/mongo.bench.mjs --quick     smoke run (2,000 / 200)
//
// Sizes: 10,000 enabled schedules of which 1,000 due on the test server (it has no real secondary indexes, so every
// query scans: keep it modest), 100,000 / 10,000 on a real MongoDB (detected by buildInfo.gitVersion; override
// with CRAFT_BENCH_SERVER=mongodb|test-server, or set MONGO_BENCH_SCHEDULES / MONGO_BENCH_DUE).
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import * as craftMongo from '@craft/mongo';
import { startMongoTestServer } from '@craft/mongo-test-server';
import { createSchedule, defineJob, JobRegistry, JobScheduler, scheduleToRecord } from '@craft/scheduler';
import { MongoClient } from 'mongodb';
import { formatTable } from './lib/table.mjs';

const { DistributedLock, MongoSchedulerStore } = craftMongo;
// A lock document as the DistributedLock under test leaves it after a release: token in an epoch (`TOKEN_EPOCH`,
// since @craft/mongo 0.1.1; earlier versions kept plain counter values) and the key's epoch counter.
const LOCK_TOKEN = craftMongo.TOKEN_EPOCH ?? 0;

const args = new Set(process.argv.slice(2));
const QUICK = args.has('--quick') || process.env.BENCH_QUICK === '1';
const MARKDOWN = args.has('--markdown');
const REPLICA_COUNTS = [1, 3];
const REPEATS = QUICK ? 1 : 2;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const log = (m) => process.stderr.write(`[mongo bench] ${m}\n`);

const server = await startMongoTestServer({ log: (l) => log(l) });
const admin = await new MongoClient(server.uri).connect();
const buildInfo = await admin.db('admin').command({ buildInfo: 1 });
const kind =
  process.env.CRAFT_BENCH_SERVER ?? (typeof buildInfo.gitVersion === 'string' ? 'mongodb' : 'test-server');
const real = kind === 'mongodb';
const SCHEDULES = Number(process.env.MONGO_BENCH_SCHEDULES ?? (QUICK ? 2_000 : real ? 100_000 : 10_000));
const DUE = Number(process.env.MONGO_BENCH_DUE ?? (QUICK ? 200 : real ? 10_000 : 1_000));
log(
  `${kind} ${buildInfo.version} at ${server.external ? 'MONGODB_URI' : server.uri}: ${SCHEDULES} schedules, ${DUE} due`,
);

/**
 * Fills a fresh database: SCHEDULES enabled schedules on a daily cron whose slot is one minute ago; DUE of them
 * have next_run_at = that slot (due now: one current slot each), the others tomorrow's slot; one released lock
 * document per schedule.
 */
async function seed(db, schedules, due) {
  const slot = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000);
  const cronExpression = `${slot.getUTCMinutes()} ${slot.getUTCHours()} * * *`;
  const tomorrow = new Date(slot.getTime() + 86_400_000);
  const store = new MongoSchedulerStore(db);
  await store.ensureIndexes();
  await new DistributedLock(db).ensureIndexes();
  const col = db.collection('job_schedules');
  for (let from = 0; from < schedules; from += 5_000) {
    const batch = [];
    for (let i = from; i < Math.min(schedules, from + 5_000); i++) {
      // Due schedules are spread over the name space, as they would be in real life.
      const isDue =
        i % Math.round(schedules / due) === 0 && Math.floor(i / Math.round(schedules / due)) < due;
      batch.push(
        scheduleToRecord(
          createSchedule({
            jobName: `job-${String(i).padStart(6, '0')}`,
            cronExpression,
            jobType: 'noop',
            timezone: 'UTC',
            nextRunAt: isDue ? slot : tomorrow,
          }),
        ),
      );
    }
    await col.insertMany(batch, { ordered: false });
  }
  // Steady state: every schedule has run before, so its lock document exists (released) with its fencing
  // counter. A key's very first acquisition costs a few more round trips (create the lock document, check the
  // counter).
  const locks = db.collection('job_locks');
  const counters = db.collection('job_locks_tokens');
  for (let from = 0; from < schedules; from += 5_000) {
    const batch = [];
    const seqs = [];
    for (let i = from; i < Math.min(schedules, from + 5_000); i++) {
      const key = `job:job-${String(i).padStart(6, '0')}`;
      batch.push({ lock_key: key, owner: null, token: LOCK_TOKEN, ttl_ms: 0 });
      seqs.push({ _id: key, seq: 1 });
    }
    await locks.insertMany(batch, { ordered: false });
    await counters.insertMany(seqs, { ordered: false });
  }
  const dueCount = await col.countDocuments({ next_run_at: slot });
  if (dueCount !== due) throw new Error(`seeded ${dueCount} due schedules, expected ${due}`);
  return slot;
}

/** One measurement: `replicas` schedulers (each with its own MongoClient) claim and run every due slot. */
async function measure(replicas, schedules, due) {
  const dbName = `craft_bench_${randomBytes(4).toString('hex')}`;
  const db = admin.db(dbName);
  const slot = await seed(db, schedules, due);
  const registry = new JobRegistry([defineJob({ type: 'noop', handler: () => null })]);
  const clients = [];
  const byCommand = new Map();
  let commands = 0;
  let counting = false;
  const schedulers = [];
  for (let r = 0; r < replicas; r++) {
    const client = await new MongoClient(server.uri, { monitorCommands: true, maxPoolSize: 20 }).connect();
    client.on('commandStarted', (e) => {
      if (!counting) return;
      commands++;
      byCommand.set(e.commandName, (byCommand.get(e.commandName) ?? 0) + 1);
    });
    clients.push(client);
    const cdb = client.db(dbName);
    const store = new MongoSchedulerStore(cdb);
    const lock = new DistributedLock(cdb);
    await store.writeConcern(); // one-time set-up (write concern, indexes) outside the measurement
    await store.getSchedule('warm-up');
    await lock.inspect('warm-up');
    schedulers.push(
      new JobScheduler({
        store,
        lock,
        registry,
        replicaId: `bench-${r}`,
        logger: quiet,
        timezone: 'UTC',
        // The slot is a minute old: a long poll interval keeps it "current" (a plain trigger, not a catch-up).
        pollIntervalMs: 600_000,
        maxDuePerPass: due,
      }),
    );
  }
  counting = true;
  const t0 = performance.now();
  await Promise.all(
    schedulers.map(async (s) => {
      // The loop runner's behaviour, without its sleeps: passes until nothing is due or deferred for this replica.
      for (let pass = 0; pass < 1000; pass++) {
        const result = await s.checkAndRunDueJobs();
        await result.done;
        if (result.runs.length === 0 && result.deferred.length === 0) break;
      }
      await s.idle();
    }),
  );
  const ms = performance.now() - t0;
  counting = false;
  const runs = db.collection('job_runs');
  const succeeded = await runs.countDocuments({ slot, status: 'succeeded', trigger: 'schedule' });
  const total = await runs.countDocuments({});
  if (succeeded !== due || total !== due) {
    throw new Error(
      `${replicas} replica(s): ${succeeded} succeeded runs and ${total} runs for ${due} due slots`,
    );
  }
  for (const c of clients) await c.close();
  await db.dropDatabase();
  return { ms, commands, byCommand };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

try {
  log('warm-up');
  await measure(1, Math.min(SCHEDULES, 1_000), Math.min(DUE, 100));
  const rows = [];
  const breakdowns = [];
  for (const replicas of REPLICA_COUNTS) {
    const results = [];
    for (let i = 0; i < REPEATS; i++) {
      log(`${replicas} replica(s), run ${i + 1}/${REPEATS}`);
      results.push(await measure(replicas, SCHEDULES, DUE));
    }
    const ms = median(results.map((r) => r.ms));
    const commands = median(results.map((r) => r.commands));
    rows.push([
      `${replicas} replica${replicas > 1 ? 's' : ''}`,
      SCHEDULES.toLocaleString('en-US'),
      DUE.toLocaleString('en-US'),
      (ms / 1000).toFixed(2),
      (DUE / (ms / 1000)).toFixed(0),
      Math.round(commands).toLocaleString('en-US'),
      (commands / DUE).toFixed(1),
    ]);
    const last = results[results.length - 1];
    breakdowns.push(
      `${replicas} replica(s), per slot: ${[...last.byCommand.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([name, n]) => `${name} ${(n / DUE).toFixed(2)}`)
        .join(', ')}`,
    );
  }
  console.log(
    `\n@craft/mongo on ${kind} ${buildInfo.version} (${os.cpus().length} cores, Node ${process.version}); ` +
      `median of ${REPEATS} run(s); no-op job, every due slot claimed, started and recorded succeeded\n`,
  );
  console.log(
    formatTable(
      ['replicas', 'schedules', 'due', 'time (s)', 'runs/s', 'round trips', 'round trips/slot'],
      rows,
      { markdown: MARKDOWN },
    ),
  );
  console.log(`\n${breakdowns.join('\n')}`);
} finally {
  await admin.close();
  await server.stop();
}
