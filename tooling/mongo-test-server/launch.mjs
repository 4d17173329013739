#!/usr/bin/env node
// Builds (cached) and starts the MongoDB-compatible test server: mongo-java-server's in-memory backend behind a
// tiny Java main (src/main/java), on 127.0.0.1 and a free port. Plain ESM so the test command can use it before
// anything in the workspace is built. Types: launch.d.mts. Documentation: ../README.md.
//
//   node tooling/mongo-test-server/launch.mjs           start a server, print its URI, run until Ctrl-C
//   node tooling/mongo-test-server/launch.mjs --build   only build the jar (if it is missing or stale)
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stripVTControlCharacters } from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The self-contained server jar that `mvn package` produces. */
export const JAR_PATH = join(HERE, 'target', 'mongo-test-server.jar');

const POM_PATH = join(HERE, 'pom.xml');
const SOURCES_DIR = join(HERE, 'src');
const BUILD_LOCK_DIR = join(HERE, 'target', '.build-lock');
const LISTENING_LINE = /^LISTENING 127\.0\.0\.1:(\d+)\s*$/;

/** Base class of the launcher's errors; `code` is stable. */
export class MongoTestServerError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   * @param {ErrorOptions} [options]
   */
  constructor(code, message, options) {
    super(message, options);
    this.name = 'MongoTestServerError';
    this.code = code;
  }
}

/** @param {string} message @param {ErrorOptions} [options] */
const javaMissing = (message, options) =>
  new MongoTestServerError('CRAFT_TEST_SERVER_JAVA_MISSING', message, options);
/** @param {string} message @param {ErrorOptions} [options] */
const mavenMissing = (message, options) =>
  new MongoTestServerError('CRAFT_TEST_SERVER_MAVEN_MISSING', message, options);
/** @param {string} message @param {ErrorOptions} [options] */
const buildFailed = (message, options) =>
  new MongoTestServerError('CRAFT_TEST_SERVER_BUILD_FAILED', message, options);
/** @param {string} message @param {ErrorOptions} [options] */
const startFailed = (message, options) =>
  new MongoTestServerError('CRAFT_TEST_SERVER_START_FAILED', message, options);
/** @param {string} message @param {ErrorOptions} [options] */
const pingFailed = (message, options) =>
  new MongoTestServerError('CRAFT_TEST_SERVER_PING_FAILED', message, options);

/** Newest modification time (ms) of a file or of any file below a directory. */
function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/**
 * Whether the jar exists and is newer than pom.xml and every source file.
 * @returns {boolean}
 */
export function isJarFresh() {
  let jarTime;
  try {
    jarTime = statSync(JAR_PATH).mtimeMs;
  } catch {
    return false;
  }
  return jarTime > Math.max(newestMtime(POM_PATH), newestMtime(SOURCES_DIR));
}

function javaCommand() {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

/**
 * Runs a command, collecting its output. Resolves with the exit code; rejects only if it cannot be spawned.
 * @param {string} command @param {string[]} args @param {import('node:child_process').SpawnOptions} [options]
 * @returns {Promise<{ code: number | null, output: string }>}
 */
function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (/** @type {Buffer} */ chunk) => {
      output = (output + chunk.toString()).slice(-64_000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Takes a directory lock so two launchers never run Maven on the same folder at once. */
async function withBuildLock(/** @type {() => Promise<void>} */ task) {
  mkdirSync(dirname(BUILD_LOCK_DIR), { recursive: true });
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK_DIR);
      break;
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code !== 'EEXIST') throw error;
      let age = 0;
      try {
        age = Date.now() - statSync(BUILD_LOCK_DIR).mtimeMs;
      } catch {
        continue; // released meanwhile
      }
      if (age > 10 * 60_000) rmSync(BUILD_LOCK_DIR, { recursive: true, force: true }); // a crashed build
      if (Date.now() > deadline)
        throw buildFailed(`mongo-test-server: ${BUILD_LOCK_DIR} is still held after 15 min`);
      await sleep(250);
    }
  }
  try {
    await task();
  } finally {
    rmSync(BUILD_LOCK_DIR, { recursive: true, force: true });
  }
}

/**
 * Builds target/mongo-test-server.jar with Maven unless it is already fresh. Quiet on success; on failure the
 * error carries Maven's output. The first build downloads mongo-java-server and Maven's plugins into ~/.m2;
 * later builds need no network.
 * @param {{ log?: (line: string) => void, force?: boolean }} [options]
 * @returns {Promise<{ built: boolean, ms: number }>}
 */
