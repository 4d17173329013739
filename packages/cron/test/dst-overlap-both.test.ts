// dstOverlap: 'both', one named test per rule and zone: a matching wall time that occurs twice runs at each
// occurrence, so interval schedules keep their real rhythm through the repeated hour. Slots are UTC instants, so
// the two runs have two distinct slots (the engine's run key). Expected values are written out by hand.
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { type CronOptions, explainRuns, getNextRuns, getNextSlots } from '../src/index.js';

const local = (d: Date | null | undefined, zone: string): string =>
  d ? DateTime.fromJSDate(d, { zone }).toFormat("yyyy-MM-dd'T'HH:mmZZ") : String(d);
const both = (timezone: string): CronOptions => ({ timezone, dstOverlap: 'both' });
const runs = (expr: string, from: string, n: number, timezone: string): string[] =>
  getNextRuns(expr, new Date(from), n, both(timezone)).map((d) => local(d, timezone));
/** Minutes between successive runs. */
const gaps = (expr: string, from: string, n: number, timezone: string): number[] => {
  const r = getNextRuns(expr, new Date(from), n, both(timezone)).map((d) => d.getTime());
  return r.slice(1).map((t, i) => (t - r[i]!) / 60_000);
};

describe('Europe/Stockholm (03:00 CEST → 02:00 CET on 2025-10-26, at 01:00Z)', () => {
  const tz = 'Europe/Stockholm';

  it('*/15 * * * * keeps a real 15-minute rhythm: 02:00-02:45 CEST, then 02:00-02:45 CET, then 03:00', () => {
    expect(runs('*/15 * * * *', '2025-10-25T23:50:00Z', 9, tz)).toEqual([
      '2025-10-26T02:00+02:00',
      '2025-10-26T02:15+02:00',
      '2025-10-26T02:30+02:00',
      '2025-10-26T02:45+02:00',
      '2025-10-26T02:00+01:00',
      '2025-10-26T02:15+01:00',
      '2025-10-26T02:30+01:00',
      '2025-10-26T02:45+01:00',
      '2025-10-26T03:00+01:00',
    ]);
    expect(gaps('*/15 * * * *', '2025-10-25T23:50:00Z', 9, tz)).toEqual([15, 15, 15, 15, 15, 15, 15, 15]);
  });

  it('30 2 * * * runs twice on 2025-10-26, at 00:30Z (marked first) and 01:30Z (marked second)', () => {
    const slots = getNextSlots('30 2 * * *', new Date('2025-10-25T12:00:00Z'), 3, both(tz));
    expect(slots.map((s) => [s.at.toISOString(), s.local, s.offset, s.dst])).toEqual([
      ['2025-10-26T00:30:00.000Z', '2025-10-26T02:30', '+02:00', 'first'],
      ['2025-10-26T01:30:00.000Z', '2025-10-26T02:30', '+01:00', 'second'],
      ['2025-10-27T01:30:00.000Z', '2025-10-27T02:30', '+01:00', null],
    ]);
  });

  it('explainRuns shows the doubled wall time as two runs with their markers', () => {
    const e = explainRuns('30 2 * * *', { from: new Date('2025-10-26T00:00:00Z'), count: 2, ...both(tz) });
    expect(e.dstOverlap).toBe('both');
    expect(e.runs.map((r) => `${r.local}${r.offset} ${r.dst}`)).toEqual([
      '2025-10-26T02:30+02:00 first',
      '2025-10-26T02:30+01:00 second',
    ]);
  });
});

describe('America/New_York (02:00 EDT → 01:00 EST on 2025-11-02)', () => {
  it('*/30 1 * * * runs 01:00 and 01:30 in EDT and again in EST, 30 minutes apart', () => {
    expect(runs('*/30 1 * * *', '2025-11-02T04:00:00Z', 4, 'America/New_York')).toEqual([
      '2025-11-02T01:00-04:00',
      '2025-11-02T01:30-04:00',
      '2025-11-02T01:00-05:00',
      '2025-11-02T01:30-05:00',
    ]);
    expect(gaps('*/30 1 * * *', '2025-11-02T04:00:00Z', 4, 'America/New_York')).toEqual([30, 30, 30]);
  });
});

