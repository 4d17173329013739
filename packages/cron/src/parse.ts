import {
  CronArgumentError,
  CronNeverFiresError,
  CronSyntaxError,
  type CronSyntaxErrorCode,
} from './errors.js';
import type { CronFieldName } from './types.js';
import { FIELD_NAMES } from './types.js';

/**
 * A parsed expression as bitmasks. Minutes are split into two 32-bit words (0-31, 32-59), hours use bits 0-23,
 * days of the month bits 1-31, months bits 1-12, weekdays bits 0-6 (ISO: 0 = Monday).
 * `dayByWeekday[w]` is the 31-bit mask of matching days in a month whose 1st falls on ISO weekday `w`
 * (before cutting it to the month's length), with the day-of-month/day-of-week rule already applied.
 */
export interface CompiledCron {
  readonly minLo: number;
  readonly minHi: number;
  readonly hours: number;
  readonly dom: number;
  readonly months: number;
  readonly dow: number;
  /** Day-of-month field starts with `*` (unrestricted for the OR rule). */
  readonly domStar: boolean;
  /** Day-of-week field starts with `*` (unrestricted for the OR rule). */
  readonly dowStar: boolean;
  readonly dayByWeekday: readonly number[];
}

/** Result of parsing: masks plus the normalized text. */
export interface ParsedCron extends CompiledCron {
  readonly normalized: string;
}

const FIELD_MIN = [0, 0, 1, 1, 0];
const FIELD_MAX = [59, 23, 31, 12, 6];
const FULL_MIN_LO = -1;
const FULL_MIN_HI = 0x0fffffff; // minutes 32-59
const FULL_MASK = [0, 0xffffff, 0xfffffffe | 0, 0x1ffe, 0x7f];

// Three-letter names, keyed by their lower-case letters packed into one integer.
const nameKey = (a: number, b: number, c: number): number => ((a | 32) << 16) | ((b | 32) << 8) | (c | 32);
const keyOf = (s: string): number => nameKey(s.charCodeAt(0), s.charCodeAt(1), s.charCodeAt(2));
const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES_ISO = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const MONTH_BY_KEY = new Map(MONTH_NAMES.map((n, i) => [keyOf(n), i + 1]));
const DAY_BY_KEY_ISO = new Map(DAY_NAMES_ISO.map((n, i) => [keyOf(n), i]));
const DAY_BY_KEY_POSIX = new Map(DAY_NAMES_ISO.map((n, i) => [keyOf(n), (i + 1) % 7]));

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 6',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Macro names accepted, in documentation order. */
export const MACRO_NAMES = Object.keys(MACROS);

/** The 5-field form of a macro (`@weekly` → `0 0 * * 6`), or undefined. Case-insensitive. */
export function expandMacro(macro: string): string | undefined {
  const key = macro.toLowerCase();
  return Object.hasOwn(MACROS, key) ? MACROS[key] : undefined;
}

/** Day-of-week numbering of the text being parsed: ISO (ours) or crontab's (0 or 7 = Sunday). */
export enum Dialect {
  Iso = 0,
  Posix = 1,
}

// Field boundaries of the expression being parsed (start, end pairs); reused across calls.
const bounds = new Int32Array(12);

// Scratch results of parseField.
let maskLo = 0;
let maskHi = 0;
let fieldHasName = false;

const isBlank = (c: number): boolean => c === 32 || c === 9;

function syntaxError(
  code: CronSyntaxErrorCode,
  src: string,
  field: CronFieldName | 'expression',
  start: number,
  end: number,
  problem: string,
  hint?: string,
): CronSyntaxError {
  return new CronSyntaxError(
    code,
    { expression: src, field, text: src.slice(start, end), position: start + 1 },
    problem,
    hint,
  );
}

