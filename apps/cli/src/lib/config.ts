import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigFileError, ConfigValueError, InvalidArgumentError } from './errors.js';

/**
 * The settings every command may read, after resolution. Each has a command-line flag, an environment variable
 * (spec section 7) and a key of the same name in the JSON config file.
 */
export interface CraftConfig {
  /** MongoDB connection string (`--mongodb-uri`, `MONGODB_URI`). @default undefined (the in-memory default) */
  mongodbUri: string | undefined;
  /** MongoDB database name (`--mongodb-db`, `MONGODB_DB`). @default 'craft' */
  mongodbDb: string;
  /** Default IANA timezone for cron expressions (`--tz`, `SCHEDULER_TIMEZONE`). @default 'Europe/Stockholm' */
  timezone: string;
  /** HS256 secret for API tokens (`--secret`, `JWT_SECRET`). @default undefined */
  jwtSecret: string | undefined;
  /** PEM public key the API verifies RS256/ES256 tokens with (`JWT_PUBLIC_KEY`); the CLI cannot mint those. @default undefined */
  jwtPublicKey: string | undefined;
  /** `iss` claim of minted tokens (`--issuer`, `JWT_ISSUER`). @default undefined */
  jwtIssuer: string | undefined;
  /** `aud` claim of minted tokens (`--audience`, `JWT_AUDIENCE`). @default undefined */
  jwtAudience: string | undefined;
  /** Absolute path of the module of job definitions (`--jobs`, `CRAFT_JOBS`). @default undefined (built-in jobs only) */
  jobs: string | undefined;
  /** Lock lease in seconds (`--lock-ttl-seconds`, `LOCK_TTL_SECONDS`). @default undefined (the scheduler's default) */
  lockTtlSeconds: number | undefined;
  /** Longest sleep between scheduler cycles, in seconds (`--poll-interval-seconds`, `POLL_INTERVAL_SECONDS`). @default 60 */
  pollIntervalSeconds: number;
}

/** The name of one setting. */
export type ConfigKey = keyof CraftConfig;

/** Where a resolved value came from, in order of precedence. */
export type ConfigSource = 'flag' | 'env' | 'file' | 'default';

/** A resolved value together with where it came from. */
export interface ResolvedSetting<T> {
  /** The value, parsed and validated. */
  value: T;
  /** Which layer supplied it. */
  source: ConfigSource;
  /** The flag, variable or `file (key)` that supplied it, for messages; `default` for defaults. */
  origin: string;
}

type Kind = 'string' | 'path' | 'seconds';

interface SettingSpec {
  flag: string;
  env: string;
  kind: Kind;
}

/** Flags, environment variables and value kinds of every setting. */
export const SETTINGS: { readonly [K in ConfigKey]: SettingSpec } = {
  mongodbUri: { flag: '--mongodb-uri', env: 'MONGODB_URI', kind: 'string' },
  mongodbDb: { flag: '--mongodb-db', env: 'MONGODB_DB', kind: 'string' },
  timezone: { flag: '--tz', env: 'SCHEDULER_TIMEZONE', kind: 'string' },
  jwtSecret: { flag: '--secret', env: 'JWT_SECRET', kind: 'string' },
  jwtPublicKey: { flag: '--public-key', env: 'JWT_PUBLIC_KEY', kind: 'string' },
  jwtIssuer: { flag: '--issuer', env: 'JWT_ISSUER', kind: 'string' },
  jwtAudience: { flag: '--audience', env: 'JWT_AUDIENCE', kind: 'string' },
  jobs: { flag: '--jobs', env: 'CRAFT_JOBS', kind: 'path' },
  lockTtlSeconds: { flag: '--lock-ttl-seconds', env: 'LOCK_TTL_SECONDS', kind: 'seconds' },
  pollIntervalSeconds: { flag: '--poll-interval-seconds', env: 'POLL_INTERVAL_SECONDS', kind: 'seconds' },
};

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
  /** Defaults for settings nobody set. @default { mongodbDb: 'craft', pollIntervalSeconds: 60 } */
  defaults?: Partial<CraftConfig>;
  /**
   * Extra checks per setting (for instance that a timezone exists). A check throws to reject the value; the
   * resolver turns that into a usage error (flag) or a configuration error (environment or file), with `cause`.
   * @default {}
   */
  validate?: { [K in ConfigKey]?: (value: NonNullable<CraftConfig[K]>) => void };
}

