// A deliberately simple reference for the property tests: walk UTC minute by minute, turn each minute into
// wall-clock time with luxon, apply the cron fields from plain value sets, and drop a wall time that already
// occurred in the previous hours (the second pass of a fall-back). Slow, obvious, independent of src/.
import fc from 'fast-check';
import { IANAZone } from 'luxon';

export interface RefField {
  /** Matching values (weekday: ISO 0 = Monday). */
  values: Set<number>;
  /** The field's text starts with `*` (unrestricted for the day-of-month/day-of-week OR rule). */
  star: boolean;
}

export interface RefCron {
  text: string;
  minute: RefField;
  hour: RefField;
  dom: RefField;
  month: RefField;
  dow: RefField;
}

export interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** ISO weekday, 0 = Monday. */
  weekday: number;
}

/** Local wall time and offset (minutes) of UTC instant `ms` in `zone`, via luxon. */
export function wallOf(ms: number, zone: string): { wall: Wall; offset: number } {
  const offset = IANAZone.create(zone).offset(ms);
  const d = new Date(ms + offset * 60_000);
  return {
    offset,
    wall: {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      weekday: (d.getUTCDay() + 6) % 7,
    },
  };
}

export function refFieldsMatch(ref: RefCron, w: Wall): boolean {
  if (!ref.minute.values.has(w.minute) || !ref.hour.values.has(w.hour) || !ref.month.values.has(w.month)) {
    return false;
  }
  const domOk = ref.dom.values.has(w.day);
  const dowOk = ref.dow.values.has(w.weekday);
  return ref.dom.star || ref.dow.star ? domOk && dowOk : domOk || dowOk;
}

/** Whether whole UTC minute `ms` shows a wall time that the zone already showed within the previous 3 hours. */
export function isRepeatedWallTime(ms: number, zone: string): boolean {
  const z = IANAZone.create(zone);
  const now = z.offset(ms);
  const before = z.offset(ms - 3 * 3_600_000);
  if (before <= now) return false;
  const earlier = ms - (before - now) * 60_000;
  return z.offset(earlier) === before;
}

/** Reference `matches`: a whole UTC minute whose wall time matches and is not a repeat. */
export function refMatches(ref: RefCron, ms: number, zone: string): boolean {
  if (ms % 60_000 !== 0) return false;
  return refFieldsMatch(ref, wallOf(ms, zone).wall) && !isRepeatedWallTime(ms, zone);
}

/** Reference `next`: first run strictly after `after` within `horizonMinutes`, else undefined. */
export function refNext(
  ref: RefCron,
  after: number,
  zone: string,
  horizonMinutes: number,
): number | undefined {
  const first = Math.floor(after / 60_000) * 60_000 + 60_000;
  for (let i = 0; i < horizonMinutes; i++) {
    const ms = first + i * 60_000;
    if (refFieldsMatch(ref, wallOf(ms, zone).wall) && !isRepeatedWallTime(ms, zone)) return ms;
  }
  return undefined;
}

/** Whether some calendar day can satisfy the day fields (for checking never-fire rejections). */
export function refCanFire(ref: RefCron): boolean {
  const maxLen = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  for (const m of ref.month.values) {
    for (let d = 1; d <= maxLen[m]!; d++) {
      const domOk = ref.dom.values.has(d);
      // every day of a month falls on each weekday in some year, so a dow match is always possible
      if (ref.dom.star || ref.dow.star ? domOk && ref.dow.values.size > 0 : true) return true;
    }
  }
  return false;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

interface FieldDef {
  min: number;
  max: number;
  names?: string[];
}

const DEFS: FieldDef[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS },
  { min: 0, max: 6, names: DAYS },
];

function fieldArb(def: FieldDef, starWeight: number): fc.Arbitrary<{ text: string; field: RefField }> {
  const { min, max } = def;
  const span = max - min + 1;
  const value = fc.integer({ min, max });
  const show = (v: number, useName: boolean) =>
    useName && def.names
      ? def.names[v - min]!.toLowerCase().replace(/^./, (c) => c.toUpperCase())
      : String(v);
  const item = fc.oneof(
    fc.tuple(value, fc.boolean()).map(([v, n]) => ({ text: show(v, n), vals: [v] })),
    fc.tuple(value, value, fc.boolean()).map(([a, b, n]) => {
      const lo = Math.min(a, b);
      const hi = Math.max(a, b);
      return { text: `${show(lo, n)}-${show(hi, n)}`, vals: range(lo, hi, 1) };
    }),
    fc.tuple(value, value, fc.integer({ min: 1, max: span })).map(([a, b, s]) => {
      const lo = Math.min(a, b);
      const hi = Math.max(a, b);
      return { text: `${lo}-${hi}/${s}`, vals: range(lo, hi, s) };
    }),
    fc.tuple(value, fc.integer({ min: 1, max: span })).map(([a, s]) => ({
      text: `${a}/${s}`,
      vals: range(a, max, s),
    })),
  );
  const star = fc
    .oneof(fc.constant(1), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: span }))
    .map((s) => ({
      text: s === 1 ? '*' : `*/${s}`,
      vals: range(min, max, s),
    }));
  const list = fc.array(item, { minLength: 1, maxLength: 3 });
  return fc
    .oneof(
      { weight: starWeight, arbitrary: star.map((s) => [s]) },
      { weight: 1, arbitrary: fc.tuple(star, list).map(([s, l]) => [s, ...l]) },
      { weight: 3, arbitrary: list },
    )
    .map((items) => ({
      text: items.map((i) => i.text).join(','),
      field: { values: new Set(items.flatMap((i) => i.vals)), star: items[0]!.text.startsWith('*') },
    }));
}

function range(lo: number, hi: number, step: number): number[] {
  const out: number[] = [];
  for (let v = lo; v <= hi; v += step) out.push(v);
  return out;
}

/** Random valid-syntax expressions with their reference semantics. Biased towards frequently firing ones. */
export const refCronArb: fc.Arbitrary<RefCron> = fc
  .tuple(
    fieldArb(DEFS[0]!, 2),
    fieldArb(DEFS[1]!, 3),
    fieldArb(DEFS[2]!, 8),
    fieldArb(DEFS[3]!, 12),
    fieldArb(DEFS[4]!, 6),
  )
  .map(([minute, hour, dom, month, dow]) => ({
    text: [minute.text, hour.text, dom.text, month.text, dow.text].join(' '),
    minute: minute.field,
    hour: hour.field,
    dom: dom.field,
    month: month.field,
    dow: dow.field,
  }));

/** Instants (ms) where `zone` changes its UTC offset during `years`, found with luxon (daily scan + bisection). */
export function offsetChanges(zone: string, years: number[]): number[] {
  const z = IANAZone.create(zone);
  const out: number[] = [];
  for (const year of years) {
    let t = Date.UTC(year, 0, 1);
    const end = Date.UTC(year + 1, 0, 1);
    let off = z.offset(t);
    while (t < end) {
      const next = t + 86_400_000;
      const o = z.offset(next);
      if (o !== off) {
        let lo = t;
        let hi = next;
        while (hi - lo > 60_000) {
          const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
          if (z.offset(mid) === off) lo = mid;
          else hi = mid;
        }
        out.push(hi);
        off = o;
      }
      t = next;
    }
  }
  return out;
}
