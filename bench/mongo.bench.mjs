#!/usr/bin/env node
import os from 'node:os';
import { startMongoTestServer } from '@craft/mongo-test-server';
import { MongoClient } from 'mongodb';
import { measureMongoRoundTrips } from './lib/mongo-round-trips.mjs';
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

/** One measurement (bench/lib/mongo-round-trips.mjs): `replicas` schedulers claim and run `due` of `schedules`. */
const measure = (replicas, schedules, due) =>
  measureMongoRoundTrips({ uri: server.uri, admin, replicas, total: schedules, due, prefix: 'craft_bench' });

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
      ` (${ratios.length} runs; rounds that left a slot due: ${commandsOf.get(3).reduce((n, r) => n + r.leftDue, 0)})`,
  );
} finally {
  await admin.close();
  await server.stop();
}
