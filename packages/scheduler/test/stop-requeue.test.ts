// stop(): interrupted runs go back to pending by default (another replica continues them); stop({ requeue: false })
// records them failed here, so no later pass runs them again.
import { describe, expect, it } from 'vitest';
import {
  defineJob,
  FakeClock,
  JobRegistry,
  type JobRun,
  JobScheduler,
  MemoryLock,
  MemoryStore,
  ShutdownError,
} from '../src/index.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const TTL = 30_000;

function world() {
  const clock = new FakeClock(Date.parse('2030-01-01T00:00:00.000Z'));
  const store = new MemoryStore({ clock });
  const lock = new MemoryLock({ clock });
  const calls: string[] = [];
  const reasons: unknown[] = [];
  let release: () => void = () => {};
  const registry = new JobRegistry([
    defineJob({
      type: 'slow',
      maxAttempts: 3,
      // Honours its signal; settles on abort, or when the test releases it.
      handler: (_p, ctx) =>
        new Promise<void>((resolve, reject) => {
          calls.push(
            `slow ${ctx.jobName ?? 'manual'} ${ctx.scheduledAt?.toISOString() ?? ''} #${ctx.attempt}`,
          );
          release = resolve;
          ctx.signal.addEventListener('abort', () => {
            reasons.push(ctx.signal.reason);
            reject(ctx.signal.reason);
          });
        }),
    }),
    defineJob({
      type: 'boom',
      maxAttempts: 3,
      backoff: { baseMs: 60_000, maxMs: 60_000, jitter: 0 },
      handler: async (_p, ctx) => {
        calls.push(`boom #${ctx.attempt}`);
        throw new Error(`boom ${ctx.attempt}`);
      },
    }),
    defineJob({
      type: 'child',
      handler: async (_p, ctx) => {
        calls.push(`child ${ctx.jobName}`);
      },
    }),
  ]);
  let n = 0;
  const make = () =>
    new JobScheduler({
      store,
      lock,
      registry,
      clock,
      logger: quiet,
      lockTtlMs: TTL,
      replicaId: `r${n++}`,
      random: () => 0,
    });
  return { clock, store, calls, reasons, make, release: () => release() };
}

/** Lets the leases lapse, then runs what a later pass of another replica would run. */
async function laterPass(w: ReturnType<typeof world>): Promise<JobRun[]> {
  await w.clock.advance(TTL + 1000);
  const other = w.make();
  const pass = await other.checkAndRunDueJobs();
  const done = pass.done;
  for (let i = 0; i < 50; i++) await w.clock.tick();
  const finished = await done;
  await other.idle();
  return finished;
}

