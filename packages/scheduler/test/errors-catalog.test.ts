// The README's Errors table must list exactly the codes the package defines (fastify's errors test, adapted).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
const errorsSection = readme.slice(readme.indexOf('## Errors'), readme.indexOf('## Migration notes'));
const rows = [
  ...errorsSection.matchAll(/^\|\s*`(CRAFT_[A-Z_]+)`\s*\|\s*`(\w+)`\s*\|\s*(\d{3})\s*\|\s*(\d+)\s*\|/gm),
].map((m) => ({
  code: m[1] as string,
  className: m[2] as string,
  status: Number(m[3]),
  exit: Number(m[4]),
}));

// One instance of every concrete error class, built with plausible arguments.
const instances: api.SchedulerError[] = [
  new api.InvalidFieldError('max_attempts', 0, 'an integer >= 1'),
  new api.InvalidCronExpressionError('61 * * * *', new Error('x')),
  new api.InvalidScheduleTimezoneError('Mars/Olympus'),
  new api.UnknownJobTypeError('x', []),
  new api.InvalidParametersError('x', [{ path: '/a', message: 'bad' }]),
  new api.UnknownChainTargetError('x'),
  new api.ChainCycleError(['a', 'b', 'a']),
  new api.ScheduleExistsError('x'),
  new api.ScheduleNotFoundError('x'),
  new api.RunNotFoundError('x'),
  new api.RunFinishedError('x', 'succeeded'),
  new api.BackfillTooLargeError('x', 1441, 1000),
  new api.RunCancelledError('cli'),
  new api.JobLockedError('job:x'),
  new api.ScheduleVersionMismatchError('x', 1, 2),
  new api.IdempotencyKeyReusedError('run job type "x"'),
  new api.SchedulerStoppedError(),
  new api.JobTimeoutError('x', 10),
  new api.LeaseLostError('job:x'),
  new api.LeaseExpiredError('job:x'),
  new api.StoreTimeoutError('updateRun', 5000),
  new api.ShutdownError(),
  new api.RunAbandonedError('r1'),
  new api.InvalidJobDefinitionError('x'),
  new api.JobModuleError('jobs.mjs', 'x'),
  new api.HttpJobError('CRAFT_API_HTTP_UNEXPECTED_STATUS', 'x', { status: 503 }),
  new api.HttpJobError('CRAFT_API_HTTP_REQUEST_FAILED', 'x'),
];

describe('error catalog', () => {
  it('lists every exported code in the README, with its class, HTTP status and exit status', () => {
    expect(rows.length).toBe(api.SCHEDULER_ERROR_CODES.length);
    expect(rows.map((r) => r.code).sort()).toEqual([...api.SCHEDULER_ERROR_CODES].sort());
    expect(instances.map((e) => e.code).sort()).toEqual([...api.SCHEDULER_ERROR_CODES].sort());
    for (const e of instances) {
      const row = rows.find((r) => r.code === e.code);
      expect(row?.className).toBe(e.name);
      expect(row?.status).toBe(e.httpStatus);
      expect(row?.exit, e.code).toBe(e.exitStatus);
      expect(Object.values(api.EXIT_STATUS)).toContain(e.exitStatus);
      expect(e).toBeInstanceOf(api.SchedulerError);
      expect(typeof (api as Record<string, unknown>)[e.name]).toBe('function');
    }
  });

  it("never tells library users about CRAFT_JOBS, the apps' variable (the apps add it)", () => {
    for (const e of instances) expect(e.message, e.code).not.toContain('CRAFT_JOBS');
    expect(new api.UnknownJobTypeError('x', ['a']).message).toBe(
      'JobRegistry: job type "x" is not registered. Known job types: a. Register it with defineJob() in the ' +
        "scheduler's job registry.",
    );
  });

  it('counts every exported error class', () => {
    const classes = Object.entries(api).filter(
      ([name, value]) =>
        typeof value === 'function' &&
        value.prototype instanceof api.SchedulerError &&
        name !== 'ScheduleValidationError',
    );
    expect(classes.map(([n]) => n).sort()).toEqual([...new Set(instances.map((e) => e.name))].sort());
  });

  it('keeps the CRAFT_API_HTTP_* codes the http_request job had in @craft/api (stored runs carry them)', () => {
    const prefixed = api.SCHEDULER_ERROR_CODES.filter((c) => !c.startsWith('CRAFT_SCHEDULER_'));
    expect([...prefixed].sort()).toEqual([
      'CRAFT_API_HTTP_REQUEST_FAILED',
      'CRAFT_API_HTTP_UNEXPECTED_STATUS',
    ]);
  });

  it('gives validation errors a snake_case field and messages naming the component and value', () => {
    const e = new api.InvalidFieldError('max_attempts', 0, 'an integer >= 1');
    expect(e.field).toBe('max_attempts');
    expect(e.message).toBe(
      'ScheduleService: field "max_attempts" is 0, expected an integer >= 1. Fix the value and save again.',
    );
  });
});
