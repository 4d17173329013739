import { InvalidArgumentError } from './errors.js';

/**
 * Parses job parameters from `--params '<json object>'` and repeatable `--param key=value`. `--params` is the base;
 * each `--param` then sets one top-level key (a later one wins). A `--param` value is parsed as JSON when it is valid
 * JSON (`count=5` is the number 5, `dry=true` a boolean, `tags=["a","b"]` an array) and is a string otherwise
 * (`name=alice`); quote it as a JSON string to force a string (`id='"5"'`). An empty value is the empty string.
 * @throws InvalidArgumentError for invalid JSON, a non-object `--params`, or a `--param` without `=`
 */
export function parseParams(
  params: string | undefined,
  param: readonly string[] | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (params !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(params);
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new InvalidArgumentError(
        '--params',
        params,
        `--params: invalid JSON ${JSON.stringify(params)}: ${reason}; give one JSON object, e.g. --params '{"batch": 500}'`,
        { cause },
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new InvalidArgumentError(
        '--params',
        params,
        `--params: expected a JSON object, got ${JSON.stringify(params)}; e.g. --params '{"batch": 500}'`,
      );
    }
    Object.assign(out, parsed);
  }
  for (const item of param ?? []) {
    const text = String(item);
    const eq = text.indexOf('=');
    if (eq <= 0) {
      throw new InvalidArgumentError(
        '--param',
        text,
        `--param: expected key=value, got ${JSON.stringify(text)}; e.g. --param batch=500 --param name=alice`,
      );
    }
    const raw = text.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // Not JSON: the value is the text itself.
    }
    out[text.slice(0, eq)] = value;
  }
  return out;
}

/**
 * A numeric schedule flag (`--max-attempts 3`): digits become a number, an empty value becomes `null` (the field's
 * "unset" value, e.g. "use the job's default"), and anything else is passed on as text, so the scheduler's
 * validation rejects it with the same message the API gives for that field.
 */
export function numberField(value: string | undefined): number | string | null | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return null;
  return /^-?\d+$/.test(text) ? Number(text) : value;
}

/** A nullable text flag (`--timezone`, `--description`): an empty value becomes `null` (unset). */
export function nullableText(value: string | undefined): string | null | undefined {
  if (value === undefined) return undefined;
  return value === '' ? null : value;
}

/** A positive whole number for a per-run override (`--max-attempts`, `--timeout-seconds` of `run`). */
export function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.trim());
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError(
      flag,
      value,
      `${flag}: invalid value "${value}": expected a whole number, at least 1`,
    );
  }
  return n;
}

const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d{1,9})?)?(Z|([+-])(\d{2}):(\d{2}))$/i;

/**
 * An ISO 8601 instant with a UTC offset (`2027-03-28T01:00:00Z`, `2027-03-28T03:00+02:00`), or null. The offset is
 * required (a bare local time would be read in the machine's zone), and dates that do not exist (`2027-02-30`) are
 * rejected rather than rolled over.
 */
export function parseInstant(value: string): Date | null {
  const text = value.trim();
  const m = ISO_INSTANT.exec(text);
  const at = m ? new Date(text) : new Date(Number.NaN);
  if (!m || Number.isNaN(at.getTime())) return null;
  const sign = m[7] === '-' ? -1 : 1;
  const offsetMinutes = m[6]?.toUpperCase() === 'Z' ? 0 : sign * (Number(m[8]) * 60 + Number(m[9]));
  const wall = new Date(at.getTime() + offsetMinutes * 60_000);
  const same =
    wall.getUTCFullYear() === Number(m[1]) &&
    wall.getUTCMonth() + 1 === Number(m[2]) &&
    wall.getUTCDate() === Number(m[3]) &&
    wall.getUTCHours() === Number(m[4]) &&
    wall.getUTCMinutes() === Number(m[5]);
  return same ? at : null;
}
