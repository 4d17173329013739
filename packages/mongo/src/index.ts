export type { ConnectMongoOptions, MongoConnection } from './connect.js';
export { connectMongo, DEFAULT_DB_NAME } from './connect.js';
export type { MongoErrorCode } from './errors.js';
export {
  MONGO_ERROR_CODES,
  MongoAdapterError,
  MongoIndexConflictError,
  MongoInvalidOptionError,
  MongoInvalidUriError,
  MongoOperationError,
  MongoTimeoutError,
  MongoUnavailableError,
  redactUri,
  toAdapterError,
} from './errors.js';
export type { IndexSpec } from './indexes.js';
export type { EventDocument } from './mongo-event-log.js';
export {
  DEFAULT_EVENTS_COLLECTION,
  DEFAULT_EVENTS_GC_AFTER_SECONDS,
  eventIndexes,
} from './mongo-event-log.js';
export {
  DEFAULT_IDEMPOTENCY_COLLECTION,
  DEFAULT_IDEMPOTENCY_GC_AFTER_SECONDS,
  idempotencyIndexes,
} from './mongo-idempotency.js';
export {
  DEFAULT_LOCK_COLLECTION,
  DEFAULT_LOCK_GC_AFTER_SECONDS,
  DEFAULT_LOCK_TTL_SECONDS,
  DistributedLock,
  TOKEN_EPOCH,
} from './mongo-lock.js';
export {
  DEFAULT_RUNS_COLLECTION,
  DEFAULT_SCHEDULES_COLLECTION,
  DEFAULT_STATE_COLLECTION,
  GLOBAL_PAUSE_ID,
  MongoSchedulerStore,
  RUN_INDEXES,
  SCHEDULE_INDEXES,
} from './mongo-store.js';
export type { DistributedLockOptions, MongoAdapterLogger, MongoSchedulerStoreOptions } from './types.js';
export type { DeploymentInfo, WriteConcernOption } from './write-concern.js';
export { DEFAULT_OPERATION_TIMEOUT_MS, detectDeployment } from './write-concern.js';
