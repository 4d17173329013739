// `@craft/runtime/settings`: the settings resolver alone. It loads `@craft/cron` but not `@craft/scheduler`, so a
// command that only needs a setting (the CLI's `cron next` reads the timezone) starts fast.
export {
  DEFAULT_DB_NAME,
  databaseFromUri,
  databaseName,
  databaseNameProblem,
  isMongoUri,
} from '../database.js';
export type { SettingProblem, SettingSource } from '../errors.js';
export { CONFIG_EXIT_STATUS, InvalidSettingsError, RuntimeError } from '../errors.js';
export type { JwtAlgorithm, JwtSettings } from '../jwt.js';
export type {
  CraftSettings,
  ResolvedSetting,
  SettingKey,
  SettingsLayer,
  SettingsOptions,
} from '../settings.js';
export {
  createSettings,
  ENV_VARIABLES,
  resolveSettings,
  SETTING_KEYS,
  SETTING_VARIABLES,
  Settings,
} from '../settings.js';
