// Manual runs with an idempotency key: runJob(type, params, { idempotencyKey }) and runNow(name, { idempotencyKey })
// start one run per (scope, key), whoever retries, however often, concurrently or after a crash.
import { describe, expect, it } from 'vitest';
import {
  defineJob,
  FakeClock,
  IdempotencyKeyReusedError,
  InvalidFieldError,
  JobRegistry,
  JobScheduler,
  MemoryLock,
  MemoryStore,
  manualRunKey,
} from '../src/index.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function world() {
  const clock = new FakeClock(Date.parse('2030-01-01T00:00:00.000Z'));
  const store = new MemoryStore({ clock });
  const lock = new MemoryLock({ clock });
  const executions: string[] = [];
  let release: () => void = () => {};
  const registry = new JobRegistry([
    defineJob({
      type: 'count',
      handler: async (params: Record<string, unknown>) => {
        executions.push(String(params['tag'] ?? ''));
        return { ok: true };
      },
    }),
    defineJob({
      type: 'slow',
      handler: () =>
        new Promise<void>((resolve) => {
          executions.push('slow');
          release = resolve;
        }),
    }),
  ]);
  const make = (replicaId: string) =>
    new JobScheduler({ store, lock, registry, clock, logger: quiet, replicaId, random: () => 0 });
  return { clock, store, lock, make, executions, release: () => release() };
}

/** Drives the fake clock until `promise` settles (replays poll the store on the scheduler's clock). */
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
  for (let i = 0; i < 1000 && !settled; i++) await clock.advance(500);
  return promise;
}

describe('idempotent manual runs', () => {
  it('a retried runJob with one key starts one run and answers it again (replayed), with its run key derived from the key', async () => {
    const { store, make, executions } = world();
    const scheduler = make('a');
    const first = await scheduler.runJob('count', { tag: 'x' }, { idempotencyKey: 'key-1' });
    expect(first.replayed).toBeUndefined();
    expect(first.run.runKey).toBe(manualRunKey('', 'key-1'));
    expect((await first.done).status).toBe('succeeded');
    const retry = await scheduler.runJob('count', { tag: 'x' }, { idempotencyKey: 'key-1' });
    expect(retry.replayed).toBe(true);
    expect(retry.run.id).toBe(first.run.id);
    expect((await retry.done).status).toBe('succeeded');
    expect(executions).toEqual(['x']);
    expect(await store.countRuns({ trigger: 'manual' })).toBe(1);
    // Another scope is another key; no key is no idempotency.
    await (
      await scheduler.runJob('count', { tag: 'x' }, { idempotencyKey: 'key-1', idempotencyScope: 'bob' })
    ).done;
    await (await scheduler.runJob('count', { tag: 'x' })).done;
    expect(await store.countRuns({ trigger: 'manual' })).toBe(3);
  });

  it('concurrent first calls with one key, on two replicas, start exactly one run', async () => {
    const { clock, store, make, executions } = world();
    const [a, b] = [make('a'), make('b')];
    const calls = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        (i % 2 ? a : b).runJob('count', { tag: 'race' }, { idempotencyKey: 'race' }),
      ),
    );
    const answered = calls.flatMap((c) => (c.status === 'fulfilled' ? [c.value] : []));
    // Each call answers the one run, or (while the first holds the job's lock, before its run is stored) a
    // JobLockedError: never a second run.
    for (const c of calls)
      if (c.status === 'rejected') expect((c.reason as Error).name).toBe('JobLockedError');
    expect(new Set(answered.map((m) => m.run.id)).size).toBe(1);
    await finish(clock, Promise.all(answered.map((m) => m.done)));
    expect(executions).toEqual(['race']);
    expect(await store.countRuns()).toBe(1);
  });

  it('a retry while the first run is still running answers that run and waits for it, starting nothing', async () => {
    const { clock, make, executions, release, store } = world();
    const a = make('a');
    const first = await a.runJob('slow', {}, { idempotencyKey: 'slow-1' });
    await clock.tick();
    // A process that died between triggering and answering: another replica gets the retry.
    const retry = await make('b').runJob('slow', {}, { idempotencyKey: 'slow-1' });
    expect(retry.replayed).toBe(true);
    expect(retry.run.id).toBe(first.run.id);
    let settled = false;
    void retry.done.then(() => {
      settled = true;
    });
    await clock.advance(5000);
    expect(settled).toBe(false);
    release();
    await first.done;
    await clock.advance(1000);
    expect((await retry.done).status).toBe('succeeded');
    expect(executions).toEqual(['slow']);
    expect(await store.countRuns()).toBe(1);
  });

  it('runNow with a key runs the schedule once per key', async () => {
    const { make, store, executions } = world();
    const scheduler = make('a');
    await scheduler.schedules.create({
      jobName: 'nightly',
      cronExpression: '0 3 * * *',
      jobType: 'count',
      parameters: { tag: 'n' },
    });
    const first = await scheduler.runNow('nightly', { idempotencyKey: 'n-1' });
    await first.done;
    const again = await scheduler.runNow('nightly', { idempotencyKey: 'n-1' });
    expect(again.replayed).toBe(true);
    expect(again.run.id).toBe(first.run.id);
    expect(executions).toEqual(['n']);
    expect(await store.countRuns({ jobName: 'nightly' })).toBe(1);
  });

  it('refuses a key reused for another job type, other parameters, another schedule or other overrides, starting nothing', async () => {
    const { make, store } = world();
    const scheduler = make('a');
    await scheduler.schedules.create({ jobName: 's', cronExpression: '0 3 * * *', jobType: 'count' });
    await (await scheduler.runJob('count', { tag: 'a' }, { idempotencyKey: 'k', maxAttempts: 2 })).done;
    const reuse = [
      () => scheduler.runJob('count', { tag: 'b' }, { idempotencyKey: 'k' }),
      () => scheduler.runJob('slow', {}, { idempotencyKey: 'k' }),
      () => scheduler.runNow('s', { idempotencyKey: 'k' }),
      () => scheduler.runJob('count', { tag: 'a' }, { idempotencyKey: 'k', maxAttempts: 3 }),
    ];
    for (const call of reuse) await expect(call()).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    // Same request, overrides left out (their defaults are not compared): the retry.
    expect((await scheduler.runJob('count', { tag: 'a' }, { idempotencyKey: 'k' })).replayed).toBe(true);
    expect(await store.countRuns()).toBe(1);
  });

  it('refuses an empty or overlong key before doing anything', async () => {
    const { make, store } = world();
    const scheduler = make('a');
    await expect(scheduler.runJob('count', {}, { idempotencyKey: '' })).rejects.toBeInstanceOf(
      InvalidFieldError,
    );
    await expect(scheduler.runJob('count', {}, { idempotencyKey: 'x'.repeat(256) })).rejects.toThrow(
      /idempotency_key/,
    );
    expect(await store.countRuns()).toBe(0);
  });
});
