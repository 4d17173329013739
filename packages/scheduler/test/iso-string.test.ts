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

  it('formats exactly as toISOString across years 0000-9999, their edges, leap days and the day changing each call', () => {
    const edges = [
      Date.UTC(0, 0, 1) - 1, // -000001-12-31T23:59:59.999Z: six-digit year, left to toISOString
      -62_167_219_200_000, // 0000-01-01T00:00:00.000Z
      Date.UTC(1969, 11, 31, 23, 59, 59, 999),
      Date.UTC(2024, 1, 29, 12, 0, 0, 1),
      Date.UTC(2100, 1, 28, 23, 59, 59, 999),
      Date.UTC(2100, 2, 1),
      253_402_300_799_999, // 9999-12-31T23:59:59.999Z
      253_402_300_800_000, // +010000-01-01: left to toISOString
    ];
    for (const ms of edges) expect(isoString(new Date(ms)), String(ms)).toBe(new Date(ms).toISOString());
    // A fixed pseudo-random walk over the whole range: every call another day, most of them not remembered.
    let x = 12345;
    for (let i = 0; i < 50_000; i++) {
      x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
      const ms = -62_167_219_200_000 + Math.floor((x / 2_147_483_648) * 315_569_519_999_999) + (i % 1000);
      const d = new Date(ms);
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
