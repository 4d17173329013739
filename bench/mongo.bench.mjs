#!/usr/bin/env node
// @craft/mongo: time for 1 replica, and for 3, to claim and start every due slot (no-op job, run to success) on
// MongoDB, with runs/s and database round trips per slot (every command the scheduler clients send, counted
// with the driver's command monitoring: the figure that carries over to any server).
//
//   pnpm bench mongo                       starts the MongoDB-compatible test server (unless MONGODB_URI is set)
//   MONGODB_URI=mongodb://… pnpm bench mongo   a real MongoDB: 100,000 schedules of which 10,000 due
//   node bench/mongo.bench.mjs --quick     smoke run (2,000 / 200)
//   MONGO_BENCH_SCHEDULES=1600 MONGO_BENCH_DUE=400 MONGO_BENCH_REPEATS=15 node bench/mongo.bench.mjs
//                                          the round-trip gate's workload, 15 runs each: how the three-replica ratio
//                                          spreads from run to run (printed per run, with min / median / max)
//
// Sizes: 10,000 enabled schedules of which 1,000 due on the test server (it has no real secondary indexes, so every
// query scans: keep it modest), 100,000 / 10,000 on a real MongoDB (detected by buildInfo.gitVersion; override
// with CRAFT_BENCH_SERVER=mongodb|test-server, or set MONGO_BENCH_SCHEDULES / MONGO_BENCH_DUE).
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { DistributedLock, MongoSchedulerStore } from '@craft/mongo';
import { startMongoTestServer } from '@craft/mongo-test-server';
import { scheduleToRecord } from '@craft/scheduler';
import { runRoundTripWorkload } from '@craft/scheduler/testing';
import { MongoClient } from 'mongodb';
import { formatTable } from './lib/table.mjs';

const args = new Set(process.argv.slice(2));
const QUICK = args.has('--quick') || process.env.BENCH_QUICK === '1';
const MARKDOWN = args.has('--markdown');
const REPLICA_COUNTS = [1, 3];
const REPEATS = Number(process.env.MONGO_BENCH_REPEATS ?? (QUICK ? 1 : 2));
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
 * One measurement (`runRoundTripWorkload` of `@craft/scheduler/testing`, shared with the round-trip gates and
 * `scale.bench.mjs`): a fresh database with `schedules` enabled schedules on a daily cron, `due` of them due now (one
 * current slot each, spread over the name space) and the others tomorrow; `replicas` schedulers, each with its own
 * MongoClient, pass as the loop runner does until every due slot ran once. Every command the clients send meanwhile is
 * counted.
 */
async function measure(replicas, schedules, due) {
  const dbName = `craft_bench_${randomBytes(4).toString('hex')}`;
  const db = admin.db(dbName);
  const clients = [];
  const byCommand = new Map();
  let commands = 0;
  let counting = false;
  const result = await runRoundTripWorkload({
    replicas,
    total: schedules,
    due,
    clock: 'real',
    async create() {
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
      // One-time set-up (indexes, write concern) outside the measurement.
      await store.ensureIndexes();
      await lock.ensureIndexes();
      await store.getSchedule('warm-up');
      await lock.inspect('warm-up');
      return { store, lock };
    },
    async seed(list) {
      const col = db.collection('job_schedules');
      for (let i = 0; i < list.length; i += 5_000) {
        await col.insertMany(
          list.slice(i, i + 5_000).map((s) => ({ ...scheduleToRecord(s), version: 1 })),
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
  for (const c of clients) await c.close();
  await db.dropDatabase();
  if (result.succeeded !== due || result.runs !== due) {
    throw new Error(
      `${replicas} replica(s): ${result.succeeded} succeeded runs and ${result.runs} runs for ${due} due slots`,
    );
  }
  return { ms: result.ms, commands, byCommand };
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
  const commandsOf = new Map();
  for (const replicas of REPLICA_COUNTS) {
    const results = [];
    commandsOf.set(replicas, results);
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
  // How the three-replica total spreads from run to run (how often the replicas' walks meet varies with timing).
  const base = median(commandsOf.get(1).map((r) => r.commands));
  const ratios = commandsOf.get(3).map((r) => r.commands / base);
  const sorted = [...ratios].sort((a, b) => a - b);
  console.log(
    `3 replicas ÷ 1 replica (median), round trips, per run: ${ratios.map((r) => r.toFixed(2)).join(' ')}` +
      ` — min ${sorted[0].toFixed(2)}, median ${median(ratios).toFixed(2)}, max ${sorted[sorted.length - 1].toFixed(2)}` +
      ` (${ratios.length} runs)`,
  );
} finally {
  await admin.close();
  await server.stop();
}
