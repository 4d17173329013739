#!/usr/bin/env node
// Scale (issue "Scale"): what a claimed slot costs and how that grows, in one run.
//
//   pnpm bench scale                      every section (starts the MongoDB-compatible test server)
//   node --expose-gc bench/scale.bench.mjs --only rt,cost,memory [--quick] [--markdown]
//
// Sections:
// - rt:     database round trips per claimed and executed slot on MongoDB (every command the replicas' clients send,
//           counted with the driver's command monitoring; a bulkWrite is one): 1,000 due of 10,000 schedules (batched)
//           and a lone due slot among 10,000, with 1 and 3 replicas.
// - cost:   the same 1,000 due slots among 1,000 / 10,000 / 100,000 schedules: round trips per slot on MongoDB (one
//           replica) and the pass time on the memory store (one replica; median of 3).
// - cost-memory: the memory-store column of `cost` alone (no test server).
// - memory: 100,000 schedules (hourly to daily crons) and a week of their run history (~2 M runs) in the memory
//           store: RSS, then RSS after `cleanup_run_history` (keep 1 day) and a GC.
// - lag:    the loop runner of 3 replicas on MongoDB, 1,000 schedules due every minute (`* * * * *`, jitter_seconds
//           59, so the 1,000 due instants spread over each minute), for 3 minutes (1 with --quick): trigger lag
//           (run start − due instant) p50 / p99 / max over the runs due after the first minute.
// The test server serialises operations and scans every query (no real secondary indexes): its times grow with the
// collection, its round trips are what carries over to a real MongoDB (MONGODB_URI=… runs the same against one).
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { startMongoTestServer } from '@craft/mongo-test-server';
import {
  createSchedule,
  defineJob,
  JobRegistry,
  JobScheduler,
  MemoryLock,
  MemoryStore,
  scheduleToRecord,
} from '@craft/scheduler';
import { runRoundTripWorkload } from '@craft/scheduler/testing';
import { MongoClient } from 'mongodb';
import { openReplicaStorage } from './lib/mongo-replica.mjs';
import { measureMongoRoundTrips } from './lib/mongo-round-trips.mjs';
import { formatTable } from './lib/table.mjs';

const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const MARKDOWN = argv.includes('--markdown');
const onlyArg = argv.indexOf('--only');
const ONLY = new Set(onlyArg >= 0 ? String(argv[onlyArg + 1]).split(',') : ['rt', 'cost', 'memory', 'lag']);
const log = (m) => process.stderr.write(`[scale bench] ${m}\n`);
const fmt = (n, d = 2) => n.toFixed(d);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const gc = () => globalThis.gc?.();

let server = null;
let admin = null;
async function mongo() {
  if (!server) {
    server = await startMongoTestServer({ log: (l) => log(l) });
    admin = await new MongoClient(server.uri).connect();
  }
  return server;
}

/** One MongoDB measurement: `replicas` schedulers, `due` of `total` due; round trips counted per command. */
async function onMongo(replicas, total, due) {
  const { uri } = await mongo();
  return measureMongoRoundTrips({ uri, admin, replicas, total, due, prefix: 'craft_scale' });
}

/** One memory-store measurement (one replica): the claim-and-execute time. */
async function onMemory(total, due) {
  const store = new MemoryStore();
  const lock = new MemoryLock();
  const r = await runRoundTripWorkload({ replicas: 1, total, due, create: () => ({ store, lock }) });
  if (r.succeeded !== due) throw new Error(`memory: ${r.succeeded} succeeded of ${due}`);
  return r;
}

