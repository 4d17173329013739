// The README's Errors and Options tables are the catalog: they must list exactly what the code defines, and every
// status in them must be the one the error itself carries, as the error handler answers it (no second table).
import { readFileSync } from 'node:fs';
import { CronSyntaxError, parseCron } from '@craft/cron';
import { MongoTimeoutError, MongoUnavailableError } from '@craft/mongo';
import { RUNTIME_ERROR_CODES, ENV_VARIABLES as RUNTIME_VARIABLES } from '@craft/runtime';
import * as scheduler from '@craft/scheduler';
import { describe, expect, it } from 'vitest';
import { API_ERROR_CODES, API_ERROR_STATUS, ENV_VARIABLES, toErrorBody } from '../src/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  expect(start).toBeGreaterThan(0);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) =>
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
}

function cronError(): CronSyntaxError {
  try {
    parseCron('61 * * * *');
  } catch (error) {
    return error as CronSyntaxError;
  }
  throw new Error('expected a cron error');
}

/** One instance of every library error an API call can surface, built as the libraries build them. */
const libraryErrors: (Error & { code: string; httpStatus: number })[] = [
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
  new scheduler.RunCancelledError('alice'),
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
  new MongoUnavailableError(
    'MongoSchedulerStore.listSchedules',
    new Error('connection to 10.0.0.5:27017 closed'),
  ),
  new MongoTimeoutError('MongoSchedulerStore.listSchedules', new Error('timed out')),
  cronError(),
];

describe('errors catalog', () => {
  const rows = tableRows(section('Errors')).map(([code, status]) => ({
    code: (code ?? '').replace(/`/g, ''),
    status: status ?? '',
  }));

  it('lists every code the API defines or answers with, exactly once', () => {
    const documented = rows.map((r) => r.code);
    expect(new Set(documented).size).toBe(documented.length);
    // Library errors that carry a 500 are answered as CRAFT_API_INTERNAL, so they are not listed.
    const answered = libraryErrors
      .filter((e) => toErrorBody(e, 'r').code === e.code)
      .map((e) => (e.code.startsWith('CRAFT_CRON_') ? 'CRAFT_CRON_*' : e.code));
    // The startup codes of @craft/runtime are listed too, with no status (the process does not start).
    expect([...documented].sort()).toEqual([...API_ERROR_CODES, ...RUNTIME_ERROR_CODES, ...answered].sort());
  });

  it('gives each code the status the error carries, which is what the error handler answers', () => {
    for (const { code, status } of rows) {
      if (code in API_ERROR_STATUS) {
        expect(`${code} ${status}`).toBe(
          `${code} ${API_ERROR_STATUS[code as keyof typeof API_ERROR_STATUS]}`,
        );
        continue;
      }
      const error = libraryErrors.find((e) => {
        const c = e.code;
        return c === code || (code === 'CRAFT_CRON_*' && c.startsWith('CRAFT_CRON_'));
      });
      if (error === undefined) {
        // The http_request job's codes (recorded on runs) and the startup codes: never answered.
        expect(status, code).toBe('—');
        continue;
      }
      const carried = error.httpStatus;
      expect(`${code} ${status}`).toBe(`${code} ${carried}`);
      expect(toErrorBody(error, 'r').statusCode).toBe(carried);
    }
  });

  it('answers a storage outage 503 and a storage timeout 504 with their codes, hiding internal details', () => {
    const body = toErrorBody(
      libraryErrors.find((e) => e instanceof MongoUnavailableError),
      'req-7',
    );
    expect(body).toMatchObject({
      statusCode: 503,
      code: 'CRAFT_MONGO_UNAVAILABLE',
      error: 'Service Unavailable',
    });
    expect(body.message).toContain('request id req-7');
    expect(body.message).not.toContain('10.0.0.5');
    expect(
      toErrorBody(
        libraryErrors.find((e) => e instanceof MongoTimeoutError),
        'r',
      ),
    ).toMatchObject({
      statusCode: 504,
      code: 'CRAFT_MONGO_TIMEOUT',
    });
  });

  it('answers a library error that carries 500 as CRAFT_API_INTERNAL', () => {
    expect(toErrorBody(new scheduler.LeaseLostError('job:x'), 'r')).toMatchObject({
      statusCode: 500,
      code: 'CRAFT_API_INTERNAL',
    });
  });

  it('answers a bad cron expression from @craft/cron as 400', () => {
    const error = cronError();
    expect(error).toBeInstanceOf(CronSyntaxError);
    expect(toErrorBody(error, 'r')).toMatchObject({ statusCode: 400, code: error.code });
  });

  it('adds where job types come from to an unknown job type (the library text does not name CRAFT_JOBS)', () => {
    const body = toErrorBody(new scheduler.UnknownJobTypeError('nope', ['echo']), 'r');
    expect(body).toMatchObject({
      statusCode: 400,
      code: 'CRAFT_SCHEDULER_UNKNOWN_JOB_TYPE',
      field: 'job_type',
    });
    expect(body.message).toMatch(/is not registered\. Known job types: echo\..*module named by CRAFT_JOBS/);
  });
});

describe('options catalog', () => {
  it('documents every environment variable the service reads (the runtime resolves them)', () => {
    expect([...ENV_VARIABLES].sort()).toEqual([...RUNTIME_VARIABLES].sort());
    const documented = tableRows(section('Options')).flatMap(([names]) =>
      [...(names ?? '').matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]),
    );
    expect([...documented].sort()).toEqual([...ENV_VARIABLES].sort());
  });
});
