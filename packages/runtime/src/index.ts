export {
  DEFAULT_DB_NAME,
  databaseFromUri,
  databaseName,
  databaseNameProblem,
  isMongoUri,
} from './database.js';
export type { SettingProblem, SettingSource } from './errors.js';
export {
  CONFIG_EXIT_STATUS,
  InvalidSettingsError,
  JobsPathError,
  RUNTIME_ERROR_CODES,
  RuntimeError,
} from './errors.js';
export { JOBS_MODULE_HINT, loadJobs, withJobsHint } from './jobs.js';
export type { JwtAlgorithm, JwtSettings } from './jwt.js';
export { algorithmForKey, MIN_SECRET_LENGTH, readPublicKey } from './jwt.js';
export type { SettingsSchedulerOptions } from './scheduler-options.js';
export { schedulerOptions } from './scheduler-options.js';
export type {
  CraftSettings,
  ResolvedSetting,
  SettingKey,
  SettingsLayer,
  SettingsOptions,
} from './settings.js';
export {
  createSettings,
  DEFAULT_HOST,
  DEFAULT_LOCK_TTL_SECONDS,
  DEFAULT_MAX_CONCURRENT_RUNS,
  DEFAULT_POLL_INTERVAL_SECONDS,
  DEFAULT_PORT,
  DEFAULT_RATE_LIMIT_MAX,
  DEFAULT_RATE_LIMIT_WINDOW_SECONDS,
  ENV_VARIABLES,
  LOG_LEVELS,
  resolveSettings,
  SETTING_KEYS,
  SETTING_VARIABLES,
  Settings,
} from './settings.js';
export type { OpenStorageOptions, Storage, StorageLogger } from './storage.js';
export { memoryStorage, openStorage } from './storage.js';
