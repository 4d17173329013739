export { backoffDelay } from './attempt.js';
export {
  DEFAULT_BACKFILL_MAX_SLOTS,
  MAX_BACKFILL_CONCURRENCY,
  MAX_BACKFILL_SLOTS,
} from './backfill.js';
export type {
  HttpRequestJobOptions,
  HttpRequestParams,
  HttpRequestResult,
} from './builtins/http-request.js';
export {
  HTTP_REQUEST_JOB,
  HttpRequestParameters,
  httpRequestJob,
  MAX_RESULT_BODY,
} from './builtins/http-request.js';
export {
  builtinJobs,
  CALCULATE_NEXT_SCHEDULES,
  CLEANUP_RUN_HISTORY,
  DEFAULT_RUN_RETENTION_DAYS,
} from './builtins.js';
export { FakeClock, monotonicNow, offsetClock, systemClock } from './clock.js';
export type {
  HttpJobErrorCode,
  InvalidFieldWording,
  InvalidParametersErrorOptions,
  ParameterIssue,
  SchedulerErrorOptions,
  ShutdownErrorOptions,
} from './errors.js';
export {
  BackfillTooLargeError,
  ChainCycleError,
  EXIT_STATUS,
  HttpJobError,
  IdempotencyKeyReusedError,
  InvalidCronExpressionError,
  InvalidFieldError,
  InvalidJobDefinitionError,
  InvalidParametersError,
  InvalidScheduleTimezoneError,
  JobLockedError,
  JobModuleError,
  JobTimeoutError,
  LeaseExpiredError,
  LeaseLostError,
  RunAbandonedError,
  RunCancelledError,
  RunFinishedError,
  RunNotFoundError,
  SCHEDULER_ERROR_CODES,
  ScheduleExistsError,
  ScheduleNotFoundError,
  SchedulerError,
  SchedulerStoppedError,
  ScheduleValidationError,
  ScheduleVersionMismatchError,
  ShutdownError,
  StoreTimeoutError,
  UnknownChainTargetError,
  UnknownJobTypeError,
} from './errors.js';
export {
  DEFAULT_EVENT_POLL_INTERVAL_MS,
  DEFAULT_EVENT_SETTLE_MS,
  EVENT_RETENTION_MS,
} from './events/constants.js';
export {
  compareEventCursors,
  EVENT_ID_PATTERN,
  eventCursor,
  formatEventCursor,
  isEventLogStore,
  parseEventCursor,
} from './events/cursor.js';
export type {
  EventFeedOptions,
  EventResetReason,
  EventSink,
  EventStart,
  EventSubscription,
} from './events/feed.js';
export { EventFeed, eventFilter } from './events/feed.js';
export type { JobEventType } from './events/payloads.js';
export {
  changedScheduleFields,
  EVENT_ERROR_MESSAGE_MAX,
  JOB_EVENT_TYPES,
  runEventData,
  scheduleEventData,
} from './events/payloads.js';
export type { EventLogWriterOptions, EventLogWriterStats, EventProducer } from './events/writer.js';
export { attachEventLog, EventLogWriter } from './events/writer.js';
export type { IdempotencyOptions } from './idempotency.js';
export {
  canonicalJson,
  isIdempotencyStore,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  manualRunKey,
} from './idempotency.js';
export { isoString } from './iso-string.js';
export type { MemoryEventLogOptions } from './memory/memory-event-log.js';
export { MemoryEventLog } from './memory/memory-event-log.js';
export { MemoryIdempotencyStore } from './memory/memory-idempotency.js';
export type { MemoryLockOptions } from './memory/memory-lock.js';
export { MemoryLock } from './memory/memory-lock.js';
export type { MemoryStoreOptions } from './memory/memory-store.js';
export { MemoryStore } from './memory/memory-store.js';
export type {
  GaugeOptions,
  GaugeSources,
  MetricDefinition,
  MetricLabels,
  MetricSink,
  ObservedScheduler,
  PausedByLabel,
  SchedulerGauges,
  SchedulerMetricKey,
} from './metrics/index.js';
export {
  FINAL_STATUSES,
  observeSchedulerMetrics,
  PAUSED_BY_LABELS,
  pausedByLabel,
  readSchedulerGauges,
  SCHEDULER_METRICS,
  SKIP_REASONS,
  skipReasonLabel,
  statusLabel,
  TRIGGERS,
  triggerLabel,
  triggerLagMs,
} from './metrics/index.js';
export type { SkipReason, SlotDecision, SlotPlan, SlotPlanInput } from './missed-runs.js';
export { planSlots } from './missed-runs.js';
export type {
  AttemptStatus,
  JobRun,
  JobRunRecord,
  JobSchedule,
  JobScheduleRecord,
  MissedRunPolicy,
  OverlapPolicy,
  RunAttempt,
  RunAttemptRecord,
  RunError,
  RunStatus,
  RunTrigger,
} from './model.js';
export {
  chainRunKey,
  changesScheduleVersion,
  createSchedule,
  DEFAULT_MAX_CATCH_UP_RUNS,
  DEFAULT_MISSED_RUN_POLICY,
  DEFAULT_OVERLAP_POLICY,
  FINAL_RUN_STATUSES,
  jobLockKey,
  MAX_JITTER_SECONDS,
  MAX_REASON_LENGTH,
  MISSED_RUN_POLICIES,
  OVERLAP_POLICIES,
  RUN_FIELD_TO_RECORD,
  RUN_STATUSES,
  RUN_TRIGGERS,
  recordDatesToJson,
  runFromRecord,
  runLockKey,
  runToRecord,
  SCHEDULE_FIELD_TO_RECORD,
  SCHEDULE_VERSIONED_FIELDS,
  scheduleFromRecord,
  schedulePatchToRecord,
  scheduleToRecord,
  slotRunKey,
} from './model.js';
export type { PreviewInput, PreviewRun, PreviewWindow, RunPreview } from './preview.js';
export { previewRuns } from './preview.js';
export type {
  BackoffOptions,
  DefineJobOptions,
  JobContext,
  JobDefinition,
  JobHandler,
  JobTypeLookup,
} from './registry.js';
export {
  checkParameters,
  DEFAULT_BACKOFF,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_TIMEOUT_SECONDS,
  defineJob,
  isJobDefinition,
  JobRegistry,
  layeredJobs,
  loadJobModule,
} from './registry.js';
export type { RunLogFields } from './run-log.js';
export { bindLogger, runLogFields } from './run-log.js';
export type {
  BackfillOptions,
  BackfillResult,
  CancelOptions,
  CycleResult,
  JobSchedulerOptions,
  ManualRun,
  MissedRunsResult,
  RunOptions,
  StopOptions,
} from './scheduler.js';
export { DEFAULT_MAX_CONCURRENT_RUNS, JobScheduler } from './scheduler.js';
export type {
  ChangeOptions,
  CreateOptions,
  DisableOptions,
  EditOptions,
  JobTypeInfo,
  ManualRunner,
  NextRunRepair,
  PauseAllOptions,
  ResumeAllOptions,
  ScheduleServiceEventMap,
  ScheduleServiceOptions,
} from './service.js';
export { MAX_PAUSE_WINDOWS, ScheduleService } from './service.js';
export type { SlotGap } from './slot-gap.js';
export { findSlotGapAtMost } from './slot-gap.js';
export { dueInstant, jitterOffsetMs, nextDueOf, scheduleCronOptions } from './slot-timing.js';
export type { SyncChange, SyncFieldChange, SyncOptions, SyncResult, SyncTarget } from './sync.js';
export { syncSchedules } from './sync.js';
export type {
  AttemptOutcomeName,
  Clock,
  EventCursor,
  EventLogStore,
  EventPage,
  EventReadQuery,
  GlobalPauseState,
  IdempotencyRecord,
  IdempotencyReservation,
  IdempotencyReserveResult,
  IdempotencyStore,
  IdempotentResponse,
  JobEvent,
  Lease,
  LockProvider,
  Logger,
  NewJobEvent,
  PauseWindow,
  RunCondition,
  RunQuery,
  RunStore,
  RunUpdate,
  RunWrite,
  ScheduleCondition,
  ScheduleQuery,
  SchedulerEventMap,
  SchedulerEventName,
  SchedulerStore,
  ScheduleStore,
  ScheduleUpdateOptions,
  ScheduleWrite,
} from './types.js';
export type { ScheduleInput, SchedulePatch, ValidationContext, ValidScheduleInput } from './validation.js';
export { SERVER_MANAGED_FIELDS, scheduleInputFromRecord, validateScheduleInput } from './validation.js';
