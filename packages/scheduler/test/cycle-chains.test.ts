// CycleResult.done waits for the chained runs the pass's runs trigger (transitively) and reports them.
import { describe, expect, it } from 'vitest';
import {
  defineJob,
  FakeClock,
  JobRegistry,
  type JobRun,
  JobScheduler,
  jobLockKey,
  MemoryLock,
  MemoryStore,
  type SchedulerStore,
} from '../src/index.js';
import { killable } from '../src/testing/index.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function world() {
  const clock = new FakeClock(Date.parse('2030-01-01T00:00:00.000Z'));
  const store = new MemoryStore({ clock });
  const lock = new MemoryLock({ clock });
  const calls: string[] = [];
  const gates = new Map<string, () => void>();
  const registry = new JobRegistry([
    defineJob({
      type: 'step',
      handler: async (_p, ctx) => {
        calls.push(ctx.jobName ?? ctx.jobType);
        return { step: ctx.jobName };
      },
    }),
    defineJob({
      type: 'gated',
      // Finishes only when the test opens its gate.
      handler: (_p, ctx) =>
        new Promise<string>((resolve) => {
          calls.push(`${ctx.jobName} started`);
          gates.set(ctx.jobName ?? '', () => resolve('opened'));
        }),
    }),
  ]);
  const scheduler = new JobScheduler({ store, lock, registry, clock, logger: quiet, lockTtlMs: 30_000 });
  return { clock, store, lock, calls, gates, scheduler };
}

const line = (r: JobRun) => `${r.jobName ?? r.jobType} ${r.trigger} ${r.status}`;

describe('CycleResult.done and chained runs', () => {
  it('resolves after the transitive chain finished and includes every chained run (skipped ones too)', async () => {
    const w = world();
    const yearly = { cronExpression: '0 0 1 1 *', jobType: 'step' };
    await w.scheduler.schedules.create({ ...yearly, jobName: 'grandchild', jobType: 'gated' });
    await w.scheduler.schedules.create({ ...yearly, jobName: 'off', isEnabled: false });
    await w.scheduler.schedules.create({ ...yearly, jobName: 'child', chain: ['grandchild'] });
    await w.scheduler.schedules.create({
      jobName: 'parent',
      cronExpression: '*/5 * * * *',
      jobType: 'step',
      chain: ['child', 'step', 'off'],
    });
    await w.clock.set(Date.parse('2030-01-01T00:05:00.000Z'));
    const pass = await w.scheduler.checkAndRunDueJobs();
    expect(pass.runs.map(line)).toEqual(['parent schedule pending']);
    let resolved: JobRun[] | null = null;
    void pass.done.then((r) => {
      resolved = r;
    });
    for (let i = 0; i < 20; i++) await w.clock.tick();
    // The chain runs in list order; the grandchild (chained by `child`) runs beside `step`.
    expect([...w.calls].sort()).toEqual(['child', 'grandchild started', 'parent', 'step']);
    expect(resolved).toBeNull(); // the grandchild still runs
    w.gates.get('grandchild')?.();
    const finished = await pass.done;
    expect(resolved).not.toBeNull();
    expect(finished.map(line).sort()).toEqual([
      'child chain succeeded',
      'grandchild chain succeeded',
      'off chain skipped',
      'parent schedule succeeded',
      'step chain succeeded',
    ]);
    // Exactly the runs the store holds, once each, with their final records.
    const stored = await w.store.listRuns();
    expect(finished.map((r) => r.id).sort()).toEqual(stored.map((r) => r.id).sort());
    for (const r of finished) expect(r).toEqual(stored.find((s) => s.id === r.id));
    const byName = new Map(finished.map((r) => [r.jobName ?? r.jobType, r]));
    expect(byName.get('grandchild')?.parentRunId).toBe(byName.get('child')?.id);
    expect(byName.get('child')?.parentRunId).toBe(byName.get('parent')?.id);
  });

  it('reports a chained run whose lock is held elsewhere as pending (left for a later pass)', async () => {
    const w = world();
    await w.scheduler.schedules.create({ jobName: 'held', cronExpression: '0 0 1 1 *', jobType: 'step' });
    await w.scheduler.schedules.create({
      jobName: 'parent',
      cronExpression: '*/5 * * * *',
      jobType: 'step',
      chain: ['held'],
    });
    await w.clock.set(Date.parse('2030-01-01T00:05:00.000Z'));
    expect(await w.lock.acquire(jobLockKey('held'), 'someone-else', 60_000)).not.toBeNull();
    const finished = await (await w.scheduler.checkAndRunDueJobs()).done;
    expect(finished.map(line).sort()).toEqual(['held chain pending', 'parent schedule succeeded']);
  });

  it('includes the chains of runs recovered in the pass (handleMissedRuns)', async () => {
    const w = world();
    await w.scheduler.schedules.create({ jobName: 'child', cronExpression: '0 0 1 1 *', jobType: 'step' });
    await w.scheduler.schedules.create({
      jobName: 'parent',
      cronExpression: '*/5 * * * *',
      jobType: 'step',
      chain: ['child'],
    });
    // Another replica died right after recording the 00:05 run, before running it.
    await w.clock.set(Date.parse('2030-01-01T00:05:00.000Z'));
    const store = killable(w.store);
    const lock = killable(w.lock);
    const cut = Object.create(store.proxy) as SchedulerStore;
    cut.updateSchedule = (...args) => {
      if (args[1].nextRunAt !== undefined && args[2]) {
        store.kill();
        lock.kill();
      }
      return store.proxy.updateSchedule(...args);
    };
    const dying = new JobScheduler({
      store: cut,
      lock: lock.proxy,
      registry: w.scheduler.jobs,
      clock: w.clock,
      logger: quiet,
      lockTtlMs: 30_000,
      replicaId: 'dying',
      builtins: false,
    });
    void dying.checkAndRunDueJobs();
    await w.clock.tick();
    expect((await w.store.listRuns()).map(line)).toEqual(['parent schedule pending']);
    expect(w.calls).toEqual([]);
    await w.clock.advance(31_000); // its leases lapse
    const pass = await w.scheduler.handleMissedRuns();
    const finished = await pass.done;
    expect(finished.map(line).sort()).toEqual(['child chain succeeded', 'parent schedule succeeded']);
    expect(w.calls).toEqual(['parent', 'child']);
  });
});
