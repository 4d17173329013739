// The default DST policy (dstGap 'skip', dstOverlap 'first'), one named test per rule and zone:
//  - a matching wall time that does not exist (spring forward) is skipped that day, never shifted;
//  - a matching wall time that occurs twice (fall back) runs once, at its first occurrence, also when asked
//    from between the two occurrences.
// Expected values are written out by hand as local time with offset; luxon formats our results.
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { explainRuns, getNextRun, getNextRuns, getSlotInfo, matches } from '../src/index.js';

const local = (d: Date | null | undefined, zone: string): string =>
  d ? DateTime.fromJSDate(d, { zone }).toFormat("yyyy-MM-dd'T'HH:mmZZ") : String(d);
const runs = (expr: string, from: string, n: number, timezone: string): string[] =>
  getNextRuns(expr, new Date(from), n, { timezone }).map((d) => local(d, timezone));
const next = (expr: string, from: string, timezone: string): string =>
  local(getNextRun(expr, new Date(from), { timezone }), timezone);

describe('Europe/Stockholm (CET/CEST, 02:00→03:00 in March, 03:00→02:00 in October)', () => {
  const tz = 'Europe/Stockholm';

  it('spring forward: 30 2 * * * is skipped on 2025-03-30, not shifted to 03:30, and runs the next day', () => {
    expect(runs('30 2 * * *', '2025-03-29T00:00:00Z', 2, tz)).toEqual([
      '2025-03-29T02:30+01:00',
      '2025-03-31T02:30+02:00',
    ]);
  });

  it('spring forward: */15 * * * * goes from 01:45 straight to 03:00', () => {
    expect(runs('*/15 * * * *', '2025-03-30T00:40:00Z', 3, tz)).toEqual([
      '2025-03-30T01:45+01:00',
      '2025-03-30T03:00+02:00',
      '2025-03-30T03:15+02:00',
    ]);
  });

  it('fall back: 30 2 * * * runs once on 2025-10-26, at the first 02:30 (CEST)', () => {
    expect(runs('30 2 * * *', '2025-10-25T12:00:00Z', 2, tz)).toEqual([
      '2025-10-26T02:30+02:00',
      '2025-10-27T02:30+01:00',
    ]);
  });

  it('fall back: */15 * * * * runs 02:00-02:45 in CEST only, not again in CET', () => {
    expect(runs('*/15 * * * *', '2025-10-25T23:50:00Z', 6, tz)).toEqual([
      '2025-10-26T02:00+02:00',
      '2025-10-26T02:15+02:00',
      '2025-10-26T02:30+02:00',
      '2025-10-26T02:45+02:00',
      '2025-10-26T03:00+01:00',
      '2025-10-26T03:15+01:00',
    ]);
  });

  it('fall back: asked from between the two 02:30s, the second occurrence never fires', () => {
    // 00:45Z is 02:45 CEST, after the first 02:30 (00:30Z) and before the second (01:30Z).
    expect(next('30 2 * * *', '2025-10-26T00:45:00Z', tz)).toBe('2025-10-27T02:30+01:00');
    // 01:00Z is 02:00 CET, inside the repeated hour.
    expect(next('*/15 * * * *', '2025-10-26T01:00:00Z', tz)).toBe('2025-10-26T03:00+01:00');
  });

  it('fall back: matches() is true at the first 02:30 and false at the repeated one', () => {
    expect(matches('30 2 * * *', new Date('2025-10-26T00:30:00Z'), { timezone: tz })).toBe(true);
    expect(matches('30 2 * * *', new Date('2025-10-26T01:30:00Z'), { timezone: tz })).toBe(false);
  });

  it('fall back: slotInfo marks the first 02:30 "first" (its wall time occurs again) and the repeat is no slot', () => {
    expect(getSlotInfo('30 2 * * *', new Date('2025-10-26T00:30:00Z'), { timezone: tz })).toEqual({
      at: new Date('2025-10-26T00:30:00Z'),
      local: '2025-10-26T02:30',
      offset: '+02:00',
      wallTime: '2025-10-26T02:30',
      dst: 'first',
    });
    expect(getSlotInfo('30 2 * * *', new Date('2025-10-26T01:30:00Z'), { timezone: tz })).toBeNull();
  });

  it('explicit defaults { dstGap: "skip", dstOverlap: "first" } give the same runs as no DST options', () => {
    for (const expr of ['30 2 * * *', '*/15 * * * *', '0 3 * * *']) {
      for (const from of ['2025-03-29T22:00:00Z', '2025-10-25T22:00:00Z']) {
        expect(
          getNextRuns(expr, new Date(from), 12, { timezone: tz, dstGap: 'skip', dstOverlap: 'first' }),
        ).toEqual(getNextRuns(expr, new Date(from), 12, { timezone: tz }));
      }
    }
  });

  it('spring forward: explainRuns lists 2025-03-30T02:30 as a skipped dst-gap slot', () => {
    const e = explainRuns('30 2 * * *', { from: new Date('2025-03-29T00:00:00Z'), count: 2, timezone: tz });
    expect(e.runs.map((r) => `${r.local}${r.offset}`)).toEqual([
      '2025-03-29T02:30+01:00',
      '2025-03-31T02:30+02:00',
    ]);
    expect(e.skipped.map((s) => [s.local, s.reason])).toEqual([['2025-03-30T02:30', 'dst-gap']]);
    expect(e.skipped[0]!.message).toContain('02:00 (+01:00) to 03:00 (+02:00)');
  });
});

