// Proof: bad input gets a typed error with a stable code and a snake_case field, and changes nothing.
import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import {
  defineJob,
  FakeClock,
  JobRegistry,
  JobScheduler,
  MemoryLock,
  MemoryStore,
  recordDatesToJson,
  type ScheduleInput,
  SchedulerError,
  ScheduleValidationError,
  scheduleInputFromRecord,
  scheduleToRecord,
} from '../src/index.js';

async function world() {
  const clock = new FakeClock(Date.parse('2030-01-01T00:00:00.000Z'));
  const store = new MemoryStore({ clock });
  const registry = new JobRegistry([
    defineJob({ type: 'noop', handler: async () => null }),
    defineJob({
      type: 'mail',
      parameters: Type.Object(
        { to: Type.String({ minLength: 3 }), retries: Type.Optional(Type.Integer({ minimum: 0 })) },
        {
          additionalProperties: false,
        },
      ),
      handler: async () => null,
    }),
  ]);
  const scheduler = new JobScheduler({ store, lock: new MemoryLock({ clock }), registry, clock });
  await scheduler.schedules.create({ jobName: 'a', cronExpression: '0 * * * *', jobType: 'noop' });
  await scheduler.schedules.create({
    jobName: 'b',
    cronExpression: '0 * * * *',
    jobType: 'noop',
    chain: ['a'],
  });
  return { clock, store, scheduler };
}

async function snapshot(store: MemoryStore) {
  return {
    schedules: JSON.stringify(recordDatesToJson((await store.listSchedules()).map(scheduleToRecord))),
    runs: await store.countRuns(),
  };
}

const valid: ScheduleInput = { jobName: 'new', cronExpression: '*/5 * * * *', jobType: 'noop' };

const cases: {
  name: string;
  input: Record<string, unknown>;
  code: string;
  field: string;
  extra?: Record<string, unknown>;
}[] = [
  {
    name: 'unknown job type',
    input: { jobType: 'nope' },
    code: 'CRAFT_SCHEDULER_UNKNOWN_JOB_TYPE',
    field: 'job_type',
  },
  {
    name: 'invalid cron (bad minute)',
    input: { cronExpression: '61 * * * *' },
    code: 'CRAFT_SCHEDULER_INVALID_CRON',
    field: 'cron_expression',
    extra: { cronField: 'minute', text: '61', position: 1, cronCode: 'CRAFT_CRON_INVALID_FIELD' },
  },
  {
    name: 'invalid cron (step too large)',
    input: { cronExpression: '*/70 * * * *' },
    code: 'CRAFT_SCHEDULER_INVALID_CRON',
    field: 'cron_expression',
    extra: { cronField: 'minute' },
  },
  {
    name: 'invalid cron (4 fields)',
    input: { cronExpression: '* * * *' },
    code: 'CRAFT_SCHEDULER_INVALID_CRON',
    field: 'cron_expression',
  },
  {
    name: 'invalid zone',
    input: { timezone: 'Mars/Olympus' },
    code: 'CRAFT_SCHEDULER_INVALID_TIMEZONE',
    field: 'timezone',
  },
  {
    name: 'parameters failing the schema',
    input: { jobType: 'mail', parameters: { to: 'x', extra: 1 } },
    code: 'CRAFT_SCHEDULER_INVALID_PARAMETERS',
    field: 'parameters',
  },
  {
    name: 'parameters missing a required field',
    input: { jobType: 'mail', parameters: {} },
    code: 'CRAFT_SCHEDULER_INVALID_PARAMETERS',
    field: 'parameters',
  },
  {
    name: 'chain cycle',
    input: { jobName: 'a', chain: ['b'] },
    code: 'CRAFT_SCHEDULER_CHAIN_CYCLE',
    field: 'chain',
  },
  { name: 'self chain', input: { chain: ['new'] }, code: 'CRAFT_SCHEDULER_CHAIN_CYCLE', field: 'chain' },
  {
    name: 'unknown chain name',
    input: { chain: ['ghost'] },
    code: 'CRAFT_SCHEDULER_CHAIN_UNKNOWN',
    field: 'chain',
  },
  {
    name: 'max_attempts 0',
    input: { maxAttempts: 0 },
    code: 'CRAFT_SCHEDULER_INVALID_FIELD',
    field: 'max_attempts',
  },
  {
    name: 'timeout 1.5',
    input: { timeoutSeconds: 1.5 },
    code: 'CRAFT_SCHEDULER_INVALID_FIELD',
    field: 'timeout_seconds',
  },
  {
    name: 'max_catch_up_runs 0',
    input: { maxCatchUpRuns: 0 },
    code: 'CRAFT_SCHEDULER_INVALID_FIELD',
    field: 'max_catch_up_runs',
  },
  {
    name: 'unknown policy',
    input: { missedRunPolicy: 'sometimes' },
    code: 'CRAFT_SCHEDULER_INVALID_FIELD',
    field: 'missed_run_policy',
  },
  { name: 'empty name', input: { jobName: '' }, code: 'CRAFT_SCHEDULER_INVALID_FIELD', field: 'job_name' },
  {
    name: 'is_enabled string',
    input: { isEnabled: 'yes' },
    code: 'CRAFT_SCHEDULER_INVALID_FIELD',
    field: 'is_enabled',
  },
];