interface LoadedFile {
  path: string;
  values: Record<string, unknown>;
}

/** Reads settings by precedence: command-line flag, then environment variable, then config file, then default. */
export class ConfigResolver {
  readonly #options: ConfigResolverOptions;
  #file: LoadedFile | null | undefined;

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
   * @throws InvalidArgumentError when a flag's value is invalid
   * @throws ConfigValueError when an environment variable's or the file's value is invalid
   * @throws ConfigFileError when the config file cannot be read or parsed
   */
  get<K extends ConfigKey>(key: K): ResolvedSetting<CraftConfig[K]> {
    const spec = SETTINGS[key];
    const file = this.#loadFile();
    const flag = this.#options.flags?.[key];
    if (flag !== undefined && flag !== '') {
      return this.#accept(key, this.#parse(key, flag, 'flag', spec.flag), 'flag', spec.flag);
    }
    const env = this.#options.env[spec.env];
    if (env !== undefined && env !== '') {
      return this.#accept(key, this.#parse(key, env, 'env', spec.env), 'env', spec.env);
    }
    if (file && file.values[key] !== undefined) {
      const origin = `${file.path} (${key})`;
      return this.#accept(key, this.#parse(key, file.values[key], 'file', origin, file.path), 'file', origin);
    }
    const defaults: Partial<CraftConfig> = {
      mongodbDb: 'craft',
      pollIntervalSeconds: 60,
      ...this.#options.defaults,
    };
    return { value: defaults[key] as CraftConfig[K], source: 'default', origin: 'default' };
  }

  #accept<K extends ConfigKey>(
    key: K,
    value: CraftConfig[K],
    source: ConfigSource,
    origin: string,
  ): ResolvedSetting<CraftConfig[K]> {
    const check = this.#options.validate?.[key] as ((value: unknown) => void) | undefined;
    if (check && value !== undefined) {
      try {
        check(value);
      } catch (cause) {
        const reason = cause instanceof Error ? cause.message : String(cause);
        throw this.#invalid(source, origin, String(value), reason, cause);
      }
    }
    return { value, source, origin };
  }

  #parse<K extends ConfigKey>(
    key: K,
    raw: unknown,
    source: ConfigSource,
    origin: string,
    filePath?: string,
  ): CraftConfig[K] {
    const kind = SETTINGS[key].kind;
    if (kind === 'seconds') {
      const text = String(raw).trim();
      const ok = source === 'file' ? typeof raw === 'number' : /^\d+$/.test(text);
      const n = Number(text);
      if (!ok || !Number.isSafeInteger(n) || n < 1) {
        throw this.#invalid(source, origin, String(raw), 'expected a whole number of seconds, at least 1');
      }
      return n as CraftConfig[K];
    }
    if (typeof raw !== 'string' || raw.trim() === '') {
      throw this.#invalid(source, origin, JSON.stringify(raw), 'expected a non-empty string');
    }
    if (kind === 'path') {
      const base = filePath === undefined ? this.#options.cwd : dirname(filePath);
      return (isAbsolute(raw) ? raw : resolve(base, raw)) as CraftConfig[K];
    }
    return raw as CraftConfig[K];
  }

  #invalid(source: ConfigSource, origin: string, value: string, reason: string, cause?: unknown): Error {
    const message = `${origin}: invalid value ${JSON.stringify(value)}: ${reason}`;
    const options = cause === undefined ? undefined : { cause };
    return source === 'flag'
      ? new InvalidArgumentError(origin, value, message, options)
      : new ConfigValueError(origin, message, options);
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

/** Creates a {@link ConfigResolver}. */
export function createConfigResolver(options: ConfigResolverOptions): ConfigResolver {
  return new ConfigResolver(options);
}