describe('America/New_York (EST/EDT, 02:00→03:00 in March, 02:00→01:00 in November)', () => {
  const tz = 'America/New_York';

  it('spring forward: 30 2 * * * is skipped on 2025-03-09 and runs on 2025-03-10', () => {
    expect(runs('30 2 * * *', '2025-03-08T12:00:00Z', 2, tz)).toEqual([
      '2025-03-10T02:30-04:00',
      '2025-03-11T02:30-04:00',
    ]);
  });

  it('fall back: 30 1 * * * runs once on 2025-11-02, at 01:30 EDT', () => {
    expect(runs('30 1 * * *', '2025-11-01T12:00:00Z', 2, tz)).toEqual([
      '2025-11-02T01:30-04:00',
      '2025-11-03T01:30-05:00',
    ]);
  });

  it('fall back: * 1 * * * runs through 01:59 EDT and not during the repeated 01:00-01:59 EST', () => {
    expect(runs('* 1 * * *', '2025-11-02T05:58:00Z', 2, tz)).toEqual([
      '2025-11-02T01:59-04:00',
      '2025-11-03T01:00-05:00',
    ]);
  });
});

describe('Australia/Sydney (southern hemisphere: AEDT ends in April, starts in October)', () => {
  const tz = 'Australia/Sydney';

  it('fall back: 30 2 * * * runs once on 2025-04-06, at the first 02:30 (AEDT)', () => {
    expect(runs('30 2 * * *', '2025-04-05T00:00:00Z', 2, tz)).toEqual([
      '2025-04-06T02:30+11:00',
      '2025-04-07T02:30+10:00',
    ]);
  });

  it('spring forward: 30 2 * * * is skipped on 2025-10-05 and runs on 2025-10-06', () => {
    expect(runs('30 2 * * *', '2025-10-04T00:00:00Z', 2, tz)).toEqual([
      '2025-10-06T02:30+11:00',
      '2025-10-07T02:30+11:00',
    ]);
  });
});

describe('Australia/Lord_Howe (+10:30/+11:00, 30-minute DST shift)', () => {
  const tz = 'Australia/Lord_Howe';

  it('fall back: 45 1 * * * runs once on 2025-04-06, at the first 01:45 (+11:00)', () => {
    expect(runs('45 1 * * *', '2025-04-05T00:00:00Z', 2, tz)).toEqual([
      '2025-04-06T01:45+11:00',
      '2025-04-07T01:45+10:30',
    ]);
  });

  it('fall back: */10 1 * * * runs 01:30-01:50 once, not again after the clocks go back 30 minutes', () => {
    expect(runs('*/10 1 * * *', '2025-04-05T14:25:00Z', 4, tz)).toEqual([
      '2025-04-06T01:30+11:00',
      '2025-04-06T01:40+11:00',
      '2025-04-06T01:50+11:00',
      '2025-04-07T01:00+10:30',
    ]);
  });

  it('spring forward: 15 2 * * * is skipped on 2025-10-05 (02:00-02:29 missing)', () => {
    expect(runs('15 2 * * *', '2025-10-03T00:00:00Z', 2, tz)).toEqual([
      '2025-10-04T02:15+10:30',
      '2025-10-06T02:15+11:00',
    ]);
  });

  it('spring forward: 30 2 * * * still runs on 2025-10-05, the first minute after the gap', () => {
    expect(next('30 2 * * *', '2025-10-04T12:00:00Z', tz)).toBe('2025-10-05T02:30+11:00');
  });
});

