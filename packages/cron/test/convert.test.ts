import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CronConversionError,
  CronSyntaxError,
  fromPosix,
  getNextRuns,
  parseCron,
  toPosix,
} from '../src/index.js';

describe('fromPosix: crontab (0 or 7 = Sunday) to ISO (0 = Monday)', () => {
  const cases: Array<[string, string]> = [
    ['0 0 * * 0', '0 0 * * 6'],
    ['0 0 * * 7', '0 0 * * 6'],
    ['0 0 * * 0,7', '0 0 * * 6'],
    ['0 9 * * 1-5', '0 9 * * 0-4'],
    ['0 9 * * 1,3,5', '0 9 * * 0,2,4'],
    ['0 9 * * 5-7', '0 9 * * 4-6'],
    ['0 9 * * 6,0', '0 9 * * 5,6'],
    ['0 9 * * *', '0 9 * * *'],
    ['*/5 1-3 1,15 JAN-MAR MON-FRI', '*/5 1-3 1,15 JAN-MAR MON-FRI'],
    ['0 9 * * sat,sun', '0 9 * * sat,sun'],
    ['0 9 * * 0-6', '0 9 * * 0-6'],
    ['0 0 * * */2', '0 0 * * 1,3,5,6'],
    ['@weekly', '@weekly'],
    ['@daily', '@daily'],
  ];
  for (const [posix, iso] of cases) {
    it(`${posix} -> ${iso}`, () => {
      expect(fromPosix(posix)).toBe(iso);
    });
  }

  it('crontab SAT-SUN is not a valid range there, yet FRI-SUN means Friday to Sunday in both', () => {
    expect(fromPosix('0 9 * * FRI-SUN')).toBe('0 9 * * FRI-SUN');
  });

  it('a *-prefixed weekday step with a restricted day-of-month cannot keep its meaning and is refused', () => {
    expect(() => fromPosix('0 0 1 * */2')).toThrow(CronConversionError);
  });

  it('syntax errors point into the crontab text', () => {
    try {
      fromPosix('0 25 * * 7');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CronSyntaxError);
      expect((e as CronSyntaxError).position).toBe(3);
    }
    expect(() => fromPosix('0 0 * * 8')).toThrow(/out of range 0-7/);
  });
});

describe('toPosix: ISO to crontab', () => {
  const cases: Array<[string, string]> = [
    ['0 0 * * 6', '0 0 * * 0'],
    ['0 9 * * 0-4', '0 9 * * 1-5'],
    ['0 9 * * 4-6', '0 9 * * 5-7'],
    ['0 9 * * 5,6', '0 9 * * 6,0'],
    ['0 9 * * MON-FRI', '0 9 * * MON-FRI'],
    ['@weekly', '@weekly'],
  ];
  for (const [iso, posix] of cases) {
    it(`${iso} -> ${posix}`, () => {
      expect(toPosix(iso)).toBe(posix);
    });
  }

  it('rejects 7 like the parser does', () => {
    expect(() => toPosix('0 0 * * 7')).toThrow(CronSyntaxError);
  });
});

describe('round trips keep the schedule', () => {
  const dow = fc.oneof(
    fc.constant('*'),
    fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 7 }).map((a) => a.join(',')),
    fc
      .tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 }))
      .map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
  );
  const dom = fc.constantFrom('*', '1', '1,15', '*/2', '10-20');
  const from = new Date('2025-01-01T00:00:00Z');

  it('toPosix then fromPosix gives an ISO expression with the same runs', () => {
    fc.assert(
      fc.property(dom, dow, (d, w) => {
        const iso = `0 9 ${d} * ${w}`;
        const back = fromPosix(toPosix(iso));
        expect(getNextRuns(back, from, 20, { timezone: 'UTC' })).toEqual(
          getNextRuns(iso, from, 20, { timezone: 'UTC' }),
        );
      }),
      { numRuns: 150 },
    );
  });

  it('fromPosix(x) runs on the same days as crontab x (weekday shifted by one)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 8 }),
        (posixDays) => {
          const iso = parseCron(fromPosix(`0 9 * * ${posixDays.join(',')}`));
          const wanted = new Set(posixDays.map((d) => d % 7)); // JS getUTCDay: 0 = Sunday, like crontab
          for (const run of iso.nextRuns(from, 14, { timezone: 'UTC' }))
            expect(wanted.has(run.getUTCDay())).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });
});
