import { describe, expect, it } from 'vitest';
import { describeCron, describeFields } from '../src/index.js';

describe('describeCron translates ISO weekdays correctly', () => {
  const cases: Array<[string, string]> = [
    ['0 9 * * 0-4', 'At 09:00, Monday through Friday'],
    ['0 9 * * MON-FRI', 'At 09:00, Monday through Friday'],
    ['0 0 * * 6', 'At 00:00, only on Sunday'],
    ['@weekly', 'At 00:00, only on Sunday'],
    ['30 2 * * 5', 'At 02:30, only on Saturday'],
    ['0 0 * * 0', 'At 00:00, only on Monday'],
    ['0 0 * * 5,6', 'At 00:00, only on Saturday and Sunday'],
    ['0 3 * * *', 'At 03:00'],
    ['*/15 * * * *', 'Every 15 minutes'],
  ];
  for (const [expression, text] of cases) {
    it(`${expression}: ${text}`, () => {
      expect(describeCron(expression)).toBe(text);
    });
  }

  it('Vixie rule: */2 with a weekday means both must match ("only on")', () => {
    expect(describeCron('0 0 */2 * 0')).toBe('At 00:00, every 2 days in a month, only on Monday');
  });

  it('OR rule: a restricted day-of-month and weekday read as "and on"', () => {
    expect(describeCron('0 0 1 * 0')).toBe('At 00:00, on day 1 of the month, and on Monday');
  });
});

describe('describeFields', () => {
  it('gives text and expanded values per field (weekdays ISO)', () => {
    expect(describeFields('*/15 9-17 1,15 JAN-MAR MON-FRI')).toEqual([
      { field: 'minute', text: 'every 15 minutes', values: [0, 15, 30, 45] },
      { field: 'hour', text: 'hours 9 through 17', values: [9, 10, 11, 12, 13, 14, 15, 16, 17] },
      { field: 'day-of-month', text: 'days 1 and 15', values: [1, 15] },
      { field: 'month', text: 'January through March', values: [1, 2, 3] },
      { field: 'day-of-week', text: 'Monday through Friday', values: [0, 1, 2, 3, 4] },
    ]);
  });

  it('full fields read as "every …"', () => {
    expect(describeFields('* * * * *').map((f) => f.text)).toEqual([
      'every minute',
      'every hour',
      'every day of the month',
      'every month',
      'every day of the week',
    ]);
    expect(describeFields('0 0 * * 6')[4]).toEqual({ field: 'day-of-week', text: 'Sunday', values: [6] });
  });
});
