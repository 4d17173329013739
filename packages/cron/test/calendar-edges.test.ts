import { describe, expect, it } from 'vitest';
import { getNextRun, getNextRuns, matches } from '../src/index.js';

const utc = { timezone: 'UTC' };
const iso = (d: Date | null) => d?.toISOString();

describe('calendar edges', () => {
  it('next is strictly after `after`, also when `after` is itself a run time', () => {
    expect(iso(getNextRun('0 3 * * *', new Date('2025-01-01T03:00:00Z'), utc))).toBe(
      '2025-01-02T03:00:00.000Z',
    );
    expect(iso(getNextRun('0 3 * * *', new Date('2025-01-01T02:59:59.999Z'), utc))).toBe(
      '2025-01-01T03:00:00.000Z',
    );
  });

  it('accepts epoch milliseconds as well as Date', () => {
    expect(iso(getNextRun('0 3 * * *', Date.UTC(2025, 0, 1), utc))).toBe('2025-01-01T03:00:00.000Z');
  });

  it('month ends: 0 0 31 * * visits only 31-day months', () => {
    const runs = getNextRuns('0 0 31 * *', new Date('2025-01-01T00:00:00Z'), 4, utc);
    expect(runs.map((d) => d.toISOString().slice(0, 10))).toEqual([
      '2025-01-31',
      '2025-03-31',
      '2025-05-31',
      '2025-07-31',
    ]);
  });

  it('0 0 30 * * skips February', () => {
    const runs = getNextRuns('0 0 30 * *', new Date('2025-01-15T00:00:00Z'), 2, utc);
    expect(runs.map((d) => d.toISOString().slice(0, 10))).toEqual(['2025-01-30', '2025-03-30']);
  });

  it('leap day: 0 12 29 2 * fires in 2028 and 2400 but not in 2100, 2200 or 2300', () => {
    expect(iso(getNextRun('0 12 29 2 *', new Date('2025-01-01T00:00:00Z'), utc))).toBe(
      '2028-02-29T12:00:00.000Z',
    );
    expect(iso(getNextRun('0 12 29 2 *', new Date('2097-01-01T00:00:00Z'), utc))).toBe(
      '2104-02-29T12:00:00.000Z',
    );
    expect(iso(getNextRun('0 12 29 2 *', new Date('2297-01-01T00:00:00Z'), utc))).toBe(
      '2304-02-29T12:00:00.000Z',
    );
    expect(iso(getNextRun('0 12 29 2 *', new Date('2397-01-01T00:00:00Z'), utc))).toBe(
      '2400-02-29T12:00:00.000Z',
    );
  });

  it('year rollover: 59 23 31 12 * then 0 0 1 1 *', () => {
    expect(iso(getNextRun('59 23 31 12 *', new Date('2025-06-01T00:00:00Z'), utc))).toBe(
      '2025-12-31T23:59:00.000Z',
    );
    expect(iso(getNextRun('0 0 1 1 *', new Date('2025-12-31T23:59:00Z'), utc))).toBe(
      '2026-01-01T00:00:00.000Z',
    );
  });

  it('year rollover in Stockholm: New Year midnight is 23:00 UTC', () => {
    expect(
      iso(getNextRun('@yearly', new Date('2025-06-01T00:00:00Z'), { timezone: 'Europe/Stockholm' })),
    ).toBe('2025-12-31T23:00:00.000Z');
  });

  it('far past and future: 1970, 2200 and 9999 work; nothing after 9999 returns null', () => {
    expect(iso(getNextRun('0 0 1 1 *', new Date('1969-12-31T00:00:00Z'), utc))).toBe(
      '1970-01-01T00:00:00.000Z',
    );
    expect(
      iso(getNextRun('30 2 * * *', new Date('2200-03-29T00:00:00Z'), { timezone: 'Europe/Stockholm' })),
    ).toBe('2200-03-29T01:30:00.000Z');
    expect(iso(getNextRun('0 0 * * *', new Date('9999-12-30T12:00:00Z'), utc))).toBe(
      '9999-12-31T00:00:00.000Z',
    );
    expect(getNextRun('0 0 * * *', new Date('9999-12-31T12:00:00Z'), utc)).toBeNull();
    expect(getNextRuns('0 0 * * *', new Date('9999-12-30T12:00:00Z'), 5, utc)).toHaveLength(1);
  });

  it('before 1970 and before 1900 (local mean time) still give wall-clock runs', () => {
    expect(iso(getNextRun('0 12 * * *', new Date('1950-06-01T00:00:00Z'), utc))).toBe(
      '1950-06-01T12:00:00.000Z',
    );
    // In 1850 the zone data gives Stockholm a local mean time offset with seconds: the run is at local noon
    // sharp, which is not a whole UTC minute.
    const run = getNextRun('0 12 * * *', new Date('1850-06-01T00:00:00Z'), { timezone: 'Europe/Stockholm' });
    const parts = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Stockholm',
      hourCycle: 'h23',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }).format(run!);
    expect(parts).toBe('12:00:00');
    expect(run!.getUTCSeconds()).not.toBe(0);
    expect(run!.toISOString().slice(0, 10)).toBe('1850-06-01');
  });

  it('before 1800 a zone keeps its 1800 offset; instants after year 9999 have no next run', () => {
    const stockholm = { timezone: 'Europe/Stockholm' };
    const early = getNextRun('0 12 * * *', new Date('1500-06-01T00:00:00Z'), stockholm);
    const in1800 = getNextRun('0 12 * * *', new Date('1800-06-01T00:00:00Z'), stockholm);
    expect(early!.getTime() % 86_400_000).toBe(in1800!.getTime() % 86_400_000);
    expect(early!.toISOString().slice(0, 10)).toBe('1500-06-01');
    expect(getNextRun('* * * * *', Date.UTC(10001, 0, 1), stockholm)).toBeNull();
    expect(matches('0 12 * * *', early!, stockholm)).toBe(true);
  });

  it('matches requires a whole minute', () => {
    expect(matches('* * * * *', new Date('2025-01-01T00:00:00Z'), utc)).toBe(true);
    expect(matches('* * * * *', new Date('2025-01-01T00:00:01Z'), utc)).toBe(false);
    expect(matches('* * * * *', new Date('2025-01-01T00:00:00.001Z'), utc)).toBe(false);
  });

  it('matches checks every field and the weekday in ISO numbering', () => {
    expect(matches('0 9 * * 0', new Date('2025-01-06T09:00:00Z'), utc)).toBe(true); // Monday
    expect(matches('0 9 * * 0', new Date('2025-01-07T09:00:00Z'), utc)).toBe(false); // Tuesday
    expect(matches('0 9 * 2 *', new Date('2025-01-06T09:00:00Z'), utc)).toBe(false);
  });

  it('iterateRuns is lazy and continues from each run', async () => {
    const { iterateRuns } = await import('../src/index.js');
    const it = iterateRuns('*/30 * * * *', new Date('2025-01-01T00:00:00Z'), utc);
    expect(iso(it.next().value as Date)).toBe('2025-01-01T00:30:00.000Z');
    expect(iso(it.next().value as Date)).toBe('2025-01-01T01:00:00.000Z');
  });
});
