/**
 * Parsers of one raw setting value (text from the environment or a flag, or a JSON value from a config file).
 * Each returns the parsed value or throws a {@link ValueProblem} whose message says what was expected; the
 * resolver adds where the value came from.
 *
 * @module
 */

/** A value that does not parse; `message` starts with `invalid value "<raw>"`. */
export class ValueProblem extends Error {}

function shown(raw: unknown): string {
  return typeof raw === 'string' ? JSON.stringify(raw) : (JSON.stringify(raw) ?? String(raw));
}

/** Throws the standard "invalid value" problem. */
export function invalid(raw: unknown, expected: string): never {
  throw new ValueProblem(`invalid value ${shown(raw)}: ${expected}`);
}

/** A non-empty string (the environment and flags always give text; a config file may not). */
export function text(raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '') invalid(raw, 'expected a non-empty string');
  return raw.trim();
}

/** A whole number from `min` to `max`, as text (`"300"`) or a JSON number. */
export function integer(raw: unknown, min: number, max: number, what: string): number {
  const n =
    typeof raw === 'number'
      ? raw
      : typeof raw === 'string' && /^-?\d+$/.test(raw.trim())
        ? Number(raw)
        : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) invalid(raw, `expected ${what} from ${min} to ${max}`);
  return n;
}

/** `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`, any case), or a JSON boolean. */
export function boolean(raw: unknown): boolean {
  if (typeof raw === 'boolean') return raw;
  const v = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return invalid(raw, 'expected true or false');
}

/** Smallest and largest `BODY_LIMIT`, in bytes. */
const BODY_LIMIT_RANGE = [1024, 104_857_600] as const;

/** Bytes, or a number with `b`, `kb` or `mb` (1 kb–100 mb). */
export function byteSize(raw: unknown): number {
  const m = /^(\d+)\s*(b|kb|mb)?$/i.exec(typeof raw === 'number' ? String(raw) : String(raw ?? '').trim());
  const unit = { b: 1, kb: 1024, mb: 1_048_576 }[(m?.[2] ?? 'b').toLowerCase() as 'b' | 'kb' | 'mb'];
  const n = m ? Number(m[1]) * unit : Number.NaN;
  if (!Number.isSafeInteger(n) || n < BODY_LIMIT_RANGE[0] || n > BODY_LIMIT_RANGE[1]) {
    invalid(raw, 'expected bytes (or 512kb, 1mb) from 1kb to 100mb');
  }
  return n;
}

/** A factor from 0.001 to 100000 (`CRAFT_TEST_CLOCK_SPEED`). */
export function factor(raw: unknown): number {
  const n =
    typeof raw === 'number'
      ? raw
      : typeof raw === 'string' && /^\d+(\.\d+)?$/.test(raw.trim())
        ? Number(raw)
        : Number.NaN;
  if (!(n >= 0.001 && n <= 100_000)) invalid(raw, 'expected a factor from 0.001 to 100000 (e.g. 60)');
  return n;
}
