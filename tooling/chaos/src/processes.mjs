// @ts-check
// API processes of a chaos run: the built `apps/api/dist/bin.js`, one per slot, on a fixed loopback port each.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** The observer preloaded into every API process (lease losses and stalls into the execution log). */
const OBSERVER = new URL('./observer.mjs', import.meta.url).href;

/** Mints an HS256 JWT with every scope (what `craft-jobs token` does), valid for `ttlSeconds`. */
export function mintToken(/** @type {string} */ secret, ttlSeconds = 24 * 3600) {
  const b64 = (/** @type {unknown} */ v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({
    sub: 'craft-chaos',
    scope: 'jobs:read jobs:write jobs:run',
    iat: now,
    exp: now + ttlSeconds,
  })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

/** A free TCP port on 127.0.0.1 (bound, read, released). */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * @typedef {object} Incarnation
 * @property {number} slot
 * @property {number} pid
 * @property {number} skewMs
 * @property {number} startedAt
 * @property {number | null} readyAt
 * @property {number | null} killedAt
 * @property {number | null} exitedAt
 * @property {string | null} exit how it exited (`SIGKILL`, `code 0`, …)
 * @property {boolean} expectedExit whether the harness ended it
 * @property {{ at: number, until: number | null }[]} stops SIGSTOP … SIGCONT intervals (real epoch ms; `until` null
 *   while stopped, or the kill when it died stopped)
 * @property {string} execLog
 * @property {string} log
 */

/** One API process slot: a port that a process is started on, killed and restarted. */
export class ApiSlot {
  /** @type {import('node:child_process').ChildProcess | null} */
  #child = null;
  /** @type {Incarnation | null} */
  current = null;
  /** @type {Incarnation[]} */
  incarnations = [];

  /**
   * @param {{ index: number, port: number, bin: string, env: Record<string, string>, dir: string }} options
   *   `env` is the process environment (its MONGODB_URI points at this slot's fault proxy when there is one)
   */
  constructor(options) {
    this.index = options.index;
    this.port = options.port;
    this.bin = options.bin;
    this.env = options.env;
    this.dir = options.dir;
    this.url = `http://127.0.0.1:${options.port}`;
  }

  get alive() {
    return this.#child !== null && this.current !== null && this.current.exitedAt === null;
  }

  /** Starts a process with the given clock skew (CRAFT_TEST_CLOCK_OFFSET_MS). */
  start(/** @type {number} */ skewMs) {
    if (this.alive) throw new Error(`slot ${this.index} is running`);
    const n = this.incarnations.length;
    const execLog = join(this.dir, `exec-${this.index}-${n}.jsonl`);
    const log = join(this.dir, `api-${this.index}-${n}.log`);
    const fd = openSync(log, 'a');
    const child = spawn(process.execPath, ['--import', OBSERVER, this.bin], {
      env: {
        ...this.env,
        PORT: String(this.port),
        CRAFT_TEST_CLOCK_OFFSET_MS: String(skewMs),
        CHAOS_EXEC_LOG: execLog,
      },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    /** @type {Incarnation} */
    const inc = {
      slot: this.index,
      pid: child.pid ?? -1,
      skewMs,
      startedAt: Date.now(),
      readyAt: null,
      killedAt: null,
      exitedAt: null,
      exit: null,
      expectedExit: false,
      stops: [],
      execLog,
      log,
    };
    child.on('exit', (code, signal) => {
      inc.exitedAt = Date.now();
      inc.exit = signal ?? `code ${code}`;
    });
    this.#child = child;
    this.current = inc;
    this.incarnations.push(inc);
    return inc;
  }

  /** Resolves when `/health` answers 200; rejects if the process exits or `timeoutMs` passes. */
  async waitReady(timeoutMs = 120_000) {
    const inc = this.current;
    if (!inc) throw new Error(`slot ${this.index} has no process`);
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (inc.exitedAt !== null)
        throw new Error(`API process ${inc.pid} exited (${inc.exit}) before it was ready; see ${inc.log}`);
      try {
        const res = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(1000) });
        if (res.ok && this.current === inc) {
          inc.readyAt = Date.now();
          return;
        }
      } catch {
        // not listening yet
      }
      await delay(50);
    }
    throw new Error(`API process ${inc.pid} was not ready within ${timeoutMs} ms; see ${inc.log}`);
  }

  /** Whether the running process is stopped (SIGSTOP without SIGCONT yet). */
  get stopped() {
    const last = this.current?.stops.at(-1);
    return this.alive && last !== undefined && last.until === null;
  }

  /** SIGSTOP: the process freezes (a stall: GC, a paused VM). Returns the incarnation, or null. */
  freeze() {
    const child = this.#child;
    const inc = this.current;
    if (!child || !inc || inc.exitedAt !== null || this.stopped) return null;
    inc.stops.push({ at: Date.now(), until: null });
    child.kill('SIGSTOP');
    return inc;
  }

  /** SIGCONT after {@link ApiSlot.freeze}. */
  thaw() {
    const child = this.#child;
    const inc = this.current;
    const last = inc?.stops.at(-1);
    if (!child || !inc || !last || last.until !== null) return null;
    child.kill('SIGCONT');
    last.until = Date.now();
    return inc;
  }

  /** SIGKILL now (a stopped process dies stopped). Returns the incarnation killed, or null when none was running. */
  kill() {
    const child = this.#child;
    const inc = this.current;
    if (!child || !inc || inc.exitedAt !== null) return null;
    inc.killedAt = Date.now();
    inc.expectedExit = true;
    const last = inc.stops.at(-1);
    if (last && last.until === null) last.until = inc.killedAt;
    child.kill('SIGKILL');
    this.#child = null;
    return inc;
  }

  /** SIGTERM (graceful drain), SIGKILL after `graceMs`. */
  async stop(graceMs = 15_000) {
    const child = this.#child;
    const inc = this.current;
    if (!child || !inc || inc.exitedAt !== null) return;
    inc.expectedExit = true;
    const exited = new Promise((r) => child.once('exit', r));
    if (this.stopped) this.thaw();
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
    this.#child = null;
  }

  /** Synchronous last resort (process exit handler). */
  killNow() {
    this.#child?.kill('SIGKILL');
  }
}
