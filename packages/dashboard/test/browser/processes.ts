// Starting the real craft-api (apps/api's built bin) and naming the browser, for the global setup and for tests
// that need a process of their own (the development sign-in link).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** Debian's Chromium (CHROMIUM_PATH overrides). */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Flags for a closed network: no background requests, no sandbox (root in CI), no GPU. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The API's bin in this repository (turbo builds @craft/api before this package's tests: see turbo.json). */
export const API_BIN = fileURLToPath(new URL('../../../../apps/api/dist/bin.js', import.meta.url));
/** The job types of the tests. */
export const JOBS_MODULE = fileURLToPath(new URL('../fixtures/jobs.mjs', import.meta.url));
/** The HS256 secret of the shared process (tokens are minted with it). */
export const SECRET = 'dashboard-browser-tests-0123456789abcdef';

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise((r) => server.close(r));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface ApiProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Spawns craft-api on a free loopback port with only the environment it needs (plus `env`), and resolves once
 * `/ready` answers. Without `JWT_SECRET` in `env` it runs as `./dev start` does (generated secret, printed link).
 */
export async function startApi(env: Record<string, string> = { JWT_SECRET: SECRET }): Promise<ApiProcess> {
  if (!existsSync(API_BIN)) {
    throw new Error(`${API_BIN} is missing: build the API first (pnpm --filter @craft/api build)`);
  }
  const port = await freePort();
  const child = spawn(process.execPath, [API_BIN], {
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      SCHEDULER_TIMEZONE: 'Europe/Stockholm',
      CRAFT_JOBS: JOBS_MODULE,
      // The scale test seeds 10,000 schedules through the API: far over the default 600 requests a minute.
      RATE_LIMIT_MAX: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c) => {
    out += c;
  });
  child.stderr?.on('data', (c) => {
    out += c;
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`craft-api exited with ${child.exitCode} before it was ready:\n${out}`);
    try {
      if ((await fetch(`${url}/ready`)).status === 200) return { url, child, output: () => out, stop };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`craft-api was not ready within 30 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
