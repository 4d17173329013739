import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The built CLI, run the way users run it. */
export const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../dist/index.js');

/** What one run of the CLI produced. */
export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link craftJobs}. */
export interface RunOptions {
  /** Variables added to a minimal environment (PATH only), so the developer's own settings never leak in. */
  env?: Record<string, string>;
  /** Working directory. @default a fresh empty temporary directory */
  cwd?: string;
}

/** Runs `node dist/index.js ...args` as a child process and collects its exit status and output. */
export function craftJobs(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: options.cwd ?? tempDir(),
        env: { PATH: process.env['PATH'] ?? '', ...options.env },
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        const status = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        done({ status, stdout, stderr });
      },
    );
  });
}

/** A fresh empty directory. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'craft-cli-test-'));
}

/** A fresh directory holding `files` (name → content). */
export function dirWith(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

/** Lines of output, without the final empty one. */
export function lines(text: string): string[] {
  return text.split('\n').filter((line, i, all) => !(i === all.length - 1 && line === ''));
}

/** A stack frame line as V8 prints it. */
export const STACK_FRAME = /^\s+at /m;

/** A CLI child process whose stderr can be awaited line by line (for signals sent mid-run). */
export interface LiveCli {
  /** The child process. */
  child: ChildProcess;
  /** Resolves once stderr contains `text` (rejects if the process exits first). */
  stderrContains(text: string): Promise<void>;
  /** Resolves once stdout satisfies `predicate` (rejects if the process exits first, or after `timeoutMs`). */
  stdoutMatches(predicate: (stdout: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Resolves when the process has exited. */
  result: Promise<CliResult>;
}

/** Starts `node dist/index.js ...args` without waiting for it. */
export function startCraftJobs(args: readonly string[], options: RunOptions = {}): LiveCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? tempDir(),
    env: { PATH: process.env['PATH'] ?? '', ...options.env },
  });
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; done: () => void }[] = [];
  const outWaiters = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const w of [...outWaiters]) w();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const w of waiters.filter((w) => stderr.includes(w.text))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.done();
    }
  });
  const result = new Promise<CliResult>((done) => {
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
  return {
    child,
    result,
    stdout: () => stdout,
    stdoutMatches: (predicate, timeoutMs = 10_000) =>
      new Promise<string>((done, fail) => {
        if (predicate(stdout)) return done(stdout);
        const timer = setTimeout(() => {
          outWaiters.delete(check);
          fail(new Error(`stdout did not match within ${timeoutMs} ms:\n${stdout}\nstderr:\n${stderr}`));
        }, timeoutMs);
        const check = () => {
          if (!predicate(stdout)) return;
          clearTimeout(timer);
          outWaiters.delete(check);
          done(stdout);
        };
        outWaiters.add(check);
        result.then((r) =>
          fail(new Error(`exited with ${r.status} before stdout matched:\n${r.stdout}\n${r.stderr}`)),
        );
      }),
    stderrContains: (text) =>
      new Promise<void>((done, fail) => {
        if (stderr.includes(text)) return done();
        waiters.push({ text, done });
        result.then((r) =>
          fail(new Error(`exited with ${r.status} before stderr had "${text}":\n${r.stderr}`)),
        );
      }),
  };
}

/** The URL of the built @craft/scheduler, for job modules written to temporary directories. */
export const SCHEDULER_URL = pathToFileURL(createRequire(import.meta.url).resolve('@craft/scheduler')).href;

/**
 * A jobs module (as users write one) in a fresh directory, default-exporting these job types:
 * - `greet` returns `{ greeted, parameters }` and logs a line;
 * - `fail` throws `boom` on every attempt (2 attempts, 1 ms backoff);
 * - `slow` sleeps `ms` (default 10 s) but honours its signal; `timeoutSeconds` 1, one attempt;
 * - `typed` requires `{ count: integer >= 1 }`.
 * Returns the module's path.
 */
export function writeJobsModule(): string {
  const source = `import { defineJob } from ${JSON.stringify(SCHEDULER_URL)};

const sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });

export default [
  defineJob({
    type: 'greet',
    description: 'Says hello',
    handler: async (parameters, { logger }) => {
      logger.info('greeting', { name: parameters.name });
      return { greeted: parameters.name ?? 'world', parameters };
    },
  }),
  defineJob({
    type: 'fail',
    maxAttempts: 2,
    backoff: { baseMs: 1, maxMs: 1 },
    handler: async () => {
      throw new Error('boom');
    },
  }),
  defineJob({
    type: 'slow',
    maxAttempts: 1,
    timeoutSeconds: 1,
    handler: async (parameters, { signal }) => {
      await sleep(parameters.ms ?? 10000, signal);
      return 'slept';
    },
  }),
  defineJob({
    type: 'typed',
    parameters: {
      type: 'object',
      properties: { count: { type: 'integer', minimum: 1 } },
      required: ['count'],
      additionalProperties: false,
    },
    handler: async ({ count }) => ({ count }),
  }),
];
`;
  const dir = tempDir();
  const path = join(dir, 'jobs.mjs');
  writeFileSync(path, source);
  return path;
}