export async function buildMongoTestServer(options = {}) {
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  const started = performance.now();
  if (!options.force && isJarFresh()) return { built: false, ms: performance.now() - started };
  let built = false;
  await withBuildLock(async () => {
    if (!options.force && isJarFresh()) return; // another launcher built it while we waited
    log(
      'mongo-test-server: building target/mongo-test-server.jar with Maven (first run downloads from Maven)',
    );
    let result;
    try {
      result = await run('mvn', ['-q', '-B', '-f', POM_PATH, 'package'], { cwd: HERE });
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT') {
        throw mavenMissing(
          'mongo-test-server: `mvn` (Apache Maven 3.8+) is not on PATH, so the test server cannot be built. ' +
            'Install it (Debian/Ubuntu: apt-get install maven openjdk-17-jdk-headless; `./dev test` does this), ' +
            'or set MONGODB_URI to a running MongoDB.',
          { cause: error },
        );
      }
      throw error;
    }
    if (result.code !== 0) {
      const output = stripVTControlCharacters(result.output).trim();
      const hint = /JAVA_HOME|java: not found|No compiler/i.test(output)
        ? ' Maven needs a JDK 17+ (not just a JRE): install openjdk-17-jdk-headless or set JAVA_HOME.'
        : '';
      throw buildFailed(
        `mongo-test-server: \`mvn -q -B package\` in ${HERE} exited with ${result.code}.${hint} Maven said:\n${output}`,
      );
    }
    built = true;
  });
  const ms = performance.now() - started;
  if (built) log(`mongo-test-server: built in ${(ms / 1000).toFixed(1)} s`);
  return { built, ms };
}

/**
 * @typedef {object} MongoTestServer
 * @property {string} uri  `mongodb://127.0.0.1:PORT/`, or MONGODB_URI when it was set.
 * @property {boolean} external  True when MONGODB_URI was used and nothing was started.
 * @property {number | undefined} port  The test server's port (undefined when external).
 * @property {number | undefined} pid  The Java process id (undefined when external).
 * @property {{ buildMs: number, startMs: number }} timings  Jar build (0 when cached) and start-to-ping times.
 * @property {() => Promise<void>} stop  Stops the server (no-op when external). Safe to call twice.
 * @property {Promise<{ code: number | null, signal: string | null }>} exited  Settles when the Java process
 *   exits, for whatever reason (never settles when external).
 */

/**
 * Starts the MongoDB-compatible test server unless MONGODB_URI is set.
 *
 * With MONGODB_URI set, resolves at once with that URI and a no-op `stop`. Otherwise builds the jar if needed,
 * spawns Java on a free loopback port, waits for its `LISTENING` line and for a `ping` through the official
 * `mongodb` driver, and resolves with the URI. The server exits when `stop()` is called, when this process exits
 * (its stdin pipe closes), or on SIGTERM.
 *
 * @param {{ useEnv?: boolean, startTimeoutMs?: number, log?: (line: string) => void,
 *   serverLog?: (line: string) => void, javaOptions?: string[] }} [options]
 *   `useEnv` (default true): honour MONGODB_URI. `startTimeoutMs` (default 60000): time allowed for the JVM to
 *   listen and answer ping. `log`: launcher messages (default: stderr). `serverLog`: the server's own log lines
 *   (default: stderr with a `[mongo-test-server]` prefix; the server logs only errors unless
 *   MONGO_TEST_SERVER_LOG_LEVEL=warn|info|debug). `javaOptions` (default: `-XX:+UseSerialGC`, the log level, and
 *   MONGO_TEST_SERVER_JAVA_OPTS split on spaces).
 * @returns {Promise<MongoTestServer>}
 */
