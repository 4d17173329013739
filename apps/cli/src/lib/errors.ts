/**
 * Every error the CLI raises on purpose, and its exit statuses.
 *
 * An `ExitError` is expected: bad input or configuration. The CLI prints its message as one line on stderr and
 * exits with its `exitStatus`. The errors of the libraries carry their own `exitStatus` (house convention §4), which
 * the CLI reads; anything else that escapes a command is wrapped in an `InternalError` (exit 70), which asks the
 * user to re-run with `--verbose` and file an issue.
 */

/** Exit statuses of `craft-jobs`; the README's "Exit status" table lists the same values. */
export const ExitStatus = {
  /** The command did what it was asked. */
  Success: 0,
  /** A job or run failed (used by `run` and `check`). */
  Failure: 1,
  /** Bad input: unknown command or option, invalid cron expression, timezone, date, JSON or parameter. */
  Usage: 2,
  /** A job timed out (used by `run` and `check`). */
  Timeout: 3,
  /** The configuration is missing or invalid, or the database cannot be reached. */
  Config: 4,
  /** A bug or an unexpected failure inside the CLI (EX_SOFTWARE from sysexits.h). */
  Internal: 70,
  /**
   * Try again later (EX_TEMPFAIL from sysexits.h): another execution holds the job's lock, so nothing ran; or the
   * schedule was changed since it was read, so the edit changed nothing.
   */
  Locked: 75,
  /** Interrupted by SIGINT (Ctrl-C) while a job ran: 128 + 2, as shells report it. */
  Interrupted: 130,
  /** Stopped by SIGTERM while a job ran: 128 + 15, as shells report it. */
  Terminated: 143,
} as const;

/** One of the values of {@link ExitStatus}. */
export type ExitStatusCode = (typeof ExitStatus)[keyof typeof ExitStatus];

/** What each exit status means, in one line: `--help` lists these, the README's "Exit status" table too. */
export const EXIT_STATUS_MEANINGS: Readonly<Record<ExitStatusCode, string>> = {
  [ExitStatus.Success]: 'ok',
  [ExitStatus.Failure]: 'a job failed',
  [ExitStatus.Usage]: 'usage error',
  [ExitStatus.Timeout]: 'a job timed out',
  [ExitStatus.Config]: 'configuration or database unreachable',
  [ExitStatus.Internal]: 'internal error',
  [ExitStatus.Locked]:
    'try again later: the job is locked by another execution, or the schedule changed since read',
  [ExitStatus.Interrupted]: 'interrupted by SIGINT',
  [ExitStatus.Terminated]: 'stopped by SIGTERM',
};

/** Options shared by every {@link ExitError}. */
export interface ExitErrorOptions {
  /** The lower-level error this one explains. */
  cause?: unknown;
}

/** An expected failure: its message is shown as one line, and the process exits with `exitStatus`. */
export class ExitError extends Error {
  /** Stable, machine-readable code (`CRAFT_CLI_*`). */
  readonly code: string;
  /** The status the process exits with. */
  readonly exitStatus: ExitStatusCode;

  constructor(code: string, exitStatus: ExitStatusCode, message: string, options?: ExitErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitStatus = exitStatus;
  }
}

/** The command line does not parse: unknown command or option, a missing argument (exit 2). */
export class UsageError extends ExitError {
  constructor(message: string, options?: ExitErrorOptions) {
    super('CRAFT_CLI_USAGE', ExitStatus.Usage, message, options);
  }
}

/** An option or argument parses but its value is invalid, e.g. `--count 0` or `--from yesterday` (exit 2). */
export class InvalidArgumentError extends ExitError {
  /** The option or argument, as the user wrote it (`--count`, `<expr>`). */
  readonly argument: string;
  /** The offending value. */
  readonly value: string;

  constructor(argument: string, value: string, message: string, options?: ExitErrorOptions) {
    super('CRAFT_CLI_INVALID_ARGUMENT', ExitStatus.Usage, message, options);
    this.argument = argument;
    this.value = value;
  }
}

/** A config file cannot be read, is not valid JSON, or has an unknown key (exit 4). */
export class ConfigFileError extends ExitError {
  /** Absolute path of the config file. */
  readonly path: string;

  constructor(path: string, message: string, options?: ExitErrorOptions) {
    super('CRAFT_CLI_CONFIG_FILE', ExitStatus.Config, message, options);
    this.path = path;
  }
}

/** `token` has no signing secret: neither `--secret`, `JWT_SECRET` nor `jwtSecret` in the config file (exit 4). */
export class MissingSecretError extends ExitError {
  constructor(message: string) {
    super('CRAFT_CLI_TOKEN_NO_SECRET', ExitStatus.Config, message);
  }
}

/**
 * A command needs the database and none is configured: neither `--mongodb-uri`, `MONGODB_URI` nor `mongodbUri` in
 * the config file (exit 4).
 */
export class NoDatabaseError extends ExitError {
  /** The command that needs the database (`schedules list`). */
  readonly command: string;

  constructor(command: string, message: string) {
    super('CRAFT_CLI_NO_DATABASE', ExitStatus.Config, message);
    this.command = command;
  }
}

/** An unexpected failure inside the CLI: a bug, or an environment it did not foresee (exit 70). */
export class InternalError extends Error {
  /** Stable, machine-readable code. */
  readonly code = 'CRAFT_CLI_INTERNAL';
  /** The status the process exits with. */
  readonly exitStatus = ExitStatus.Internal;

  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'InternalError';
  }
}

/**
 * Every `code` the CLI itself defines. Errors of the libraries keep their own codes (`CRAFT_CRON_*`,
 * `CRAFT_SCHEDULER_*`, `CRAFT_MONGO_*`, `CRAFT_RUNTIME_*`) and carry their own exit status.
 */
export const ERROR_CODES = [
  'CRAFT_CLI_USAGE',
  'CRAFT_CLI_INVALID_ARGUMENT',
  'CRAFT_CLI_CONFIG_FILE',
  'CRAFT_CLI_TOKEN_NO_SECRET',
  'CRAFT_CLI_NO_DATABASE',
  'CRAFT_CLI_INTERNAL',
] as const;