describe('proof: bad input gets a typed error and changes nothing', () => {
  for (const c of cases) {
    it(`create: ${c.name} -> ${c.code}`, async () => {
      const { store, scheduler } = await world();
      const before = await snapshot(store);
      const error = await scheduler.schedules
        .create({ ...valid, ...c.input } as ScheduleInput)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ScheduleValidationError);
      expect(error).toBeInstanceOf(SchedulerError);
      expect((error as ScheduleValidationError).code).toBe(c.code);
      expect((error as ScheduleValidationError).field).toBe(c.field);
      expect((error as ScheduleValidationError).httpStatus).toBe(400);
      expect((error as Error).message.length).toBeGreaterThan(30);
      if (c.extra) expect(error).toMatchObject(c.extra);
      expect(await snapshot(store)).toEqual(before);
    });
  }

  it('update and patch reject the same input and leave the stored schedule as it was', async () => {
    const { store, scheduler } = await world();
    const before = await snapshot(store);
    await expect(scheduler.schedules.patch('a', { cronExpression: '* * 32 * *' })).rejects.toMatchObject({
      code: 'CRAFT_SCHEDULER_INVALID_CRON',
      field: 'cron_expression',
    });
    await expect(scheduler.schedules.patch('a', { chain: ['b'] })).rejects.toMatchObject({
      code: 'CRAFT_SCHEDULER_CHAIN_CYCLE',
    });
    await expect(
      scheduler.schedules.update('b', {
        cronExpression: '0 * * * *',
        jobType: 'mail',
        parameters: { to: 1 },
      }),
    ).rejects.toMatchObject({ code: 'CRAFT_SCHEDULER_INVALID_PARAMETERS' });
    await expect(scheduler.schedules.patch('zzz', { isEnabled: false })).rejects.toMatchObject({
      code: 'CRAFT_SCHEDULER_SCHEDULE_NOT_FOUND',
      httpStatus: 404,
    });
    await expect(scheduler.schedules.create({ ...valid, jobName: 'a' })).rejects.toMatchObject({
      code: 'CRAFT_SCHEDULER_SCHEDULE_EXISTS',
      httpStatus: 409,
    });
    expect(await snapshot(store)).toEqual(before);
  });

  it('manual runs with bad input are refused without recording a run', async () => {
    const { store, scheduler } = await world();
    await expect(scheduler.runJob('nope')).rejects.toMatchObject({
      code: 'CRAFT_SCHEDULER_UNKNOWN_JOB_TYPE',
    });
    await expect(scheduler.runJob('mail', { to: 5 })).rejects.toMatchObject({
      code: 'CRAFT_SCHEDULER_INVALID_PARAMETERS',
    });
    await expect(scheduler.runNow('ghost')).rejects.toMatchObject({
      code: 'CRAFT_SCHEDULER_SCHEDULE_NOT_FOUND',
    });
    expect(await store.countRuns()).toBe(0);
  });

  it('maps snake_case bodies and rejects unknown fields (managed fields are ignored)', async () => {
    const { scheduler } = await world();
    const input = scheduleInputFromRecord({
      job_name: 'from-json',
      cron_expression: '0 3 * * *',
      job_type: 'noop',
      next_run_at: '2020-01-01T00:00:00.000Z',
    });
    const created = await scheduler.schedules.create(input as unknown as ScheduleInput);
    expect(created.nextRunAt?.toISOString()).toBe('2030-01-01T02:00:00.000Z'); // 03:00 Stockholm, not the body's
    expect(() => scheduleInputFromRecord({ job_name: 'x', cron: '* * * * *' })).toThrow(
      expect.objectContaining({ code: 'CRAFT_SCHEDULER_INVALID_FIELD', field: 'cron' }),
    );
  });
});