/** End of the token starting at `i`: the next `,` `-` `/` or the field's end. */
function tokenEnd(src: string, i: number, end: number): number {
  let j = i;
  while (j < end) {
    const c = src.charCodeAt(j);
    if (c === 44 || c === 45 || c === 47) break;
    j++;
  }
  return j === i ? Math.min(i + 1, end) : j;
}

function itemEnd(src: string, i: number, end: number): number {
  let j = i;
  while (j < end && src.charCodeAt(j) !== 44) j++;
  return j;
}

let valueEnd = 0;

/** Reads one value (number or name) at `i`; sets `valueEnd`. Throws on anything else. */
function readValue(
  src: string,
  i: number,
  end: number,
  f: number,
  dialect: Dialect,
  isRangeEnd: boolean,
): number {
  const c = src.charCodeAt(i);
  const field = FIELD_NAMES[f]!;
  if (c >= 48 && c <= 57) {
    let v = 0;
    let j = i;
    while (j < end) {
      const d = src.charCodeAt(j) - 48;
      if (d < 0 || d > 9) break;
      if (v < 1e6) v = v * 10 + d;
      j++;
    }
    const max = f === 4 && dialect === Dialect.Posix ? 7 : FIELD_MAX[f]!;
    if (v < FIELD_MIN[f]! || v > max) {
      if (f === 4 && v === 7) {
        throw syntaxError(
          'CRAFT_CRON_INVALID_FIELD',
          src,
          field,
          i,
          j,
          'is out of range 0-6',
          'Weekdays are ISO here: 0 = Monday … 6 = Sunday (crontab uses 0 or 7 = Sunday). Write 6 or SUN for ' +
            'Sunday, or convert a crontab expression with fromPosix() / `craft-jobs cron convert`',
        );
      }
      throw syntaxError(
        'CRAFT_CRON_INVALID_FIELD',
        src,
        field,
        i,
        j,
        `is out of range ${FIELD_MIN[f]}-${max}`,
        f === 4
          ? 'Weekdays are ISO here: 0 = Monday … 6 = Sunday'
          : `Use a value from ${FIELD_MIN[f]} to ${FIELD_MAX[f]}`,
      );
    }
    valueEnd = j;
    return v;
  }
  const lc = c | 32;
  if (lc >= 97 && lc <= 122) {
    let j = i + 1;
    while (j < end) {
      const l = src.charCodeAt(j) | 32;
      if (l < 97 || l > 122) break;
      j++;
    }
    if (f === 3 || f === 4) {
      const key = j - i === 3 ? nameKey(c, src.charCodeAt(i + 1), src.charCodeAt(i + 2)) : -1;
      const v = (f === 3 ? MONTH_BY_KEY : dialect === Dialect.Iso ? DAY_BY_KEY_ISO : DAY_BY_KEY_POSIX).get(
        key,
      );
      if (v !== undefined) {
        fieldHasName = true;
        valueEnd = j;
        return v;
      }
      throw syntaxError(
        'CRAFT_CRON_INVALID_FIELD',
        src,
        field,
        i,
        tokenEnd(src, i, end),
        `is not a valid ${f === 3 ? 'month' : 'weekday'} name`,
        f === 3 ? 'Use JAN-DEC or 1-12' : 'Use MON-SUN or 0-6 (0 = Monday)',
      );
    }
    throw syntaxError(
      'CRAFT_CRON_INVALID_FIELD',
      src,
      field,
      i,
      tokenEnd(src, i, end),
      'is not a number',
      'Names are allowed only in the month (JAN-DEC) and day-of-week (MON-SUN) fields',
    );
  }
  const te = tokenEnd(src, i, end);
  throw syntaxError(
    'CRAFT_CRON_INVALID_FIELD',
    src,
    field,
    i,
    i === end ? i : te,
    i === end ? (isRangeEnd ? 'is a missing range end' : 'is an empty value') : 'is not a valid value',
    i === end
      ? 'Write a value such as 5, a range such as 1-5, or *'
      : `Use digits, * , - / ${f >= 3 ? 'or names ' : ''}only (L, W, #, ? and seconds are not supported)`,
  );
}

