// Child processes for the checks: bounded in time, output collected, never left running.
import { spawn } from 'node:child_process';

/**
 * @typedef {object} RunResult
 * @property {number | null} status exit code (null when killed by a signal)
 * @property {NodeJS.Signals | null} signal
 * @property {string} stdout
 * @property {string} stderr
 */

/**
 * Runs `command args` to completion (killed with SIGKILL after `timeoutMs`). Never rejects for a non-zero exit:
 * callers assert on the result, so a failure shows the output.
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, timeoutMs?: number, input?: string }} [options]
 * @returns {Promise<RunResult>}
 */
export function run(command, args, options = {}) {
  const { cwd, env = process.env, timeoutMs = 120_000, input } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      stderr += `\n[run: killed after ${timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${command}: ${error.message}`));
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
    // A child that exits without reading its input closes the pipe: the write then fails with EPIPE, an error the
    // result (its exit status and output) already tells; unhandled, it would fail the test run after the test.
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

/**
 * Like {@link run}, but rejects with the command and its output unless it exits 0.
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, timeoutMs?: number, input?: string }} [options]
 */
export async function runOk(command, args, options = {}) {
  const result = await run(command, args, options);
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} (in ${options.cwd ?? process.cwd()}) exited ${result.status ?? result.signal}\n` +
        `--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
    );
  }
  return result;
}

/**
 * A long-running child (a server): output collected, `stop()` sends a signal and resolves with the exit code.
 * With `group`, the child leads a process group of its own and `stop()` signals the whole group, as a terminal's
 * Ctrl-C does: needed for launchers such as `npx`, which do not pass SIGTERM on to the program they started.
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, group?: boolean }} [options]
 */
export function start(command, args, options = {}) {
  const group = options.group === true;
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: 'pipe',
    detached: group,
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  // A program that cannot be started emits 'error' (and no 'exit'); unhandled, it would end the test run. It is
  // reported through `exited`, as an exit with no status, and through the output.
  child.on('error', (error) => {
    output += `\n[start: cannot start ${command}: ${error.message}]`;
  });
  child.stdin.on('error', () => {});
  /** @type {Promise<{ status: number | null, signal: NodeJS.Signals | null }>} */
  const exited = new Promise((resolve) => {
    child.on('exit', (status, signal) => resolve({ status, signal }));
    child.on('error', () => resolve({ status: null, signal: null }));
  });
  return {
    child,
    exited,
    output: () => output,
    /** @param {NodeJS.Signals} [signal] */
    stop(signal = 'SIGTERM') {
      if (group && child.pid !== undefined) {
        try {
          process.kill(-child.pid, signal);
        } catch {
          // the group is gone already
        }
      } else if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * Polls `url` until it answers 200 (or the process exits, or `timeoutMs` passes).
 * @param {string} url
 * @param {{ exited: Promise<unknown>, output(): string }} server
 * @param {number} [timeoutMs]
 */
export async function waitFor200(url, server, timeoutMs = 30_000) {
  let gone = false;
  server.exited.then(() => {
    gone = true;
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (gone) throw new Error(`the server exited before ${url} answered:\n${server.output()}`);
    try {
      const res = await fetch(url);
      if (res.status === 200) return res;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`${url} did not answer 200 within ${timeoutMs} ms:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A free TCP port on 127.0.0.1 (bound and released at once). */
export async function freePort() {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', () => r(undefined)));
  const address = server.address();
  await new Promise((r) => server.close(r));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * This process's environment as a user's shell would have it: without what vitest sets for its own workers
 * (NODE_OPTIONS, VITEST*, NODE_ENV=test), plus `extra`.
 * @param {Record<string, string>} [extra]
 * @returns {NodeJS.ProcessEnv}
 */
export function userEnv(extra = {}) {
  /** @type {NodeJS.ProcessEnv} */
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'NODE_OPTIONS' || key === 'NODE_ENV' || key.startsWith('VITEST')) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}
