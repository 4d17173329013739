import { CronArgumentError, CronConversionError } from './errors.js';
import { Dialect, fieldBounds, parseExpression } from './parse.js';

const FULL_DOW = 0x7f;

/** Text for a weekday set given as numbers, grouping runs of 3+ into ranges. */
function setText(values: number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < values.length) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j]! + 1) j++;
    if (j - i >= 2) parts.push(`${values[i]}-${values[j]}`);
    else for (let k = i; k <= j; k++) parts.push(String(values[k]));
    i = j + 1;
  }
  return parts.join(',');
}

function macroOf(expression: string): string | undefined {
  const t = expression.trim();
  return t.startsWith('@') ? t : undefined;
}

/** Weekday-field text that only uses names, `*`, `,` and `-` keeps its meaning in both dialects if it parses alike. */
function nameOnly(text: string): boolean {
  return !/[0-9/]/.test(text);
}

function convert(expression: string, from: Dialect): string {
  if (typeof expression !== 'string') {
    throw new CronArgumentError(`expected a cron expression string, got ${typeof expression}`);
  }
  const macro = macroOf(expression);
  const parsed = parseExpression(expression, from); // validates; positions refer to `expression`
  if (macro !== undefined) return macro; // every macro means the same in both dialects (@weekly = Sunday)
  const b = fieldBounds();
  const head = [0, 1, 2, 3].map((f) => expression.slice(b[f * 2]!, b[f * 2 + 1]!)).join(' ');
  const dowText = expression.slice(b[8]!, b[9]!);
  const to = from === Dialect.Iso ? Dialect.Posix : Dialect.Iso;
  if (nameOnly(dowText)) {
    try {
      const other = parseExpression(`* * * * ${dowText}`, to);
      if (other.dow === parsed.dow) return `${head} ${dowText}`;
    } catch {
      // e.g. SAT-SUN is a valid ISO range but reversed in crontab: fall through to numbers
    }
  }
  let dow: string;
  if (parsed.dowStar && parsed.dow === FULL_DOW) dow = '*';
  else if (parsed.dowStar && !parsed.domStar) {
    throw new CronConversionError(
      expression,
      `the day-of-week field "${dowText}" starts with * (so day-of-month and day-of-week must both match), ` +
        'and the same weekdays cannot be written with a leading * in the other numbering; list the weekdays ' +
        'explicitly or make day-of-month start with *',
    );
  } else {
    const iso: number[] = [];
    for (let d = 0; d < 7; d++) if ((parsed.dow >>> d) & 1) iso.push(d);
    if (to === Dialect.Iso) dow = setText(iso);
    else {
      // crontab 1 = Monday … 7 = Sunday keeps ISO runs contiguous; a lone Sunday is written 0.
      dow = setText(iso.map((d) => d + 1));
      dow = dow.replace(/(^|,)7(?=,|$)/, '$10');
    }
  }
  return `${head} ${dow}`;
}

/**
 * Converts a crontab (POSIX/Vixie) expression, where 0 or 7 = Sunday, to this package's ISO dialect
 * (0 = Monday … 6 = Sunday). Other fields, names and macros are kept. Throws CronConversionError when a
 * `*`-prefixed weekday step would change meaning under the day-of-month/day-of-week OR rule.
 */
export function fromPosix(posixExpression: string): string {
  return convert(posixExpression, Dialect.Posix);
}

/** Converts an ISO-dialect expression to crontab numbering (1 = Monday … 6 = Saturday, 0 or 7 = Sunday). */
export function toPosix(isoExpression: string): string {
  return convert(isoExpression, Dialect.Iso);
}
