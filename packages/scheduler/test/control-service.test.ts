// ScheduleService and syncSchedules for per-schedule control (spec section 10): pause with a reason and who, audit,
// server-managed fields, jitter changes, previews with DST markers and planned starts, schedules as code.
import { describe, expect, it } from 'vitest';
import {
  defineJob,
  FakeClock,
  InvalidFieldError,
  JobRegistry,
  JobScheduler,
  jitterOffsetMs,
  MemoryLock,
  MemoryStore,
  scheduleInputFromRecord,
  syncSchedules,
} from '../src/index.js';

function setup(start = '2030-01-01T00:00:00.000Z') {
  const clock = new FakeClock(Date.parse(start));
  const store = new MemoryStore({ clock });
  const scheduler = new JobScheduler({
    store,
    lock: new MemoryLock({ clock }),
    clock,
    timezone: 'UTC',
    registry: new JobRegistry([defineJob({ type: 'noop', handler: async () => {} })]),
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  return { clock, store, scheduler, service: scheduler.schedules };
}

const base = { cronExpression: '0 * * * *', jobType: 'noop' };

describe('pause with a reason and the audit trail', () => {
  it('records who disabled a schedule, when and why, and clears it on enable', async () => {
    const { service, clock } = setup();
    const created = await service.create({ jobName: 'a', ...base }, { by: 'alice' });
    expect(created.updatedBy).toBe('alice');
    expect(created.createdAt?.toISOString()).toBe('2030-01-01T00:00:00.000Z');
    await clock.advance(60_000);
    const off = await service.disable('a', { reason: '  incident 42 ', by: 'bob' });
    expect(off).toMatchObject({
      isEnabled: false,
      pausedReason: 'incident 42',
      pausedBy: 'bob',
      updatedBy: 'bob',
    });
    expect(off.pausedAt?.toISOString()).toBe('2030-01-01T00:01:00.000Z');
    expect(off.nextRunAt).toBeNull();
    expect(off.nextDueAt).toBeNull();
    const on = await service.enable('a', { by: 'carol' });
    expect(on).toMatchObject({
      isEnabled: true,
      pausedReason: null,
      pausedBy: null,
      pausedAt: null,
      updatedBy: 'carol',
    });
    expect(on.nextRunAt?.toISOString()).toBe('2030-01-01T01:00:00.000Z');
  });

  it('defaults who to code, and stamps a disable through patch without a reason', async () => {
    const { service } = setup();
    await service.create({ jobName: 'a', ...base });
    const off = await service.patch('a', { isEnabled: false });
    expect(off).toMatchObject({ pausedBy: 'code', pausedReason: null, updatedBy: 'code' });
  });

  it('rejects a reason that is not a short string, changing nothing', async () => {
    const { service } = setup();
    await service.create({ jobName: 'a', ...base });
    await expect(service.disable('a', { reason: 'x'.repeat(501) })).rejects.toMatchObject({
      field: 'reason',
    });
    expect((await service.get('a')).isEnabled).toBe(true);
  });

  it('refuses server-managed fields in a record body, naming the field', () => {
    for (const field of ['paused_reason', 'paused_at', 'paused_by', 'consecutive_failures']) {
      expect(() => scheduleInputFromRecord({ job_name: 'a', [field]: null })).toThrow(InvalidFieldError);
      try {
        scheduleInputFromRecord({ job_name: 'a', [field]: null });
      } catch (error) {
        expect((error as InvalidFieldError).field).toBe(field);
      }
    }
    expect(scheduleInputFromRecord({ job_name: 'a', next_due_at: null, updated_by: 'x' })).toEqual({
      jobName: 'a',
    });
  });
});

describe('jitter and DST choices through the service', () => {
  it('keeps next_run_at and moves only next_due_at when jitter changes', async () => {
    const { service, clock } = setup('2030-01-01T00:30:00.000Z');
    await service.create({ jobName: 'j', ...base, jitterSeconds: 600 });
    await clock.set(Date.parse('2030-01-01T01:02:00.000Z'));
    const slot = new Date('2030-01-01T01:00:00.000Z');
    const changed = await service.patch('j', { jitterSeconds: 1200 });
    expect(changed.nextRunAt?.toISOString()).toBe(slot.toISOString());
    expect(changed.nextDueAt?.getTime()).toBe(slot.getTime() + jitterOffsetMs('j', slot, 1200));
  });

  it('previews runs with planned starts and DST markers, and refuses jitter without a name', () => {
    const { service } = setup('2030-03-30T12:00:00.000Z');
    const p = service.explain(
      {
        cronExpression: '30 2 * * *',
        timezone: 'Europe/Stockholm',
        dstGap: 'shift',
        jitterSeconds: 60,
        jobName: 'n',
      },
      { count: 2 },
    );
    expect(p.runs.map((r) => [r.at.toISOString(), r.dst, r.wallTime])).toEqual([
      ['2030-03-31T01:00:00.000Z', 'shifted', '2030-03-31T02:30'],
      ['2030-04-01T00:30:00.000Z', null, '2030-04-01T02:30'],
    ]);
    expect(p.shifted.map((s) => s.local)).toEqual(['2030-03-31T02:30']);
    for (const r of p.runs) {
      expect(r.dueAt.getTime() - r.at.getTime()).toBe(jitterOffsetMs('n', r.at, 60));
      expect(r.jitterMs).toBeLessThan(60_000);
    }
    expect(() => service.explain({ cronExpression: '* * * * *', jitterSeconds: 5 })).toThrow(/job_name/);
  });
});

describe('syncSchedules', () => {
  it('prints the diff of a dry run and writes nothing', async () => {
    const { service, scheduler } = setup();
    await service.create({ jobName: 'kept', ...base });
    const result = await syncSchedules(scheduler, [{ jobName: 'new', ...base, description: 'd' }], {
      dryRun: true,
      prune: true,
    });
    expect(result.applied).toBe(false);
    expect(result.changes.map((c) => [c.jobName, c.action])).toEqual([
      ['new', 'create'],
      ['kept', 'unmanaged'],
    ]);
    expect(await service.list()).toHaveLength(1);
  });

  it('owns only declared fields, keeps runtime state, and prunes only schedules it manages', async () => {
    const { service, scheduler } = setup();
    await service.create({ jobName: 'hand', ...base, description: 'by hand', maxAttempts: 5 });
    const first = await syncSchedules(scheduler, [
      { jobName: 'hand', ...base, description: 'from file' },
      { jobName: 'b', cronExpression: '0 3 * * *', jobType: 'noop', chain: ['c'] },
      { jobName: 'c', cronExpression: '0 4 * * *', jobType: 'noop' },
    ]);
    expect(first.changes.map((c) => [c.jobName, c.action])).toEqual([
      ['c', 'create'],
      ['b', 'create'],
      ['hand', 'update'],
    ]);
    const hand = await service.get('hand');
    expect(hand).toMatchObject({
      description: 'from file',
      maxAttempts: 5,
      managedBy: 'sync',
      updatedBy: 'sync',
    });
    // Again (parameters in another key order): nothing to do.
    const again = await syncSchedules(scheduler, [
      { jobName: 'hand', ...base, description: 'from file' },
      { jobName: 'b', cronExpression: '0 3 * * *', jobType: 'noop', chain: ['c'] },
      { jobName: 'c', cronExpression: '0 4 * * *', jobType: 'noop' },
    ]);
    expect(again.changes.every((c) => c.action === 'unchanged')).toBe(true);
    await service.create({ jobName: 'other', ...base });
    const pruned = await syncSchedules(
      scheduler,
      [{ jobName: 'c', cronExpression: '0 4 * * *', jobType: 'noop' }],
      {
        prune: true,
      },
    );
    expect(pruned.changes.map((c) => [c.jobName, c.action])).toEqual([
      ['c', 'unchanged'],
      ['b', 'delete'],
      ['hand', 'delete'],
      ['other', 'unmanaged'],
    ]);
    expect((await service.list()).map((s) => s.jobName)).toEqual(['c', 'other']);
  });

  it("never lifts an operator's pause, but lifts its own", async () => {
    const { service, scheduler } = setup();
    await syncSchedules(scheduler, [{ jobName: 'x', ...base }]);
    await service.disable('x', { reason: 'incident', by: 'alice' });
    const kept = await syncSchedules(scheduler, [{ jobName: 'x', ...base, isEnabled: true }]);
    expect(kept.changes[0]?.action).toBe('kept-paused');
    expect(kept.changes[0]?.note).toContain('alice');
    expect(await service.get('x')).toMatchObject({
      isEnabled: false,
      pausedBy: 'alice',
      pausedReason: 'incident',
    });
    await service.enable('x');
    await syncSchedules(scheduler, [{ jobName: 'x', ...base, isEnabled: false }]);
    expect(await service.get('x')).toMatchObject({ isEnabled: false, pausedBy: 'sync' });
    await syncSchedules(scheduler, [{ jobName: 'x', ...base, isEnabled: true }]);
    expect(await service.get('x')).toMatchObject({ isEnabled: true, pausedBy: null });
  });

  it('validates every definition before writing anything', async () => {
    const { service, scheduler } = setup();
    await expect(
      syncSchedules(scheduler, [
        { jobName: 'ok', ...base },
        { jobName: 'bad', ...base, cronExpression: '61 * * * *' },
      ]),
    ).rejects.toMatchObject({ field: 'cron_expression' });
    await expect(
      syncSchedules(scheduler, [
        { jobName: 'd', ...base },
        { jobName: 'd', ...base },
      ]),
    ).rejects.toMatchObject({
      field: 'job_name',
    });
    expect(await service.list()).toHaveLength(0);
  });
});
