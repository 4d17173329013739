// How close two consecutive slots of a schedule can come (spec section 10: `jitter_seconds` must be shorter than the
// smallest gap, so a jittered run never starts after the next slot's). Two sources of small gaps:
// - the expression's own rhythm on an ordinary day (its minutes and hours, and across midnight when two consecutive
//   days match), found from its fields;
// - offset changes: a gap or a repeated hour brings slots closer in real time (`59 1,3 * * *` is 1 minute apart the
//   night clocks jump 02:00 → 03:00; under `dstOverlap: 'both'` a daily `30 2 * * *` runs twice an hour apart; under
//   `dstGap: 'shift'` a shifted run can follow the previous slot closely). These are found by enumerating the
//   schedule's real slots around every offset change of its zone in the next 28 years (the weekday/date cycle).
import { type CronExpression, type CronOptions, describeFields, parseCron } from '@craft/cron';

/** A gap found by {@link findSlotGapAtMost}. */
export interface SlotGap {
  /** The gap in milliseconds. */
  gapMs: number;
  /** Where it happens, for messages: `"02:00 → 02:30 every day"` or `"2025-03-30T00:59:00Z → 2025-03-30T01:00:00Z"`. */
  where: string;
}

const DAY = 86_400_000;
const HORIZON_YEARS = 28;
// Offset changes per zone: noon instants [before, after] between which the zone's UTC offset changed.
const changesByZone = new Map<string, [number, number][]>();
const NOON = parseCron('0 12 * * *');

function offsetChanges(zone: string, fromMs: number): [number, number][] {
  const year = new Date(fromMs).getUTCFullYear();
  const key = `${zone}\u0000${year}`;
  const cached = changesByZone.get(key);
  if (cached) return cached;
  const start = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + HORIZON_YEARS, 0, 1);
  const out: [number, number][] = [];
  let prev: { at: number; offset: string } | null = null;
  let t = start - 1;
  while (t < end) {
    const batch = NOON.nextSlots(t, 400, { timezone: zone });
    if (batch.length === 0) break;
    for (const s of batch) {
      const at = s.at.getTime();
      if (prev && prev.offset !== s.offset) out.push([prev.at, at]);
      prev = { at, offset: s.offset };
    }
    t = (batch[batch.length - 1] as { at: Date }).at.getTime();
  }
  if (changesByZone.size > 200) changesByZone.clear();
  changesByZone.set(key, out);
  return out;
}

const pad = (n: number) => String(n).padStart(2, '0');
const hm = (minutes: number) => `${pad(Math.floor(minutes / 60) % 24)}:${pad(minutes % 60)}`;

/** Whether two consecutive calendar days ever both match the expression's day fields (400 years checked). */
function consecutiveDaysMatch(cron: CronExpression): boolean {
  const [, , dom, month, dow] = cron.normalized.split(' ');
  const daily = parseCron(`0 0 ${dom} ${month} ${dow}`);
  let t = daily.next(Date.UTC(2000, 0, 1) - 1, { timezone: 'UTC' });
  for (let i = 0; t !== null && i < 400 * 366; i++) {
    const n = daily.next(t, { timezone: 'UTC' });
    if (n === null) return false;
    if (n.getTime() - t.getTime() === DAY) return true;
    t = n;
  }
  return false;
}

/** The smallest gap of the expression's wall-clock rhythm (no offset change), when it is at most `limitMs`. */
function wallGapAtMost(cron: CronExpression, limitMs: number): SlotGap | null {
  const fields = describeFields(cron);
  const minutes = fields[0]?.values ?? [];
  const hours = fields[1]?.values ?? [];
  const times: number[] = [];
  for (const h of hours) for (const m of minutes) times.push(h * 60 + m);
  times.sort((a, b) => a - b);
  let best: SlotGap | null = null;
  for (let i = 1; i < times.length; i++) {
    const gapMs = ((times[i] as number) - (times[i - 1] as number)) * 60_000;
    if (gapMs <= limitMs && (best === null || gapMs < best.gapMs)) {
      best = { gapMs, where: `${hm(times[i - 1] as number)} → ${hm(times[i] as number)} (wall time)` };
    }
  }
  const first = times[0] as number;
  const last = times[times.length - 1] as number;
  const across = (first + 1440 - last) * 60_000;
  if (across <= limitMs && (best === null || across < best.gapMs) && consecutiveDaysMatch(cron)) {
    best = { gapMs: across, where: `${hm(last)} → ${hm(first)} the next day (wall time)` };
  }
  return best;
}

/**
 * The smallest gap between consecutive slots of `cron` under `options` that is at most `limitMs`, or null when
 * every gap is longer. Gaps under one minute cannot occur (slots are whole wall minutes), so a limit below 60 s is
 * answered at once. Checks the expression's rhythm and every offset change of the zone from `fromMs` on (28 years).
 */
export function findSlotGapAtMost(
  cron: CronExpression,
  options: Required<CronOptions>,
  limitMs: number,
  fromMs: number,
): SlotGap | null {
  if (limitMs < 60_000) return null;
  let best = wallGapAtMost(cron, limitMs);
  const margin = 3 * 3_600_000 + limitMs;
  for (const [before, after] of offsetChanges(options.timezone, fromMs)) {
    if (after < fromMs) continue;
    const end = after + margin;
    let prev = cron.next(before - margin, options);
    while (prev !== null && prev.getTime() <= end) {
      const next = cron.next(prev, options);
      if (next === null || next.getTime() > end) break;
      const gapMs = next.getTime() - prev.getTime();
      if (gapMs <= limitMs && (best === null || gapMs < best.gapMs)) {
        best = { gapMs, where: `${prev.toISOString()} → ${next.toISOString()}` };
      }
      prev = next;
    }
  }
  return best;
}
