// Time as operators need it: wall time in the schedule's zone next to UTC, with the zone's offset, so DST is
// visible. All formatting goes through Intl (the browser's zone database), none through the browser's own zone
// unless asked (`viewerZone`).

/** The browser's zone (for times that belong to no schedule, e.g. when a run was created). */
export const viewerZone: string = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string, withWeekday: boolean): Intl.DateTimeFormat {
  const key = `${zone}|${withWeekday}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      ...(withWeekday ? { weekday: 'short' as const } : {}),
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    formatters.set(key, f);
  }
  return f;
}

/** Parts of an instant in a zone. */
export interface ZonedParts {
  /** `YYYY-MM-DD`. */
  date: string;
  /** `HH:mm`. */
  time: string;
  /** `Mon`… */
  weekday: string;
  /** `+02:00`, `-03:30`, `+00:00`. */
  offset: string;
}

const toMs = (t: string | number | Date) => (typeof t === 'number' ? t : new Date(t).getTime());

/** The wall time and offset of `t` in `zone`. */
export function zoned(t: string | number | Date, zone: string): ZonedParts {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = formatter(zone, true).formatToParts(toMs(t));
  } catch {
    parts = formatter('UTC', true).formatToParts(toMs(t));
  }
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const tz = get('timeZoneName').replace(/^GMT/, '');
  return {
    date: `${get('year')}-${get('month')}-${get('day')}`,
    time: `${get('hour')}:${get('minute')}`,
    weekday: get('weekday'),
    offset: tz === '' ? '+00:00' : tz.length === 3 ? `${tz}:00` : tz,
  };
}

/** `2027-03-28 03:30` in `zone`. */
export function wall(t: string | number | Date, zone: string): string {
  const z = zoned(t, zone);
  return `${z.date} ${z.time}`;
}

/** `2027-03-28 03:30:07` in `zone` (for when things happened, to the second). */
export function wallSeconds(t: string | number | Date, zone: string): string {
  const ms = toMs(t);
  const seconds = String(Math.floor((((ms / 1000) % 60) + 60) % 60)).padStart(2, '0');
  return `${wall(ms, zone)}:${seconds}`;
}

/** `2027-03-28 01:30 UTC`. */
export function utc(t: string | number | Date): string {
  return `${new Date(toMs(t)).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** `in 5 minutes`, `3 hours ago`, relative to `now`. */
export function relative(t: string | number | Date, now = Date.now()): string {
  const diff = toMs(t) - now;
  const abs = Math.abs(diff);
  const steps: [number, Intl.RelativeTimeFormatUnit][] = [
    [60_000, 'second'],
    [3_600_000, 'minute'],
    [86_400_000, 'hour'],
    [30 * 86_400_000, 'day'],
    [365 * 86_400_000, 'month'],
  ];
  const units: Record<string, number> = {
    second: 1000,
    minute: 60_000,
    hour: 3_600_000,
    day: 86_400_000,
    month: 30 * 86_400_000,
  };
  for (const [limit, unit] of steps) {
    if (abs < limit) return rtf.format(Math.round(diff / (units[unit] as number)), unit);
  }
  return rtf.format(Math.round(diff / (365 * 86_400_000)), 'year');
}

/** `850 ms`, `12.3 s`, `4 min 05 s`, `2 h 03 min`. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 0) ms = 0;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  // 1 s, 1.5 s, 12.3 s: no trailing zeros.
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(ms < 10_000 ? 2 : 1))} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600)
    return s % 60 === 0 ? `${s / 60} min` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  const m = Math.round(s / 60);
  if (m < 48 * 60)
    return m % 60 === 0 ? `${m / 60} h` : `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
  return `${Math.round(m / 1440)} days`;
}

/** Milliseconds between two ISO instants, or null when either is missing. */
export function between(from: string | null | undefined, to: string | null | undefined): number | null {
  if (!from || !to) return null;
  return new Date(to).getTime() - new Date(from).getTime();
}

/** `1,234`. */
export const count = (n: number) => n.toLocaleString('en-US');

/** Every IANA zone the browser knows (for the timezone input's suggestions). */
export function knownZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  try {
    return intl.supportedValuesOf?.('timeZone') ?? [];
  } catch {
    return [];
  }
}