export async function startMongoTestServer(options = {}) {
  const useEnv = options.useEnv ?? true;
  const envUri = process.env.MONGODB_URI;
  if (useEnv && envUri) {
    return {
      uri: envUri,
      external: true,
      port: undefined,
      pid: undefined,
      timings: { buildMs: 0, startMs: 0 },
      stop: async () => {},
      exited: new Promise(() => {}),
    };
  }
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  const serverLog = options.serverLog ?? ((line) => process.stderr.write(`[mongo-test-server] ${line}\n`));
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;

  const { ms: buildMs } = await buildMongoTestServer({ log });

  const logLevel = process.env.MONGO_TEST_SERVER_LOG_LEVEL;
  const javaOptions = options.javaOptions ?? [
    '-XX:+UseSerialGC',
    ...(logLevel
      ? [
          `-Dorg.slf4j.simpleLogger.defaultLogLevel=${logLevel}`,
          `-Dorg.slf4j.simpleLogger.log.de.bwaldvogel.mongo.wire.MongoWireProtocolHandler=${logLevel}`,
          `-Dorg.slf4j.simpleLogger.log.de.bwaldvogel.mongo.wire.MongoExceptionHandler=${logLevel}`,
        ]
      : []),
    ...(process.env.MONGO_TEST_SERVER_JAVA_OPTS ?? '').split(/\s+/).filter(Boolean),
  ];
  const started = performance.now();
  const java = javaCommand();
  const child = spawn(java, [...javaOptions, '-jar', JAR_PATH, '0'], { stdio: ['pipe', 'pipe', 'pipe'] });

  /** @type {string[]} */
  const stderrTail = [];
  let listening = false;
  createInterface({ input: /** @type {import('node:stream').Readable} */ (child.stderr) }).on(
    'line',
    (line) => {
      if (!listening) {
        stderrTail.push(line);
        if (stderrTail.length > 200) stderrTail.shift();
      } else {
        serverLog(line);
      }
    },
  );
  /** @type {Promise<{ code: number | null, signal: string | null }>} */
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.stdin?.on('error', () => {}); // EPIPE once the server has gone; `exited` reports that

  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  /** @type {number} */
  let port;
  try {
    port = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(startFailed(`mongo-test-server: no LISTENING line within ${startTimeoutMs} ms`)),
        startTimeoutMs,
      );
      child.once('error', (error) => {
        clearTimeout(timer);
        const missing = /** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT';
        reject(
          missing
            ? javaMissing(
                `mongo-test-server: \`${java}\` was not found, so the test server cannot start. Install a JDK 17+ ` +
                  '(Debian/Ubuntu: apt-get install openjdk-17-jdk-headless; `./dev test` does this), set JAVA_HOME, ' +
                  'or set MONGODB_URI to a running MongoDB.',
                { cause: error },
              )
            : startFailed(`mongo-test-server: cannot run ${java}: ${error.message}`, { cause: error }),
        );
      });
      exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(
          startFailed(
            `mongo-test-server: java exited (${signal ?? `code ${code}`}) before listening. Its output:\n` +
              stderrTail.join('\n'),
          ),
        );
      });
      createInterface({ input: /** @type {import('node:stream').Readable} */ (child.stdout) }).on(
        'line',
        (line) => {
          const match = LISTENING_LINE.exec(line);
          if (match && !listening) {
            listening = true;
            clearTimeout(timer);
            resolve(Number(match[1]));
          } else if (!match) {
            serverLog(line);
          }
        },
      );
    });
  } catch (error) {
    child.kill('SIGKILL');
    process.removeListener('exit', killOnExit);
    throw error;
  }
  for (const line of stderrTail.splice(0)) serverLog(line);

  const uri = `mongodb://127.0.0.1:${port}/`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.stdin?.end(); // the server exits at end of stdin
      const graceful = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
      if (!graceful) {
        child.kill('SIGTERM');
        const terminated = await Promise.race([exited.then(() => true), sleep(3_000).then(() => false)]);
        if (!terminated) child.kill('SIGKILL');
      }
    }
    await exited;
  };

  try {
    await ping(uri, Math.max(1_000, startTimeoutMs - (performance.now() - started)));
  } catch (error) {
    await stop();
    throw error;
  }
  const timings = { buildMs, startMs: performance.now() - started };
  return { uri, external: false, port, pid: child.pid, timings, stop, exited };
}

/**
 * Sends `ping` through the official driver; rejects with CRAFT_TEST_SERVER_PING_FAILED.
 * @param {string} uri @param {number} timeoutMs
 */
async function ping(uri, timeoutMs) {
  let MongoClient;
  try {
    ({ MongoClient } = await import('mongodb'));
  } catch (error) {
    throw pingFailed(
      'mongo-test-server: cannot load the `mongodb` driver; run `pnpm install` at the repository root.',
      { cause: error },
    );
  }
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: timeoutMs, connectTimeoutMS: timeoutMs });
  try {
    const reply = await client.db('admin').command({ ping: 1 });
    if (reply.ok !== 1) throw new Error(`ping answered ${JSON.stringify(reply)}`);
  } catch (error) {
    throw pingFailed(`mongo-test-server: the server at ${uri} did not answer ping: ${String(error)}`, {
      cause: error,
    });
  } finally {
    await client.close();
  }
}

async function main(/** @type {string[]} */ args) {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(
      'usage: node tooling/mongo-test-server/launch.mjs [--build]\n' +
        '  (no flag)  start the MongoDB-compatible test server, print MONGODB_URI=..., run until Ctrl-C\n' +
        '  --build    only build target/mongo-test-server.jar (skipped when it is fresh)\n',
    );
    return;
  }
  if (args.includes('--build')) {
    const { built, ms } = await buildMongoTestServer();
    if (!built) process.stderr.write(`mongo-test-server: ${JAR_PATH} is up to date (${ms.toFixed(0)} ms)\n`);
    return;
  }
  if (process.env.MONGODB_URI) {
    process.stderr.write(
      'mongo-test-server: MONGODB_URI is set in this shell; starting a test server anyway\n',
    );
  }
  const server = await startMongoTestServer({ useEnv: false });
  process.stdout.write(`MONGODB_URI=${server.uri}\n`);
  process.stderr.write(
    `mongo-test-server: pid ${server.pid}, build ${server.timings.buildMs.toFixed(0)} ms, start ` +
      `${server.timings.startMs.toFixed(0)} ms. In-memory: data is lost at exit. Ctrl-C to stop.\n`,
  );
  const reason = await new Promise((resolve) => {
    process.once('SIGINT', () => resolve('signal'));
    process.once('SIGTERM', () => resolve('signal'));
    server.exited.then(({ code, signal }) => resolve(`exited (${signal ?? `code ${code}`})`));
  });
  await server.stop();
  if (reason !== 'signal') {
    process.stderr.write(`mongo-test-server: the server ${reason} unexpectedly\n`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
