import { ExitError, ExitStatus, type ExitStatusCode, InternalError } from './errors.js';
import type { CliIo } from './output.js';
import { createStyler, shouldUseColor } from './output.js';

/** The CLI's name in messages. */
export const PROGRAM = 'craft-jobs';

/**
 * Exit statuses of the libraries' typed errors, matched by their stable `code` rather than by class, so a library
 * need not be loaded to report an error (and a second copy of it would still match). The README's "Errors of the
 * libraries" table lists the same codes; a test cross-checks the two.
 */
export const LIBRARY_EXIT_STATUSES: Readonly<Record<string, ExitStatusCode>> = {
  // @craft/scheduler: invalid input, or a name that does not exist (the API answers 400, 404 or 409).
  CRAFT_SCHEDULER_INVALID_FIELD: ExitStatus.Usage,
  CRAFT_SCHEDULER_INVALID_CRON: ExitStatus.Usage,
  CRAFT_SCHEDULER_INVALID_TIMEZONE: ExitStatus.Usage,
  CRAFT_SCHEDULER_UNKNOWN_JOB_TYPE: ExitStatus.Usage,
  CRAFT_SCHEDULER_INVALID_PARAMETERS: ExitStatus.Usage,
  CRAFT_SCHEDULER_CHAIN_UNKNOWN: ExitStatus.Usage,
  CRAFT_SCHEDULER_CHAIN_CYCLE: ExitStatus.Usage,
  CRAFT_SCHEDULER_SCHEDULE_EXISTS: ExitStatus.Usage,
  CRAFT_SCHEDULER_SCHEDULE_NOT_FOUND: ExitStatus.Usage,
  CRAFT_SCHEDULER_RUN_NOT_FOUND: ExitStatus.Usage,
  // @craft/scheduler: another execution of the job runs; nothing was started.
  CRAFT_SCHEDULER_JOB_LOCKED: ExitStatus.Locked,
  // @craft/scheduler: the user's jobs module is broken.
  CRAFT_SCHEDULER_INVALID_JOB_MODULE: ExitStatus.Config,
  CRAFT_SCHEDULER_INVALID_JOB_DEFINITION: ExitStatus.Config,
  // @craft/mongo: the database cannot be reached or used.
  CRAFT_MONGO_UNAVAILABLE: ExitStatus.Config,
  CRAFT_MONGO_TIMEOUT: ExitStatus.Config,
  CRAFT_MONGO_INVALID_URI: ExitStatus.Config,
  CRAFT_MONGO_OPERATION_FAILED: ExitStatus.Config,
  CRAFT_MONGO_INDEX_CONFLICT: ExitStatus.Config,
  CRAFT_MONGO_INVALID_OPTION: ExitStatus.Config,
};

/** Every `@craft/cron` error means bad input (an expression or a zone). */
const USAGE_CODE_PREFIXES = ['CRAFT_CRON_'];

function libraryExitStatus(code: string): ExitStatusCode | undefined {
  if (Object.hasOwn(LIBRARY_EXIT_STATUSES, code)) return LIBRARY_EXIT_STATUSES[code];
  return USAGE_CODE_PREFIXES.some((prefix) => code.startsWith(prefix)) ? ExitStatus.Usage : undefined;
}

/**
 * The message of a library error, with its cause's message appended when the message does not already say it
 * (`loadJobModule: "./jobs.js" could not be imported` alone does not tell a syntax error from a missing package).
 */
function libraryMessage(error: Error): string {
  const cause = error.cause;
  if (!(cause instanceof Error) || cause.message === '' || error.message.includes(cause.message)) {
    return error.message;
  }
  const first = cause.message.split('\n')[0] ?? '';
  return `${error.message.replace(/\.?\s*$/, '')}: ${cause.name}: ${first}`;
}

/**
 * Classifies anything a command threw, once, at the edge: our `ExitError`s and the typed errors of the libraries
 * (see {@link LIBRARY_EXIT_STATUSES}) keep their message and code; everything else becomes an `InternalError`.
 */
export function classifyError(error: unknown): ExitError | InternalError {
  if (error instanceof ExitError || error instanceof InternalError) return error;
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  const status = typeof code === 'string' ? libraryExitStatus(code) : undefined;
  if (typeof code === 'string' && status !== undefined) {
    return new ExitError(code, status, libraryMessage(error as Error), { cause: error });
  }
  return new InternalError(error);
}

function stackOf(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 10; depth++) {
    const text =
      current instanceof Error ? (current.stack ?? `${current.name}: ${current.message}`) : String(current);
    lines.push(depth === 0 ? text : `Caused by: ${text}`);
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines.join('\n');
}

/**
 * Prints an error the way users expect: one line on stderr (two for an internal error: the line and a hint), and
 * with `--verbose` the stack trace and causes as well. Returns the exit status.
 */
export function reportError(error: unknown, io: CliIo, verbose: boolean): ExitStatusCode {
  const classified = classifyError(error);
  const style = createStyler(shouldUseColor(io.stderr, io.env));
  const prefix = style('red', `${PROGRAM}:`);
  const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();
  if (classified instanceof InternalError) {
    io.stderr.write(`${prefix} internal error: ${oneLine(classified.message)} [${classified.code}]\n`);
    if (verbose) io.stderr.write(`${stackOf(classified.cause)}\n`);
    const hint = verbose
      ? 'this is a bug in craft-jobs or a situation it did not expect; please file an issue against @craft/cli with the command you ran and the stack trace above.'
      : 'this is a bug in craft-jobs or a situation it did not expect; re-run with --verbose to see the stack trace, and include it when you file an issue against @craft/cli.';
    io.stderr.write(`${style('dim', 'hint:')} ${hint}\n`);
    return classified.exitStatus;
  }
  io.stderr.write(`${prefix} ${oneLine(classified.message)} [${classified.code}]\n`);
  if (verbose) io.stderr.write(`${stackOf(classified)}\n`);
  return classified.exitStatus;
}
