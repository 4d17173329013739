import { describe, expect, it } from 'vitest';
import { CronArgumentError, explainRuns } from '../src/index.js';

describe('explainRuns', () => {
  it('lists runs with local wall time and offset, in the zone given', () => {
    const e = explainRuns('0 9 * * 0-4', {
      from: new Date('2025-01-03T00:00:00Z'),
      count: 2,
      timezone: 'America/New_York',
    });
    expect(e.timezone).toBe('America/New_York');
    expect(e.runs).toEqual([
      {
        at: new Date('2025-01-03T14:00:00Z'),
        local: '2025-01-03T09:00',
        offset: '-05:00',
        wallTime: '2025-01-03T09:00',
        dst: null,
      },
      {
        at: new Date('2025-01-06T14:00:00Z'),
        local: '2025-01-06T09:00',
        offset: '-05:00',
        wallTime: '2025-01-06T09:00',
        dst: null,
      },
    ]);
    expect(e.skipped).toEqual([]);
    expect(e.shifted).toEqual([]);
    expect([e.dstGap, e.dstOverlap]).toEqual(['skip', 'first']);
  });

  it('defaults to 10 runs in Europe/Stockholm', () => {
    const e = explainRuns('0 * * * *', { from: new Date('2025-01-01T00:00:00Z') });
    expect(e.timezone).toBe('Europe/Stockholm');
    expect(e.runs).toHaveLength(10);
    expect(e.runs[0]!.offset).toBe('+01:00');
  });

  it('`from` is inclusive: a run exactly at `from` is listed', () => {
    const e = explainRuns('0 3 * * *', { from: new Date('2025-01-01T03:00:00Z'), count: 1, timezone: 'UTC' });
    expect(e.runs[0]!.at.toISOString()).toBe('2025-01-01T03:00:00.000Z');
  });

  it('`until` is exclusive and stops before `count`', () => {
    const e = explainRuns('0 3 * * *', {
      from: new Date('2025-01-01T00:00:00Z'),
      until: new Date('2025-01-03T03:00:00Z'),
      count: 10,
      timezone: 'UTC',
    });
    expect(e.runs.map((r) => r.local)).toEqual(['2025-01-01T03:00', '2025-01-02T03:00']);
  });

  it('skipped lists every matching minute of a gap, in order, within the window only', () => {
    const e = explainRuns('*/20 * * * *', {
      from: new Date('2018-11-03T22:00:00Z'),
      until: new Date('2018-11-04T06:00:00Z'),
      count: 1000,
      timezone: 'America/Sao_Paulo',
    });
    expect(e.skipped.map((s) => s.local)).toEqual([
      '2018-11-04T00:00',
      '2018-11-04T00:20',
      '2018-11-04T00:40',
    ]);
    expect(e.skipped.every((s) => s.reason === 'dst-gap')).toBe(true);
    expect(e.runs.map((r) => r.local)).toContain('2018-11-04T01:00');
    expect(e.runs.map((r) => r.local)).not.toContain('2018-11-04T00:00');
    // A window that ends before the gap lists no skipped slot.
    const before = explainRuns('*/20 * * * *', {
      from: new Date('2018-11-03T22:00:00Z'),
      until: new Date('2018-11-04T02:59:00Z'),
      count: 1000,
      timezone: 'America/Sao_Paulo',
    });
    expect(before.skipped).toEqual([]);
  });

  it('a fall-back window lists the repeated wall times once, with the first offset', () => {
    const e = explainRuns('*/30 1 * * *', {
      from: new Date('2025-11-02T04:00:00Z'),
      count: 3,
      timezone: 'America/New_York',
    });
    expect(e.runs.map((r) => `${r.local}${r.offset}`)).toEqual([
      '2025-11-02T01:00-04:00',
      '2025-11-02T01:30-04:00',
      '2025-11-03T01:00-05:00',
    ]);
  });

  it('rejects bad arguments with CronArgumentError', () => {
    expect(() => explainRuns('* * * * *', { from: new Date('nope') })).toThrow(CronArgumentError);
    expect(() => explainRuns('* * * * *', { from: 0, count: -1 })).toThrow(CronArgumentError);
    expect(() => explainRuns('* * * * *', undefined as unknown as { from: number })).toThrow(
      CronArgumentError,
    );
  });
});
