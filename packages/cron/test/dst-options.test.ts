// The DST options as an API: validation and typed errors, the defaults, slotInfo/nextSlots, the combination of
// both options, and the documented caveat of switching dstOverlap inside a repeated hour.
import { describe, expect, it } from 'vitest';
import {
  assertDstGap,
  assertDstOverlap,
  CronOptionError,
  type CronOptions,
  DEFAULT_DST_GAP,
  DEFAULT_DST_OVERLAP,
  DST_GAP_POLICIES,
  DST_OVERLAP_POLICIES,
  explainRuns,
  getNextRun,
  getNextRuns,
  getNextSlots,
  getSlotInfo,
  iterateRuns,
  matches,
  parseCron,
} from '../src/index.js';

const tz = 'Europe/Stockholm';

function caught(call: () => unknown): CronOptionError {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(CronOptionError);
    return error as CronOptionError;
  }
  throw new Error('expected a CronOptionError');
}

describe('DST option validation', () => {
  const badGap = { timezone: tz, dstGap: 'shfit' } as unknown as CronOptions;
  const badOverlap = { timezone: tz, dstOverlap: 'second' } as unknown as CronOptions;
  const expr = parseCron('30 2 * * *');
  const calls: Array<[string, (o: CronOptions) => unknown]> = [
    ['next', (o) => expr.next(0, o)],
    ['nextRuns', (o) => expr.nextRuns(0, 1, o)],
    ['runs', (o) => expr.runs(0, o).next()],
    ['matches', (o) => expr.matches(0, o)],
    ['slotInfo', (o) => expr.slotInfo(0, o)],
    ['nextSlots', (o) => expr.nextSlots(0, 1, o)],
    ['getNextRun', (o) => getNextRun(expr, 0, o)],
    ['getNextRuns', (o) => getNextRuns(expr, 0, 1, o)],
    ['iterateRuns', (o) => iterateRuns(expr, 0, o).next()],
    ['matches()', (o) => matches(expr, 0, o)],
    ['getSlotInfo', (o) => getSlotInfo(expr, 0, o)],
    ['getNextSlots', (o) => getNextSlots(expr, 0, 1, o)],
    ['explainRuns', (o) => explainRuns(expr, { from: 0, ...o })],
  ];

  it.each(calls)(
    '%s rejects an unknown dstGap with CRAFT_CRON_INVALID_OPTION naming dstGap and the choices',
    (_, call) => {
      const e = caught(() => call(badGap));
      expect(e.code).toBe('CRAFT_CRON_INVALID_OPTION');
      expect(e.option).toBe('dstGap');
      expect(e.value).toBe('shfit');
      expect(e.message).toMatch(/^dstGap: "shfit" is not a DST gap policy; use "skip" .* or "shift"/);
    },
  );

  it.each(calls)('%s rejects an unknown dstOverlap naming dstOverlap and the choices', (_, call) => {
    const e = caught(() => call(badOverlap));
    expect(e.option).toBe('dstOverlap');
    expect(e.message).toMatch(
      /^dstOverlap: "second" is not a DST overlap policy; use "first" .*"last".*"both"/,
    );
  });

  it('null, numbers and wrong case are rejected, not read as the default', () => {
    for (const value of [null, 0, 'SHIFT', '', ['shift'], { gap: 'shift' }]) {
      const e = caught(() => getNextRun('* * * * *', 0, { dstGap: value } as unknown as CronOptions));
      expect(e.option).toBe('dstGap');
    }
    expect(
      caught(() => getNextRun('* * * * *', 0, { dstGap: null } as unknown as CronOptions)).message,
    ).toMatch(/^dstGap: null is not/);
    expect(
      caught(() => getNextRun('* * * * *', 0, { dstOverlap: { a: 1 } } as unknown as CronOptions)).message,
    ).toMatch(/^dstOverlap: an object is not/);
  });

  it('an options argument that is not an object (a bare zone string) is rejected rather than ignored', () => {
    const e = caught(() => getNextRun('* * * * *', 0, 'UTC' as unknown as CronOptions));
    expect(e.option).toBe('options');
    expect(e.message).toContain('"UTC" is not an options object');
  });

  it("assertDstGap / assertDstOverlap return a valid value and name the caller's field in the error", () => {
    expect(assertDstGap('shift')).toBe('shift');
    expect(assertDstOverlap('both')).toBe('both');
    const gap = caught(() => assertDstGap('later', 'dst_gap'));
    expect(gap.option).toBe('dst_gap');
    expect(gap.message).toMatch(/^dst_gap: "later" is not a DST gap policy/);
    expect(caught(() => assertDstOverlap(undefined, 'dst_overlap')).message).toMatch(
      /^dst_overlap: undefined is not a DST overlap policy/,
    );
  });

  it('the policy lists start with the defaults, which are the seed rules skip and first', () => {
    expect(DST_GAP_POLICIES).toEqual(['skip', 'shift']);
    expect(DST_OVERLAP_POLICIES).toEqual(['first', 'last', 'both']);
    expect([DEFAULT_DST_GAP, DEFAULT_DST_OVERLAP]).toEqual(['skip', 'first']);
  });
});