describe('Australia/Sydney (southern hemisphere: 03:00 AEDT → 02:00 AEST on 2025-04-06)', () => {
  it('0,30 2 * * * runs 02:00 and 02:30 in AEDT and again in AEST', () => {
    expect(runs('0,30 2 * * *', '2025-04-05T12:00:00Z', 4, 'Australia/Sydney')).toEqual([
      '2025-04-06T02:00+11:00',
      '2025-04-06T02:30+11:00',
      '2025-04-06T02:00+10:00',
      '2025-04-06T02:30+10:00',
    ]);
  });
});

describe('Australia/Lord_Howe (30-minute shift: 02:00 +11:00 → 01:30 +10:30 on 2025-04-06)', () => {
  it('*/10 1 * * * runs 01:30-01:50 at +11:00 and again at +10:30, 10 minutes apart throughout', () => {
    const tz = 'Australia/Lord_Howe';
    expect(runs('*/10 1 * * *', '2025-04-05T14:25:00Z', 7, tz)).toEqual([
      '2025-04-06T01:30+11:00',
      '2025-04-06T01:40+11:00',
      '2025-04-06T01:50+11:00',
      '2025-04-06T01:30+10:30',
      '2025-04-06T01:40+10:30',
      '2025-04-06T01:50+10:30',
      '2025-04-07T01:00+10:30',
    ]);
    expect(gaps('*/10 1 * * *', '2025-04-05T14:25:00Z', 6, tz)).toEqual([10, 10, 10, 10, 10]);
  });
});

describe('Pacific/Chatham (45-minute offset: 03:45 +13:45 → 02:45 +12:45 on 2025-04-06)', () => {
  it('*/15 3 * * * runs 03:00-03:30 twice; 03:45 exists only at +12:45', () => {
    const slots = getNextSlots('*/15 3 * * *', new Date('2025-04-05T13:00:00Z'), 7, both('Pacific/Chatham'));
    expect(slots.map((s) => `${s.local}${s.offset} ${s.dst}`)).toEqual([
      '2025-04-06T03:00+13:45 first',
      '2025-04-06T03:15+13:45 first',
      '2025-04-06T03:30+13:45 first',
      '2025-04-06T03:00+12:45 second',
      '2025-04-06T03:15+12:45 second',
      '2025-04-06T03:30+12:45 second',
      '2025-04-06T03:45+12:45 null',
    ]);
  });
});

describe('America/Sao_Paulo 2018 (midnight: 00:00 -02:00 → 23:00 -03:00 on 2018-02-17)', () => {
  it('0 23 * * * runs twice on 2018-02-17: 23:00 -02:00 (01:00Z) and 23:00 -03:00 (02:00Z)', () => {
    expect(runs('0 23 * * *', '2018-02-17T12:00:00Z', 3, 'America/Sao_Paulo')).toEqual([
      '2018-02-17T23:00-02:00',
      '2018-02-17T23:00-03:00',
      '2018-02-18T23:00-03:00',
    ]);
  });
});

describe('America/Havana (midnight: 01:00 CDT → 00:00 CST on 2025-11-02)', () => {
  it('*/20 0 * * * runs 00:00-00:40 in CDT and again in CST, 20 minutes apart', () => {
    expect(runs('*/20 0 * * *', '2025-11-02T03:50:00Z', 6, 'America/Havana')).toEqual([
      '2025-11-02T00:00-04:00',
      '2025-11-02T00:20-04:00',
      '2025-11-02T00:40-04:00',
      '2025-11-02T00:00-05:00',
      '2025-11-02T00:20-05:00',
      '2025-11-02T00:40-05:00',
    ]);
  });
});

describe('America/Santiago (midnight: Sunday 00:00 -03:00 → Saturday 23:00 -04:00, 2025-04-06)', () => {
  it('30 23 * * 5 (Saturdays) runs twice on Saturday 2025-04-05, both occurrences being Saturday', () => {
    expect(runs('30 23 * * 5', '2025-04-05T12:00:00Z', 3, 'America/Santiago')).toEqual([
      '2025-04-05T23:30-03:00',
      '2025-04-05T23:30-04:00',
      '2025-04-12T23:30-04:00',
    ]);
  });
});
