import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CronNeverFiresError, parseCron } from '../src/index.js';
import { offsetChanges, refCanFire, refCronArb, refMatches, refNext } from './support/reference.js';

// Zones chosen for their DST shapes: none, northern/southern hemisphere, 30-minute shift (Lord Howe),
// 45-minute offset (Chatham, Kathmandu), midnight transitions (Sao Paulo before 2019).
const ZONES = [
  'UTC',
  'Europe/Stockholm',
  'America/New_York',
  'Australia/Sydney',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'America/Sao_Paulo',
  'Asia/Kathmandu',
];
const YEARS = [1975, 1996, 2011, 2018, 2024, 2031, 2100, 2199];
const CHANGES = new Map(ZONES.map((z) => [z, offsetChanges(z, YEARS)]));

const HORIZON_MINUTES = 26 * 60;
const MIN_MS = Date.UTC(1970, 0, 1);
const MAX_MS = Date.UTC(2200, 0, 1);

/** Instants: anywhere in 1970-2200, or within a day before/after one of the zone's offset changes. */
const zoneAndInstant = fc.constantFrom(...ZONES).chain((zone) => {
  const changes = CHANGES.get(zone)!;
  const anywhere = fc.integer({ min: MIN_MS, max: MAX_MS });
  const nearChange =
    changes.length === 0
      ? anywhere
      : fc
          .tuple(
            fc.constantFrom(...changes),
            fc.oneof(
              { weight: 1, arbitrary: fc.integer({ min: -26 * 60, max: 3 * 60 }) },
              { weight: 2, arbitrary: fc.integer({ min: -10, max: 70 }) },
            ),
            fc.integer({ min: 0, max: 59_999 }),
          )
          .map(([t, minutes, ms]) => t + minutes * 60_000 + (ms < 30_000 ? 0 : ms));
  return fc.tuple(
    fc.constant(zone),
    fc.oneof({ weight: 1, arbitrary: anywhere }, { weight: 3, arbitrary: nearChange }),
  );
});

describe('next/nextRuns/matches agree with a minute-by-minute luxon reference', () => {
  it('next(after) is the first reference run strictly after `after`', () => {
    fc.assert(
      fc.property(refCronArb, zoneAndInstant, (ref, [zone, after]) => {
        let expr: ReturnType<typeof parseCron>;
        try {
          expr = parseCron(ref.text);
        } catch (error) {
          expect(error).toBeInstanceOf(CronNeverFiresError);
          expect(refCanFire(ref)).toBe(false);
          return;
        }
        expect(refCanFire(ref)).toBe(true);
        const got = expr.next(after, { timezone: zone });
        const want = refNext(ref, after, zone, HORIZON_MINUTES);
        if (want === undefined) {
          expect(
            got === null || got.getTime() >= Math.floor(after / 60_000) * 60_000 + HORIZON_MINUTES * 60_000,
          ).toBe(true);
        } else {
          expect(got?.toISOString()).toBe(new Date(want).toISOString());
        }
      }),
      { numRuns: 250 },
    );
  });

  it('nextRuns(after, 4) equals four successive reference runs', () => {
    fc.assert(
      fc.property(refCronArb, zoneAndInstant, (ref, [zone, after]) => {
        let expr: ReturnType<typeof parseCron>;
        try {
          expr = parseCron(ref.text);
        } catch {
          return;
        }
        const got = expr.nextRuns(after, 4, { timezone: zone }).map((d) => d.getTime());
        let t = after;
        for (let i = 0; i < 4; i++) {
          const want = refNext(ref, t, zone, 6 * 60);
          if (want === undefined) return; // sparse expression: covered by the next() property
          expect(new Date(got[i]!).toISOString()).toBe(new Date(want).toISOString());
          t = want;
        }
      }),
      { numRuns: 80 },
    );
  });

  it('matches(instant) agrees with the reference at whole minutes and is false off the minute', () => {
    fc.assert(
      fc.property(refCronArb, zoneAndInstant, (ref, [zone, instant]) => {
        let expr: ReturnType<typeof parseCron>;
        try {
          expr = parseCron(ref.text);
        } catch {
          return;
        }
        expect(expr.matches(instant, { timezone: zone })).toBe(refMatches(ref, instant, zone));
        const whole = Math.floor(instant / 60_000) * 60_000;
        expect(expr.matches(whole, { timezone: zone })).toBe(refMatches(ref, whole, zone));
      }),
      { numRuns: 400 },
    );
  });

  it('every run returned by next() is matched by matches(), and the run before it is not skipped', () => {
    fc.assert(
      fc.property(refCronArb, zoneAndInstant, (ref, [zone, after]) => {
        let expr: ReturnType<typeof parseCron>;
        try {
          expr = parseCron(ref.text);
        } catch {
          return;
        }
        const runs = expr.nextRuns(after, 3, { timezone: zone });
        for (const run of runs) expect(expr.matches(run, { timezone: zone })).toBe(true);
        if (runs.length >= 2) {
          // next() from just before a run lands on it: no run is skipped over.
          expect(expr.next(runs[1]!.getTime() - 1, { timezone: zone })?.getTime()).toBe(runs[1]!.getTime());
        }
      }),
      { numRuns: 200 },
    );
  });
});
