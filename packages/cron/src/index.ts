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
  CronOptionError,
  CronSyntaxError,
  InvalidTimezoneError,
} from './errors.js';
export type {
  ExplainedRun,
  ExplainOptions,
  RunExplanation,
  ShiftedSlot,
  SkippedSlot,
} from './explain.js';
export { explainRuns } from './explain.js';
export {
  CronExpression,
  getNextRun,
  getNextRuns,
  getNextSlots,
  getSlotInfo,
  iterateRuns,
  matches,
  parseCron,
} from './expression.js';
export { assertDstGap, assertDstOverlap } from './options.js';
export type {
  CronFieldName,
  CronOptions,
  DstGapPolicy,
  DstMarker,
  DstOverlapPolicy,
  SlotInfo,
} from './types.js';
export {
  DEFAULT_DST_GAP,
  DEFAULT_DST_OVERLAP,
  DEFAULT_TIMEZONE,
  DST_GAP_POLICIES,
  DST_OVERLAP_POLICIES,
} from './types.js';
export { assertTimezone, isValidTimezone } from './zone.js';
