import fc from 'fast-check';
import { IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { ZoneRules } from '../src/zone.js';

const offsetMinutes = (rules: ZoneRules, t: number) => rules.segmentAt(t).offset / 60_000;

describe('cached zone offset segments agree with luxon', () => {
  it('at random instants 1970-2200 in a range of zones', () => {
    const zones = [
      'Europe/Stockholm',
      'America/New_York',
      'Australia/Lord_Howe',
      'Pacific/Chatham',
      'America/Sao_Paulo',
      'Asia/Tehran',
      'Africa/Casablanca',
      'America/Santiago',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2200, 0, 1) }),
        (zone, t) => {
          expect(offsetMinutes(new ZoneRules(zone), t)).toBe(IANAZone.create(zone).offset(t));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a DST period of about a week (America/Boa_Vista, October 2000) is not missed', () => {
    const rules = new ZoneRules('America/Boa_Vista');
    const luxon = IANAZone.create('America/Boa_Vista');
    for (let t = Date.UTC(2000, 9, 1); t < Date.UTC(2000, 9, 25); t += 6 * 3_600_000) {
      expect(offsetMinutes(rules, t)).toBe(luxon.offset(t));
    }
    expect(offsetMinutes(rules, Date.UTC(2000, 9, 10))).toBe(-180);
  });

  it('segments are contiguous and carry the previous offset across transitions', () => {
    const rules = new ZoneRules('Europe/Stockholm');
    let seg = rules.segmentAt(Date.UTC(2025, 0, 1));
    const transitions: string[] = [];
    while (seg.end < Date.UTC(2026, 0, 1)) {
      const next = rules.segmentAt(seg.end);
      expect(next.start).toBe(seg.end);
      expect(next.prevOffset).toBe(seg.offset);
      if (next.offset !== next.prevOffset) transitions.push(new Date(next.start).toISOString());
      seg = next;
    }
    expect(transitions).toEqual(['2025-03-30T01:00:00.000Z', '2025-10-26T01:00:00.000Z']);
  });
});
