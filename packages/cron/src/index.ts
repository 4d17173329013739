export { fromPosix, toPosix } from './convert.js';
export type { FieldDescription } from './describe.js';
export { describeCron, describeFields } from './describe.js';
export type { CronSyntaxErrorCode } from './errors.js';
export {
  CRON_ERROR_CODES,
  CronArgumentError,
  CronConversionError,
  CronError,
  CronNeverFiresError,
  CronSyntaxError,
  InvalidTimezoneError,
} from './errors.js';
export type { ExplainedRun, ExplainOptions, RunExplanation, SkippedSlot } from './explain.js';
export { explainRuns } from './explain.js';
export {
  CronExpression,
  getNextRun,
  getNextRuns,
  iterateRuns,
  matches,
  parseCron,
} from './expression.js';
export type { CronFieldName, CronOptions } from './types.js';
export { DEFAULT_TIMEZONE } from './types.js';
export { assertTimezone, isValidTimezone } from './zone.js';
