import { InvalidTimezoneError } from './errors.js';
import { DEFAULT_TIMEZONE } from './types.js';

/**
 * A stretch of time with one UTC offset: `[start, end)` in epoch milliseconds, `offset` in milliseconds
 * (local = UTC + offset), `prevOffset` the offset just before `start` and `nextOffset` the offset from `end` on
 * (they differ from `offset` at a transition). Year boundaries also split segments, so neighbouring segments may
 * share an offset.
 */
export interface Segment {
  readonly start: number;
  readonly end: number;
  readonly offset: number;
  readonly prevOffset: number;
  readonly nextOffset: number;
}

// Sampling step: daily, because some zones kept a DST period for about a week (America/Boa_Vista, 2000).
const STEP = 86_400_000;
/** Before this instant a zone is treated as keeping its 1800-01-01 offset (tzdb has no earlier transitions). */
const T_FLOOR = Date.UTC(1800, 0, 1);
/** From this instant on a zone keeps the offset it has at the end of year 9999. */
const T_CEIL = Date.UTC(10000, 0, 1);
const YEAR_MS = 31_556_952_000;

const FIXED_NAME = /^(?:UTC|Etc\/(?:UTC|UCT|GMT|Zulu|Universal|Greenwich)|Etc\/GMT[+-]\d{1,2}|GMT)$/;

/**
 * UTC-offset rules of one IANA zone, computed lazily per calendar year from `Intl.DateTimeFormat` (once per
 * zone and year, then cached): the year is sampled daily and each offset change is bisected to the second.
 */
export class ZoneRules {
  /** Canonical zone name. */
  readonly name: string;
  private readonly dtf: Intl.DateTimeFormat;
  private readonly years: (Segment[] | undefined)[] = [];
  private last: Segment;
  private readonly fixed: Segment | undefined;
  private low: Segment | undefined;
  private high: Segment | undefined;

  constructor(name: string) {
    this.name = name;
    this.dtf = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    if (FIXED_NAME.test(name)) {
      const o = this.offsetAt(0);
      this.fixed = { start: -Infinity, end: Infinity, offset: o, prevOffset: o, nextOffset: o };
      this.last = this.fixed;
    } else {
      this.fixed = undefined;
      this.last = { start: 0, end: 0, offset: 0, prevOffset: 0, nextOffset: 0 };
    }
  }

  /** UTC offset (ms) at instant `t`, straight from Intl (slow; used to build the tables). */
  offsetAt(t: number): number {
    const s = Math.floor(t / 1000) * 1000;
    const text = this.dtf.format(s);
    // "M/D/YYYY, HH:mm:ss"
    let f0 = 0;
    let f1 = 0;
    let f2 = 0;
    let f3 = 0;
    let f4 = 0;
    let f5 = 0;
    let k = 0;
    let v = 0;
    let inNum = false;
    for (let i = 0; i <= text.length; i++) {
      const d = i < text.length ? text.charCodeAt(i) - 48 : -1;
      if (d >= 0 && d <= 9) {
        v = v * 10 + d;
        inNum = true;
      } else if (inNum) {
        if (k === 0) f0 = v;
        else if (k === 1) f1 = v;
        else if (k === 2) f2 = v;
        else if (k === 3) f3 = v;
        else if (k === 4) f4 = v;
        else if (k === 5) f5 = v;
        k++;
        v = 0;
        inNum = false;
      }
    }
    return Date.UTC(f2, f0 - 1, f1, f3, f4, f5) - s;
  }

  /** The segment containing instant `t` (an immutable, cached object). */
  segmentAt(t: number): Segment {
    const last = this.last;
    if (t >= last.start && t < last.end) return last;
    if (this.fixed) return this.fixed;
    let seg: Segment;
    if (t < T_FLOOR) {
      if (!this.low) {
        const o = this.offsetAt(T_FLOOR - 1000);
        this.low = {
          start: -Infinity,
          end: T_FLOOR,
          offset: o,
          prevOffset: o,
          nextOffset: this.offsetAt(T_FLOOR),
        };
      }
      seg = this.low;
    } else if (t >= T_CEIL) {
      if (!this.high) {
        const o = this.offsetAt(T_CEIL - 1000);
        this.high = { start: T_CEIL, end: Infinity, offset: o, prevOffset: o, nextOffset: o };
      }
      seg = this.high;
    } else {
      let y = 1970 + Math.floor(t / YEAR_MS);
      if (y < 1800) y = 1800;
      else if (y > 9999) y = 9999;
      let segs = this.yearSegments(y);
      while (t < segs[0]!.start) segs = this.yearSegments(--y);
      while (t >= segs[segs.length - 1]!.end) segs = this.yearSegments(++y);
      let i = 0;
      while (t >= segs[i]!.end) i++;
      seg = segs[i]!;
    }
    this.last = seg;
    return seg;
  }

