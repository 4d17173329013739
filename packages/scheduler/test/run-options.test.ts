// Per-run overrides of manual runs: runJob(type, params, { maxAttempts, timeoutSeconds }) and runNow(name, options).
import { describe, expect, it } from 'vitest';
import {
  defineJob,
  FakeClock,
  InvalidFieldError,
  JobRegistry,
  JobScheduler,
  jobLockKey,
  MemoryLock,
  MemoryStore,
} from '../src/index.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function world() {
  const clock = new FakeClock(Date.parse('2030-01-01T00:00:00.000Z'));
  const store = new MemoryStore({ clock });
  const lock = new MemoryLock({ clock });
  const attempts: number[] = [];
  const registry = new JobRegistry([
    defineJob({
      type: 'flaky',
      maxAttempts: 4,
      timeoutSeconds: 600,
      backoff: { baseMs: 1000, maxMs: 1000, jitter: 0 },
      handler: async (_p, ctx) => {
        attempts.push(ctx.attempt);
        throw new Error(`attempt ${ctx.attempt} failed`);
      },
    }),
    defineJob({
      type: 'hang',
      timeoutSeconds: 600,
      maxAttempts: 1,
      // Honours its signal: settles when the timeout aborts it.
      handler: (_p, ctx) => new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', reject)),
    }),
  ]);
  const scheduler = new JobScheduler({ store, lock, registry, clock, logger: quiet, random: () => 0 });
  return { clock, store, lock, scheduler, attempts };
}

/** Drives the fake clock until `promise` settles. */
async function finish<T>(clock: FakeClock, promise: Promise<T>): Promise<T> {
  let settled = false;
  void promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let i = 0; i < 10_000 && !settled; i++) {
    const at = clock.nextTimerAt();
    if (at === null) await clock.tick();
    else await clock.set(at);
  }
  return promise;
}

describe('per-run overrides of manual runs', () => {
  it('runJob takes maxAttempts for this run only; the job type keeps its default', async () => {
    const { clock, scheduler, attempts } = world();
    const once = await finish(clock, (await scheduler.runJob('flaky', {}, { maxAttempts: 2 })).done);
    expect(once.maxAttempts).toBe(2);
    expect(once.status).toBe('failed');
    expect(once.attempts.map((a) => a.status)).toEqual(['failed', 'failed']);
    expect(attempts).toEqual([1, 2]);

    attempts.length = 0;
    const plain = await finish(clock, (await scheduler.runJob('flaky')).done);
    expect(plain.maxAttempts).toBe(4);
    expect(attempts).toEqual([1, 2, 3, 4]);
    expect(scheduler.jobs.get('flaky')?.maxAttempts).toBe(4);
  });

  it('runJob takes timeoutSeconds: the attempt times out at the override, not the job default', async () => {
    const { clock, scheduler } = world();
    const t0 = clock.now();
    const { run, done } = await scheduler.runJob('hang', {}, { timeoutSeconds: 5 });
    expect(run.timeoutSeconds).toBe(5);
    const final = await finish(clock, done);
    expect(final.status).toBe('timed_out');
    expect(final.error?.code).toBe('CRAFT_SCHEDULER_JOB_TIMEOUT');
    expect(final.error?.message).toContain('timeout of 5 s');
    expect((final.finishedAt?.getTime() ?? 0) - t0).toBe(5000);
  });

  it('runNow overrides beat the schedule, which beats the job type; the schedule is unchanged', async () => {
    const { clock, scheduler, attempts } = world();
    await scheduler.schedules.create({
      jobName: 'nightly',
      cronExpression: '0 3 * * *',
      jobType: 'flaky',
      maxAttempts: 3,
      timeoutSeconds: 120,
    });
    const overridden = await scheduler.runNow('nightly', { maxAttempts: 1, timeoutSeconds: 7 });
    expect(overridden.run.maxAttempts).toBe(1);
    expect(overridden.run.timeoutSeconds).toBe(7);
    await finish(clock, overridden.done);
    expect(attempts).toEqual([1]);
    const defaults = await scheduler.runNow('nightly', { timeoutSeconds: 9 });
    expect(defaults.run.maxAttempts).toBe(3); // from the schedule
    expect(defaults.run.timeoutSeconds).toBe(9);
    await finish(clock, defaults.done);
    const schedule = await scheduler.schedules.get('nightly');
    expect(schedule.maxAttempts).toBe(3);
    expect(schedule.timeoutSeconds).toBe(120);
  });

  it('ScheduleService.runJob and runNow pass the options on', async () => {
    const { clock, scheduler } = world();
    await scheduler.schedules.create({ jobName: 'h', cronExpression: '0 3 * * *', jobType: 'hang' });
    const a = await scheduler.schedules.runJob('flaky', {}, { maxAttempts: 1 });
    expect(a.run.maxAttempts).toBe(1);
    await finish(clock, a.done);
    const b = await scheduler.schedules.runNow('h', { timeoutSeconds: 3 });
    expect(b.run.timeoutSeconds).toBe(3);
    expect((await finish(clock, b.done)).status).toBe('timed_out');
  });

  it.each([
    [{ maxAttempts: 0 }, 'max_attempts', 0],
    [{ maxAttempts: 1.5 }, 'max_attempts', 1.5],
    [{ timeoutSeconds: -1 }, 'timeout_seconds', -1],
    [{ timeoutSeconds: '5' as unknown as number }, 'timeout_seconds', '5'],
  ])(
    'rejects %o with InvalidFieldError, recording nothing and taking no lock',
    async (options, field, value) => {
      const { scheduler, store, lock } = world();
      await scheduler.schedules.create({ jobName: 'n', cronExpression: '0 3 * * *', jobType: 'flaky' });
      for (const attempt of [
        () => scheduler.runJob('flaky', {}, options),
        () => scheduler.runNow('n', options),
      ]) {
        const error = await attempt().then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(InvalidFieldError);
        expect(error).toMatchObject({ code: 'CRAFT_SCHEDULER_INVALID_FIELD', field, value, httpStatus: 400 });
        expect((error as Error).message).toBe(
          `JobScheduler: run option "${field}" is ${JSON.stringify(value)}, expected an integer >= 1. ` +
            `Pass a whole number of ${field === 'max_attempts' ? 'attempts' : 'seconds'}, or leave it out for the default.`,
        );
      }
      expect(await store.countRuns()).toBe(0);
      expect(await lock.inspect(jobLockKey('flaky'))).toBeNull();
      expect(await lock.inspect(jobLockKey('n'))).toBeNull();
    },
  );
});
