// The syntax of a cron expression (spec section 2, @craft/cron's dialect) as a JSON Schema pattern, so the OpenAPI
// document declares what the server checks and a client or tool generates expressions that parse. What a regular
// expression cannot say is described next to it: a reversed range (5-3) and an expression that can never fire
// (0 0 31 2 *) match the pattern and are still refused (400 CRAFT_SCHEDULER_INVALID_CRON).

/** A case-insensitive literal as a character-class sequence (`mon` → `[Mm][Oo][Nn]`). */
const ci = (word: string) =>
  [...word].map((c) => (/[a-z]/i.test(c) ? `[${c.toUpperCase()}${c.toLowerCase()}]` : c)).join('');

/** Any number of leading zeros, then one of the alternatives (`0*(?:…)`). */
const num = (alternatives: string) => `0*(?:${alternatives})`;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Each field: its values (numbers in range, names) and its steps (1 to the number of values). */
const FIELDS: { value: string; step: string }[] = [
  { value: num('[0-9]|[1-5][0-9]'), step: num('[1-9]|[1-5][0-9]|60') }, // minute 0-59
  { value: num('[0-9]|1[0-9]|2[0-3]'), step: num('[1-9]|1[0-9]|2[0-4]') }, // hour 0-23
  { value: num('[1-9]|[12][0-9]|3[01]'), step: num('[1-9]|[12][0-9]|3[01]') }, // day of month 1-31
  { value: `${num('[1-9]|1[0-2]')}|${MONTHS.map(ci).join('|')}`, step: num('[1-9]|1[0-2]') }, // month 1-12
  { value: `${num('[0-6]')}|${DAYS.map(ci).join('|')}`, step: num('[1-7]') }, // day of week 0-6, 0 = Monday
];

function field({ value, step }: { value: string; step: string }): string {
  const v = `(?:${value})`;
  const item = `(?:\\*|${v}(?:-${v})?)(?:/(?:${step}))?`;
  return `${item}(?:,${item})*`;
}

const MACROS = ['yearly', 'annually', 'monthly', 'weekly', 'daily', 'midnight', 'hourly'];

/**
 * A cron expression: five blank-separated fields (spaces or tabs; blanks around it allowed) with values in range,
 * names (`JAN`–`DEC`, `MON`–`SUN`, any case), ranges, lists and steps from 1 to the field's size; or one macro
 * (`@daily`, …). Every expression the server accepts matches it.
 */
export const CRON_EXPRESSION_PATTERN = `^[ \\t]*(?:${FIELDS.map(field).join('[ \\t]+')}|@(?:${MACROS.map(ci).join('|')}))[ \\t]*$`;
