// A deliberately simple reference for the property tests: walk UTC minute by minute, turn each minute into
// wall-clock time with luxon, apply the cron fields from plain value sets, and drop a wall time that already
// occurred in the previous hours (the second pass of a fall-back). Slow, obvious, independent of src/.
// The DST options (refSlot / refNextSlot) are read off the same walk: a minute whose offset is higher than the
// minute before it ends a gap, and the missing wall times are the ones between the two minutes' wall clocks; a
// wall time is a first occurrence when the zone shows it again within 3 hours, a second when it showed it within
// the last 3 hours.
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

/** Options of the DST policy, as `CronOptions` spells them. */
export interface RefPolicy {
  gap: 'skip' | 'shift';
  overlap: 'first' | 'last' | 'both';
}

/** Every combination of the DST options. */
export const ALL_POLICIES: readonly RefPolicy[] = (['skip', 'shift'] as const).flatMap((gap) =>
  (['first', 'last', 'both'] as const).map((overlap) => ({ gap, overlap })),
);

/** A slot as the reference sees it (compare with `SlotInfo`). */
export interface RefSlot {
  at: number;
  local: string;
  wallTime: string;
  dst: 'shifted' | 'first' | 'second' | null;
}

const p2 = (n: number): string => String(n).padStart(2, '0');
/** `YYYY-MM-DDTHH:mm` of a wall clock. */
export const formatWall = (w: Wall): string =>
  `${String(w.year).padStart(4, '0')}-${p2(w.month)}-${p2(w.day)}T${p2(w.hour)}:${p2(w.minute)}`;

/** The wall clock of "wall milliseconds" (local time written as if it were UTC). */
function wallOfWallMs(wallMs: number): Wall {
  const d = new Date(wallMs);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    weekday: (d.getUTCDay() + 6) % 7,
  };
}

/** Whether whole UTC minute `ms` shows a wall time that the zone shows again within the next 3 hours. */
export function willRepeatWallTime(ms: number, zone: string): boolean {
  const z = IANAZone.create(zone);
  const now = z.offset(ms);
  const later = z.offset(ms + 3 * 3_600_000);
  if (later >= now) return false;
  const again = ms + (now - later) * 60_000;
  return z.offset(again) === later;
}

/**
 * The wall clocks that do not exist just before whole UTC minute `ms`: when the zone's offset at `ms` is higher
 * than a minute earlier, every wall minute strictly between the two minutes' wall clocks. Else none.
 */
export function missingWallTimesBefore(ms: number, zone: string): Wall[] {
  const z = IANAZone.create(zone);
  const before = z.offset(ms - 60_000);
  const now = z.offset(ms);
  if (now <= before) return [];
  const out: Wall[] = [];
  const lastBefore = ms - 60_000 + before * 60_000;
  const firstAfter = ms + now * 60_000;
  for (let w = lastBefore + 60_000; w < firstAfter; w += 60_000) out.push(wallOfWallMs(w));
  return out;
}

/** Reference slot test under a DST policy: the slot at whole UTC minute `ms`, or undefined. */
export function refSlot(ref: RefCron, ms: number, zone: string, policy: RefPolicy): RefSlot | undefined {
  if (ms % 60_000 !== 0) return undefined;
  const { wall } = wallOf(ms, zone);
  const local = formatWall(wall);
  if (policy.gap === 'shift') {
    const missing = missingWallTimesBefore(ms, zone).filter((w) => refFieldsMatch(ref, w));
    if (missing.length > 0) return { at: ms, local, wallTime: formatWall(missing[0]!), dst: 'shifted' };
  }
  if (!refFieldsMatch(ref, wall)) return undefined;
  const second = isRepeatedWallTime(ms, zone);
  const first = willRepeatWallTime(ms, zone);
  if (second && policy.overlap === 'first') return undefined;
  if (first && policy.overlap === 'last') return undefined;
  return { at: ms, local, wallTime: local, dst: second ? 'second' : first ? 'first' : null };
}

/** Reference next slot under a DST policy: first slot strictly after `after` within `horizonMinutes`. */
export function refNextSlot(
  ref: RefCron,
  after: number,
  zone: string,
  horizonMinutes: number,
  policy: RefPolicy,
): RefSlot | undefined {
  const first = Math.floor(after / 60_000) * 60_000 + 60_000;
  for (let i = 0; i < horizonMinutes; i++) {
    const slot = refSlot(ref, first + i * 60_000, zone, policy);
    if (slot) return slot;
  }
  return undefined;
}

/**
 * Reference semantics of a simple expression written with numbers, `*`, `*\/S`, `A-B`, `A-B/S` and lists (no
 * names, no macros): for tests that build expressions around a given transition.
 */
export function refCron(text: string): RefCron {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`refCron: 5 fields expected in ${text}`);
  const field = (src: string, def: FieldDef): RefField => {
    const values = new Set<number>();
    for (const item of src.split(',')) {
      const [base, stepText] = item.split('/');
      const step = stepText === undefined ? 1 : Number(stepText);
      let lo: number;
      let hi: number;
      if (base === '*') {
        lo = def.min;
        hi = def.max;
      } else if (base!.includes('-')) {
        [lo, hi] = base!.split('-').map(Number) as [number, number];
      } else {
        lo = Number(base);
        hi = stepText === undefined ? lo : def.max;
      }
      for (const v of range(lo, hi, step)) values.add(v);
    }
    return { values, star: src.startsWith('*') };
  };
  return {
    text,
    minute: field(parts[0]!, DEFS[0]!),
    hour: field(parts[1]!, DEFS[1]!),
    dom: field(parts[2]!, DEFS[2]!),
    month: field(parts[3]!, DEFS[3]!),
    dow: field(parts[4]!, DEFS[4]!),
  };
}
