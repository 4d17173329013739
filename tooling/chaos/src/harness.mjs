// @ts-check
// A chaos run with real processes: the MongoDB (test) server, 2-5 `craft-api` processes with their scheduler loops
// on an accelerated test clock, each behind its own TCP fault proxy to the database (src/fault-proxy.mjs), hundreds
// to thousands of schedules registered through the REST API, random SIGKILLs (at random moments and right at slot
// boundaries, i.e. mid-claim), restarts, clock skew, database faults and stalls (src/faults.mjs), then a quiet period
// and the audit (src/audit.mjs). Loopback only; every loop is bounded in time.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startMongoTestServer } from '@craft/mongo-test-server';
import { MongoClient } from 'mongodb';
import { auditRun, percentile } from './audit.mjs';
import { FaultProxy, singleHost } from './fault-proxy.mjs';
import { FAULT_KINDS, FaultInjector } from './faults.mjs';
import { writeJobsModule } from './jobs-fixture.mjs';
import { Killer } from './killer.mjs';
import { ApiSlot, freePort, mintToken } from './processes.mjs';
import { createRng, scheduleBodies } from './profiles.mjs';
import { writeSnapshot } from './snapshot.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The built API entry point the harness runs. */
export const API_BIN = resolve(HERE, '../../../apps/api/dist/bin.js');

/**
 * @typedef {object} ChaosOptions
 * @property {number} [durationMs] real time of the chaos phase (default: 60000)
 * @property {number} [processes] API processes (3-5) (default: 3)
 * @property {number} [schedules] schedules registered (default: 200)
 * @property {number} [speed] scheduler ms per real ms (CRAFT_TEST_CLOCK_SPEED) (default: 60)
 * @property {number} [skewMs] clock skew of skewed processes, scheduler ms (CRAFT_TEST_CLOCK_OFFSET_MS) (default: 30000)
 * @property {number} [lockTtlSeconds] LOCK_TTL_SECONDS (real seconds: the database judges leases) (default: 5)
 * @property {number} [pollIntervalSeconds] POLL_INTERVAL_SECONDS (scheduler seconds) (default: 60)
 * @property {[number, number]} [killGapMs] real ms between kill events (default: [700, 3000])
 * @property {[number, number]} [restartDelayMs] real ms a killed process stays down (default: [200, 3000])
 * @property {number} [quietMs] least real time with every process up before the audit (default: 4 × lease, ≥ 15 s)
 * @property {number} [quietMaxMs] most real time waiting for every due slot to settle (default: quietMs + 60 s)
 * @property {number} [readyTimeoutMs] how long a starting process may take to answer /health (its startup pass
 *   included) before the harness calls it a failed start (default: 120 s)
 * @property {'minutes' | 'days'} [mix] cron shapes: every minute to 2 h, or every 15 min to daily (default: 'minutes')
 * @property {number} [longShare] share of `chaos_long` schedules (handlers of 1-8 real s) (default: 0)
 * @property {import('./faults.mjs').FaultKind[]} [faultKinds] database faults and stalls to inject; [] for none
 *   (default: every kind)
 * @property {[number, number]} [faultGapMs] real ms between two faults (default: [1500, 5000])
 * @property {boolean} [eachKindFirst] inject every fault kind once before drawing at random (default: true)
 * @property {number} [seed] seed of the harness's random choices (default: random)
 * @property {string} [timezone] SCHEDULER_TIMEZONE (default: 'UTC')
 * @property {boolean} [keepDir] keep the work directory (logs, execution logs) (default: false)
 * @property {boolean} [privateServer] start a MongoDB test server of its own even when MONGODB_URI is set (the root
 *   `pnpm test` shares one test server, which executes one operation at a time, between every suite: the chaos
 *   run's load must not slow the other suites' calls past their bounds) (default: false)
 * @property {(line: string) => void} [log] progress lines (default: stderr)
 */