  private yearSegments(y: number): Segment[] {
    const cached = this.years[y - 1800];
    if (cached) return cached;
    const start = Date.UTC(y, 0, 1);
    const end = Date.UTC(y + 1, 0, 1);
    const segs: Segment[] = [];
    let prev = this.offsetAt(start - 1000);
    let cur = this.offsetAt(start);
    let segStart = start;
    let t = start;
    for (;;) {
      const t2 = Math.min(t + STEP, end - 1000);
      if (t2 <= t) break;
      const o2 = this.offsetAt(t2);
      if (o2 === cur) {
        t = t2;
        continue;
      }
      let lo = t;
      let hi = t2;
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
        if (this.offsetAt(mid) === cur) lo = mid;
        else hi = mid;
      }
      const after = this.offsetAt(hi);
      segs.push({ start: segStart, end: hi, offset: cur, prevOffset: prev, nextOffset: after });
      prev = cur;
      cur = after;
      segStart = hi;
      t = hi;
    }
    // The offset the next year starts with (year 9999 hands over to the `high` segment, which keeps `cur`).
    const next = y === 9999 ? cur : this.offsetAt(end);
    segs.push({ start: segStart, end, offset: cur, prevOffset: prev, nextOffset: next });
    this.years[y - 1800] = segs;
    return segs;
  }
}

const zones = new Map<string, ZoneRules>();
const canonicalNames = new Map<string, string>();

/**
 * Node.js 22+ (ECMA-402 offset time zones) accepts `+01:00` as a `timeZone`; Node 20 did not. An offset is not an
 * IANA zone and has no DST rules, so it is refused on every Node.js line alike.
 */
function isOffset(zone: string): boolean {
  return /^[-+\u2212]/.test(zone);
}

/** Whether `zone` names a time zone this runtime knows (IANA names, case-insensitive, and `UTC`). */
export function isValidTimezone(zone: string): boolean {
  if (typeof zone !== 'string' || zone === '') return false;
  if (canonicalNames.has(zone)) return true;
  if (isOffset(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Returns the canonical spelling of `zone` (e.g. `'europe/stockholm'` → `'Europe/Stockholm'`, `'Etc/UTC'` →
 * `'UTC'`), or throws {@link InvalidTimezoneError} naming `field`.
 */
export function assertTimezone(zone: string, field = 'timezone'): string {
  if (typeof zone === 'string') {
    const known = canonicalNames.get(zone);
    if (known !== undefined) return known;
    if (zone !== '' && !isOffset(zone)) {
      try {
        const canonical = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
        if (canonicalNames.size < 10_000) canonicalNames.set(zone, canonical);
        return canonical;
      } catch {
        // fall through
      }
    }
  }
  throw new InvalidTimezoneError(zone, field);
}

let defaultZone: ZoneRules | undefined;

/** The cached rules for `zone` (default {@link DEFAULT_TIMEZONE}); throws InvalidTimezoneError. */
export function getZone(zone: string | undefined): ZoneRules {
  if (zone === undefined) {
    if (defaultZone === undefined) defaultZone = getZone(DEFAULT_TIMEZONE);
    return defaultZone;
  }
  const hit = zones.get(zone);
  if (hit !== undefined) return hit;
  const canonical = assertTimezone(zone);
  let rules = zones.get(canonical);
  if (rules === undefined) {
    rules = new ZoneRules(canonical);
    zones.set(canonical, rules);
  }
  if (zones.size < 10_000) zones.set(zone, rules);
  return rules;
}
