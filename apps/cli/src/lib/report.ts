import { ExitError, ExitStatus, type ExitStatusCode, InternalError } from './errors.js';
import type { CliIo } from './output.js';
import { createStyler, shouldUseColor } from './output.js';

/** The CLI's name in messages. */
export const PROGRAM = 'craft-jobs';

/**
 * The exit status a library error carries (`@craft/scheduler`, `@craft/mongo`, `@craft/cron`, `@craft/runtime`:
 * house convention §4), read from the error itself rather than from a table of codes, so a library need not be
 * loaded to report its error (and a second copy of it still reports right). An error that carries the internal
 * status (a lost lease, a recorded timeout) is not an expected failure, so it is reported as an internal error.
 */
function carriedExitStatus(error: unknown): ExitStatusCode | undefined {
  const e = error as { code?: unknown; exitStatus?: unknown } | null;
  if (!(error instanceof Error) || typeof e?.code !== 'string' || !e.code.startsWith('CRAFT_'))
    return undefined;
  const known = Object.values(ExitStatus) as number[];
  return typeof e.exitStatus === 'number' &&
    known.includes(e.exitStatus) &&
    e.exitStatus !== ExitStatus.Internal
    ? (e.exitStatus as ExitStatusCode)
    : undefined;
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
 * (which carry their exit status) keep their message and code; everything else becomes an `InternalError`.
 * `hint` is added to a library error's message (see {@link reportError}).
 */
export function classifyError(error: unknown, hint?: string): ExitError | InternalError {
  if (error instanceof ExitError || error instanceof InternalError) return error;
  const status = carriedExitStatus(error);
  if (status !== undefined) {
    const e = error as Error & { code: string };
    const message = libraryMessage(e);
    return new ExitError(e.code, status, hint ? `${message.replace(/\s*$/, '')} ${hint}` : message, {
      cause: error,
    });
  }
  return new InternalError(error);
}

/**
 * What the CLI adds to a library error: where job types come from (`CRAFT_JOBS`), for an unknown job type, since
 * the library's own text does not know the apps' variable. `@craft/runtime` is loaded only then (it is loaded
 * anyway by the commands that can raise it), so reporting other errors stays cheap.
 */
async function hintFor(error: unknown): Promise<string | undefined> {
  if ((error as { code?: unknown } | null)?.code !== 'CRAFT_SCHEDULER_UNKNOWN_JOB_TYPE') return undefined;
  return (await import('@craft/runtime')).JOBS_MODULE_HINT;
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
export async function reportError(error: unknown, io: CliIo, verbose: boolean): Promise<ExitStatusCode> {
  const classified = classifyError(error, await hintFor(error));
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