/**
 * Parses field `f` spanning `src[start, end)` into maskLo/maskHi. Returns whether the field starts with `*`.
 */
function parseField(src: string, start: number, end: number, f: number, dialect: Dialect): void {
  maskLo = 0;
  maskHi = 0;
  fieldHasName = false;
  const field = FIELD_NAMES[f]!;
  const posixDow = f === 4 && dialect === Dialect.Posix;
  const fmax = posixDow ? 7 : FIELD_MAX[f]!;
  const fmin = FIELD_MIN[f]!;
  const span = fmax - fmin + 1;
  let i = start;
  for (;;) {
    const itemStart = i;
    if (i === end || src.charCodeAt(i) === 44) {
      throw syntaxError(
        'CRAFT_CRON_INVALID_FIELD',
        src,
        field,
        i,
        i,
        'is an empty list item',
        'Remove the extra comma',
      );
    }
    let lo: number;
    let hi: number;
    let star = false;
    let isRange = false;
    if (src.charCodeAt(i) === 42) {
      lo = fmin;
      hi = fmax;
      star = true;
      i++;
    } else {
      lo = readValue(src, i, end, f, dialect, false);
      i = valueEnd;
      hi = lo;
      if (i < end && src.charCodeAt(i) === 45) {
        const hiStart = i + 1;
        hi = readValue(src, hiStart, end, f, dialect, true);
        i = valueEnd;
        isRange = true;
        if (posixDow && hi === 0 && lo > 0) hi = 7; // crontab: FRI-SUN is 5-7
        if (hi < lo) {
          const text = src.slice(itemStart, i);
          throw syntaxError(
            'CRAFT_CRON_INVALID_FIELD',
            src,
            field,
            itemStart,
            i,
            `is a reversed range (${lo} is after ${hi})`,
            `Ranges do not wrap around; write "${lo}-${fmax},${fmin}-${hi}" instead of "${text}"`,
          );
        }
      }
    }
    let step = 1;
    if (i < end && src.charCodeAt(i) === 47) {
      const stepStart = i + 1;
      let j = stepStart;
      let v = 0;
      while (j < end) {
        const d = src.charCodeAt(j) - 48;
        if (d < 0 || d > 9) break;
        if (v < 1e6) v = v * 10 + d;
        j++;
      }
      if (j === stepStart || v < 1 || v > span) {
        const te = j === stepStart ? tokenEnd(src, stepStart, end) : j;
        throw syntaxError(
          'CRAFT_CRON_INVALID_FIELD',
          src,
          field,
          stepStart,
          stepStart === end ? stepStart : te,
          j === stepStart ? 'is not a valid step' : `is out of range for a step (1-${span})`,
          `A ${field} step must be a whole number from 1 to ${span}`,
        );
      }
      step = v;
      i = j;
      if (!star && !isRange) hi = fmax; // N/S: from N to the field's end
    }
    if (i < end && src.charCodeAt(i) !== 44) {
      const ie = itemEnd(src, itemStart, end);
      throw syntaxError(
        'CRAFT_CRON_INVALID_FIELD',
        src,
        field,
        itemStart,
        ie,
        'is not a valid value, range or step',
        'Write N, N-M, */S, N/S or N-M/S (L, W, #, ? and seconds are not supported)',
      );
    }
    if (f === 0) {
      if (step === 1 && star) {
        maskLo = FULL_MIN_LO;
        maskHi = FULL_MIN_HI;
      } else {
        for (let v = lo; v <= hi; v += step) {
          if (v < 32) maskLo |= 1 << v;
          else maskHi |= 1 << (v - 32);
        }
      }
    } else if (step === 1 && star && !posixDow) {
      maskLo = FULL_MASK[f]!;
    } else {
      for (let v = lo; v <= hi; v += step) maskLo |= 1 << v;
    }
    if (i === end) break;
    i++; // the comma
  }
  if (posixDow && maskLo & 0x80) maskLo = (maskLo | 1) & 0x7f; // 7 = Sunday = 0
}

