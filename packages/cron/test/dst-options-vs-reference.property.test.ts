// The DST options (dstGap × dstOverlap, all six combinations) against the minute-by-minute luxon reference in
// test/support/reference.ts: next, nextRuns, nextSlots, matches and slotInfo must equal the reference, and agree
// with each other, in zones with 30- and 45-minute offsets and shifts, southern-hemisphere zones and zones whose
// transitions happen at midnight.
import fc from 'fast-check';
import { IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { type CronOptions, parseCron, type SlotInfo } from '../src/index.js';
import {
  ALL_POLICIES,
  offsetChanges,
  type RefCron,
  type RefPolicy,
  type RefSlot,
  refCron,
  refCronArb,
  refNextSlot,
  refSlot,
} from './support/reference.js';

const ZONES = [
  'Europe/Stockholm',
  'America/New_York',
  'Australia/Sydney', // southern hemisphere
  'Australia/Lord_Howe', // 30-minute shift
  'Pacific/Chatham', // 45-minute offset
  'America/Sao_Paulo', // midnight transitions until 2019
  'America/Santiago', // midnight: spring 00:00→01:00, fall back 00:00→23:00 the day before
  'America/Havana', // midnight: spring 00:00→01:00, fall back 01:00→00:00
  'Asia/Beirut', // midnight, northern hemisphere
];
const YEARS = [1996, 2011, 2018, 2024, 2031];
const CHANGES = new Map(ZONES.map((z) => [z, offsetChanges(z, YEARS)]));

const options = (zone: string, p: RefPolicy): CronOptions => ({
  timezone: zone,
  dstGap: p.gap,
  dstOverlap: p.overlap,
});
const policyArb = fc.constantFrom(...ALL_POLICIES);
const view = (s: SlotInfo | RefSlot | null | undefined) =>
  s ? { at: new Date(s.at).toISOString(), local: s.local, wallTime: s.wallTime, dst: s.dst } : null;

/** A zone and an instant within a day of one of its offset changes (or anywhere, now and then). */
const zoneAndInstant = fc.constantFrom(...ZONES).chain((zone) =>
  fc.tuple(
    fc.constant(zone),
    fc.oneof(
      { weight: 1, arbitrary: fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2040, 0, 1) }) },
      {
        weight: 4,
        arbitrary: fc
          .tuple(
            fc.constantFrom(...CHANGES.get(zone)!),
            fc.oneof(
              { weight: 1, arbitrary: fc.integer({ min: -26 * 60, max: 3 * 60 }) },
              { weight: 2, arbitrary: fc.integer({ min: -90, max: 90 }) },
            ),
            fc.integer({ min: 0, max: 59_999 }),
          )
          .map(([t, minutes, ms]) => t + minutes * 60_000 + (ms < 30_000 ? 0 : ms)),
      },
    ),
  ),
);

/**
 * An offset change of a zone and an expression aimed at it: the hour field holds the local hours around the
 * change (the gap's or the repeated hour's), the minute field a step, list or value, the weekday field sometimes
 * the local weekday (before or after the change) or another.
 */
const aimedAtChange = fc.constantFrom(...ZONES).chain((zone) =>
  fc
    .tuple(
      fc.constantFrom(...CHANGES.get(zone)!),
      fc.constantFrom('*', '*/15', '*/10', '*/7', '0', '30', '45', '15,45', '0-20', '59', '5/20'),
      fc.boolean(),
      fc.constantFrom('*', 'before', 'after', 'other'),
    )
    .map(([change, minute, allHours, dowKind]) => {
      const z = IANAZone.create(zone);
      const wallBefore = new Date(change - 60_000 + z.offset(change - 60_000) * 60_000);
      const wallAfter = new Date(change + z.offset(change) * 60_000);
      const hours = new Set<number>();
      const lo = Math.min(wallBefore.getTime(), wallAfter.getTime());
      const hi = Math.max(wallBefore.getTime(), wallAfter.getTime());
      for (let w = lo; w <= hi; w += 60_000) hours.add(new Date(w).getUTCHours());
      const hour = allHours ? '*' : [...hours].join(',');
      const isoDay = (d: Date) => (d.getUTCDay() + 6) % 7;
      const dow =
        dowKind === '*'
          ? '*'
          : dowKind === 'before'
            ? String(isoDay(wallBefore))
            : dowKind === 'after'
              ? String(isoDay(wallAfter))
              : String((isoDay(wallBefore) + 3) % 7);
      return { zone, change, ref: refCron(`${minute} ${hour} * * ${dow}`) };
    }),
);

