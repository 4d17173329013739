import { describe, expect, it } from 'vitest';
import { getNextRuns, parseCron } from '../src/index.js';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

// Spec section 2 reference examples, evaluated in UTC from Wednesday 2025-01-01T00:00Z.
describe('spec section 2 reference examples (UTC)', () => {
  const from = new Date('2025-01-01T00:00:00Z');
  const utc = { timezone: 'UTC' };

  it('0 3 * * * runs at 03:00 daily', () => {
    expect(iso(getNextRuns('0 3 * * *', from, 3, utc))).toEqual([
      '2025-01-01T03:00:00.000Z',
      '2025-01-02T03:00:00.000Z',
      '2025-01-03T03:00:00.000Z',
    ]);
  });

  it('*/15 * * * * runs every quarter hour', () => {
    expect(iso(getNextRuns('*/15 * * * *', from, 5, utc))).toEqual([
      '2025-01-01T00:15:00.000Z',
      '2025-01-01T00:30:00.000Z',
      '2025-01-01T00:45:00.000Z',
      '2025-01-01T01:00:00.000Z',
      '2025-01-01T01:15:00.000Z',
    ]);
  });

  it('0 * * * * runs on the hour', () => {
    expect(iso(getNextRuns('0 * * * *', from, 2, utc))).toEqual([
      '2025-01-01T01:00:00.000Z',
      '2025-01-01T02:00:00.000Z',
    ]);
  });

  it('0 9 * * 0-4 runs at 09:00 Monday to Friday (ISO 0 = Monday)', () => {
    const runs = getNextRuns('0 9 * * 0-4', from, 10, utc);
    expect(runs.map((d) => d.getUTCDay())).toEqual([3, 4, 5, 1, 2, 3, 4, 5, 1, 2]);
    expect(runs.every((d) => d.getUTCHours() === 9 && d.getUTCMinutes() === 0)).toBe(true);
  });

  it('0 0 1 * * runs at midnight on the first of each month', () => {
    expect(iso(getNextRuns('0 0 1 * *', from, 3, utc))).toEqual([
      '2025-02-01T00:00:00.000Z',
      '2025-03-01T00:00:00.000Z',
      '2025-04-01T00:00:00.000Z',
    ]);
  });

  it('0 0 * * 6 runs at midnight every Sunday', () => {
    const runs = getNextRuns('0 0 * * 6', from, 3, utc);
    expect(iso(runs)).toEqual([
      '2025-01-05T00:00:00.000Z',
      '2025-01-12T00:00:00.000Z',
      '2025-01-19T00:00:00.000Z',
    ]);
    expect(runs.every((d) => d.getUTCDay() === 0)).toBe(true);
  });

  it('30 2 * * 5 runs at 02:30 every Saturday', () => {
    const runs = getNextRuns('30 2 * * 5', from, 2, utc);
    expect(iso(runs)).toEqual(['2025-01-04T02:30:00.000Z', '2025-01-11T02:30:00.000Z']);
    expect(runs.every((d) => d.getUTCDay() === 6)).toBe(true);
  });

  it('15/30 * * * * is :15 and :45', () => {
    expect(iso(getNextRuns('15/30 * * * *', from, 3, utc))).toEqual([
      '2025-01-01T00:15:00.000Z',
      '2025-01-01T00:45:00.000Z',
      '2025-01-01T01:15:00.000Z',
    ]);
  });

  it('0-30/10 * * * * is :00 :10 :20 :30', () => {
    expect(iso(getNextRuns('0-30/10 * * * *', from, 5, utc)).map((s) => s.slice(11, 16))).toEqual([
      '00:10',
      '00:20',
      '00:30',
      '01:00',
      '01:10',
    ]);
  });

  it('0 0 */2 * 0 means odd days that are Mondays (Vixie: a * field is unrestricted for the OR rule)', () => {
    const runs = getNextRuns('0 0 */2 * 0', from, 4, utc);
    expect(iso(runs)).toEqual([
      '2025-01-13T00:00:00.000Z',
      '2025-01-27T00:00:00.000Z',
      '2025-02-03T00:00:00.000Z',
      '2025-02-17T00:00:00.000Z',
    ]);
  });

  it('0 0 1 * 0: both day fields restricted, so the 1st of the month OR any Monday', () => {
    expect(iso(getNextRuns('0 0 1 * 0', from, 5, utc))).toEqual([
      '2025-01-06T00:00:00.000Z',
      '2025-01-13T00:00:00.000Z',
      '2025-01-20T00:00:00.000Z',
      '2025-01-27T00:00:00.000Z',
      '2025-02-01T00:00:00.000Z',
    ]);
  });

  it('lists may overlap: 1-5,3 equals 1-5', () => {
    expect(parseCron('1-5,3 * * * *').compiled.minLo).toBe(parseCron('1-5 * * * *').compiled.minLo);
  });
});
