import { parseCron } from '@craft/cron';
import { describe, expect, it } from 'vitest';
import { planSlots, type SlotPlanInput } from '../src/index.js';

const base = (over: Partial<SlotPlanInput>): SlotPlanInput => ({
  cron: parseCron('* * * * *'),
  timezone: 'UTC',
  from: new Date('2030-01-01T00:00:00.000Z'),
  now: Date.parse('2030-01-01T00:00:00.000Z'),
  pollIntervalMs: 60_000,
  policy: 'once',
  catchUpWindowSeconds: null,
  maxCatchUpRuns: 10,
  maxSkipRecords: 1000,
  ...over,
});

describe('planSlots', () => {
  it('treats slots due within the poll interval as current under every policy', () => {
    for (const policy of ['skip', 'once', 'all'] as const) {
      const plan = planSlots(base({ policy, now: Date.parse('2030-01-01T00:01:00.000Z') }));
      expect(plan.decisions.map((d) => `${d.slot.toISOString()} ${d.action} ${d.trigger}`)).toEqual([
        '2030-01-01T00:00:00.000Z run schedule',
        '2030-01-01T00:01:00.000Z run schedule',
      ]);
      expect(plan.next?.toISOString()).toBe('2030-01-01T00:02:00.000Z');
    }
  });

  it('starts at the next real slot when nextRunAt is not a slot', () => {
    const plan = planSlots(
      base({
        cron: parseCron('0 * * * *'),
        from: new Date('2030-01-01T00:07:00.000Z'),
        now: Date.parse('2030-01-01T01:00:30.000Z'),
      }),
    );
    expect(plan.decisions.map((d) => d.slot.toISOString())).toEqual(['2030-01-01T01:00:00.000Z']);
  });

  it('folds skipped slots beyond maxSkipRecords into one record, keeping a year of minutes in constant memory', () => {
    const plan = planSlots(
      base({ policy: 'skip', now: Date.parse('2031-01-01T00:00:00.000Z') - 120_000, maxSkipRecords: 5 }),
    );
    const skipped = plan.decisions.filter((d) => d.action === 'skip');
    expect(skipped).toHaveLength(5);
    const folded = skipped[0];
    const total = skipped.reduce((n, d) => n + (d.folded?.count ?? 1), 0);
    const runs = plan.decisions.filter((d) => d.action === 'run');
    expect(total + runs.length).toBe(365 * 1440 - 1);
    expect(folded?.slot.toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(folded?.folded?.count).toBe(total - 4);
  });

  it('never loops for an expression whose last slot passed', () => {
    const plan = planSlots(
      base({
        cron: parseCron('0 0 1 1 *'),
        from: new Date('9999-01-01T00:00:00.000Z'),
        now: Date.parse('9999-06-01T00:00:00.000Z'),
      }),
    );
    expect(plan.next).toBeNull();
    expect(plan.decisions).toHaveLength(1);
  });
});