const out = {
  push(section) {
    // Each section is printed as soon as it is measured (a long run that fails later keeps what it measured).
    console.log(`\n${section}`);
  },
};
try {
  if (ONLY.has('rt')) {
    const total = QUICK ? 2000 : 10_000;
    const due = QUICK ? 200 : 1000;
    const rows = [];
    for (const [label, d] of [
      [`batched (${due.toLocaleString('en-US')} due)`, due],
      ['lone slot (1 due)', 1],
    ]) {
      for (const replicas of [1, 3]) {
        log(`rt: ${label}, ${replicas} replica(s)`);
        const r = await onMongo(replicas, total, d);
        rows.push([
          label,
          String(replicas),
          total.toLocaleString('en-US'),
          fmt(r.ms / 1000),
          String(r.commands),
          fmt(r.commands / d, 2),
        ]);
      }
    }
    out.push(
      `Round trips per claimed and executed slot, MongoDB test server (commands counted by the driver):\n\n${formatTable(
        ['workload', 'replicas', 'schedules', 'time (s)', 'round trips', 'per slot'],
        rows,
        { markdown: MARKDOWN },
      )}`,
    );
  }
  if (ONLY.has('cost') || ONLY.has('cost-memory')) {
    // `cost-memory`: the memory-store column only (no test server).
    const withMongo = ONLY.has('cost');
    const due = QUICK ? 200 : 1000;
    const totals = QUICK ? [1000, 10_000] : [1000, 10_000, 100_000];
    const rows = [];
    await onMemory(totals[0], due); // warm-up (JIT)
    for (const total of totals) {
      log(`cost: ${due} due of ${total}`);
      const memMs = [];
      for (let i = 0; i < 3; i++) {
        gc();
        memMs.push((await onMemory(total, due)).ms);
      }
      const m = withMongo ? await onMongo(1, total, due) : null;
      rows.push([
        total.toLocaleString('en-US'),
        due.toLocaleString('en-US'),
        fmt(median(memMs), 1),
        m ? fmt(m.commands / due, 2) : '—',
        m ? fmt(m.ms / 1000) : '—',
      ]);
    }
    out.push(
      `The same due slots among more schedules (one replica):\n\n${formatTable(
        [
          'schedules',
          'due',
          'memory: pass ms (median of 3)',
          'test server: round trips/slot',
          'test server: time (s)',
        ],
        rows,
        { markdown: MARKDOWN },
      )}`,
    );
  }
  if (ONLY.has('memory')) {
    const schedules = QUICK ? 10_000 : 100_000;
    const days = 7;
    // Hourly to daily crons, most of them daily (every 1, 3, 6 or 12 hours: one in 16 each; the other 12 in 16
    // daily); a week of history at that rate: about 22 runs per schedule.
    const everyHours = [1, 3, 6, 12, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 24];
    gc();
    const rss0 = process.memoryUsage().rss;
    const heap0 = process.memoryUsage().heapUsed;
    const store = new MemoryStore();
    const now = Date.now();
    let runs = 0;
    for (let i = 0; i < schedules; i++) {
      const h = everyHours[i % everyHours.length];
      const name = `mem-${String(i).padStart(6, '0')}`;
      await store.insertSchedule(
        createSchedule({
          jobName: name,
          cronExpression: h === 24 ? '0 3 * * *' : `0 */${h} * * *`,
          jobType: 'noop',
        }),
      );
      for (let slot = now - days * 86_400_000; slot < now; slot += h * 3_600_000) {
        const at = new Date(slot);
        await store.insertRun({
          id: `${name}-${slot}`,
          runKey: `${name}@${at.toISOString()}`,
          jobType: 'noop',
          jobName: name,
          slot: at,
          trigger: 'schedule',
          parameters: {},
          status: 'succeeded',
          attempts: [
            { attempt: 1, status: 'succeeded', startedAt: at, finishedAt: at, error: null, replicaId: 'r' },
          ],
          maxAttempts: 3,
          timeoutSeconds: 300,
          startedAt: at,
          finishedAt: at,
          result: null,
          error: null,
          parentRunId: null,
          replicaId: 'r',
          lockKey: `job:${name}`,
          leaseOwner: null,
          leaseExpiresAt: null,
          fencingToken: 1,
          cancelRequestedAt: null,
          cancelRequestedBy: null,
          createdAt: at,
          updatedAt: at,
          dst: null,
          wallTime: null,
          dueAt: at,
        });
        runs++;
      }
      if (i % 20_000 === 0) log(`memory: ${i} schedules, ${runs} runs`);
    }
    gc();
    const rssFull = process.memoryUsage().rss;
    const heapFull = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    // What cleanup_run_history does with retention_days: 1.
    const deleted = await store.deleteRuns({ finishedBefore: new Date(now - 86_400_000) });
    const cleanupMs = performance.now() - t0;
    gc();
    const rssAfter = process.memoryUsage().rss;
    const heapAfter = process.memoryUsage().heapUsed;
    const mb = (b) => `${Math.round(b / 1048576).toLocaleString('en-US')} MB`;
    out.push(
      `Memory store (${os.totalmem() > 0 ? `${Math.round(os.totalmem() / 2 ** 30)} GiB machine` : ''}):\n\n${formatTable(
        [
          'schedules',
          'runs',
          'RSS (heap) empty',
          'RSS (heap) loaded',
          'cleanup (keep 1 day)',
          'RSS (heap) after cleanup + GC',
        ],
        [
          [
            schedules.toLocaleString('en-US'),
            runs.toLocaleString('en-US'),
            `${mb(rss0)} (${mb(heap0)})`,
            `${mb(rssFull)} (${mb(heapFull)})`,
            `${deleted.toLocaleString('en-US')} runs deleted in ${fmt(cleanupMs / 1000, 1)} s`,
            `${mb(rssAfter)} (${mb(heapAfter)})`,
          ],
        ],
        { markdown: MARKDOWN },
      )}`,
    );
  }
  if (ONLY.has('lag')) {
    const { uri } = await mongo();
    const minutes = QUICK ? 3 : 4;
    const count = QUICK ? 300 : 1000;
    const dbName = `craft_lag_${randomBytes(4).toString('hex')}`;
    const col = admin.db(dbName).collection('job_schedules');
    const docs = [];
    for (let i = 0; i < count; i++) {
      const s = createSchedule({
        jobName: `lag-${String(i).padStart(5, '0')}`,
        cronExpression: '* * * * *',
        jobType: 'noop',
        timezone: 'UTC',
        jitterSeconds: 59,
      });
      docs.push({ ...scheduleToRecord(s), version: 1 });
    }
    await col.insertMany(docs);
    const registry = new JobRegistry([defineJob({ type: 'noop', handler: () => null })]);
    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    const clients = [];
    const schedulers = [];
    for (let r = 0; r < 3; r++) {
      const { client, store, lock } = await openReplicaStorage(uri, dbName);
      clients.push(client);
      schedulers.push(
        new JobScheduler({
          store,
          lock,
          registry,
          replicaId: `lag-${r}`,
          logger: quiet,
          timezone: 'UTC',
          builtins: false,
        }),
      );
    }
    const t0 = Date.now();
    log(`lag: ${count} schedules every minute, 3 replicas, ${minutes} min`);
    await Promise.all(schedulers.map((s) => s.start()));
    await new Promise((r) => setTimeout(r, minutes * 60_000));
    await Promise.all(schedulers.map((s) => s.stop()));
    // Runs due from the second full minute on (the first holds the start-up pass) until 70 s before the end (a slot's
    // jitter, up to 59 s, plus time to start). The smoke run is too short for that: it starts at the first full minute.
    const from = new Date(Math.ceil(t0 / 60_000) * 60_000 + (QUICK ? 0 : 60_000));
    const runs = await admin
      .db(dbName)
      .collection('job_runs')
      .find({ due_at: { $gte: from, $lt: new Date(Date.now() - 70_000) } })
      .toArray();
    const lags = runs
      .filter((r) => r.started_at instanceof Date && r.due_at instanceof Date)
      .map((r) => r.started_at.getTime() - r.due_at.getTime())
      .sort((a, b) => a - b);
    const q = (p) => lags[Math.min(lags.length - 1, Math.floor(p * (lags.length - 1)))] ?? Number.NaN;
    const notStarted = runs.filter((r) => !(r.started_at instanceof Date)).length;
    for (const c of clients) await c.close();
    await admin.db(dbName).dropDatabase();
    out.push(
      `Loop trigger lag, 3 replicas on MongoDB (run start − due instant, runs due from the second minute on):\n\n${formatTable(
        [
          'schedules',
          'due per minute',
          'runs measured',
          'not started',
          'lag p50 (ms)',
          'lag p99 (ms)',
          'max (ms)',
        ],
        [
          [
            String(count),
            String(count),
            String(lags.length),
            String(notStarted),
            String(q(0.5)),
            String(q(0.99)),
            String(lags[lags.length - 1] ?? Number.NaN),
          ],
        ],
        { markdown: MARKDOWN },
      )}`,
    );
  }
  console.log(
    `\nScale on ${os.cpus().length} cores, Node ${process.version}, load ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
} finally {
  await admin?.close();
  await server?.stop();
}
