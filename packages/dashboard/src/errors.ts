// Every error of @craft/dashboard: a small class each, with a stable code (listed in the README's Errors table and
// cross-checked by test/errors-catalog.test.ts).

/** The stable codes of this package. */
export const DASHBOARD_ERROR_CODES = [
  'CRAFT_DASHBOARD_INVALID_OPTION',
  'CRAFT_DASHBOARD_ASSETS_MISSING',
] as const;

/** A code of {@link DASHBOARD_ERROR_CODES}. */
export type DashboardErrorCode = (typeof DASHBOARD_ERROR_CODES)[number];

/** Base class of this package's errors (thrown at registration, never while serving). */
export class DashboardError extends Error {
  /** Stable code. */
  readonly code: DashboardErrorCode;

  constructor(code: DashboardErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An option of the plugin is invalid; the message names it, the value and what is expected. */
export class InvalidOptionError extends DashboardError {
  /** The option's name. */
  readonly option: string;

  constructor(option: string, value: unknown, expected: string) {
    super(
      'CRAFT_DASHBOARD_INVALID_OPTION',
      `@craft/dashboard: option "${option}" is ${JSON.stringify(value)}; expected ${expected}`,
    );
    this.option = option;
  }
}

/** The prebuilt page is not where the package expects it (an unbuilt checkout, or a broken install). */
export class AssetsMissingError extends DashboardError {
  /** The directory that was looked in. */
  readonly directory: string;

  constructor(directory: string, cause?: unknown) {
    super(
      'CRAFT_DASHBOARD_ASSETS_MISSING',
      `@craft/dashboard: the prebuilt page is missing (${directory}/index.html); in a checkout of the repository ` +
        'run "pnpm --filter @craft/dashboard build", otherwise reinstall @craft/dashboard',
      cause === undefined ? undefined : { cause },
    );
    this.directory = directory;
  }
}
