/** The five fields of a cron expression, in order. */
export type CronFieldName = 'minute' | 'hour' | 'day-of-month' | 'month' | 'day-of-week';

/** Options shared by every function that evaluates an expression in time. */
export interface CronOptions {
  /**
   * IANA time zone whose wall-clock time the expression is matched against, e.g. `'America/New_York'` or
   * `'UTC'`.
   * @default 'Europe/Stockholm'
   */
  timezone?: string;
}

/** The zone used when no `timezone` option is given. */
export const DEFAULT_TIMEZONE = 'Europe/Stockholm';

/** Field names in expression order. */
export const FIELD_NAMES: readonly CronFieldName[] = [
  'minute',
  'hour',
  'day-of-month',
  'month',
  'day-of-week',
];