describe('slotInfo and nextSlots', () => {
  it('slotInfo of an ordinary slot has dst null and wallTime equal to local; of a non-slot, null', () => {
    expect(getSlotInfo('0 9 * * *', new Date('2025-06-02T07:00:00Z'), { timezone: tz })).toEqual({
      at: new Date('2025-06-02T07:00:00Z'),
      local: '2025-06-02T09:00',
      offset: '+02:00',
      wallTime: '2025-06-02T09:00',
      dst: null,
    });
    expect(getSlotInfo('0 9 * * *', new Date('2025-06-02T07:01:00Z'), { timezone: tz })).toBeNull();
    expect(getSlotInfo('0 9 * * *', new Date('2025-06-02T07:00:00.001Z'), { timezone: tz })).toBeNull();
  });

  it('nextSlots lists the same instants as nextRuns under every option combination', () => {
    for (const dstGap of DST_GAP_POLICIES) {
      for (const dstOverlap of DST_OVERLAP_POLICIES) {
        const o = { timezone: tz, dstGap, dstOverlap };
        for (const from of ['2025-03-29T23:00:00Z', '2025-10-25T23:00:00Z']) {
          const slots = getNextSlots('*/20 1-3 * * *', new Date(from), 15, o);
          expect(slots.map((s) => s.at)).toEqual(getNextRuns('*/20 1-3 * * *', new Date(from), 15, o));
        }
      }
    }
  });
});

describe('both options together', () => {
  it('shift and both in one schedule: */30 2 * * * runs once at 03:00 in March and four times in the October 02:00 hour', () => {
    const o: CronOptions = { timezone: tz, dstGap: 'shift', dstOverlap: 'both' };
    const march = getNextSlots('*/30 2 * * *', new Date('2025-03-29T23:00:00Z'), 1, o);
    expect(march.map((s) => `${s.local}${s.offset} ${s.dst} ${s.wallTime}`)).toEqual([
      '2025-03-30T03:00+02:00 shifted 2025-03-30T02:00',
    ]);
    const october = getNextSlots('*/30 2 * * *', new Date('2025-10-25T23:00:00Z'), 4, o);
    expect(october.map((s) => `${s.local}${s.offset} ${s.dst}`)).toEqual([
      '2025-10-26T02:00+02:00 first',
      '2025-10-26T02:30+02:00 first',
      '2025-10-26T02:00+01:00 second',
      '2025-10-26T02:30+01:00 second',
    ]);
  });
});

describe('switching dstOverlap inside a repeated hour (the documented caveat)', () => {
  it('first → last after the first 02:30 ran: the next slot is the second 02:30, so 02:30 runs twice', () => {
    const ran = getNextRun('30 2 * * *', new Date('2025-10-26T00:00:00Z'), { timezone: tz });
    expect(ran?.toISOString()).toBe('2025-10-26T00:30:00.000Z');
    // The schedule is edited at 00:45Z (02:45 CEST); the engine recomputes the next slot from now.
    const next = getNextRun('30 2 * * *', new Date('2025-10-26T00:45:00Z'), {
      timezone: tz,
      dstOverlap: 'last',
    });
    expect(next?.toISOString()).toBe('2025-10-26T01:30:00.000Z');
  });

  it('last → first after the second 02:30 ran: no repeat, the next slot is the next day', () => {
    const next = getNextRun('30 2 * * *', new Date('2025-10-26T01:45:00Z'), {
      timezone: tz,
      dstOverlap: 'first',
    });
    expect(next?.toISOString()).toBe('2025-10-27T01:30:00.000Z');
  });
});
