import { describe, expect, it } from 'vitest';
import { CronExpression, getNextRun, parseCron } from '../src/index.js';

describe('names', () => {
  it('month names JAN-DEC in any case, in lists and ranges, normalize to numbers', () => {
    expect(parseCron('0 0 1 jan,Jul,DEC *').normalized).toBe('0 0 1 1,7,12 *');
    expect(parseCron('0 0 1 JAN-mar *').normalized).toBe('0 0 1 1-3 *');
    expect(parseCron('0 0 1 feb/3 *').normalized).toBe('0 0 1 2/3 *');
  });

  it('weekday names MON-SUN map to ISO numbers (MON = 0, SUN = 6)', () => {
    expect(parseCron('0 9 * * MON-FRI').normalized).toBe('0 9 * * 0-4');
    expect(parseCron('0 9 * * sun').normalized).toBe('0 9 * * 6');
    expect(parseCron('0 9 * * Sat,SUN').normalized).toBe('0 9 * * 5,6');
    expect(parseCron('0 9 * * MON-FRI').compiled.dow).toBe(parseCron('0 9 * * 0-4').compiled.dow);
  });

  it('names and numbers may be mixed: MON-3 is Monday to Thursday', () => {
    expect(parseCron('0 9 * * MON-3').normalized).toBe('0 9 * * 0-3');
  });

  it('SAT-SUN is a forward range in ISO numbering (5-6)', () => {
    const run = getNextRun('0 9 * * SAT-SUN', new Date('2025-01-06T00:00:00Z'), { timezone: 'UTC' });
    expect(run?.toISOString()).toBe('2025-01-11T09:00:00.000Z'); // Saturday
  });

  it('source keeps the text as given; normalized collapses blanks', () => {
    const e = parseCron('  0   9 *\t* mon ');
    expect(e.source).toBe('  0   9 *\t* mon ');
    expect(e.normalized).toBe('0 9 * * 0');
  });
});

describe('macros', () => {
  const cases: Array<[string, string]> = [
    ['@yearly', '0 0 1 1 *'],
    ['@annually', '0 0 1 1 *'],
    ['@monthly', '0 0 1 * *'],
    ['@weekly', '0 0 * * 6'],
    ['@daily', '0 0 * * *'],
    ['@midnight', '0 0 * * *'],
    ['@hourly', '0 * * * *'],
  ];
  for (const [macro, normalized] of cases) {
    it(`${macro} normalizes to ${normalized}`, () => {
      const e = CronExpression.parse(macro);
      expect(e.source).toBe(macro);
      expect(e.normalized).toBe(normalized);
    });
  }

  it('@weekly runs Sunday at 00:00, as crontab users expect', () => {
    const run = getNextRun('@weekly', new Date('2025-01-01T00:00:00Z'), { timezone: 'UTC' });
    expect(run?.toISOString()).toBe('2025-01-05T00:00:00.000Z');
    expect(run?.getUTCDay()).toBe(0);
  });

  it('macros are case-insensitive and may be surrounded by blanks', () => {
    expect(parseCron(' @Daily ').normalized).toBe('0 0 * * *');
    expect(parseCron('@HOURLY').normalized).toBe('0 * * * *');
  });
});
