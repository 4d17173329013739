export type { DashboardErrorCode } from './errors.js';
export { AssetsMissingError, DASHBOARD_ERROR_CODES, DashboardError, InvalidOptionError } from './errors.js';
export { contentSecurityPolicy } from './headers.js';
export type { DashboardOptions, ResolvedDashboardOptions } from './plugin.js';
export { APP_DIRECTORY, DEFAULT_PREFIX, DEFAULT_TITLE, dashboard, resolveOptions } from './plugin.js';
