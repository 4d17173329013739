import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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
