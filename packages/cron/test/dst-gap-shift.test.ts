// dstGap: 'shift', one named test per rule and zone: a matching wall time that does not exist runs once, at the
// first instant after the gap; every matching wall time of one gap (and a match at that instant) is one run, whose
// slot is that instant. Expected values are written out by hand as local time with offset (or UTC); luxon
// formats our results.
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  type CronOptions,
  explainRuns,
  getNextRun,
  getNextRuns,
  getSlotInfo,
  matches,
} from '../src/index.js';

const local = (d: Date | null | undefined, zone: string): string =>
  d ? DateTime.fromJSDate(d, { zone }).toFormat("yyyy-MM-dd'T'HH:mmZZ") : String(d);
const shift = (timezone: string): CronOptions => ({ timezone, dstGap: 'shift' });
const runs = (expr: string, from: string, n: number, timezone: string): string[] =>
  getNextRuns(expr, new Date(from), n, shift(timezone)).map((d) => local(d, timezone));

describe('Europe/Stockholm (02:00 CET → 03:00 CEST on 2025-03-30, at 01:00Z)', () => {
  const tz = 'Europe/Stockholm';

  it('30 2 * * * runs at 03:00 CEST (01:00Z) on 2025-03-30 instead of being skipped, then at 02:30 the next day', () => {
    expect(runs('30 2 * * *', '2025-03-29T00:00:00Z', 3, tz)).toEqual([
      '2025-03-29T02:30+01:00',
      '2025-03-30T03:00+02:00',
      '2025-03-31T02:30+02:00',
    ]);
    expect(getNextRun('30 2 * * *', new Date('2025-03-29T12:00:00Z'), shift(tz))?.toISOString()).toBe(
      '2025-03-30T01:00:00.000Z',
    );
  });

  it('the four gap slots of */15 2 * * * (02:00-02:45) fold into one run at 03:00', () => {
    expect(runs('*/15 2 * * *', '2025-03-29T23:00:00Z', 3, tz)).toEqual([
      '2025-03-30T03:00+02:00',
      '2025-03-31T02:00+02:00',
      '2025-03-31T02:15+02:00',
    ]);
  });

  it('0,30 2-3 * * *: the gap slots 02:00 and 02:30 and the 03:00 match are one run, then 03:30', () => {
    expect(runs('0,30 2-3 * * *', '2025-03-29T23:00:00Z', 2, tz)).toEqual([
      '2025-03-30T03:00+02:00',
      '2025-03-30T03:30+02:00',
    ]);
  });

  it('*/15 * * * * is the same as under skip: 01:45 CET, then 03:00 CEST once', () => {
    const want = ['2025-03-30T01:45+01:00', '2025-03-30T03:00+02:00', '2025-03-30T03:15+02:00'];
    expect(runs('*/15 * * * *', '2025-03-30T00:40:00Z', 3, tz)).toEqual(want);
  });

  it('the shifted slot is the instant 01:00Z: matches() is true there only under shift, slotInfo marks it shifted from 02:30, and 01:01Z is no slot', () => {
    const at = new Date('2025-03-30T01:00:00Z');
    expect(matches('30 2 * * *', at, shift(tz))).toBe(true);
    expect(matches('30 2 * * *', at, { timezone: tz })).toBe(false);
    expect(getSlotInfo('30 2 * * *', at, shift(tz))).toEqual({
      at,
      local: '2025-03-30T03:00',
      offset: '+02:00',
      wallTime: '2025-03-30T02:30',
      dst: 'shifted',
    });
    expect(getSlotInfo('30 2 * * *', at, { timezone: tz })).toBeNull();
    // The minute after is no slot: one run per gap.
    expect(matches('30 2 * * *', new Date('2025-03-30T01:01:00Z'), shift(tz))).toBe(false);
  });

  it('asked from the shifted slot itself, the next run is the next day (strictly after)', () => {
    expect(local(getNextRun('30 2 * * *', new Date('2025-03-30T01:00:00Z'), shift(tz)), tz)).toBe(
      '2025-03-31T02:30+02:00',
    );
  });

  it('a gap slot coalesced with a real 03:00 match is marked shifted, with the earliest missing wall time', () => {
    expect(getSlotInfo('0,30 2-3 * * *', new Date('2025-03-30T01:00:00Z'), shift(tz))?.wallTime).toBe(
      '2025-03-30T02:00',
    );
  });

  it('explainRuns lists the missing wall times under shifted (not skipped), each pointing at the 03:00 run', () => {
    const e = explainRuns('*/15 2 * * *', { from: new Date('2025-03-29T23:00:00Z'), count: 1, ...shift(tz) });
    expect(e.dstGap).toBe('shift');
    expect(e.skipped).toEqual([]);
    expect(e.runs.map((r) => [r.local, r.dst, r.wallTime])).toEqual([
      ['2025-03-30T03:00', 'shifted', '2025-03-30T02:00'],
    ]);
    expect(e.shifted.map((s) => [s.local, s.at.toISOString(), s.runLocal])).toEqual([
      ['2025-03-30T02:00', '2025-03-30T01:00:00.000Z', '2025-03-30T03:00'],
      ['2025-03-30T02:15', '2025-03-30T01:00:00.000Z', '2025-03-30T03:00'],
      ['2025-03-30T02:30', '2025-03-30T01:00:00.000Z', '2025-03-30T03:00'],
      ['2025-03-30T02:45', '2025-03-30T01:00:00.000Z', '2025-03-30T03:00'],
    ]);
    expect(e.shifted[2]!.message).toContain('clocks jump from 02:00 (+01:00) to 03:00 (+02:00)');
    expect(e.shifted[2]!.message).toContain('shifted to 03:00 (+02:00)');
  });

  it('shift leaves the fall-back day alone: 30 2 * * * runs once on 2025-10-26, at the first 02:30', () => {
    expect(runs('30 2 * * *', '2025-10-25T12:00:00Z', 2, tz)).toEqual([
      '2025-10-26T02:30+02:00',
      '2025-10-27T02:30+01:00',
    ]);
  });
});

