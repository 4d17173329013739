import { describe, expect, it } from 'vitest';
import {
  assertTimezone,
  DEFAULT_TIMEZONE,
  getNextRun,
  InvalidTimezoneError,
  isValidTimezone,
  matches,
  parseCron,
} from '../src/index.js';

describe('time zones', () => {
  it('the default zone is Europe/Stockholm', () => {
    expect(DEFAULT_TIMEZONE).toBe('Europe/Stockholm');
    const from = new Date('2025-07-01T00:00:00Z');
    expect(getNextRun('0 3 * * *', from)?.toISOString()).toBe('2025-07-01T01:00:00.000Z'); // 03:00 CEST
    expect(getNextRun('0 3 * * *', from, {})?.toISOString()).toBe('2025-07-01T01:00:00.000Z');
  });

  it('isValidTimezone accepts IANA names (any case) and rejects the rest', () => {
    for (const zone of [
      'UTC',
      'Etc/UTC',
      'Europe/Stockholm',
      'europe/stockholm',
      'Asia/Kolkata',
      'Etc/GMT+5',
    ]) {
      expect(isValidTimezone(zone)).toBe(true);
    }
    for (const zone of ['', 'Europe/Stokholm', 'Mars/Olympus', '+01:00', 'CEST+1', undefined, 42]) {
      expect(isValidTimezone(zone as string)).toBe(false);
    }
    // Node.js 22+ accepts UTC offsets as Intl time zones; they are not IANA zones on any Node.js line.
    for (const offset of ['+01:00', '-0530', '+01', '\u221201:00']) {
      expect(isValidTimezone(offset), offset).toBe(false);
      expect(() => assertTimezone(offset), offset).toThrow(InvalidTimezoneError);
    }
  });

  it('assertTimezone returns the canonical name', () => {
    expect(assertTimezone('europe/stockholm')).toBe('Europe/Stockholm');
    expect(assertTimezone('Etc/UTC')).toBe('UTC');
  });

  it('assertTimezone throws InvalidTimezoneError naming the field and the zone', () => {
    let error: unknown;
    try {
      assertTimezone('Europe/Stokholm', 'SCHEDULER_TIMEZONE');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidTimezoneError);
    expect((error as InvalidTimezoneError).code).toBe('CRAFT_CRON_INVALID_TIMEZONE');
    expect((error as InvalidTimezoneError).timezone).toBe('Europe/Stokholm');
    expect((error as InvalidTimezoneError).message).toContain('SCHEDULER_TIMEZONE: "Europe/Stokholm"');
  });

  it('an invalid zone in options is an InvalidTimezoneError from every method', () => {
    const e = parseCron('* * * * *');
    const opts = { timezone: 'Nowhere/Atlantis' };
    expect(() => e.next(0, opts)).toThrow(InvalidTimezoneError);
    expect(() => e.nextRuns(0, 2, opts)).toThrow(InvalidTimezoneError);
    expect(() => e.runs(0, opts).next()).toThrow(InvalidTimezoneError);
    expect(() => matches(e, 0, opts)).toThrow(InvalidTimezoneError);
  });

  it('30-minute offset: Asia/Kolkata 09:00 is 03:30 UTC', () => {
    expect(
      getNextRun('0 9 * * *', new Date('2025-01-01T00:00:00Z'), { timezone: 'Asia/Kolkata' })?.toISOString(),
    ).toBe('2025-01-01T03:30:00.000Z');
  });

  it('45-minute offset: Asia/Kathmandu 09:00 is 03:15 UTC', () => {
    expect(
      getNextRun('0 9 * * *', new Date('2025-01-01T00:00:00Z'), {
        timezone: 'Asia/Kathmandu',
      })?.toISOString(),
    ).toBe('2025-01-01T03:15:00.000Z');
  });

  it('fixed-offset zones: Etc/GMT+5 is UTC-5', () => {
    expect(
      getNextRun('0 9 * * *', new Date('2025-01-01T00:00:00Z'), { timezone: 'Etc/GMT+5' })?.toISOString(),
    ).toBe('2025-01-01T14:00:00.000Z');
  });

  it('the same expression gives different instants in different zones, cached per zone', () => {
    const e = parseCron('0 0 * * *');
    const from = new Date('2025-01-01T12:00:00Z');
    expect(e.next(from, { timezone: 'America/New_York' })?.toISOString()).toBe('2025-01-02T05:00:00.000Z');
    expect(e.next(from, { timezone: 'Asia/Tokyo' })?.toISOString()).toBe('2025-01-01T15:00:00.000Z');
    expect(e.next(from, { timezone: 'America/New_York' })?.toISOString()).toBe('2025-01-02T05:00:00.000Z');
  });

  it('a zone that skipped a whole day (Pacific/Apia, 2011-12-30) skips that day', () => {
    const runs = parseCron('0 12 * * *').nextRuns(new Date('2011-12-28T00:00:00Z'), 3, {
      timezone: 'Pacific/Apia',
    });
    const local = runs.map((d) =>
      new Intl.DateTimeFormat('en-CA', { timeZone: 'Pacific/Apia', dateStyle: 'short' }).format(d),
    );
    expect(local).toEqual(['2011-12-28', '2011-12-29', '2011-12-31']);
  });
});
