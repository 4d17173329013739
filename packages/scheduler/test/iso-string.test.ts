// isoString: Date#toISOString remembered per instant; the text must be exactly toISOString's, whatever it saw before.
import { describe, expect, it } from 'vitest';
import { isoString } from '../src/iso-string.js';

describe('isoString', () => {
  it('gives the same text as toISOString, for instants seen before and new ones, across its memory starting over', () => {
    const base = Date.UTC(2026, 2, 29, 0, 59, 59, 999);
    // 10,000 distinct instants (more than it remembers) and each of them again: first and second reads agree.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 10_000; i++) {
        const d = new Date(base + i * 997);
        expect(isoString(d)).toBe(d.toISOString());
      }
    }
    for (const d of [new Date(0), new Date(-1), new Date(8.64e15), new Date('+275760-09-13T00:00:00Z')]) {
      expect(isoString(d)).toBe(d.toISOString());
    }
  });

  it('answers for the instant, not for the Date object: a Date changed in place gives its new text', () => {
    const d = new Date('2026-12-07T10:00:00.000Z');
    expect(isoString(d)).toBe('2026-12-07T10:00:00.000Z');
    d.setUTCHours(11);
    expect(isoString(d)).toBe('2026-12-07T11:00:00.000Z');
  });

  it('throws RangeError for an invalid date, as toISOString does, and remembers nothing for it', () => {
    expect(() => isoString(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => isoString(new Date(Number.NaN))).toThrow(RangeError);
  });
});