describe('Pacific/Chatham (+12:45/+13:45, 45-minute offset)', () => {
  const tz = 'Pacific/Chatham';

  it('45-minute offset: midnight is at 10:15 UTC the day before in summer', () => {
    expect(getNextRun('0 0 * * *', new Date('2025-01-10T00:00:00Z'), { timezone: tz })?.toISOString()).toBe(
      '2025-01-10T10:15:00.000Z',
    );
  });

  it('fall back: 0 3 * * * runs once on 2025-04-06, at the first 03:00 (+13:45)', () => {
    expect(runs('0 3 * * *', '2025-04-05T00:00:00Z', 2, tz)).toEqual([
      '2025-04-06T03:00+13:45',
      '2025-04-07T03:00+12:45',
    ]);
  });

  it('spring forward: 0 3 * * * is skipped on 2025-09-28 (02:45-03:44 missing)', () => {
    expect(runs('0 3 * * *', '2025-09-27T00:00:00Z', 2, tz)).toEqual([
      '2025-09-29T03:00+13:45',
      '2025-09-30T03:00+13:45',
    ]);
    const e = explainRuns('0 3 * * *', { from: new Date('2025-09-27T00:00:00Z'), count: 1, timezone: tz });
    expect(e.skipped.map((s) => s.local)).toEqual(['2025-09-28T03:00']);
  });
});

describe('America/Sao_Paulo (DST at midnight until 2019, none since)', () => {
  const tz = 'America/Sao_Paulo';

  it('spring forward 2018: 0 0 * * * is skipped on 2018-11-04 (00:00-00:59 missing)', () => {
    expect(runs('0 0 * * *', '2018-11-03T12:00:00Z', 2, tz)).toEqual([
      '2018-11-05T00:00-02:00',
      '2018-11-06T00:00-02:00',
    ]);
  });

  it('spring forward 2018: the day without a midnight still runs at 01:00', () => {
    expect(next('0 1 * * *', '2018-11-03T12:00:00Z', tz)).toBe('2018-11-04T01:00-02:00');
  });

  it('fall back 2018: 30 23 * * * runs once on 2018-02-17, at the first 23:30 (-02:00)', () => {
    expect(runs('30 23 * * *', '2018-02-17T12:00:00Z', 2, tz)).toEqual([
      '2018-02-17T23:30-02:00',
      '2018-02-18T23:30-03:00',
    ]);
  });

  it('since 2019 there is no DST: midnight on 2020-11-01 exists', () => {
    expect(next('0 0 * * *', '2020-10-31T12:00:00Z', tz)).toBe('2020-11-01T00:00-03:00');
  });
});

describe('America/Havana (DST at midnight: 00:00→01:00 in March, 01:00→00:00 in November)', () => {
  const tz = 'America/Havana';

  it('spring forward: 30 0 * * * is skipped on 2025-03-09 (00:00-00:59 missing) and runs on 2025-03-10', () => {
    expect(runs('30 0 * * *', '2025-03-08T12:00:00Z', 2, tz)).toEqual([
      '2025-03-10T00:30-04:00',
      '2025-03-11T00:30-04:00',
    ]);
  });

  it('fall back: 30 0 * * * runs once on 2025-11-02, at the first 00:30 (-04:00)', () => {
    expect(runs('30 0 * * *', '2025-11-01T12:00:00Z', 2, tz)).toEqual([
      '2025-11-02T00:30-04:00',
      '2025-11-03T00:30-05:00',
    ]);
  });
});

describe('America/Santiago (DST at midnight; the fall-back repeats the previous evening, 23:00-23:59)', () => {
  const tz = 'America/Santiago';

  it('spring forward: 0 0 * * * is skipped on 2025-09-07 (00:00-00:59 missing) and runs on 2025-09-08', () => {
    expect(runs('0 0 * * *', '2025-09-06T12:00:00Z', 2, tz)).toEqual([
      '2025-09-08T00:00-03:00',
      '2025-09-09T00:00-03:00',
    ]);
  });

  it('fall back: 30 23 * * * runs once on Saturday 2025-04-05, at the first 23:30 (-03:00)', () => {
    expect(runs('30 23 * * *', '2025-04-05T12:00:00Z', 2, tz)).toEqual([
      '2025-04-05T23:30-03:00',
      '2025-04-06T23:30-04:00',
    ]);
  });
});
