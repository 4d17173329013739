// Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01), after Howard Hinnant's
// days_from_civil / civil_from_days. Integer-only, valid far beyond the years Date supports.

/** Days since 1970-01-01 of the civil date y-m-d (m 1-12). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = m > 2 ? m - 3 : m + 9;
  const doy = (((153 * mp + 2) / 5) | 0) + d - 1;
  const doe = yoe * 365 + ((yoe / 4) | 0) - ((yoe / 100) | 0) + doy;
  return era * 146097 + doe - 719468;
}

/** Output registers of {@link civilFromDays} (avoids allocating in hot loops). */
export const civil = { y: 1970, m: 1, d: 1 };

/** Converts a day number to y-m-d, written to {@link civil}. */
export function civilFromDays(days: number): void {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = ((doe - ((doe / 1460) | 0) + ((doe / 36524) | 0) - ((doe / 146096) | 0)) / 365) | 0;
  const doy = doe - (365 * yoe + ((yoe / 4) | 0) - ((yoe / 100) | 0));
  const mp = ((5 * doy + 2) / 153) | 0;
  civil.d = doy - (((153 * mp + 2) / 5) | 0) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  civil.m = m;
  civil.y = yoe + era * 400 + (m <= 2 ? 1 : 0);
}

/** ISO weekday (0 = Monday … 6 = Sunday) of a day number. */
export function weekdayOfDays(days: number): number {
  const r = (days + 3) % 7;
  return r < 0 ? r + 7 : r;
}

export function isLeapYear(y: number): boolean {
  return (y & 3) === 0 && (y % 100 !== 0 || y % 400 === 0);
}

export function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

function padYear(y: number): string {
  if (y >= 0 && y <= 9999) return String(y).padStart(4, '0');
  return (y < 0 ? '-' : '+') + String(Math.abs(y)).padStart(6, '0');
}

/** `YYYY-MM-DDTHH:mm` of a wall-clock minute number (minutes since 1970-01-01T00:00 wall time). */
export function formatWallMinute(wall: number): string {
  const days = Math.floor(wall / 1440);
  const mod = wall - days * 1440;
  civilFromDays(days);
  return `${padYear(civil.y)}-${pad2(civil.m)}-${pad2(civil.d)}T${pad2((mod / 60) | 0)}:${pad2(mod % 60)}`;
}

/** `+01:00` / `-03:30` / `+01:12:12` for an offset in milliseconds. */
export function formatOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? '-' : '+';
  const total = Math.round(Math.abs(offsetMs) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${sign}${pad2(h)}:${pad2(m)}${s ? `:${pad2(s)}` : ''}`;
}
