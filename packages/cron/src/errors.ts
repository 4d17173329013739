import type { CronFieldName } from './types.js';

/** Base class of every error thrown by `@craft/cron`; `code` is stable and safe to match on. */
export class CronError extends Error {
  /** Stable machine-readable code, `CRAFT_CRON_*`. */
  readonly code: string;
  /** Every cron error is about its input (an expression, a zone, an argument): an API answers 400. */
  readonly httpStatus = 400;
  /** ...and a command-line program exits with its usage status, 2. */
  readonly exitStatus = 2;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Which codes a {@link CronSyntaxError} can carry. */
export type CronSyntaxErrorCode =
  | 'CRAFT_CRON_INVALID_FIELD'
  | 'CRAFT_CRON_FIELD_COUNT'
  | 'CRAFT_CRON_UNKNOWN_MACRO';

/**
 * The expression text is malformed. `field`, `text` and `position` point at the offending token:
 * `hour: "25" is out of range 0-23 (at character 3)`.
 */
export class CronSyntaxError extends CronError {
  /** Field the offending text belongs to, or `'expression'` for whole-expression problems. */
  readonly field: CronFieldName | 'expression';
  /** The offending text, exactly as written. */
  readonly text: string;
  /** 1-based character index of the start of `text` in the source string. */
  readonly position: number;
  /** The whole expression as given. */
  readonly expression: string;

  constructor(
    code: CronSyntaxErrorCode,
    details: { expression: string; field: CronFieldName | 'expression'; text: string; position: number },
    problem: string,
    hint?: string,
  ) {
    super(
      code,
      `parseCron: ${details.field}: ${JSON.stringify(details.text)} ${problem} (at character ${details.position})` +
        ` in ${JSON.stringify(details.expression)}${hint ? `. ${hint}` : ''}`,
    );
    this.field = details.field;
    this.text = details.text;
    this.position = details.position;
    this.expression = details.expression;
  }
}

/** The expression is well-formed but matches no date at all (e.g. `0 0 31 4 *`, `0 0 30 2 *`). */
export class CronNeverFiresError extends CronError {
  /** The whole expression as given. */
  readonly expression: string;

  constructor(expression: string, reason: string) {
    super(
      'CRAFT_CRON_NEVER_FIRES',
      `parseCron: ${JSON.stringify(expression)} can never fire: ${reason}. Fix the day-of-month or month field ` +
        '(February 29 is fine: it fires in leap years).',
    );
    this.expression = expression;
  }
}

/** A time zone name that is not a valid IANA zone. */
export class InvalidTimezoneError extends CronError {
  /** The zone as given. */
  readonly timezone: string;

  constructor(timezone: unknown, field = 'timezone') {
    super(
      'CRAFT_CRON_INVALID_TIMEZONE',
      `${field}: ${JSON.stringify(String(timezone))} is not a valid IANA time zone; use a name such as ` +
        '"Europe/Stockholm", "America/New_York" or "UTC".',
    );
    this.timezone = String(timezone);
  }
}

/** An argument that is not an expression: a non-string expression, an invalid date or a bad count. */
export class CronArgumentError extends CronError {
  constructor(message: string) {
    super('CRAFT_CRON_INVALID_ARGUMENT', message);
  }
}

/** How a bad value reads in a message, without calling user code (no `toString` of objects). */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') {
    return typeof value === 'function' ? 'a function' : String(value);
  }
  return Array.isArray(value) ? 'an array' : 'an object';
}

/**
 * An option of `CronOptions` has a value outside its set (`dstGap`, `dstOverlap`), or the options argument
 * is not an object: `dstGap: "shfit" is not a DST gap policy; use "skip" (the default) or "shift" …`.
 */
export class CronOptionError extends CronError {
  /** The option as the caller named it: `dstGap`, `dstOverlap`, `options`, or the field given to an assert. */
  readonly option: string;
  /** The value as given. */
  readonly value: unknown;

  constructor(option: string, value: unknown, problem: string) {
    super('CRAFT_CRON_INVALID_OPTION', `${option}: ${describeValue(value)} ${problem}`);
    this.option = option;
    this.value = value;
  }
}

/** A conversion between the ISO and crontab dialects cannot keep the expression's meaning. */
export class CronConversionError extends CronError {
  /** The expression as given. */
  readonly expression: string;

  constructor(expression: string, reason: string) {
    super(
      'CRAFT_CRON_NOT_CONVERTIBLE',
      `${JSON.stringify(expression)} cannot be converted exactly: ${reason}`,
    );
    this.expression = expression;
  }
}

/** Every error code this package throws, for catalogs and exhaustive handling. */
export const CRON_ERROR_CODES = [
  'CRAFT_CRON_INVALID_FIELD',
  'CRAFT_CRON_FIELD_COUNT',
  'CRAFT_CRON_UNKNOWN_MACRO',
  'CRAFT_CRON_NEVER_FIRES',
  'CRAFT_CRON_INVALID_TIMEZONE',
  'CRAFT_CRON_INVALID_ARGUMENT',
  'CRAFT_CRON_INVALID_OPTION',
  'CRAFT_CRON_NOT_CONVERTIBLE',
] as const;
