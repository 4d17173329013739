import { describe, expect, it } from 'vitest';
import { CronNeverFiresError, getNextRun, getNextRuns, parseCron } from '../src/index.js';

describe('expressions that can never fire are rejected with CRAFT_CRON_NEVER_FIRES', () => {
  for (const expression of ['0 0 31 4 *', '0 0 30 2 *', '0 0 31 2 *', '0 0 31 4,6,9,11 *', '0 0 30,31 2 *']) {
    it(`${expression} is rejected`, () => {
      let error: unknown;
      try {
        parseCron(expression);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CronNeverFiresError);
      expect((error as CronNeverFiresError).code).toBe('CRAFT_CRON_NEVER_FIRES');
      expect((error as CronNeverFiresError).message).toContain('never occurs');
    });
  }

  it('0 0 31 4 * explains that April has at most 30 days', () => {
    expect(() => parseCron('0 0 31 4 *')).toThrow(/April has at most 30 days/);
  });

  it('with both day fields restricted the OR rule makes 0 0 31 4 0 fire (every Monday in April)', () => {
    const run = getNextRun('0 0 31 4 0', new Date('2025-01-01T00:00:00Z'), { timezone: 'UTC' });
    expect(run?.toISOString()).toBe('2025-04-07T00:00:00.000Z');
  });

  it('0 0 31 1,4 * is accepted: it fires on January 31 only', () => {
    expect(
      getNextRuns('0 0 31 1,4 *', new Date('2025-02-01T00:00:00Z'), 2, { timezone: 'UTC' }).map(String),
    ).toEqual(
      getNextRuns('0 0 31 1 *', new Date('2025-02-01T00:00:00Z'), 2, { timezone: 'UTC' }).map(String),
    );
  });
});

describe('rare but possible expressions terminate quickly with the right answer', () => {
  it('0 0 29 2 * fires on February 29 of leap years, skipping 2100', () => {
    const runs = getNextRuns('0 0 29 2 *', new Date('2090-01-01T00:00:00Z'), 3, { timezone: 'UTC' });
    expect(runs.map((d) => d.toISOString())).toEqual([
      '2092-02-29T00:00:00.000Z',
      '2096-02-29T00:00:00.000Z',
      '2104-02-29T00:00:00.000Z',
    ]);
  });

  it('0 0 31 * 6 (31st OR Sunday) is found promptly', () => {
    const runs = getNextRuns('0 0 31 * 6', new Date('2025-01-01T00:00:00Z'), 4, { timezone: 'UTC' });
    expect(runs.map((d) => d.toISOString().slice(0, 10))).toEqual([
      '2025-01-05',
      '2025-01-12',
      '2025-01-19',
      '2025-01-26',
    ]);
  });

  it('0 0 29 2 */7 (Feb 29 that is a Monday: * makes both fields required) is found decades ahead', () => {
    const run = getNextRun('0 0 29 2 */7', new Date('2025-01-01T00:00:00Z'), {
      timezone: 'Europe/Stockholm',
    });
    expect(run?.toISOString()).toBe('2044-02-28T23:00:00.000Z'); // 2044-02-29 00:00 CET, a Monday
  });

  it('0 0 31 12 * from the last minute of a year rolls over to the next December 31', () => {
    const run = getNextRun('0 0 31 12 *', new Date('2025-12-31T00:00:00Z'), { timezone: 'UTC' });
    expect(run?.toISOString()).toBe('2026-12-31T00:00:00.000Z');
  });
});
