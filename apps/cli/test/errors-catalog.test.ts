import { readFileSync } from 'node:fs';
import { type CronError, parseCron } from '@craft/cron';
import * as mongo from '@craft/mongo';
import * as runtime from '@craft/runtime';
import * as scheduler from '@craft/scheduler';
import { describe, expect, it } from 'vitest';
import * as errors from '../src/lib/errors.js';
import { classifyError } from '../src/lib/report.js';
import { craftJobs } from './helpers.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The text under a heading, up to the next heading of the same or a higher level. */
function section(heading: string): string {
  const level = /^#+/.exec(heading)?.[0].length ?? 2;
  const start = readme.indexOf(`\n${heading}\n`);
  expect(start, `README has a "${heading}" section`).toBeGreaterThan(-1);
  const rest = readme.slice(start + heading.length + 2);
  const next = rest.search(new RegExp(`^#{1,${level}} `, 'm'));
  const body = next === -1 ? rest : rest.slice(0, next);
  // A section's own table stops at its first subsection.
  const sub = body.search(/^#{3,} /m);
  return sub === -1 ? body : body.slice(0, sub);
}

/** First and second cells of each table row of a README section, keyed by the first. */
function tableRows(heading: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const match of section(heading).matchAll(/^\|\s*`([^`]+)`\s*\|\s*([^|]+?)\s*\|/gm)) {
    rows.set(match[1] as string, (match[2] as string).trim());
  }
  return rows;
}

function cronError(): CronError {
  try {
    parseCron('61 * * * *');
  } catch (error) {
    return error as CronError;
  }
  throw new Error('expected a cron error');
}

/** One instance of every error class of the libraries the CLI uses, as the libraries build them. */
const libraryErrors: (Error & { code: string; exitStatus: number })[] = [
  new scheduler.InvalidFieldError('max_attempts', 0, 'an integer >= 1'),
  new scheduler.InvalidCronExpressionError('61 * * * *', new Error('x')),
  new scheduler.InvalidScheduleTimezoneError('Mars/Olympus'),
  new scheduler.UnknownJobTypeError('x', []),
  new scheduler.InvalidParametersError('x', [{ path: '/a', message: 'bad' }]),
  new scheduler.UnknownChainTargetError('x'),
  new scheduler.ChainCycleError(['a', 'b', 'a']),
  new scheduler.ScheduleExistsError('x'),
  new scheduler.ScheduleNotFoundError('x'),
  new scheduler.RunNotFoundError('x'),
  new scheduler.RunFinishedError('x', 'succeeded'),
  new scheduler.BackfillTooLargeError('x', 1441, 1000),
  new scheduler.RunCancelledError('cli'),
  new scheduler.JobLockedError('job:x'),
  new scheduler.ScheduleVersionMismatchError('x', 1, 2),
  new scheduler.IdempotencyKeyReusedError('run job type "x"'),
  new scheduler.SchedulerStoppedError(),
  new scheduler.JobTimeoutError('x', 10),
  new scheduler.LeaseLostError('job:x'),
  new scheduler.ShutdownError(),
  new scheduler.RunAbandonedError('r1'),
  new scheduler.InvalidJobDefinitionError('x'),
  new scheduler.JobModuleError('jobs.mjs', 'x'),
  new scheduler.HttpJobError('CRAFT_API_HTTP_REQUEST_FAILED', 'x'),
  new mongo.MongoUnavailableError('op', new Error('x')),
  new mongo.MongoTimeoutError('op', new Error('x')),
  new mongo.MongoOperationError('op', new Error('x')),
  new mongo.MongoIndexConflictError('op', 'job_schedules', { key: { job_name: 1 }, options: {} }, 'p', 'f'),
  new mongo.MongoInvalidOptionError('op', 'ttlSeconds', -1, 'a positive number'),
  new mongo.MongoInvalidUriError('mongodb://x:y', new Error('x')),
  new runtime.InvalidSettingsError([{ variable: 'PORT', origin: 'PORT', source: 'env', message: 'x' }]),
  new runtime.JobsPathError('/jobs.mjs', 'x'),
  cronError(),
];

const documentedCode = (code: string) => (code.startsWith('CRAFT_CRON_') ? 'CRAFT_CRON_*' : code);

describe('the README catalogs every error code and exit status', () => {
  it('lists each code the CLI defines, with its exit status, and nothing else', () => {
    const documented = tableRows('## Errors');
    expect([...documented.keys()].sort()).toEqual([...errors.ERROR_CODES].sort());

    const instances = [
      new errors.UsageError('x'),
      new errors.InvalidArgumentError('--x', 'y', 'x'),
      new errors.ConfigFileError('/f', 'x'),
      new errors.MissingSecretError('x'),
      new errors.NoDatabaseError('run', 'x'),
      new errors.InternalError(new Error('x')),
    ];
    expect(instances.map((e) => e.code).sort()).toEqual([...errors.ERROR_CODES].sort());
    for (const error of instances) {
      expect(documented.get(error.code), error.code).toBe(String(error.exitStatus));
    }
  });

  it('lists each library code with the exit status the error carries (no table of codes in the CLI)', () => {
    const documented = tableRows('### Errors of the libraries');
    const expected = new Map<string, string>();
    for (const error of libraryErrors) {
      // Errors that carry the internal status (recorded on runs, never a command's outcome) are not listed.
      if (error.exitStatus === errors.ExitStatus.Internal) continue;
      expected.set(documentedCode(error.code), String(error.exitStatus));
    }
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(expected));
  });

  it('exits with the status each library error carries, and reports the others as internal errors', () => {
    for (const error of libraryErrors) {
      const classified = classifyError(error);
      if (error.exitStatus === errors.ExitStatus.Internal) {
        expect(classified, error.code).toBeInstanceOf(errors.InternalError);
      } else {
        expect(classified.exitStatus, error.code).toBe(error.exitStatus);
        expect(classified.code).toBe(error.code);
      }
      expect(Object.values(errors.ExitStatus)).toContain(classified.exitStatus);
    }
    // The first wave exited 70 for an unreachable database's siblings it did not list; now the error decides.
    expect(classifyError(new mongo.MongoUnavailableError('op', new Error('x'))).exitStatus).toBe(4);
    expect(classifyError(new scheduler.SchedulerStoppedError()).exitStatus).toBe(75);
    expect(
      classifyError(Object.assign(new Error('x'), { code: 'CRAFT_OTHER', exitStatus: 9 })),
    ).toBeInstanceOf(errors.InternalError);
  });

  it('lists each exit status', () => {
    const documented = tableRows('## Exit status');
    expect([...documented.keys()].map(Number).sort((a, b) => a - b)).toEqual(
      Object.values(errors.ExitStatus).sort((a, b) => a - b),
    );
  });

  it('--help lists every exit status with its meaning, 75, 130 and 143 included', async () => {
    const result = await craftJobs(['--help']);
    expect(result.status).toBe(0);
    const help = result.stdout.replace(/\s+/g, ' ');
    for (const [status, meaning] of Object.entries(errors.EXIT_STATUS_MEANINGS)) {
      expect(help, status).toContain(`${status} ${meaning}`);
    }
    expect(help).toMatch(
      /75 try again later: the job is locked .* 130 interrupted by SIGINT, 143 stopped by SIGTERM\./,
    );
  });
});
