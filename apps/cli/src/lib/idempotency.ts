// What `--idempotency-key` (or CRAFT_IDEMPOTENCY_KEY) and `--if-version` mean to the library calls.
import type { IdempotencyOptions } from '@craft/scheduler';
import type { CommandContext } from './command.js';
import { InvalidArgumentError } from './errors.js';
import { IDEMPOTENCY_KEY_VARIABLE, type IdempotencyArgs, type IfVersionArgs } from './options.js';

/**
 * The scope of the CLI's keys: an invocation's key never meets an API client's (theirs belong to their token's
 * subject).
 */
export const CLI_IDEMPOTENCY_SCOPE = 'cli';

/** The library options of `--idempotency-key`, else `CRAFT_IDEMPOTENCY_KEY`; none when neither is set. */
export function idempotencyOf(context: CommandContext, argv: Partial<IdempotencyArgs>): IdempotencyOptions {
  const fromFlag = argv['idempotency-key'];
  const fromEnv = context.io.env[IDEMPOTENCY_KEY_VARIABLE];
  const [origin, key] =
    fromFlag !== undefined
      ? ['--idempotency-key', fromFlag]
      : fromEnv !== undefined && fromEnv.trim() !== ''
        ? [IDEMPOTENCY_KEY_VARIABLE, fromEnv.trim()]
        : [undefined, undefined];
  if (origin === undefined || key === undefined) return {};
  if (key.length === 0 || key.length > 255) {
    throw new InvalidArgumentError(
      origin,
      key,
      `${origin}: invalid value ${JSON.stringify(key)}: expected 1-255 characters (e.g. the CI job's or cron run's id)`,
    );
  }
  return { idempotencyKey: key, idempotencyScope: CLI_IDEMPOTENCY_SCOPE };
}

/** `--if-version <n>` as a version (an integer >= 0), or undefined. */
export function ifVersionOf(argv: Partial<IfVersionArgs>): number | undefined {
  const value = argv['if-version'];
  if (value === undefined) return undefined;
  const n = Number(value.trim());
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError(
      '--if-version',
      value,
      `--if-version: invalid value "${value}": expected the version read from the schedule (a whole number)`,
    );
  }
  return n;
}
