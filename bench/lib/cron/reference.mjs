// A deliberately simple reference for next runs, written for the benchmark (it shares no code with
// @craft/cron): walk every UTC minute, convert it to wall-clock time in the zone with luxon, and fire when
// the wall time matches. The policy of the spec falls out of the walk:
// - a wall time that does not exist (spring forward) is never produced by any instant, so it is skipped;
// - a wall time that occurs twice (fall back) fires only at the instant where it is first reached: the walk
//   remembers the latest wall time seen and fires only on wall times later than that. The walk starts one
//   day before the start instant, so a start inside the repeated hour knows the first pass already happened.
import { FixedOffsetZone, IANAZone } from 'luxon';

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const ISO_DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];
const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'dom', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, nameBase: 1 },
  { name: 'dow', min: 0, max: 6, names: ISO_DAYS, nameBase: 0 },
];

function value(text, field) {
  const i = field.names ? field.names.indexOf(text.toUpperCase()) : -1;
  const v = i >= 0 ? i + field.nameBase : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(v >= field.min && v <= field.max)) throw new Error(`reference: ${field.name} "${text}" out of range`);
  return v;
}

/** Parses the ISO dialect into one boolean array per field, plus whether each day field starts with `*`. */
export function parseReference(expr) {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`reference: expected 5 fields in "${expr}"`);
  const out = { expr };
  FIELDS.forEach((field, fi) => {
    const set = new Array(field.max + 1).fill(false);
    for (const item of parts[fi].split(',')) {
      const [range, stepText] = item.split('/');
      const step = stepText === undefined ? 1 : Number(stepText);
      if (!(step >= 1)) throw new Error(`reference: bad step in "${item}"`);
      let lo;
      let hi;
      if (range === '*') [lo, hi] = [field.min, field.max];
      else if (range.includes('-')) {
        const [a, b] = range.split('-');
        [lo, hi] = [value(a, field), value(b, field)];
      } else {
        lo = value(range, field);
        hi = stepText === undefined ? lo : field.max;
      }
      for (let v = lo; v <= hi; v += step) set[v] = true;
    }
    out[field.name] = set;
  });
  out.domText = parts[2];
  out.dowText = parts[4];
  return out;
}

/**
 * How a day matches when day-of-month and day-of-week are both given. `vixie` is @craft/cron's (and the
 * spec's) rule; the others describe peers, so a peer's difference can be named instead of guessed.
 */
export const DAY_RULES = {
  vixie: 'OR when both day fields are restricted; a field starting with * counts as unrestricted (AND)',
  'or-literal-star': 'OR when both day fields are restricted; only a bare * counts as unrestricted',
  and: 'day-of-month AND day-of-week, always',
};

function dayMatcher(p, rule) {
  let and;
  if (rule === 'and') and = true;
  else if (rule === 'or-literal-star') and = p.domText === '*' || p.dowText === '*';
  else and = p.domText.startsWith('*') || p.dowText.startsWith('*');
  return (dom, isoDow, month) => {
    if (!p.month[month]) return false;
    return and ? p.dom[dom] && p.dow[isoDow] : p.dom[dom] || p.dow[isoDow];
  };
}

const zoneCache = new Map();
const hourCache = new Map();
function zoneOf(name) {
  if (!zoneCache.has(name)) {
    hourCache.set(name, new Map());
    const z = name === 'UTC' ? FixedOffsetZone.utcInstance : IANAZone.create(name);
    if (!z.isValid) throw new Error(`reference: unknown zone ${name}`);
    zoneCache.set(name, z);
  }
  return zoneCache.get(name);
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * The runs strictly after `afterMs`, at most `n`, and only those before `endMs`, as epoch milliseconds.
 * @param {ReturnType<typeof parseReference>} p
 * @param {string} zoneName IANA zone or 'UTC'
 * @param {keyof typeof DAY_RULES} [rule]
 */
export function referenceRuns(p, zoneName, afterMs, n, endMs, rule = 'vixie') {
  const zone = zoneOf(zoneName);
  const dayOk = dayMatcher(p, rule);
  // Offsets only change on whole minutes. Look one up per UTC hour (cached per zone, shared by all calls) and
  // fall back to a lookup per minute in an hour where the offset changes.
  const hours = hourCache.get(zoneName);
  let cachedHour = Number.NaN;
  let hourOffset = 0;
  const offsetAt = (t) => {
    const h = Math.floor(t / HOUR);
    if (h !== cachedHour) {
      cachedHour = h;
      hourOffset = hours.get(h);
      if (hourOffset === undefined) {
        const a = zone.offset(h * HOUR);
        hourOffset = a === zone.offset(h * HOUR + 59 * MINUTE) ? a : null;
        hours.set(h, hourOffset);
      }
    }
    return (hourOffset ?? zone.offset(t)) * MINUTE;
  };
  let cachedDay = Number.NaN;
  let dayMatches = false;
  const date = new Date(0);
  let latestWall = -Infinity;
  const runs = [];
  for (let t = Math.floor(afterMs / MINUTE) * MINUTE - DAY; t < endMs && runs.length < n; t += MINUTE) {
    const wall = t + offsetAt(t);
    if (wall <= latestWall) continue; // this wall time was already reached: a repeated (fall-back) time
    latestWall = wall;
    if (t <= afterMs) continue;
    const d = Math.floor(wall / DAY);
    if (d !== cachedDay) {
      cachedDay = d;
      date.setTime(d * DAY);
      dayMatches = dayOk(date.getUTCDate(), (date.getUTCDay() + 6) % 7, date.getUTCMonth() + 1);
    }
    if (!dayMatches) continue;
    const minuteOfDay = (wall - d * DAY) / MINUTE;
    if (p.hour[Math.floor(minuteOfDay / 60)] && p.minute[minuteOfDay % 60]) runs.push(t);
  }
  return runs;
}

/** True when the zone's offset differs somewhere within ±hours of the instant (a DST change nearby). */
export function nearTransition(zoneName, t, hours = 26) {
  const zone = zoneOf(zoneName);
  const base = zone.offset(t);
  for (let dt = -hours; dt <= hours; dt++) if (zone.offset(t + dt * HOUR) !== base) return true;
  return false;
}
