import { civil, civilFromDays, daysFromCivil, daysInMonth, weekdayOfDays } from './civil.js';
import { type CompiledCron, lengthMask } from './parse.js';
import type { Segment, ZoneRules } from './zone.js';

// All wall-clock arithmetic is on "wall minutes": minutes since 1970-01-01T00:00 local time, as if the zone
// were UTC. Instants are epoch milliseconds.

/** First wall minute of year 10000: searches stop there. */
export const MAX_WALL = daysFromCivil(10000, 1, 1) * 1440;

const ctz = (x: number): number => 31 - Math.clz32(x & -x);

/** First wall minute `>= from` matching the expression, or NaN if there is none before year 10000. */
export function nextWallMinute(c: CompiledCron, from: number): number {
  if (!(from < MAX_WALL)) return Number.NaN;
  const days = Math.floor(from / 1440);
  const mod = from - days * 1440;
  let h = (mod / 60) | 0;
  let mi = mod - h * 60;
  civilFromDays(days);
  let y = civil.y;
  let m = civil.m;
  let d = civil.d;
  const months = c.months;
  const hours = c.hours;
  const minLo = c.minLo;
  const minHi = c.minHi;
  const byWeekday = c.dayByWeekday;
  for (;;) {
    if (!((months >>> m) & 1)) {
      const x = months & (-1 << (m + 1));
      if (x !== 0) m = ctz(x);
      else {
        y++;
        m = ctz(months);
      }
      if (y >= 10000) return Number.NaN;
      d = 1;
      h = 0;
      mi = 0;
    }
    const first = daysFromCivil(y, m, 1);
    let x = byWeekday[weekdayOfDays(first)]! & lengthMask(daysInMonth(y, m)) & (-1 << d);
    while (x !== 0) {
      const nd = ctz(x);
      if (nd !== d) {
        d = nd;
        h = 0;
        mi = 0;
      }
      let hx = hours & (-1 << h);
      while (hx !== 0) {
        const nh = ctz(hx);
        if (nh !== h) {
          h = nh;
          mi = 0;
        }
        let nm = -1;
        if (mi < 32) {
          const mx = minLo & (-1 << mi);
          if (mx !== 0) nm = ctz(mx);
          else if (minHi !== 0) nm = 32 + ctz(minHi);
        } else {
          const mx = minHi & (-1 << (mi - 32));
          if (mx !== 0) nm = 32 + ctz(mx);
        }
        if (nm >= 0) return (first + d - 1) * 1440 + h * 60 + nm;
        hx &= hx - 1;
      }
      x &= x - 1;
    }
    m++;
    if (m > 12) {
      m = 1;
      y++;
      if (y >= 10000) return Number.NaN;
    }
    d = 1;
    h = 0;
    mi = 0;
  }
}

/** Whether wall minute `w` matches the expression's fields. */
export function matchesWallMinute(c: CompiledCron, w: number): boolean {
  const days = Math.floor(w / 1440);
  const mod = w - days * 1440;
  const h = (mod / 60) | 0;
  const mi = mod - h * 60;
  if (mi < 32 ? !((c.minLo >>> mi) & 1) : !((c.minHi >>> (mi - 32)) & 1)) return false;
  if (!((c.hours >>> h) & 1)) return false;
  civilFromDays(days);
  if (!((c.months >>> civil.m) & 1)) return false;
  const first = days - civil.d + 1;
  return ((c.dayByWeekday[weekdayOfDays(first)]! >>> civil.d) & 1) === 1;
}

/** First wall minute in `seg` whose UTC instant is the first occurrence of that wall time. */
export function firstOccurrenceStart(seg: Segment): number {
  return Math.ceil((seg.start + Math.max(seg.prevOffset, seg.offset)) / 60000);
}

/**
 * The first run strictly after instant `after` (ms), or NaN. Walks the zone's offset segments; in each, the
 * wall-clock walk is pure calendar arithmetic. Wall times in a spring-forward gap belong to no segment and are
 * skipped; wall times repeated after a fall-back are only taken from the segment where they first occur.
 */
export function nextRunMs(c: CompiledCron, zone: ZoneRules, after: number): number {
  let seg = zone.segmentAt(after);
  let fromW = Math.floor((after + seg.offset) / 60000) + 1;
  for (;;) {
    const off = seg.offset;
    const lo = firstOccurrenceStart(seg);
    const hiW = Math.ceil((seg.end + off) / 60000);
    const from = Math.max(fromW, lo);
    if (from < hiW) {
      const w = nextWallMinute(c, from);
      if (Number.isNaN(w)) return Number.NaN;
      if (w < hiW) return w * 60000 - off;
      // No match in [from, w): jump to the segment around w, far ahead if needed.
      fromW = w;
      const guess = w * 60000 - off - 2 * 86_400_000;
      if (guess > seg.end) {
        seg = zone.segmentAt(guess);
        continue;
      }
    }
    if (seg.end === Number.POSITIVE_INFINITY) return Number.NaN;
    seg = zone.segmentAt(seg.end);
  }
}

/** Whether instant `t` (ms) is a run time: a matching wall minute, at its first occurrence. */
export function matchesMs(c: CompiledCron, zone: ZoneRules, t: number): boolean {
  const seg = zone.segmentAt(t);
  const wallMs = t + seg.offset;
  if (wallMs % 60000 !== 0) return false;
  const w = wallMs / 60000;
  if (w < firstOccurrenceStart(seg)) return false;
  return matchesWallMinute(c, w);
}
