/**
 * Every error `@craft/runtime` throws. Each class has a stable `code` (`CRAFT_RUNTIME_*`) and carries what the
 * edges need (house convention §4): `httpStatus` (the API's error handler reads it) and `exitStatus` (the CLI's
 * exit-status code reads it). Neither edge keeps a table of codes.
 *
 * @module
 */

/** Exit status of a configuration problem: the CLI's "configuration" status (see `craft-jobs --help`). */
export const CONFIG_EXIT_STATUS = 4;

/** Base class of every `@craft/runtime` error. */
export class RuntimeError extends Error {
  /** Stable machine-readable code, `CRAFT_RUNTIME_*`. */
  readonly code: string;
  /** The HTTP status an API answers with (configuration problems are the server's: 500). */
  readonly httpStatus: number;
  /** The status a command-line process exits with. */
  readonly exitStatus: number;

  constructor(
    code: string,
    message: string,
    options: { cause?: unknown; httpStatus?: number; exitStatus?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.httpStatus = options.httpStatus ?? 500;
    this.exitStatus = options.exitStatus ?? CONFIG_EXIT_STATUS;
  }
}

/** Where a setting's value came from, in order of precedence. */
export type SettingSource = 'flag' | 'env' | 'file' | 'default';

/** One problem found while resolving settings. */
export interface SettingProblem {
  /** The environment variable of the setting, e.g. `LOCK_TTL_SECONDS` (also when a flag or file set it). */
  variable: string;
  /** What supplied the bad value: the variable, a flag (`--lock-ttl-seconds`) or `<file> (key)`. */
  origin: string;
  /** Which layer supplied it (`default` for rules that concern a missing value, e.g. in production). */
  source: SettingSource;
  /** The offending value as given, when there is one. */
  value?: unknown;
  /** What is wrong and how to fix it, without the origin (`invalid value "x": expected …`). */
  message: string;
}

/**
 * One or more settings are invalid. The message names every problem's origin (one line each after the first when
 * there are several); `problems` lists them.
 */
export class InvalidSettingsError extends RuntimeError {
  /** Every problem found, each naming its variable. */
  readonly problems: readonly SettingProblem[];

  constructor(problems: readonly SettingProblem[]) {
    const lines = problems.map((p) => `${p.origin}: ${p.message}`);
    super(
      'CRAFT_RUNTIME_INVALID_SETTINGS',
      lines.length === 1
        ? (lines[0] as string)
        : `invalid settings:\n${lines.map((l) => `  - ${l}`).join('\n')}`,
    );
    this.problems = problems;
  }
}

/** The jobs module (`CRAFT_JOBS`) does not exist or is a directory. */
export class JobsPathError extends RuntimeError {
  /** The absolute path that was looked at. */
  readonly path: string;

  constructor(path: string, message: string, options: { cause?: unknown } = {}) {
    super('CRAFT_RUNTIME_JOBS_PATH', message, options);
    this.path = path;
  }
}

/** Every code this package defines (the README's Errors table lists exactly these). */
export const RUNTIME_ERROR_CODES = ['CRAFT_RUNTIME_INVALID_SETTINGS', 'CRAFT_RUNTIME_JOBS_PATH'] as const;