describe('stop() and interrupted runs', () => {
  it('by default hands an interrupted run back (pending) and a later pass runs it again', async () => {
    const w = world();
    const s = w.make();
    const { run } = await s.runJob('slow');
    await w.clock.tick();
    expect(w.calls).toEqual(['slow manual  #1']);
    await s.stop({ graceMs: 0 });
    const after = await w.store.getRun(run.id);
    expect(after?.status).toBe('pending');
    expect(after?.attempts.map((a) => `${a.status} ${a.error?.code}`)).toEqual([
      'abandoned CRAFT_SCHEDULER_SHUTDOWN',
    ]);
    expect((w.reasons[0] as ShutdownError).requeue).toBe(true);
    const rerun = laterPass(w);
    await w.clock.tick();
    await w.clock.tick();
    w.release();
    await rerun;
    expect(w.calls).toEqual(['slow manual  #1', 'slow manual  #2']);
    expect((await w.store.getRun(run.id))?.status).toBe('succeeded');
  });

  it('with requeue: false records the interrupted run failed ("aborted by shutdown") and never runs it again', async () => {
    const w = world();
    const s = w.make();
    const failed: string[] = [];
    s.on('run:failed', (e) => failed.push(`${e.run.id} ${e.error.code}`));
    const { run } = await s.runJob('slow');
    await w.clock.tick();
    await s.stop({ graceMs: 0, requeue: false });
    const after = (await w.store.getRun(run.id)) as JobRun;
    expect(after.status).toBe('failed');
    expect(after.finishedAt?.getTime()).toBe(w.clock.now());
    expect(after.leaseOwner).toBeNull();
    expect(after.error?.code).toBe('CRAFT_SCHEDULER_SHUTDOWN');
    expect(after.error?.message).toContain('aborted by shutdown');
    expect(after.error?.message).toContain('stop({ requeue: false })');
    expect(after.attempts.map((a) => `${a.status} ${a.error?.code}`)).toEqual([
      'failed CRAFT_SCHEDULER_SHUTDOWN',
    ]);
    expect(failed).toEqual([`${run.id} CRAFT_SCHEDULER_SHUTDOWN`]);
    // The handler's signal said so too.
    expect(w.reasons).toHaveLength(1);
    expect(w.reasons[0]).toBeInstanceOf(ShutdownError);
    expect((w.reasons[0] as ShutdownError).requeue).toBe(false);
    // Another replica's later pass finds nothing to recover or run.
    expect(await laterPass(w)).toEqual([]);
    expect(w.calls).toEqual(['slow manual  #1']);
    expect(await w.store.countRuns({ status: ['pending', 'running'] })).toBe(0);
  });

  it('with requeue: false ends a run waiting to retry; its last attempt keeps the handler error', async () => {
    const w = world();
    const s = w.make();
    const { run } = await s.runJob('boom');
    await w.clock.tick();
    expect(w.calls).toEqual(['boom #1']); // attempt 2 waits 60 s of backoff
    await s.stop({ graceMs: 0, requeue: false });
    const after = (await w.store.getRun(run.id)) as JobRun;
    expect(after.status).toBe('failed');
    expect(after.error?.code).toBe('CRAFT_SCHEDULER_SHUTDOWN');
    expect(after.error?.message).toContain("before this run's next attempt");
    expect(after.attempts.map((a) => `${a.status} ${a.error?.message}`)).toEqual(['failed boom 1']);
    expect(await laterPass(w)).toEqual([]);
    expect(w.calls).toEqual(['boom #1']);
  });

  it('with requeue: false ends the claimed runs it had not started, and chained runs not started, as failed', async () => {
    const w = world();
    const s = w.make();
    await s.schedules.create({ jobName: 'child', cronExpression: '0 0 1 1 *', jobType: 'child' });
    await s.schedules.create({
      jobName: 'catchup',
      cronExpression: '*/10 * * * *',
      jobType: 'slow',
      missedRunPolicy: 'all',
      chain: ['child'],
    });
    await w.clock.set(Date.parse('2030-01-01T00:35:00.000Z')); // 00:10, 00:20, 00:30 missed
    const pass = await s.checkAndRunDueJobs();
    expect(pass.runs.map((r) => r.status)).toEqual(['pending', 'pending', 'pending']);
    await w.clock.tick();
    expect(w.calls).toEqual(['slow catchup 2030-01-01T00:10:00.000Z #1']);
    // The first run finishes within the grace period: it succeeds, but its chained run does not start.
    const stopping = s.stop({ graceMs: 10_000, requeue: false });
    await w.clock.tick();
    w.release();
    await stopping;
    const runs = await w.store.listRuns({ order: 'asc' });
    const by = (r: JobRun) =>
      `${r.jobName} ${r.slot?.toISOString().slice(11, 16)} ${r.trigger} ${r.status} ${r.attempts.length} ${r.error?.code ?? '-'}`;
    expect(runs.map(by).sort()).toEqual([
      'catchup 00:10 catch_up succeeded 1 -',
      'catchup 00:20 catch_up failed 0 CRAFT_SCHEDULER_SHUTDOWN',
      'catchup 00:30 catch_up failed 0 CRAFT_SCHEDULER_SHUTDOWN',
      'child 00:10 chain failed 0 CRAFT_SCHEDULER_SHUTDOWN',
    ]);
    expect(runs.every((r) => r.leaseOwner === null)).toBe(true);
    expect(await laterPass(w)).toEqual([]);
    expect(w.calls).toEqual(['slow catchup 2030-01-01T00:10:00.000Z #1']);
  });

  it('by default leaves the claimed runs it had not started pending, and a later pass runs them', async () => {
    const w = world();
    const s = w.make();
    await s.schedules.create({
      jobName: 'catchup',
      cronExpression: '*/10 * * * *',
      jobType: 'slow',
      missedRunPolicy: 'all',
    });
    await w.clock.set(Date.parse('2030-01-01T00:25:00.000Z')); // 00:10, 00:20 missed
    await s.checkAndRunDueJobs();
    await w.clock.tick();
    const stopping = s.stop({ graceMs: 10_000 });
    await w.clock.tick();
    w.release();
    await stopping;
    const statuses = (await w.store.listRuns({ order: 'asc' })).map((r) => r.status).sort();
    expect(statuses).toEqual(['pending', 'succeeded']);
    const later = laterPass(w);
    for (let i = 0; i < 5; i++) await w.clock.tick();
    w.release();
    await later;
    expect(w.calls).toEqual([
      'slow catchup 2030-01-01T00:10:00.000Z #1',
      'slow catchup 2030-01-01T00:20:00.000Z #1',
    ]);
  });
});