describe('America/New_York (02:00 EST → 03:00 EDT on 2025-03-09)', () => {
  it('30 2 * * * runs at 03:00 EDT (07:00Z) on 2025-03-09', () => {
    expect(runs('30 2 * * *', '2025-03-08T12:00:00Z', 2, 'America/New_York')).toEqual([
      '2025-03-09T03:00-04:00',
      '2025-03-10T02:30-04:00',
    ]);
  });
});

describe('Australia/Sydney (southern hemisphere: 02:00 AEST → 03:00 AEDT on 2025-10-05)', () => {
  it('30 2 * * * runs at 03:00 AEDT (2025-10-04T16:00Z) on 2025-10-05', () => {
    expect(runs('30 2 * * *', '2025-10-04T00:00:00Z', 2, 'Australia/Sydney')).toEqual([
      '2025-10-05T03:00+11:00',
      '2025-10-06T02:30+11:00',
    ]);
  });
});

describe('Australia/Lord_Howe (30-minute shift: 02:00 +10:30 → 02:30 +11:00 on 2025-10-05)', () => {
  const tz = 'Australia/Lord_Howe';

  it('15 2 * * * runs at 02:30 +11:00 (15:30Z), the first minute after the 30-minute gap', () => {
    expect(runs('15 2 * * *', '2025-10-04T00:00:00Z', 2, tz)).toEqual([
      '2025-10-05T02:30+11:00',
      '2025-10-06T02:15+11:00',
    ]);
  });

  it('15,45 2 * * *: 02:15 shifts to 02:30 and 02:45 runs as usual', () => {
    expect(runs('15,45 2 * * *', '2025-10-04T12:00:00Z', 2, tz)).toEqual([
      '2025-10-05T02:30+11:00',
      '2025-10-05T02:45+11:00',
    ]);
  });

  it('30 2 * * * exists on 2025-10-05 and runs at 02:30 unshifted (dst null)', () => {
    const at = new Date('2025-10-04T15:30:00Z');
    expect(getSlotInfo('30 2 * * *', at, shift(tz))).toMatchObject({
      dst: null,
      wallTime: '2025-10-05T02:30',
    });
  });
});

describe('Pacific/Chatham (45-minute offset: 02:45 +12:45 → 03:45 +13:45 on 2025-09-28)', () => {
  const tz = 'Pacific/Chatham';

  it('0 3 * * * runs at 03:45 +13:45 (14:00Z) on 2025-09-28', () => {
    expect(runs('0 3 * * *', '2025-09-27T00:00:00Z', 2, tz)).toEqual([
      '2025-09-28T03:45+13:45',
      '2025-09-29T03:00+13:45',
    ]);
  });

  it('*/20 3 * * *: 03:00, 03:20 and 03:40 are one run at 03:45', () => {
    expect(runs('*/20 3 * * *', '2025-09-27T12:00:00Z', 2, tz)).toEqual([
      '2025-09-28T03:45+13:45',
      '2025-09-29T03:00+13:45',
    ]);
  });
});

describe('America/Sao_Paulo 2018 (midnight: 00:00 -03:00 → 01:00 -02:00 on 2018-11-04)', () => {
  it('0 0 * * * runs at 01:00 -02:00 (03:00Z) on the day without a midnight', () => {
    expect(runs('0 0 * * *', '2018-11-03T12:00:00Z', 2, 'America/Sao_Paulo')).toEqual([
      '2018-11-04T01:00-02:00',
      '2018-11-05T00:00-02:00',
    ]);
  });
});

describe('America/Havana (midnight: 00:00 CST → 01:00 CDT on 2025-03-09)', () => {
  it('30 0 * * * runs at 01:00 -04:00 (05:00Z) on 2025-03-09', () => {
    expect(runs('30 0 * * *', '2025-03-08T12:00:00Z', 2, 'America/Havana')).toEqual([
      '2025-03-09T01:00-04:00',
      '2025-03-10T00:30-04:00',
    ]);
  });
});

describe('America/Santiago (midnight: 00:00 -04:00 → 01:00 -03:00 on Sunday 2025-09-07)', () => {
  const tz = 'America/Santiago';

  it('0 0 * * 6 (Sundays) runs at Sunday 01:00 -03:00 (04:00Z), marked shifted from Sunday 00:00', () => {
    expect(runs('0 0 * * 6', '2025-09-06T12:00:00Z', 2, tz)).toEqual([
      '2025-09-07T01:00-03:00',
      '2025-09-14T00:00-03:00',
    ]);
    expect(getSlotInfo('0 0 * * 6', new Date('2025-09-07T04:00:00Z'), shift(tz))?.wallTime).toBe(
      '2025-09-07T00:00',
    );
  });

  it('0 0 * * 5 (Saturdays) is not in the gap and is unchanged', () => {
    expect(runs('0 0 * * 5', '2025-09-05T12:00:00Z', 1, tz)).toEqual(['2025-09-06T00:00-04:00']);
  });
});