/** Reference slots in [from, to). */
function refSlotsIn(ref: RefCron, zone: string, from: number, to: number, p: RefPolicy): RefSlot[] {
  const out: RefSlot[] = [];
  for (let m = Math.ceil(from / 60_000) * 60_000; m < to; m += 60_000) {
    const s = refSlot(ref, m, zone, p);
    if (s) out.push(s);
  }
  return out;
}

describe('DST options agree with a minute-by-minute luxon reference (all six dstGap × dstOverlap combinations)', () => {
  it('next(after) is the first reference slot strictly after `after`', () => {
    fc.assert(
      fc.property(refCronArb, zoneAndInstant, policyArb, (ref, [zone, after], p) => {
        let expr: ReturnType<typeof parseCron>;
        try {
          expr = parseCron(ref.text);
        } catch {
          return;
        }
        const want = refNextSlot(ref, after, zone, 26 * 60, p);
        const got = expr.next(after, options(zone, p));
        if (want === undefined) {
          expect(got === null || got.getTime() > Math.floor(after / 60_000) * 60_000 + 26 * 3_600_000).toBe(
            true,
          );
        } else {
          expect(got?.toISOString()).toBe(new Date(want.at).toISOString());
        }
      }),
      { numRuns: 250 },
    );
  });

  it('nextSlots(after, 4) equals four successive reference slots, markers and wall times included', () => {
    fc.assert(
      fc.property(refCronArb, zoneAndInstant, policyArb, (ref, [zone, after], p) => {
        let expr: ReturnType<typeof parseCron>;
        try {
          expr = parseCron(ref.text);
        } catch {
          return;
        }
        const got = expr.nextSlots(after, 4, options(zone, p));
        let t = after;
        for (let i = 0; i < 4; i++) {
          const want = refNextSlot(ref, t, zone, 6 * 60, p);
          if (want === undefined) return; // sparse expression: covered by the next() property
          expect(view(got[i])).toEqual(view(want));
          t = want.at;
        }
      }),
      { numRuns: 80 },
    );
  });

  it('matches() and slotInfo() agree with the reference at whole minutes and are false/null off the minute', () => {
    fc.assert(
      fc.property(refCronArb, zoneAndInstant, policyArb, (ref, [zone, instant], p) => {
        let expr: ReturnType<typeof parseCron>;
        try {
          expr = parseCron(ref.text);
        } catch {
          return;
        }
        const o = options(zone, p);
        for (const t of [instant, Math.floor(instant / 60_000) * 60_000]) {
          const want = refSlot(ref, t, zone, p);
          expect(expr.matches(t, o)).toBe(want !== undefined);
          expect(view(expr.slotInfo(t, o))).toEqual(view(want));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('expressions aimed at an offset change: every minute from 2 h before to 3 h after it, and the runs listed there, equal the reference', () => {
    fc.assert(
      fc.property(aimedAtChange, policyArb, ({ zone, change, ref }, p) => {
        const expr = parseCron(ref.text);
        const o = options(zone, p);
        const from = change - 2 * 3_600_000;
        const to = change + 3 * 3_600_000;
        const want = refSlotsIn(ref, zone, from, to, p);
        for (let m = from; m < to; m += 60_000) {
          const slot = want.find((s) => s.at === m);
          expect(expr.matches(m, o), `${ref.text} ${new Date(m).toISOString()}`).toBe(slot !== undefined);
        }
        const got: SlotInfo[] = [];
        for (const s of expr.nextSlots(from - 1, 400, o)) {
          if (s.at.getTime() >= to) break;
          got.push(s);
        }
        expect(got.map(view)).toEqual(want.map(view));
      }),
      { numRuns: 150 },
    );
  });

  it('every slot nextRuns returns is matched, has slotInfo, and next() from just before it lands on it', () => {
    fc.assert(
      fc.property(refCronArb, zoneAndInstant, policyArb, (ref, [zone, after], p) => {
        let expr: ReturnType<typeof parseCron>;
        try {
          expr = parseCron(ref.text);
        } catch {
          return;
        }
        const o = options(zone, p);
        const runs = expr.nextRuns(after, 4, o);
        const slots = expr.nextSlots(after, 4, o);
        expect(slots.map((s) => s.at)).toEqual(runs);
        const iterated: Date[] = [];
        for (const d of expr.runs(after, o)) {
          iterated.push(d);
          if (iterated.length === runs.length) break;
        }
        expect(iterated).toEqual(runs);
        for (const [i, run] of runs.entries()) {
          expect(expr.matches(run, o)).toBe(true);
          expect(expr.slotInfo(run, o)).toEqual(slots[i]);
          expect(expr.next(run.getTime() - 1, o)?.getTime()).toBe(run.getTime());
        }
      }),
      { numRuns: 150 },
    );
  });
});
