#!/usr/bin/env node
// @ts-check
// Failover under load, on a real MongoDB replica set (the CI workflow's replica-set job; see README.md):
//
//   MONGODB_URI='mongodb://h1:27017,h2:27018,h3:27019/?replicaSet=rs0' node tooling/replica-set/failover.mjs \
//     [--seconds 90] [--every 15] [--processes 3]
//
// Runs the chaos harness (tooling/chaos: real craft-api processes, SIGKILLs, restarts, skewed clocks, a
// slot-by-slot audit) against the replica set and, while it runs, steps the current primary down every --every
// seconds (replSetStepDown) and waits for another member to be elected. Exits with the harness's status (1 when the
// audit finds a lost or duplicated slot), 1 when fewer than two failovers completed, 2 for bad arguments or a
// MONGODB_URI that is not a replica set with at least three members.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';

/** @param {string} message @returns {never} */
function usage(message) {
  process.stderr.write(`failover: ${message}\n`);
  process.exit(2);
}

/** @type {{ seconds: string, every: string, processes: string }} */
let values;
try {
  ({ values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '90' },
      every: { type: 'string', default: '15' },
      processes: { type: 'string', default: '3' },
    },
    args: process.argv.slice(2).filter((a) => a !== '--'),
  }));
} catch (error) {
  usage(error instanceof Error ? error.message : String(error));
}
const seconds = Number(values.seconds);
const every = Number(values.every);
if (!Number.isInteger(seconds) || seconds < 30 || seconds > 3600)
  usage(`--seconds: 30 to 3600, got ${values.seconds}`);
if (!Number.isInteger(every) || every < 5 || every >= seconds)
  usage(`--every: 5 to --seconds, got ${values.every}`);

const uri = process.env.MONGODB_URI;
if (!uri) usage('MONGODB_URI is not set: point it at a replica set with at least three members');

const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000 });

/** `hello`, or `isMaster` on servers that do not know it (MongoDB before 4.4.2, the test server). */
async function helloOf() {
  const admin = client.db('admin');
  try {
    return await admin.command({ hello: 1 });
  } catch (error) {
    if (!/no such command|CommandNotFound/i.test(error instanceof Error ? error.message : '')) throw error;
    return await admin.command({ isMaster: 1 });
  }
}
/** @type {{ setName?: string, hosts?: string[], primary?: string }} */
let hello;
try {
  await client.connect();
  hello = await helloOf();
} catch (error) {
  await client.close().catch(() => {});
  usage(`cannot reach MONGODB_URI: ${error instanceof Error ? error.message : String(error)}`);
}
if (!hello.setName || (hello.hosts?.length ?? 0) < 3) {
  await client.close();
  usage(
    `MONGODB_URI is not a replica set with at least three members (hello: setName ${hello.setName ?? 'none'}, ` +
      `${hello.hosts?.length ?? 0} hosts); a failover needs one`,
  );
}
process.stderr.write(
  `failover: replica set ${hello.setName}, members ${hello.hosts?.join(', ')}, primary ${hello.primary}\n`,
);

/** The current primary as the set reports it, or undefined during an election. */
async function currentPrimary() {
  try {
    const h = await helloOf();
    return typeof h.primary === 'string' ? h.primary : undefined;
  } catch {
    return undefined;
  }
}

/** Steps the primary down and waits (at most 60 s) for another member to become primary. */
async function stepDown() {
  const before = await currentPrimary();
  const started = Date.now();
  try {
    // Sent to the primary (the client's default read preference for commands). It refuses for 10 s to be
    // re-elected, and waits up to 5 s for a secondary to catch up, so no acknowledged majority write is lost.
    await client.db('admin').command({ replSetStepDown: 10, secondaryCatchUpPeriodSecs: 5 });
  } catch (error) {
    // Servers before 4.2 close connections on step-down; a closed socket here is the step-down itself.
    const message = error instanceof Error ? error.message : String(error);
    if (!/closed|ECONNRESET|not primary|NotWritablePrimary|interrupted/i.test(message)) throw error;
  }
  for (;;) {
    const now = await currentPrimary();
    if (now !== undefined && now !== before) return { from: before, to: now, ms: Date.now() - started };
    if (Date.now() - started > 60_000)
      throw new Error(`no new primary within 60 s after stepping ${before} down`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const chaosDir = dirname(createRequire(import.meta.url).resolve('@craft/chaos/package.json'));
const chaos = spawn(
  process.execPath,
  [join(chaosDir, 'run.mjs'), '--seconds', String(seconds), '--processes', values.processes],
  { stdio: 'inherit', env: process.env },
);
/** @type {Promise<number>} */
const chaosExit = new Promise((resolve) =>
  chaos.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))),
);
let chaosDone = false;
chaosExit.then(() => {
  chaosDone = true;
});
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM']))
  process.on(signal, () => chaos.kill(signal));

/** @type {{ from?: string, to: string, ms: number }[]} */
const failovers = [];
// Step down only during the harness's chaos window (it adds a quiet period of at least 20 s after it).
const windowEnd = Date.now() + seconds * 1000;
await new Promise((r) => setTimeout(r, Math.min(every, 20) * 1000));
while (!chaosDone && Date.now() + 5_000 < windowEnd) {
  try {
    const failover = await stepDown();
    failovers.push(failover);
    process.stderr.write(`failover: primary ${failover.from} → ${failover.to} in ${failover.ms} ms\n`);
  } catch (error) {
    process.stderr.write(
      `failover: step-down failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  }
  await new Promise((r) => setTimeout(r, every * 1000));
}
const status = await chaosExit;
await client.close();
process.stderr.write(
  `failover: ${failovers.length} failover(s) (${failovers.map((f) => `${f.ms} ms`).join(', ') || 'none'}); ` +
    `chaos harness exited ${status}\n`,
);
if (status !== 0) process.exit(status);
if (failovers.length < 2) {
  process.stderr.write('failover: FAILED: fewer than two failovers completed during the run\n');
  process.exit(1);
}
