/**
 * The CLI's view of the settings: command-line flags and a JSON config file as two more layers over the
 * environment, all resolved by `@craft/runtime` (the one resolver the API uses too, spec section 7). This module
 * only reads the config file and names flags; it parses no value itself.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type {
  CraftSettings,
  InvalidSettingsError,
  ResolvedSetting,
  SettingKey,
  Settings,
  SettingsLayer,
} from '@craft/runtime/settings';
import { ConfigFileError, InvalidArgumentError } from './errors.js';

/**
 * The settings a user can set through the CLI: each has a key in the JSON config file (these names), an
 * environment variable and, mostly, a flag.
 */
export const SETTINGS = {
  mongodbUri: { flag: '--mongodb-uri', env: 'MONGODB_URI' },
  mongodbDb: { flag: '--mongodb-db', env: 'MONGODB_DB' },
  timezone: { flag: '--tz', env: 'SCHEDULER_TIMEZONE' },
  jwtSecret: { flag: '--secret', env: 'JWT_SECRET' },
  jwtPublicKey: { flag: undefined, env: 'JWT_PUBLIC_KEY' },
  jwtIssuer: { flag: '--issuer', env: 'JWT_ISSUER' },
  jwtAudience: { flag: '--audience', env: 'JWT_AUDIENCE' },
  jobs: { flag: '--jobs', env: 'CRAFT_JOBS' },
  lockTtlSeconds: { flag: '--lock-ttl-seconds', env: 'LOCK_TTL_SECONDS' },
  pollIntervalSeconds: { flag: '--poll-interval-seconds', env: 'POLL_INTERVAL_SECONDS' },
  maxConcurrentRuns: { flag: undefined, env: 'MAX_CONCURRENT_RUNS' },
} as const satisfies Record<string, { flag: string | undefined; env: string }>;

/** The name of a setting in the config file and in {@link ConfigResolverOptions.flags}. */
export type ConfigKey = keyof typeof SETTINGS;

/** The name of the config file looked for in the working directory when `--config` is not given. */
export const DEFAULT_CONFIG_FILE = 'craft.config.json';

/** Where {@link createConfigResolver} reads settings from. */
export interface ConfigResolverOptions {
  /** Values given on the command line; `undefined` means "not given". @default {} */
  flags?: { [K in ConfigKey]?: string | number | undefined };
  /** The environment (normally `process.env`). Empty strings count as unset. */
  env: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths and the default config file are resolved against. */
  cwd: string;
  /** Path of the config file (`--config`); it must exist. @default `craft.config.json` in `cwd`, if present */
  configPath?: string | undefined;
}

interface LoadedFile {
  path: string;
  values: Record<string, unknown>;
}

const byVariable = new Map<string, ConfigKey>(
  (Object.entries(SETTINGS) as [ConfigKey, (typeof SETTINGS)[ConfigKey]][]).map(([key, spec]) => [
    spec.env,
    key,
  ]),
);

/**
 * Reads settings by precedence: command-line flag, then environment variable, then config file, then default,
 * through `@craft/runtime`.
 */
export class ConfigResolver {
  readonly #options: ConfigResolverOptions;
  #file: LoadedFile | null | undefined;
  #settings: Settings | undefined;

  constructor(options: ConfigResolverOptions) {
    this.#options = options;
  }

  /** The config file in use (absolute path), or `undefined` when there is none. Reads the file once. */
  get filePath(): string | undefined {
    return this.#loadFile()?.path;
  }

  /**
   * Resolves one setting. The config file is read (once) on the first call, so commands that need no setting never
   * touch it.
   * @throws InvalidArgumentError when a flag's value is invalid (exit 2)
   * @throws InvalidSettingsError (`@craft/runtime`) when an environment variable's or the file's value is (exit 4)
   * @throws ConfigFileError when the config file cannot be read or parsed
   */
  get<K extends SettingKey>(key: K): ResolvedSetting<CraftSettings[K]> {
    const settings = this.#resolver();
    try {
      return settings.get(key);
    } catch (error) {
      // A bad flag is a usage error of this command line; a bad variable or file value is configuration.
      const flagProblem = (error as Partial<InvalidSettingsError>).problems?.find((p) => p.source === 'flag');
      if (flagProblem) {
        throw new InvalidArgumentError(
          flagProblem.origin,
          String(flagProblem.value ?? ''),
          `${flagProblem.origin}: ${flagProblem.message}`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  #resolver(): Settings {
    if (this.#settings) return this.#settings;
    const file = this.#loadFile();
    const flagValues: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this.#options.flags ?? {})) {
      flagValues[SETTINGS[key as ConfigKey].env] = value;
    }
    const flags: SettingsLayer = {
      values: flagValues,
      origin: (variable) => SETTINGS[byVariable.get(variable) as ConfigKey]?.flag ?? variable,
    };
    const fileLayer: SettingsLayer | undefined = file
      ? {
          values: Object.fromEntries(
            Object.entries(file.values)
              .filter(([key]) => key in SETTINGS)
              .map(([key, value]) => [SETTINGS[key as ConfigKey].env, value]),
          ),
          origin: (variable) => `${file.path} (${byVariable.get(variable)})`,
          baseDir: dirname(file.path),
        }
      : undefined;
    // Loaded with the file, on first use, so --help and commands without settings start faster.
    this.#settings = createSettingsFn({
      env: this.#options.env,
      cwd: this.#options.cwd,
      flags,
      ...(fileLayer ? { file: fileLayer } : {}),
    });
    return this.#settings;
  }

  #loadFile(): LoadedFile | null {
    if (this.#file !== undefined) return this.#file;
    const explicit = this.#options.configPath;
    const path = resolve(this.#options.cwd, explicit ?? DEFAULT_CONFIG_FILE);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      if (explicit === undefined && code === 'ENOENT') {
        this.#file = null;
        return null;
      }
      const why = code === 'ENOENT' ? 'file not found' : `cannot read it (${code ?? String(cause)})`;
      const fix = explicit === undefined ? 'fix or remove it' : 'check the --config path';
      throw new ConfigFileError(path, `config file ${path}: ${why}; ${fix}`, { cause });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new ConfigFileError(path, `config file ${path} is not valid JSON: ${reason}`, { cause });
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ConfigFileError(path, `config file ${path} must hold a JSON object of settings`);
    }
    const known = Object.keys(SETTINGS);
    for (const key of Object.keys(parsed)) {
      if (key !== '$schema' && !known.includes(key)) {
        throw new ConfigFileError(
          path,
          `config file ${path}: unknown key "${key}"; the keys are ${known.join(', ')}`,
        );
      }
    }
    this.#file = { path, values: parsed as Record<string, unknown> };
    return this.#file;
  }
}

let createSettingsFn: typeof import('@craft/runtime/settings').createSettings;

/**
 * Creates a {@link ConfigResolver}. Async because `@craft/runtime/settings` (and with it `@craft/cron`) is loaded
 * here, on use, so that `--help` stays fast; the settings entry does not load `@craft/scheduler`.
 */
export async function createConfigResolver(options: ConfigResolverOptions): Promise<ConfigResolver> {
  createSettingsFn ??= (await import('@craft/runtime/settings')).createSettings;
  return new ConfigResolver(options);
}
