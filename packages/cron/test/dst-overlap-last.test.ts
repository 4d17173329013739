// dstOverlap: 'last', one named test per rule and zone: a matching wall time that occurs twice (the clocks go
// back) runs once, at its second occurrence; the first pass of the repeated hour runs nothing. Expected values are
// written out by hand as local time with offset; luxon formats our results.
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { type CronOptions, getNextRun, getNextRuns, getSlotInfo, matches } from '../src/index.js';

const local = (d: Date | null | undefined, zone: string): string =>
  d ? DateTime.fromJSDate(d, { zone }).toFormat("yyyy-MM-dd'T'HH:mmZZ") : String(d);
const last = (timezone: string): CronOptions => ({ timezone, dstOverlap: 'last' });
const runs = (expr: string, from: string, n: number, timezone: string): string[] =>
  getNextRuns(expr, new Date(from), n, last(timezone)).map((d) => local(d, timezone));

describe('Europe/Stockholm (03:00 CEST → 02:00 CET on 2025-10-26, at 01:00Z)', () => {
  const tz = 'Europe/Stockholm';

  it('30 2 * * * runs once on 2025-10-26, at the second 02:30 (CET, 01:30Z)', () => {
    expect(runs('30 2 * * *', '2025-10-25T12:00:00Z', 2, tz)).toEqual([
      '2025-10-26T02:30+01:00',
      '2025-10-27T02:30+01:00',
    ]);
  });

  it('*/15 * * * * runs nothing during the first pass (CEST): 01:45 CEST, then 02:00-02:45 CET', () => {
    expect(runs('*/15 * * * *', '2025-10-25T23:40:00Z', 6, tz)).toEqual([
      '2025-10-26T01:45+02:00',
      '2025-10-26T02:00+01:00',
      '2025-10-26T02:15+01:00',
      '2025-10-26T02:30+01:00',
      '2025-10-26T02:45+01:00',
      '2025-10-26T03:00+01:00',
    ]);
  });

  it('asked from between the two 02:30s (00:45Z), the next run is the second 02:30, the same day', () => {
    expect(local(getNextRun('30 2 * * *', new Date('2025-10-26T00:45:00Z'), last(tz)), tz)).toBe(
      '2025-10-26T02:30+01:00',
    );
  });

  it('matches() is false at the first 02:30 and true at the second; slotInfo marks it second', () => {
    expect(matches('30 2 * * *', new Date('2025-10-26T00:30:00Z'), last(tz))).toBe(false);
    expect(matches('30 2 * * *', new Date('2025-10-26T01:30:00Z'), last(tz))).toBe(true);
    expect(getSlotInfo('30 2 * * *', new Date('2025-10-26T01:30:00Z'), last(tz))).toEqual({
      at: new Date('2025-10-26T01:30:00Z'),
      local: '2025-10-26T02:30',
      offset: '+01:00',
      wallTime: '2025-10-26T02:30',
      dst: 'second',
    });
  });

  it('0 3 * * * occurs once on 2025-10-26 and is unchanged (03:00 CET, dst null)', () => {
    expect(runs('0 3 * * *', '2025-10-25T12:00:00Z', 1, tz)).toEqual(['2025-10-26T03:00+01:00']);
    expect(getSlotInfo('0 3 * * *', new Date('2025-10-26T02:00:00Z'), last(tz))?.dst).toBeNull();
  });
});

describe('America/New_York (02:00 EDT → 01:00 EST on 2025-11-02)', () => {
  it('30 1 * * * runs once on 2025-11-02, at 01:30 EST (06:30Z)', () => {
    expect(runs('30 1 * * *', '2025-11-01T12:00:00Z', 2, 'America/New_York')).toEqual([
      '2025-11-02T01:30-05:00',
      '2025-11-03T01:30-05:00',
    ]);
  });
});

describe('Australia/Sydney (southern hemisphere: 03:00 AEDT → 02:00 AEST on 2025-04-06)', () => {
  it('30 2 * * * runs once on 2025-04-06, at 02:30 AEST (2025-04-05T16:30Z)', () => {
    expect(runs('30 2 * * *', '2025-04-05T00:00:00Z', 2, 'Australia/Sydney')).toEqual([
      '2025-04-06T02:30+10:00',
      '2025-04-07T02:30+10:00',
    ]);
  });
});

describe('Australia/Lord_Howe (30-minute shift: 02:00 +11:00 → 01:30 +10:30 on 2025-04-06)', () => {
  const tz = 'Australia/Lord_Howe';

  it('45 1 * * * runs once on 2025-04-06, at 01:45 +10:30 (15:15Z)', () => {
    expect(runs('45 1 * * *', '2025-04-05T00:00:00Z', 2, tz)).toEqual([
      '2025-04-06T01:45+10:30',
      '2025-04-07T01:45+10:30',
    ]);
  });

  it('*/10 1 * * * skips 01:30-01:50 +11:00 and runs 01:30-01:50 +10:30', () => {
    expect(runs('*/10 1 * * *', '2025-04-05T14:25:00Z', 4, tz)).toEqual([
      '2025-04-06T01:30+10:30',
      '2025-04-06T01:40+10:30',
      '2025-04-06T01:50+10:30',
      '2025-04-07T01:00+10:30',
    ]);
  });
});

describe('Pacific/Chatham (45-minute offset: 03:45 +13:45 → 02:45 +12:45 on 2025-04-06)', () => {
  it('0 3 * * * runs once on 2025-04-06, at 03:00 +12:45 (14:15Z)', () => {
    expect(runs('0 3 * * *', '2025-04-05T00:00:00Z', 2, 'Pacific/Chatham')).toEqual([
      '2025-04-06T03:00+12:45',
      '2025-04-07T03:00+12:45',
    ]);
  });
});

describe('America/Sao_Paulo 2018 (midnight: 00:00 -02:00 → 23:00 -03:00 on 2018-02-17)', () => {
  it('30 23 * * * runs once on 2018-02-17, at 23:30 -03:00 (02:30Z the next day)', () => {
    expect(runs('30 23 * * *', '2018-02-17T12:00:00Z', 2, 'America/Sao_Paulo')).toEqual([
      '2018-02-17T23:30-03:00',
      '2018-02-18T23:30-03:00',
    ]);
  });
});

describe('America/Havana (midnight: 01:00 CDT → 00:00 CST on 2025-11-02)', () => {
  it('30 0 * * * runs once on 2025-11-02, at 00:30 -05:00 (05:30Z)', () => {
    expect(runs('30 0 * * *', '2025-11-01T12:00:00Z', 2, 'America/Havana')).toEqual([
      '2025-11-02T00:30-05:00',
      '2025-11-03T00:30-05:00',
    ]);
  });
});

describe('America/Santiago (midnight: Sunday 00:00 -03:00 → Saturday 23:00 -04:00, 2025-04-06)', () => {
  const tz = 'America/Santiago';

  it('30 23 * * 5 (Saturdays) runs once on Saturday 2025-04-05, at the second 23:30 (-04:00, 03:30Z)', () => {
    expect(runs('30 23 * * 5', '2025-04-05T12:00:00Z', 2, tz)).toEqual([
      '2025-04-05T23:30-04:00',
      '2025-04-12T23:30-04:00',
    ]);
    // Under the default the same Saturday runs at the first 23:30 (-03:00).
    expect(local(getNextRun('30 23 * * 5', new Date('2025-04-05T12:00:00Z'), { timezone: tz }), tz)).toBe(
      '2025-04-05T23:30-03:00',
    );
  });
});
