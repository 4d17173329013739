import { describe, expect, it } from 'vitest';
import {
  CronArgumentError,
  CronExpression,
  getNextRun,
  getNextRuns,
  iterateRuns,
  matches,
  parseCron,
} from '../src/index.js';

describe('API arguments', () => {
  it('functions accept a string or a parsed CronExpression alike', () => {
    const from = new Date('2025-01-01T00:00:00Z');
    const parsed = parseCron('0 3 * * *');
    expect(getNextRun(parsed, from, { timezone: 'UTC' })).toEqual(
      getNextRun('0 3 * * *', from, { timezone: 'UTC' }),
    );
    expect(parsed).toBeInstanceOf(CronExpression);
    expect(CronExpression.parse('0 3 * * *').normalized).toBe(parsed.normalized);
    expect(String(parsed)).toBe('0 3 * * *');
  });

  it('invalid dates and counts throw CronArgumentError (CRAFT_CRON_INVALID_ARGUMENT)', () => {
    const e = parseCron('* * * * *');
    const bad: Array<() => unknown> = [
      () => e.next(new Date('x')),
      () => e.next(Number.NaN),
      () => e.next(Number.POSITIVE_INFINITY),
    ];
    bad.push(
      () => e.nextRuns(0, -1),
      () => e.nextRuns(0, 1.5),
      () => e.matches(new Date('x')),
    );
    bad.push(() => e.next('2025-01-01' as unknown as Date));
    for (const call of bad) {
      expect(call).toThrow(CronArgumentError);
      try {
        call();
      } catch (error) {
        expect((error as CronArgumentError).code).toBe('CRAFT_CRON_INVALID_ARGUMENT');
      }
    }
  });

  it('nextRuns(…, 0) is empty and nextRuns returns exactly count runs', () => {
    expect(getNextRuns('* * * * *', 0, 0, { timezone: 'UTC' })).toEqual([]);
    expect(getNextRuns('* * * * *', 0, 1000, { timezone: 'UTC' })).toHaveLength(1000);
  });

  it('runs() and iterateRuns() yield the same sequence as nextRuns()', () => {
    const from = new Date('2025-03-29T00:00:00Z');
    const opts = { timezone: 'Europe/Stockholm' };
    const want = getNextRuns('30 2 * * *', from, 5, opts);
    const got: Date[] = [];
    for (const d of iterateRuns('30 2 * * *', from, opts)) {
      got.push(d);
      if (got.length === 5) break;
    }
    expect(got).toEqual(want);
    expect([...take(parseCron('30 2 * * *').runs(from, opts), 5)]).toEqual(want);
  });

  it('matches accepts epoch milliseconds', () => {
    expect(matches('0 0 1 1 *', Date.UTC(2025, 0, 1), { timezone: 'UTC' })).toBe(true);
  });
});

function* take<T>(it: Iterable<T>, n: number): Generator<T> {
  if (n <= 0) return;
  for (const x of it) {
    yield x;
    if (--n <= 0) return;
  }
}