/** Runs `fn` over `items` with at most `n` at a time. */
async function pool(
  /** @type {any[]} */ items,
  /** @type {number} */ n,
  /** @type {(x: any, i: number) => Promise<void>} */ fn,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

/**
 * One chaos run: start, register, kill/restart, quiet period, audit, tear down.
 * @param {ChaosOptions} [options]
 */
export async function runChaos(options = {}) {
  const log = options.log ?? ((line) => process.stderr.write(`chaos: ${line}\n`));
  const processes = options.processes ?? 3;
  if (!(processes >= 1 && processes <= 10))
    throw new RangeError(`processes: expected 1-10, got ${processes}`);
  const durationMs = options.durationMs ?? 60_000;
  const speed = options.speed ?? 60;
  const skewMs = options.skewMs ?? 30_000;
  const lockTtlSeconds = options.lockTtlSeconds ?? 5;
  const pollIntervalSeconds = options.pollIntervalSeconds ?? 60;
  const quietMs = options.quietMs ?? Math.max(15_000, 4 * lockTtlSeconds * 1000);
  const quietMaxMs = options.quietMaxMs ?? quietMs + 60_000;
  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const rnd = createRng(seed);
  const faultKinds = options.faultKinds ?? [...FAULT_KINDS];

  const server = await startMongoTestServer({ log, useEnv: options.privateServer !== true });
  const dbName = `craft_chaos_${randomBytes(4).toString('hex')}`;
  // The harness's own connection goes straight to the server (no proxy). A week of records makes the test server's
  // scans slow under load: a monitor check or a query may wait tens of seconds, which must not end the run.
  const client = new MongoClient(server.uri, {
    serverSelectionTimeoutMS: 120_000,
    connectTimeoutMS: 120_000,
  });
  const dir = mkdtempSync(join(tmpdir(), 'craft-chaos-'));
  mkdirSync(dir, { recursive: true });
  /** @type {ApiSlot[]} */
  const slots = [];
  /** @type {FaultProxy[]} */
  const proxies = [];
  const killAll = () => {
    for (const s of slots) s.killNow();
  };
  process.once('exit', killAll);
  const startedAt = Date.now();
  try {
    await client.connect();
    const db = client.db(dbName);
    const epochMs = Date.now();
    const schedNow = (real = Date.now()) => epochMs + (real - epochMs) * speed;
    const realAt = (/** @type {number} */ sched) => epochMs + (sched - epochMs) / speed;
    const secret = randomBytes(32).toString('base64url');
    const token = mintToken(secret);
    const jobsModule = writeJobsModule(dir, { speed });
    const timezone = options.timezone ?? 'UTC';
    /** @type {Record<string, string>} */
    const env = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      MONGODB_URI: server.uri,
      MONGODB_DB: dbName,
      JWT_SECRET: secret,
      SCHEDULER_ENABLED: 'true',
      SCHEDULER_TIMEZONE: timezone,
      LOCK_TTL_SECONDS: String(lockTtlSeconds),
      POLL_INTERVAL_SECONDS: String(pollIntervalSeconds),
      SHUTDOWN_GRACE_SECONDS: '5',
      CRAFT_JOBS: jobsModule,
      CRAFT_TEST_CLOCK_SPEED: String(speed),
      CRAFT_TEST_CLOCK_EPOCH_MS: String(epochMs),
      LOG_LEVEL: 'warn',
    };
    log(
      `seed ${seed}; ${processes} processes, ${options.schedules ?? 200} schedules, ${(durationMs / 1000).toFixed(0)} s ` +
        `of chaos at ${speed}× (${((durationMs * speed) / 3_600_000).toFixed(2)} h of schedule time); ` +
        `lease ${lockTtlSeconds} s real; database ${dbName} on ${server.external ? 'MONGODB_URI' : server.uri}; work dir ${dir}`,
    );
    // Each process reaches the database through its own fault proxy; straight, when no fault is injected.
    const upstream = faultKinds.length > 0 ? singleHost(server.uri) : null;
    for (let i = 0; i < processes; i++) {
      let uri = server.uri;
      if (upstream) {
        const proxy = new FaultProxy({ upstreamHost: upstream.host, upstreamPort: upstream.port });
        await proxy.listen();
        proxies.push(proxy);
        uri = upstream.via(proxy.port);
      }
      slots.push(
        new ApiSlot({
          index: i,
          port: await freePort(),
          bin: API_BIN,
          env: { ...env, MONGODB_URI: uri },
          dir,
        }),
      );
    }
    // Slot 1 runs ahead, slot 2 behind (at first; restarts re-draw).
    const baseSkew = (/** @type {number} */ i) => (i === 1 ? skewMs : i === 2 ? -skewMs : 0);
    for (const s of slots) s.start(baseSkew(s.index));
    await Promise.all(slots.map((s) => s.waitReady(readyTimeoutMs)));
    log(`processes ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);

    // Register the schedules through the REST API, spread over the processes.
    const bodies = scheduleBodies(options.schedules ?? 200, rnd, {
      mix: options.mix ?? 'minutes',
      longShare: options.longShare ?? 0,
    });
    /** @type {import('./audit.mjs').AuditSchedule[]} */
    const schedules = [];
    await pool(bodies, 8, async (body, i) => {
      const slot = /** @type {ApiSlot} */ (slots[i % slots.length]);
      const res = await fetch(`${slot.url}/jobs/schedules`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const json = /** @type {Record<string, any>} */ (await res.json());
      if (res.status !== 201)
        throw new Error(`POST /jobs/schedules answered ${res.status}: ${JSON.stringify(json)}`);
      schedules.push({
        jobName: json.job_name,
        cronExpression: json.cron_expression,
        timezone: json.timezone ?? timezone,
        policy: json.missed_run_policy,
        catchUpWindowSeconds: json.catch_up_window_seconds ?? null,
        chain: json.chain ?? [],
        initialNext: new Date(json.next_run_at),
      });
    });
    log(`registered ${schedules.length} schedules through POST /jobs/schedules`);

    // Chaos: SIGKILLs and restarts (src/killer.mjs) and database faults and stalls (src/faults.mjs), at once.
    const deadline = Date.now() + durationMs;
    const injector = new FaultInjector({
      slots,
      proxies,
      rnd: createRng(seed ^ 0x5bd1e995),
      leaseMs: lockTtlSeconds * 1000,
      gapMs: options.faultGapMs ?? [1500, 5000],
      kinds: faultKinds,
      eachKindFirst: options.eachKindFirst ?? true,
      log,
    });
    const killer = new Killer({
      slots,
      rnd,
      gapMs: options.killGapMs ?? [700, 3000],
      downMs: options.restartDelayMs ?? [200, 3000],
      skewMs,
      baseSkew,
      readyTimeoutMs,
      boundaryMs: options.mix === 'days' ? 3_600_000 : 60_000,
      clock: { schedNow, realAt },
      // The slot's database path had a fault on between `from` and `to` (real ms, 1 s of slack each side).
      dbFaulted: (slot, from, to) =>
        injector.events.some(
          (e) =>
            e.slot === slot &&
            e.kind !== 'stall' &&
            e.at <= to + 1000 &&
            (e.until ?? Number.POSITIVE_INFINITY) >= from - 1000,
        ),
    });
    const faultsDone = faultKinds.length > 0 ? injector.run(deadline) : Promise.resolve();
    await killer.run(deadline);
    const windowEnd = new Date(schedNow(deadline));
    await faultsDone;
    const faults = injector.counts();
    log(
      `chaos over: ${killer.kills.total} kills, ${killer.restarts} restarts so far, ${faults.total} database faults and stalls ` +
        `(${Object.entries(faults.byKind)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ')}); window ends at scheduler time ${windowEnd.toISOString()}`,
    );

    // Quiet period: every fault healed (above), every process up, then wait until every slot before the window's end
    // is settled.
    await killer.settle();
    for (const s of slots) {
      if (!s.alive) {
        s.start(baseSkew(s.index));
        killer.restarts++;
      }
    }
    await Promise.all(slots.map((s) => s.waitReady(readyTimeoutMs)));
    const quietStart = Date.now();
    await delay(quietMs);
    const runs = db.collection('job_runs');
    let settledAfterMs = null;
    while (Date.now() - quietStart < quietMaxMs) {
      try {
        const open = await runs.countDocuments({
          status: { $in: ['pending', 'running'] },
          slot: { $lt: windowEnd },
        });
        const behind = await db.collection('job_schedules').countDocuments({
          is_enabled: true,
          $or: [{ next_run_at: null }, { next_run_at: { $lt: windowEnd } }],
        });
        if (open === 0 && behind === 0) {
          settledAfterMs = Date.now() - quietStart;
          break;
        }
      } catch (error) {
        // A slow answer from an overloaded server is no verdict: ask again (the loop is bounded by quietMaxMs).
        log(
          `quiet period: the settle check failed (${error instanceof Error ? error.message : String(error)}); retrying`,
        );
      }
      // Every 3 s: each check scans job_runs on the test server, competing with the processes it waits for.
      await delay(3000);
    }
    log(
      settledAfterMs === null
        ? `not settled after ${(quietMaxMs / 1000).toFixed(0)} s of quiet period; auditing anyway`
        : `settled ${(settledAfterMs / 1000).toFixed(1)} s into the quiet period`,
    );

    // Stop the processes gracefully (runs in flight are handed back), then snapshot: every execution they logged is
    // then in the records read (a snapshot taken first misses the runs started between it and the stop).
    await Promise.all(slots.map((s) => s.stop()));
    const auditedAt = Date.now();
    const serverNow = /** @type {Date} */ ((await db.command({ isMaster: 1 })).localTime).getTime();
    const allRuns = await runs.find({}, { projection: { parameters: 0 } }).toArray();
    const scheduleDocs = await db.collection('job_schedules').find({}).toArray();
    const locks = await db.collection('job_locks').find({}).toArray();
    const incarnations = slots.flatMap((s) => s.incarnations);
    const unexpected = incarnations.filter((i) => !i.expectedExit && i.exitedAt !== null);
    let unreadableLines = 0;
    const executions = readdirSync(dir)
      .filter((f) => f.startsWith('exec-'))
      .flatMap((f) =>
        readFileSync(join(dir, f), 'utf8')
          .split('\n')
          .filter((line) => line.trim() !== '')
          .flatMap((line) => {
            try {
              return [JSON.parse(line)];
            } catch {
              // A line cut by a SIGKILL in the middle of its write.
              unreadableLines++;
              return [];
            }
          }),
      );
    const logErrors = countLogLines(dir);
    /** @type {import('./audit.mjs').AuditInput} */
    const auditInput = {
      schedules,
      runs: allRuns,
      nextRunAt: new Map(scheduleDocs.map((d) => [d.job_name, d.next_run_at ?? null])),
      windowEnd,
      executions,
      incarnations: incarnations.map((i) => ({
        pid: i.pid,
        startedAt: i.startedAt,
        killedAt: i.killedAt,
        skewMs: i.skewMs,
        stops: i.stops,
      })),
      locks,
      serverNow,
      auditedAt,
      clock: { epochMs, speed },
      leaseMs: lockTtlSeconds * 1000,
    };
    if (options.keepDir)
      writeSnapshot(dir, auditInput, { seed, kills: killer.killLog, faults: injector.events, incarnations });
    const { figures, violations } = auditRun(auditInput);
    for (const i of unexpected) {
      violations.push({
        kind: 'crash',
        detail: `API process ${i.pid} exited by itself (${i.exit}); see its log`,
      });
    }
    for (const f of killer.startFailures) violations.push({ kind: 'start', detail: f });
    if (settledAfterMs === null) {
      violations.push({
        kind: 'stuck',
        detail: `slots before the window end were still open after the quiet period`,
      });
    }
    return {
      seed,
      dir,
      violations,
      figures: {
        ...figures,
        processes,
        incarnations: incarnations.length,
        kills: killer.kills.total,
        killsAtBoundary: killer.kills.boundary,
        killsRandom: killer.kills.random,
        killsDuringStartup: killer.kills.duringStartup,
        doubleKills: killer.kills.double,
        restarts: killer.restarts,
        startupMs: startupFigures(incarnations),
        skewedIncarnations: incarnations.filter((i) => i.skewMs !== 0).length,
        skewMs,
        speed,
        lockTtlSeconds,
        schedules: schedules.length,
        runRecords: allRuns.length,
        chaosRealMs: durationMs,
        scheduleTimeMs: durationMs * speed,
        settledAfterMs,
        faults,
        frozenIncarnations: incarnations.filter((i) => i.stops.length > 0).length,
        startExitsWhileCutOff: killer.startExitsWhileCutOff,
        proxy: proxyFigures(proxies),
        unreadableLines,
        totalRealMs: Date.now() - startedAt,
        logWarnings: logErrors.warn,
        logErrors: logErrors.error,
        serverKind: server.external ? 'MONGODB_URI' : 'mongo-java-server',
      },
    };
  } finally {
    killAll();
    process.off('exit', killAll);
    await Promise.all(proxies.map((p) => p.close().catch(() => {})));
    await client
      .db(dbName)
      .dropDatabase()
      .catch(() => {});
    await client.close().catch(() => {});
    await server.stop();
    if (!options.keepDir) rmSync(dir, { recursive: true, force: true });
  }
}

/** Totals over the fault proxies. @param {FaultProxy[]} proxies */
function proxyFigures(proxies) {
  const sum = (/** @type {'connections' | 'resets' | 'bytesUp' | 'bytesDown'} */ k) =>
    proxies.reduce((s, p) => s + p.stats[k], 0);
  return { connections: sum('connections'), resets: sum('resets'), bytes: sum('bytesUp') + sum('bytesDown') };
}

/**
 * Startup time (spawn to `/health` answering: boot, connect, indexes, the startup pass `handleMissedRuns()`) of
 * the processes that became ready.
 * @param {import('./processes.mjs').Incarnation[]} incarnations
 */
function startupFigures(incarnations) {
  const list = incarnations
    .filter((i) => i.readyAt !== null)
    .map((i) => /** @type {number} */ (i.readyAt) - i.startedAt)
    .sort((a, b) => a - b);
  return { count: list.length, p50: percentile(list, 0.5), max: list[list.length - 1] ?? Number.NaN };
}

/** Counts pino warn (40) and error/fatal (≥ 50) lines in the processes' logs. */
function countLogLines(/** @type {string} */ dir) {
  let warn = 0;
  let error = 0;
  for (const f of readdirSync(dir).filter((n) => n.startsWith('api-'))) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      const m = /"level":(\d+)/.exec(line);
      if (!m || line.includes('TEST-ONLY')) continue;
      const level = Number(m[1]);
      if (level >= 50) error++;
      else if (level === 40) warn++;
    }
  }
  return { warn, error };
}