const LEN_MASK = [
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
].map((_, len) => (len >= 31 ? -2 : ((1 << (len + 1)) - 2) | 0));
/** Mask of days 1..len. */
export const lengthMask = (len: number): number => LEN_MASK[len]!;
const MAX_MONTH_LEN = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** English month names, index 1 = January (index 0 unused). */
export const MONTH_LONG: readonly string[] = [
  '',
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** Computes dayByWeekday (see {@link CompiledCron}). */
export function dayMasks(dom: number, dow: number, domStar: boolean, dowStar: boolean): number[] {
  const and = domStar || dowStar;
  const out = new Array<number>(7);
  for (let w = 0; w < 7; w++) {
    // bit k of rot = weekday (w + k) % 7 matches; day k+1 of the month has that weekday.
    const rot = ((dow >>> w) | (dow << (7 - w))) & 0x7f;
    const b = rot << 1;
    const days = b | (b << 7) | (b << 14) | (b << 21) | (b << 28);
    out[w] = and ? dom & days : dom | days;
  }
  return out;
}

/**
 * Splits `src` into whitespace-separated fields and parses it (macros included). Positions in errors index
 * `src`. Returns masks in the ISO weekday numbering unless `dialect` is Posix and `rawPosixDow` is wanted.
 */
export function parseExpression(
  src: string,
  dialect: Dialect = Dialect.Iso,
): ParsedCron & { dowRaw: number } {
  if (typeof src !== 'string') {
    throw new CronArgumentError(
      `parseCron: expected a cron expression string, got ${src === null ? 'null' : typeof src}`,
    );
  }
  const n = src.length;
  let i = 0;
  while (i < n && isBlank(src.charCodeAt(i))) i++;
  if (i < n && src.charCodeAt(i) === 64) {
    let j = i;
    while (j < n && !isBlank(src.charCodeAt(j))) j++;
    const macro = src.slice(i, j);
    let k = j;
    while (k < n && isBlank(src.charCodeAt(k))) k++;
    if (k < n) {
      let e = k;
      while (e < n && !isBlank(src.charCodeAt(e))) e++;
      throw syntaxError(
        'CRAFT_CRON_FIELD_COUNT',
        src,
        'expression',
        k,
        e,
        'follows a macro',
        `A macro such as ${macro} stands alone; remove the rest`,
      );
    }
    const expanded = expandMacro(macro);
    if (expanded === undefined) {
      throw syntaxError(
        'CRAFT_CRON_UNKNOWN_MACRO',
        src,
        'expression',
        i,
        j,
        'is not a supported macro',
        `Use one of ${MACRO_NAMES.join(' ')} or write 5 fields`,
      );
    }
    const parsed = parseExpression(expanded, dialect);
    return parsed;
  }
  let count = 0;
  let simple = i === 0;
  while (i < n) {
    const start = i;
    while (i < n) {
      const c = src.charCodeAt(i);
      if (c === 32 || c === 9) break;
      i++;
    }
    if (count < 5) {
      bounds[count * 2] = start;
      bounds[count * 2 + 1] = i;
    } else if (count === 5) {
      bounds[10] = start;
      bounds[11] = i;
    }
    count++;
    if (i < n) {
      if (src.charCodeAt(i) !== 32) simple = false;
      i++;
      if (i < n && isBlank(src.charCodeAt(i))) {
        simple = false;
        while (i < n && isBlank(src.charCodeAt(i))) i++;
      }
      if (i === n) simple = false;
    }
  }
  if (count !== 5) {
    if (count > 5) {
      throw syntaxError(
        'CRAFT_CRON_FIELD_COUNT',
        src,
        'expression',
        bounds[10]!,
        bounds[11]!,
        `is field ${count > 6 ? '6 or later' : '6'}; an expression has exactly 5 fields`,
        'Write minute hour day-of-month month day-of-week; seconds and years are not supported',
      );
    }
    const first = count === 0 ? 0 : bounds[0]!;
    let last = n;
    while (last > first && isBlank(src.charCodeAt(last - 1))) last--;
    throw syntaxError(
      'CRAFT_CRON_FIELD_COUNT',
      src,
      'expression',
      first,
      last,
      count === 0 ? 'is empty; expected 5 fields' : `has ${count} field${count === 1 ? '' : 's'}, expected 5`,
      'Write minute hour day-of-month month day-of-week, e.g. "0 3 * * *"',
    );
  }
  parseField(src, bounds[0]!, bounds[1]!, 0, dialect);
  const minLo = maskLo;
  const minHi = maskHi;
  parseField(src, bounds[2]!, bounds[3]!, 1, dialect);
  const hours = maskLo;
  parseField(src, bounds[4]!, bounds[5]!, 2, dialect);
  const dom = maskLo;
  parseField(src, bounds[6]!, bounds[7]!, 3, dialect);
  const months = maskLo;
  let named = fieldHasName;
  parseField(src, bounds[8]!, bounds[9]!, 4, dialect);
  const dowRaw = maskLo;
  named ||= fieldHasName;
  const dow = dialect === Dialect.Posix ? ((dowRaw >>> 1) | (dowRaw << 6)) & 0x7f : dowRaw;
  const domStar = src.charCodeAt(bounds[4]!) === 42;
  const dowStar = src.charCodeAt(bounds[8]!) === 42;

  // Never-fire check. With both day fields restricted (OR rule) every month matches on its weekdays. Otherwise
  // a matching day of the month must exist in some allowed month; every day of every month falls on each
  // weekday in some year, so the day-of-week field cannot make it impossible.
  if (domStar || dowStar) {
    let fires = false;
    for (let m = 1; m <= 12; m++) {
      if ((months >>> m) & 1 && dom & LEN_MASK[MAX_MONTH_LEN[m]!]!) {
        fires = true;
        break;
      }
    }
    if (!fires) {
      const days: number[] = [];
      for (let d = 1; d <= 31; d++) if ((dom >>> d) & 1) days.push(d);
      const ms: string[] = [];
      for (let m = 1; m <= 12; m++) if ((months >>> m) & 1) ms.push(MONTH_LONG[m]!);
      const only = ms.length === 1 ? 31 - Math.clz32(months & -months) : 0;
      throw new CronNeverFiresError(
        src,
        `day-of-month ${days.join(',')} never occurs in ${ms.join(', ')}` +
          (only ? ` (${MONTH_LONG[only]} has at most ${MAX_MONTH_LEN[only]} days)` : ''),
      );
    }
  }

  let normalized: string;
  if (simple && !named) normalized = src;
  else {
    const parts: string[] = [];
    for (let f = 0; f < 5; f++) {
      const s = src.slice(bounds[f * 2]!, bounds[f * 2 + 1]!);
      parts.push(f >= 3 && /[a-z]/i.test(s) ? replaceNames(s, f, dialect) : s);
    }
    normalized = parts.join(' ');
  }
  return {
    minLo,
    minHi,
    hours,
    dom,
    months,
    dow,
    domStar,
    dowStar,
    dayByWeekday: dayMasks(dom, dow, domStar, dowStar),
    normalized,
    dowRaw,
  };
}

function replaceNames(text: string, f: number, dialect: Dialect): string {
  const table = f === 3 ? MONTH_BY_KEY : dialect === Dialect.Iso ? DAY_BY_KEY_ISO : DAY_BY_KEY_POSIX;
  return text.replace(/[a-z]{3}/gi, (name) => String(table.get(keyOf(name))));
}

/** Start/end offsets of the five fields of the last successfully split expression. */
export function fieldBounds(): Int32Array {
  return bounds;
}
