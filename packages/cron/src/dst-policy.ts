import { matchesWallMinute, nextWallMinute } from './next-run.js';
import { LAST, OVERLAP, SHIFT } from './options.js';
import type { CompiledCron } from './parse.js';
import type { Segment, ZoneRules } from './zone.js';

// Next run and slot test under any DST policy (options.ts). The default policy (skip, first) has its own, faster
// walk in next-run.ts; with policy 0 the functions here give the same answers (a property test checks it).
//
// Wall minutes of one offset segment `seg` (see zone.ts) run over [ceil((start + offset) / 1 min),
// ceil((end + offset) / 1 min)). Where the offset went down at `start` (fall back), the segment's lowest wall
// minutes repeat ones the previous segment showed: below `repeatsUntil(seg)` they are *second* occurrences.
// Where it goes down at `end`, its highest wall minutes will be shown again: from `repeatedFrom(seg)` on they are
// *first* occurrences. Where the offset went up at `start` (spring forward), the wall minutes
// [ceil((start + prevOffset) / 1 min), lowest wall minute of seg) exist nowhere: the gap.

const MIN = 60000;

/** Lowest wall minute of `seg`. With a gap before `seg`, also the end of the gap (exclusive). */
const lowestWall = (seg: Segment): number => Math.ceil((seg.start + seg.offset) / MIN);
/** Wall minutes of `seg` below this are second occurrences (when `prevOffset > offset`); also a gap's start. */
const repeatsUntil = (seg: Segment): number => Math.ceil((seg.start + seg.prevOffset) / MIN);
/** Wall minutes of `seg` from this on occur again in the next segment (when `nextOffset < offset`). */
const repeatedFrom = (seg: Segment): number => Math.ceil((seg.end + seg.nextOffset) / MIN);

/**
 * The first slot strictly after instant `after` (ms) under `policy`, or NaN if there is none before year 10000.
 * Walks the offset segments one by one (a repeated hour can hold a slot whose wall time is lower than one
 * already passed, so no segment may be jumped over), remembering the last wall-clock search so a run of
 * segments without a match costs one search.
 */
export function nextRunPolicy(c: CompiledCron, zone: ZoneRules, after: number, policy: number): number {
  const shift = (policy & SHIFT) !== 0;
  const overlap = policy & OVERLAP;
  // nextWallMinute(c, x) for every x in [memoFrom, memoW] is memoW.
  let memoFrom = Number.POSITIVE_INFINITY;
  let memoW = Number.NaN;
  let seg = zone.segmentAt(after);
  for (;;) {
    const off = seg.offset;
    const segLo = lowestWall(seg);
    // First wall minute strictly after `after` in this offset; for a later segment this is <= segLo.
    const afterW = Math.floor((after + off) / MIN) + 1;
    if (shift && seg.prevOffset < off && segLo >= afterW) {
      // The first instant after a gap is a slot when a wall time in the gap matches.
      const gapLo = repeatsUntil(seg);
      let m: number;
      if (gapLo >= memoFrom && gapLo <= memoW) m = memoW;
      else {
        m = nextWallMinute(c, gapLo);
        memoFrom = gapLo;
        memoW = m;
      }
      if (m < segLo) return segLo * MIN - off;
    }
    let lo = segLo;
    let hi = Math.ceil((seg.end + off) / MIN);
    if (overlap === 0 && seg.prevOffset > off) lo = repeatsUntil(seg); // 'first': no second occurrences
    if (overlap === LAST && seg.nextOffset < off) hi = repeatedFrom(seg); // 'last': no first occurrences
    const from = Math.max(afterW, lo);
    if (from < hi) {
      let w: number;
      if (from >= memoFrom && from <= memoW) w = memoW;
      else {
        w = nextWallMinute(c, from);
        if (Number.isNaN(w)) return Number.NaN;
        memoFrom = from;
        memoW = w;
      }
      if (w < hi) return w * MIN - off;
    }
    if (seg.end === Number.POSITIVE_INFINITY) return Number.NaN;
    seg = zone.segmentAt(seg.end);
  }
}

/** {@link classifySlot}: not a slot. */
export const NOT_A_SLOT = -1;
/** {@link classifySlot}: an ordinary slot. */
export const ORDINARY = 0;
/** {@link classifySlot}: the first instant after a gap, standing for missing wall times (`dstGap: 'shift'`). */
export const SHIFTED = 1;
/** {@link classifySlot}: the first occurrence of a wall time that occurs twice. */
export const FIRST = 2;
/** {@link classifySlot}: the second occurrence of a wall time that occurs twice. */
export const SECOND = 3;

/** Output registers of {@link classifySlot} (valid when it returns a slot). */
export const slotRegister = { wall: 0, intended: 0, offset: 0 };

/**
 * Whether instant `t` (ms) is a slot under `policy`, and which kind: NOT_A_SLOT, ORDINARY, SHIFTED, FIRST or
 * SECOND. For a slot, writes its wall minute, intended wall minute (the earliest missing one for SHIFTED) and
 * offset to {@link slotRegister}. Agrees with {@link nextRunPolicy}: same segment bounds, same order of tests.
 */
export function classifySlot(c: CompiledCron, zone: ZoneRules, t: number, policy: number): number {
  const seg = zone.segmentAt(t);
  const off = seg.offset;
  const wallMs = t + off;
  if (wallMs % MIN !== 0) return NOT_A_SLOT;
  const w = wallMs / MIN;
  slotRegister.wall = w;
  slotRegister.intended = w;
  slotRegister.offset = off;
  if (policy & SHIFT && seg.prevOffset < off && w === lowestWall(seg)) {
    const missing = nextWallMinute(c, repeatsUntil(seg));
    if (missing < w) {
      slotRegister.intended = missing;
      return SHIFTED;
    }
  }
  const second = seg.prevOffset > off && w < repeatsUntil(seg);
  const first = seg.nextOffset < off && w >= repeatedFrom(seg);
  const overlap = policy & OVERLAP;
  if (second && overlap === 0) return NOT_A_SLOT;
  if (first && overlap === LAST) return NOT_A_SLOT;
  if (!matchesWallMinute(c, w)) return NOT_A_SLOT;
  return second ? SECOND : first ? FIRST : ORDINARY;
}

/**
 * The wall minutes a gap removed that the shifted slot at instant `t` stands for, ascending (empty when `t` is
 * not the first instant after a gap or no missing wall time matches).
 */
export function shiftedWallMinutes(c: CompiledCron, zone: ZoneRules, t: number): number[] {
  const seg = zone.segmentAt(t);
  const out: number[] = [];
  if (!(seg.prevOffset < seg.offset)) return out;
  const end = lowestWall(seg);
  if ((t + seg.offset) / MIN !== end) return out;
  for (let w = nextWallMinute(c, repeatsUntil(seg)); w < end; w = nextWallMinute(c, w + 1)) out.push(w);
  return out;
}
