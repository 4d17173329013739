import { ExitError, ExitStatus, type ExitStatusCode, InternalError } from './errors.js';
import type { CliIo } from './output.js';
import { createStyler, shouldUseColor } from './output.js';

/** The CLI's name in messages. */
export const PROGRAM = 'craft-jobs';

/**
 * Error codes of libraries whose typed errors all mean "bad input": matched by their stable code rather than by
 * class, so the library need not be loaded to report an error (and a second copy of it would still match).
 */
const USAGE_CODE_PREFIXES = ['CRAFT_CRON_'];

/**
 * Classifies anything a command threw, once, at the edge: our `ExitError`s and the typed errors of the libraries
 * (bad cron expression or timezone: usage) keep their message and code; everything else becomes an `InternalError`.
 */
export function classifyError(error: unknown): ExitError | InternalError {
  if (error instanceof ExitError || error instanceof InternalError) return error;
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && USAGE_CODE_PREFIXES.some((prefix) => code.startsWith(prefix))) {
    return new ExitError(code, ExitStatus.Usage, (error as Error).message, { cause: error });
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
