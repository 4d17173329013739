import { InvalidArgumentError } from '../../lib/errors.js';
import { parseInstant } from '../../lib/params.js';
import { messages } from './messages.js';

/**
 * The expression, which must arrive as one argument. An unquoted expression is split by the shell (and its `*`
 * may be expanded into file names), so extra positionals get a message that says to quote it rather than
 * "Unknown argument: 3".
 */
export function expressionArg(
  command: string,
  argv: { expr: string; _: readonly (string | number)[] },
): string {
  // argv._ holds the command words (`cron`, `next`) followed by any positionals the command did not declare.
  const extra = argv._.slice(2).map(String);
  if (extra.length > 0) {
    const parts = [String(argv.expr), ...extra];
    throw new InvalidArgumentError('<expr>', parts.join(' '), messages.oneArgument(command, parts));
  }
  return String(argv.expr);
}

/** `--count`: a whole number from 1 to 1000. */
export function countArg(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || n < 1 || n > 1000) {
    throw new InvalidArgumentError('--count', value, messages.badCount(value));
  }
  return n;
}

/**
 * `--from`: an ISO 8601 instant. A UTC offset is required, because a bare local time would silently be read in the
 * zone of the machine, which is rarely the zone the expression is evaluated in. Dates that do not exist
 * (`2027-02-30`) are rejected rather than rolled over.
 */
export function instantArg(value: string | undefined, now: () => Date): Date {
  if (value === undefined) return now();
  const at = parseInstant(value);
  if (at) return at;
  throw new InvalidArgumentError('--from', value, messages.badFrom(value));
}
