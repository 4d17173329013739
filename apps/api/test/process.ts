// Starts the built service (dist/bin.js) as a real child process on a loopback port, as users run it.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

const children = new Set<ChildProcess>();

/** Kills every process spawned by this file that is still running (call it in afterAll: no orphans). */
export function killAll(): void {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
}

/** A free TCP port on 127.0.0.1 (bound and released at once). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise((r) => server.close(r));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface ApiProcess {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  child: ChildProcess;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code once the process exited. */
  exited: Promise<number | null>;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Only what the service needs from the parent's environment: no MONGODB_URI or NODE_ENV leaks in. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'SYSTEMROOT']) {
    const v = process.env[key];
    if (v !== undefined) env[key] = v;
  }
  return env;
}

/** Spawns dist/bin.js with `env` (plus PORT/HOST) and does not wait for readiness. */
export function spawnApi(env: Record<string, string>, port?: number): ApiProcess {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "pnpm --filter @craft/api build" first`);
  const child = spawn(process.execPath, [BIN], {
    env: { ...baseEnv(), HOST: '127.0.0.1', ...(port === undefined ? {} : { PORT: String(port) }), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  child.stdout?.on('data', (c) => {
    out += c;
  });
  child.stderr?.on('data', (c) => {
    out += c;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    url: `http://127.0.0.1:${port ?? env['PORT'] ?? 5001}`,
    child,
    output: () => out,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Spawns the service on a free port and resolves once `GET /ready` answers 200. */
export async function startApi(env: Record<string, string>, timeoutMs = 30_000): Promise<ApiProcess> {
  const api = spawnApi(env, await freePort());
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  api.exited.then((code) => {
    exitCode = code;
  });
  for (;;) {
    if (exitCode !== undefined)
      throw new Error(`craft-api exited with ${exitCode} before it was ready:\n${api.output()}`);
    try {
      const res = await fetch(`${api.url}/ready`);
      if (res.status === 200) return api;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await api.stop('SIGKILL');
      throw new Error(`craft-api was not ready within ${timeoutMs} ms:\n${api.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
