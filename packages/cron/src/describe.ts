import cronstrue from 'cronstrue';
import { type CronExpression, toExpression } from './expression.js';
import { MONTH_LONG } from './parse.js';
import type { CronFieldName } from './types.js';

const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** One field of {@link describeFields}. */
export interface FieldDescription {
  /** Which field. */
  field: CronFieldName;
  /** English, e.g. `every 15 minutes`, `Monday through Friday`. */
  text: string;
  /** The values the field matches, ascending (weekdays ISO: 0 = Monday). */
  values: number[];
}

function bits(mask: number, lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let v = lo; v <= hi; v++) if ((mask >>> v) & 1) out.push(v);
  return out;
}

/** Groups ascending values into runs: [[0,4],[6,6]]. */
function runsOf(values: number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const v of values) {
    const last = out[out.length - 1];
    if (last && last[1] === v - 1) last[1] = v;
    else out.push([v, v]);
  }
  return out;
}

function joinEnglish(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function listText(values: number[], name: (v: number) => string): string {
  const parts: string[] = [];
  for (const [a, b] of runsOf(values)) {
    if (b - a >= 2) parts.push(`${name(a)} through ${name(b)}`);
    else for (let v = a; v <= b; v++) parts.push(name(v));
  }
  return joinEnglish(parts);
}

/** A uniform step over the whole field (`*\/15`), if the values are one. */
function stepOf(values: number[], min: number, max: number): number {
  if (values.length < 2 || values[0] !== min) return 0;
  const step = values[1]! - values[0]!;
  for (let i = 1; i < values.length; i++) if (values[i]! - values[i - 1]! !== step) return 0;
  return values[values.length - 1]! + step > max ? step : 0;
}

/** Per-field English descriptions and expanded values. */
export function describeFields(expression: string | CronExpression): FieldDescription[] {
  const c = toExpression(expression).compiled;
  const minutes = [...bits(c.minLo, 0, 31), ...bits(c.minHi, 0, 27).map((v) => v + 32)];
  const hours = bits(c.hours, 0, 23);
  const days = bits(c.dom, 1, 31);
  const months = bits(c.months, 1, 12);
  const weekdays = bits(c.dow, 0, 6);
  const numeric = (singular: string, plural: string, values: number[], min: number, max: number) => {
    if (values.length === max - min + 1) return `every ${singular}`;
    const step = stepOf(values, min, max);
    if (step > 1) return `every ${step} ${plural}`;
    return `${values.length === 1 ? singular : plural} ${listText(values, String)}`;
  };
  return [
    { field: 'minute', text: numeric('minute', 'minutes', minutes, 0, 59), values: minutes },
    { field: 'hour', text: numeric('hour', 'hours', hours, 0, 23), values: hours },
    {
      field: 'day-of-month',
      text: days.length === 31 ? 'every day of the month' : numeric('day', 'days', days, 1, 31),
      values: days,
    },
    {
      field: 'month',
      text: months.length === 12 ? 'every month' : listText(months, (m) => MONTH_LONG[m]!),
      values: months,
    },
    {
      field: 'day-of-week',
      text: weekdays.length === 7 ? 'every day of the week' : listText(weekdays, (d) => WEEKDAYS[d]!),
      values: weekdays,
    },
  ];
}

/**
 * English description, e.g. `At 09:00, Monday through Friday` for `0 9 * * 0-4`. Uses cronstrue on a
 * crontab-numbered copy of the expression (weekdays as 1 = Monday … 7 = Sunday), so ISO weekdays read right;
 * with the Vixie rule (a day field starting with `*`) both day fields must match and the text says "only on".
 */
export function describeCron(expression: string | CronExpression): string {
  const expr = toExpression(expression);
  const c = expr.compiled;
  const fields = expr.normalized.split(' ');
  const weekdays = bits(c.dow, 0, 6);
  const domRestricted = c.dom !== (0xfffffffe | 0);
  let dow: string;
  if (weekdays.length === 7 && (c.dowStar || !domRestricted)) dow = '*';
  else if (!c.domStar && !c.dowStar && domRestricted) {
    // OR rule: list the days so the text says "and on Monday, …"
    dow = weekdays.map((d) => d + 1).join(',');
  } else {
    dow = runsOf(weekdays)
      .map(([a, b]) => (a === b ? String(a + 1) : b === a + 1 ? `${a + 1},${b + 1}` : `${a + 1}-${b + 1}`))
      .join(',');
  }
  const posix = `${fields[0]} ${fields[1]} ${fields[2]} ${fields[3]} ${dow}`;
  try {
    return cronstrue.toString(posix, {
      use24HourTimeFormat: true,
      logicalAndDayFields: c.domStar || c.dowStar,
      throwExceptionOnParseError: true,
    });
  } catch {
    // cronstrue refused a form it does not know; fall back to the per-field text.
    const parts = describeFields(expr).map((f) => `${f.field}: ${f.text}`);
    const rule = c.domStar || c.dowStar ? 'both day fields must match' : 'either day field may match';
    return `${parts.join('; ')} (${rule})`;
  }
}
