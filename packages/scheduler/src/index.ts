export { backoffDelay } from './attempt.js';
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
  ChainCycleError,
  EXIT_STATUS,
  HttpJobError,
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
  RunNotFoundError,
  SCHEDULER_ERROR_CODES,
  ScheduleExistsError,
  ScheduleNotFoundError,
  SchedulerError,
  SchedulerStoppedError,
  ScheduleValidationError,
  ShutdownError,
  StoreTimeoutError,
  UnknownChainTargetError,
  UnknownJobTypeError,
} from './errors.js';
export type { MemoryLockOptions } from './memory/memory-lock.js';
export { MemoryLock } from './memory/memory-lock.js';
export type { MemoryStoreOptions } from './memory/memory-store.js';
export { MemoryStore } from './memory/memory-store.js';
export type { SkipReason, SlotDecision, SlotPlan, SlotPlanInput } from './missed-runs.js';
export { planSlots } from './missed-runs.js';
export type {
  AttemptStatus,
  JobRun,
  JobRunRecord,
  JobSchedule,
  JobScheduleRecord,
  MissedRunPolicy,
  RunAttempt,
  RunAttemptRecord,
  RunError,
  RunStatus,
  RunTrigger,
} from './model.js';
export {
  chainRunKey,
  createSchedule,
  DEFAULT_MAX_CATCH_UP_RUNS,
  DEFAULT_MISSED_RUN_POLICY,
  FINAL_RUN_STATUSES,
  jobLockKey,
  MISSED_RUN_POLICIES,
  RUN_FIELD_TO_RECORD,
  RUN_STATUSES,
  RUN_TRIGGERS,
  recordDatesToJson,
  runFromRecord,
  runToRecord,
  SCHEDULE_FIELD_TO_RECORD,
  scheduleFromRecord,
  schedulePatchToRecord,
  scheduleToRecord,
  slotRunKey,
} from './model.js';
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
export type {
  CycleResult,
  JobSchedulerOptions,
  ManualRun,
  MissedRunsResult,
  RunOptions,
  StopOptions,
} from './scheduler.js';
export { JobScheduler } from './scheduler.js';
export type { JobTypeInfo, ManualRunner, NextRunRepair, ScheduleServiceOptions } from './service.js';
export { ScheduleService } from './service.js';
export type {
  Clock,
  Lease,
  LockProvider,
  Logger,
  RunCondition,
  RunQuery,
  RunStore,
  RunUpdate,
  ScheduleCondition,
  ScheduleQuery,
  SchedulerEventMap,
  SchedulerEventName,
  SchedulerStore,
  ScheduleStore,
} from './types.js';
export type { ScheduleInput, SchedulePatch, ValidationContext, ValidScheduleInput } from './validation.js';
export { scheduleInputFromRecord, validateScheduleInput } from './validation.js';
