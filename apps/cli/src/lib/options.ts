/**
 * yargs options shared by the commands that use the database and the user's jobs. Light on purpose: no library is
 * imported here, so building the command line (and `--help`) stays fast.
 */
import type { Argv } from 'yargs';
import { lastValue } from './command.js';
import type { EngineFlags } from './engine.js';

/** Parsed values of {@link databaseOptions}. */
export interface DatabaseArgs {
  'mongodb-uri': string | undefined;
  'mongodb-db': string | undefined;
}

/** Parsed values of {@link jobsOptions}. */
export interface JobsArgs {
  jobs: string | undefined;
  'lock-ttl-seconds': string | undefined;
}

/** Parsed value of `--json`. */
export interface JsonArgs {
  json: boolean;
}

/** `--mongodb-uri`, `--mongodb-db`. */
export function databaseOptions<T>(yargs: Argv<T>): Argv<T & DatabaseArgs> {
  return yargs
    .option('mongodb-uri', {
      type: 'string',
      requiresArg: true,
      coerce: lastValue,
      describe:
        'MongoDB connection string (default: MONGODB_URI); prefer the variable if it holds a password',
    })
    .option('mongodb-db', {
      type: 'string',
      requiresArg: true,
      coerce: lastValue,
      describe: 'Database name (default: MONGODB_DB, else the database in the URI path, else craft)',
    })
    .group(['mongodb-uri', 'mongodb-db'], 'Database:') as unknown as Argv<T & DatabaseArgs>;
}

/** `--jobs`, `--lock-ttl-seconds`. */
export function jobsOptions<T>(yargs: Argv<T>): Argv<T & JobsArgs> {
  return yargs
    .option('jobs', {
      type: 'string',
      requiresArg: true,
      coerce: lastValue,
      describe:
        'Module file default-exporting your defineJob() array (default: CRAFT_JOBS); built-in jobs are always there',
    })
    .option('lock-ttl-seconds', {
      type: 'string',
      requiresArg: true,
      coerce: lastValue,
      describe: 'Lease of job locks, renewed while a job runs (default: LOCK_TTL_SECONDS, else 300)',
    })
    .group(['jobs', 'lock-ttl-seconds'], 'Jobs:') as unknown as Argv<T & JobsArgs>;
}

/** `--json`. */
export function jsonOption<T>(yargs: Argv<T>, describe: string): Argv<T & JsonArgs> {
  return yargs.option('json', { type: 'boolean', default: false, describe }) as unknown as Argv<T & JsonArgs>;
}

/** The engine flags of parsed arguments. */
export function engineFlags(
  argv: Partial<DatabaseArgs & JobsArgs> & { 'poll-interval-seconds'?: string | undefined },
): EngineFlags {
  return {
    mongodbUri: argv['mongodb-uri'],
    mongodbDb: argv['mongodb-db'],
    jobs: argv.jobs,
    lockTtlSeconds: argv['lock-ttl-seconds'],
    pollIntervalSeconds: argv['poll-interval-seconds'],
  };
}

/** Parsed value of `--idempotency-key`. */
export interface IdempotencyArgs {
  'idempotency-key': string | undefined;
}

/** The environment variable `--idempotency-key` defaults to. */
export const IDEMPOTENCY_KEY_VARIABLE = 'CRAFT_IDEMPOTENCY_KEY';

/** `--idempotency-key` (default: `CRAFT_IDEMPOTENCY_KEY`). */
export function idempotencyKeyOption<T>(yargs: Argv<T>, describe: string): Argv<T & IdempotencyArgs> {
  return yargs.option('idempotency-key', {
    type: 'string',
    requiresArg: true,
    coerce: lastValue,
    describe,
  }) as unknown as Argv<T & IdempotencyArgs>;
}

/** Parsed value of `--if-version`. */
export interface IfVersionArgs {
  'if-version': string | undefined;
}

/** `--if-version <n>`: the edit applies only while the schedule is at that version. */
export function ifVersionOption<T>(yargs: Argv<T>, describe: string): Argv<T & IfVersionArgs> {
  return yargs.option('if-version', {
    type: 'string',
    requiresArg: true,
    coerce: lastValue,
    describe,
  }) as unknown as Argv<T & IfVersionArgs>;
}
