// The fixed workload of the cron benchmark, in @craft/cron's dialect (day-of-week ISO: 0 = Monday ... 6 = Sunday),
// and the translation of the day-of-week field to POSIX crontab (0 = Sunday) for the peers.

/** About 20 realistic expressions; `why` says what each one exercises. */
export const EXPRESSIONS = [
  { iso: '* * * * *', why: 'every minute' },
  { iso: '*/5 * * * *', why: 'every 5 minutes' },
  { iso: '*/15 * * * *', why: 'every 15 minutes' },
  { iso: '0 * * * *', why: 'hourly' },
  { iso: '0 3 * * *', why: '03:00 daily' },
  { iso: '30 2 * * *', why: '02:30 daily: does not exist on the spring-forward day in Stockholm' },
  { iso: '0 2 * * *', why: '02:00 daily: occurs twice on the fall-back day in Stockholm' },
  { iso: '*/10 2 * * *', why: 'every 10 min in the 02 hour: an interval job across gap and overlap' },
  { iso: '0 9 * * 0-4', why: '09:00 Monday-Friday' },
  { iso: '0 9-17 * * 0-4', why: 'hourly 09-17, Monday-Friday' },
  { iso: '0 22 * * 0-4', why: '22:00 Monday-Friday' },
  { iso: '0 10 * * 5-6', why: '10:00 Saturday and Sunday (a range across POSIX Sunday)' },
  { iso: '0 0 * * 6', why: 'midnight every Sunday' },
  { iso: '5 4 * * 6', why: '04:05 every Sunday' },
  { iso: '30 2 * * 5', why: '02:30 every Saturday' },
  { iso: '0 0 1 * *', why: 'first of the month' },
  { iso: '0 0 1,15 * *', why: '1st and 15th' },
  { iso: '0 12 * JAN,JUL *', why: 'noon every day in January and July' },
  { iso: '0 0 29 2 *', why: 'leap day only' },
  { iso: '15/30 * * * *', why: 'N/M step: :15 and :45' },
  { iso: '0-30/10 * * * *', why: 'N-M/S step: :00 :10 :20 :30' },
  { iso: '0 0 13 * 4', why: 'the 13th OR any Friday (both day fields restricted: OR)' },
  {
    iso: '0 0 */2 * 0',
    why: 'odd days that are Mondays (Vixie: a field starting with * is unrestricted: AND)',
  },
];

const POSIX_DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const ISO_DAY_NAMES = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

function isoDay(token) {
  const byName = ISO_DAY_NAMES.indexOf(token.toUpperCase());
  if (byName >= 0) return byName;
  if (!/^\d+$/.test(token) || Number(token) > 6) throw new Error(`not an ISO weekday: ${token}`);
  return Number(token);
}

/** The set of ISO weekdays (0 = Monday) a day-of-week field names. Steps over `*` are not translated. */
function isoDaySet(field) {
  const days = new Set();
  for (const item of field.split(',')) {
    const [range, stepText] = item.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    const [a, b] = range.split('-');
    const lo = isoDay(a);
    const hi = b !== undefined ? isoDay(b) : stepText !== undefined ? 6 : lo;
    for (let d = lo; d <= hi; d += step) days.add(d);
  }
  return days;
}

/**
 * Translates an ISO-weekday expression to POSIX crontab for the peers. Only the day-of-week field changes:
 * it becomes day names, with runs of consecutive POSIX days as ranges (`0-4` -> `MON-FRI`) and a set that
 * wraps past Sunday as a list (`5-6` -> `SUN,SAT`), because not every peer accepts 7 or a wrapping range.
 * A field that starts with `*` is kept as it is (translating `*` to a list would change its meaning under the
 * Vixie rule); `*` with a step is refused, since no name list keeps both its days and its `*`.
 */
export function toPosix(iso) {
  const f = iso.trim().split(/\s+/);
  if (f.length !== 5) throw new Error(`expected 5 fields: ${iso}`);
  const dow = f[4];
  if (dow.startsWith('*')) {
    if (dow !== '*') throw new Error(`cannot translate a stepped * weekday field: ${iso}`);
    return f.join(' ');
  }
  const posix = [...isoDaySet(dow)].map((d) => (d + 1) % 7).sort((a, b) => a - b);
  const parts = [];
  for (let i = 0; i < posix.length; ) {
    let j = i;
    while (j + 1 < posix.length && posix[j + 1] === posix[j] + 1) j++;
    parts.push(
      j - i >= 2
        ? `${POSIX_DAY_NAMES[posix[i]]}-${POSIX_DAY_NAMES[posix[j]]}`
        : posix
            .slice(i, j + 1)
            .map((d) => POSIX_DAY_NAMES[d])
            .join(','),
    );
    i = j + 1;
  }
  f[4] = parts.join(',');
  return f.join(' ');
}
