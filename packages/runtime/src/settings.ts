/**
 * The one settings resolver of Craft Scheduler (spec section 7). `@craft/api` and `@craft/cli` both resolve every
 * setting here, so pointed at one environment they open the same database with the same lease.
 *
 * @module
 */
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { DEFAULT_TIMEZONE, isValidTimezone } from '@craft/cron';
import { DEFAULT_DB_NAME, databaseFromUri, databaseNameProblem, isMongoUri } from './database.js';
import { InvalidSettingsError, type SettingProblem, type SettingSource } from './errors.js';
import { type JwtSettings, MIN_SECRET_LENGTH, readPublicKey } from './jwt.js';
import { boolean, byteSize, factor, integer, text, ValueProblem } from './values.js';

/** Every setting, resolved. Each field names its environment variable. */
export interface CraftSettings {
  /** `PORT`: where the API listens. @default 5001 */
  port: number;
  /** `HOST`: the interface the API binds; production images set `0.0.0.0`. @default '127.0.0.1' */
  host: string;
  /** `MONGODB_URI`: the database; unset means the in-memory embedded default. @default undefined */
  mongodbUri: string | undefined;
  /** `MONGODB_DB`: the database name. @default the database in the `MONGODB_URI` path, else 'craft' */
  mongodbDb: string;
  /** `JWT_SECRET` / `JWT_PUBLIC_KEY` (one of them). @default { kind: 'none' } */
  jwt: JwtSettings;
  /** `JWT_ISSUER`: the `iss` claim tokens must carry (and minted tokens get). @default undefined */
  jwtIssuer: string | undefined;
  /** `JWT_AUDIENCE`: the `aud` claim tokens must carry (and minted tokens get). @default undefined */
  jwtAudience: string | undefined;
  /** `SCHEDULER_TIMEZONE`: default IANA zone of schedules and cron previews. @default 'Europe/Stockholm' */
  timezone: string;
  /** `SCHEDULER_ENABLED`: run the startup pass and the scheduler loop in the API process. @default true */
  schedulerEnabled: boolean;
  /** `DASHBOARD_ENABLED`: serve the dashboard (`@craft/dashboard`) at `/ui` in the API process. @default true */
  dashboardEnabled: boolean;
  /**
   * `LOCK_TTL_SECONDS`: lease of job locks and run leases, renewed every third of it while a job runs; after a
   * process dies its jobs are taken over within this time. The API and the CLI both use it. @default 300
   */
  lockTtlSeconds: number;
  /** `POLL_INTERVAL_SECONDS`: longest sleep between scheduler passes; also what counts as a current slot. @default 60 */
  pollIntervalSeconds: number;
  /**
   * `MAX_CONCURRENT_RUNS`: the most handlers one process runs at once (the scheduler's `maxConcurrentRuns`); at the
   * cap, due slots stay due. @default 32
   */
  maxConcurrentRuns: number;
  /** `CRAFT_JOBS`: absolute path (or `file:` URL) of the module of job definitions. @default undefined (built-ins only) */
  jobs: string | undefined;
  /** `NODE_ENV`; `production` turns on the production rules (a database, a real secret, no test clocks). @default 'development' */
  nodeEnv: string;
  /** `METRICS_TOKEN`: a static bearer token that may read the API's `/metrics`. @default undefined */
  metricsToken: string | undefined;
  /** `SHUTDOWN_GRACE_SECONDS`: how long running jobs may finish after SIGTERM/SIGINT. @default 30 */
  shutdownGraceSeconds: number;
  /** `BODY_LIMIT`: largest request body the API accepts, in bytes (`512kb`, `1mb` work too). @default 1048576 */
  bodyLimit: number;
  /** `LOG_LEVEL`: pino level (`fatal` … `trace`, or `silent`). @default 'info' */
  logLevel: string;
  /**
   * `RATE_LIMIT_MAX`: requests one client (a token's `sub`; an IP address before authentication) may make to the
   * API per window, per API process; `0` turns rate limiting off. @default 600
   */
  rateLimitMax: number;
  /** `RATE_LIMIT_WINDOW_SECONDS`: the window `RATE_LIMIT_MAX` counts over. @default 60 */
  rateLimitWindowSeconds: number;
  /** `CRAFT_TEST_CLOCK_OFFSET_MS`: TEST-ONLY shift of the scheduler's clock; refused in production. @default 0 */
  testClockOffsetMs: number;
  /** `CRAFT_TEST_CLOCK_SPEED`: TEST-ONLY acceleration of the scheduler's clock; refused in production. @default 1 */
  testClockSpeed: number;
  /** `CRAFT_TEST_CLOCK_EPOCH_MS`: TEST-ONLY start of the acceleration; refused in production. @default undefined */
  testClockEpochMs: number | undefined;
  /**
   * `CRAFT_TEST_IDEMPOTENCY_LEASE_MS`: TEST-ONLY lease of an in-progress `Idempotency-Key` in the API (how soon a
   * retry takes over the key of a request whose process died); refused in production. @default undefined (30 s)
   */
  testIdempotencyLeaseMs: number | undefined;
}

/** The name of one setting. */
export type SettingKey = keyof CraftSettings;

/** The environment variables each setting reads. */
export const SETTING_VARIABLES: { readonly [K in SettingKey]: readonly string[] } = {
  port: ['PORT'],
  host: ['HOST'],
  mongodbUri: ['MONGODB_URI'],
  mongodbDb: ['MONGODB_DB'],
  jwt: ['JWT_SECRET', 'JWT_PUBLIC_KEY'],
  jwtIssuer: ['JWT_ISSUER'],
  jwtAudience: ['JWT_AUDIENCE'],
  timezone: ['SCHEDULER_TIMEZONE'],
  schedulerEnabled: ['SCHEDULER_ENABLED'],
  dashboardEnabled: ['DASHBOARD_ENABLED'],
  lockTtlSeconds: ['LOCK_TTL_SECONDS'],
  pollIntervalSeconds: ['POLL_INTERVAL_SECONDS'],
  maxConcurrentRuns: ['MAX_CONCURRENT_RUNS'],
  jobs: ['CRAFT_JOBS'],
  nodeEnv: ['NODE_ENV'],
  metricsToken: ['METRICS_TOKEN'],
  shutdownGraceSeconds: ['SHUTDOWN_GRACE_SECONDS'],
  bodyLimit: ['BODY_LIMIT'],
  logLevel: ['LOG_LEVEL'],
  rateLimitMax: ['RATE_LIMIT_MAX'],
  rateLimitWindowSeconds: ['RATE_LIMIT_WINDOW_SECONDS'],
  testClockOffsetMs: ['CRAFT_TEST_CLOCK_OFFSET_MS'],
  testClockSpeed: ['CRAFT_TEST_CLOCK_SPEED'],
  testClockEpochMs: ['CRAFT_TEST_CLOCK_EPOCH_MS'],
  testIdempotencyLeaseMs: ['CRAFT_TEST_IDEMPOTENCY_LEASE_MS'],
};

/** Every setting, in the order of {@link SETTING_VARIABLES}. */
export const SETTING_KEYS = Object.keys(SETTING_VARIABLES) as SettingKey[];

/** Every environment variable Craft reads (the READMEs document each). */
export const ENV_VARIABLES: readonly string[] = SETTING_KEYS.flatMap((k) => SETTING_VARIABLES[k]);

/** Default of {@link CraftSettings.lockTtlSeconds}: the API and the CLI both lease for 5 minutes. */
export const DEFAULT_LOCK_TTL_SECONDS = 300;
/** Default of {@link CraftSettings.pollIntervalSeconds}. */
export const DEFAULT_POLL_INTERVAL_SECONDS = 60;
/** Default of {@link CraftSettings.maxConcurrentRuns} (the scheduler's own default). */
export const DEFAULT_MAX_CONCURRENT_RUNS = 32;
/** Default of {@link CraftSettings.port}. */
export const DEFAULT_PORT = 5001;
/** Default of {@link CraftSettings.host}. */
export const DEFAULT_HOST = '127.0.0.1';
/** Default of {@link CraftSettings.rateLimitMax}: 600 requests per window (10 per second on average). */
export const DEFAULT_RATE_LIMIT_MAX = 600;
/** Default of {@link CraftSettings.rateLimitWindowSeconds}. */
export const DEFAULT_RATE_LIMIT_WINDOW_SECONDS = 60;
/** The levels `LOG_LEVEL` accepts. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Values set by something other than the environment: command-line flags or a config file. */
export interface SettingsLayer {
  /** Values by environment variable name (`{ MONGODB_DB: 'jobs' }`); undefined, null and '' count as unset. */
  values: Readonly<Record<string, unknown>>;
  /** How messages name the origin of a variable's value (`--mongodb-db`, `craft.json (mongodbDb)`). @default the variable */
  origin?(variable: string): string;
  /** Directory relative paths (`CRAFT_JOBS`, a `JWT_PUBLIC_KEY` file) resolve against. @default the `cwd` */
  baseDir?: string;
}

/** Where {@link createSettings} reads from: flags, then the environment, then a file, then the defaults. */
export interface SettingsOptions {
  /** The environment. Empty strings count as unset. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths from the environment resolve against. @default process.cwd() */
  cwd?: string;
  /** Values that beat the environment (the CLI's flags). @default none */
  flags?: SettingsLayer;
  /** Values the environment beats (the CLI's config file). @default none */
  file?: SettingsLayer;
}

/** A resolved value and where it came from. */
export interface ResolvedSetting<T> {
  /** The value, parsed and validated. */
  value: T;
  /** Which layer supplied it. */
  source: SettingSource;
  /** The variable, flag or `<file> (key)` that supplied it, for messages and `--verbose`; `default` otherwise. */
  origin: string;
}

interface Raw {
  value: unknown;
  source: Exclude<SettingSource, 'default'>;
  origin: string;
  baseDir: string;
}

type Outcome<T> = { ok: true; setting: ResolvedSetting<T> } | { ok: false; problems: SettingProblem[] };

/**
 * Settings resolved lazily, one at a time (`get`), or all at once (`resolve`), always by the same rules:
 * a flag, then the environment, then a file, then the default. A command that reads one setting is not failed
 * by another one's bad value.
 */
export class Settings {
  readonly #env: Readonly<Record<string, string | undefined>>;
  readonly #cwd: string;
  readonly #flags: SettingsLayer | undefined;
  readonly #file: SettingsLayer | undefined;
  readonly #cache = new Map<SettingKey, Outcome<unknown>>();

  constructor(options: SettingsOptions = {}) {
    this.#env = options.env ?? process.env;
    this.#cwd = options.cwd ?? process.cwd();
    this.#flags = options.flags;
    this.#file = options.file;
  }

  /**
   * Resolves one setting.
   * @throws InvalidSettingsError naming the variable (and the flag or file that set it) and the problem
   */
  get<K extends SettingKey>(key: K): ResolvedSetting<CraftSettings[K]> {
    const outcome = this.#outcome(key);
    if (!outcome.ok) throw new InvalidSettingsError(outcome.problems);
    return outcome.setting;
  }

  /** The value of one setting (see {@link get}). */
  value<K extends SettingKey>(key: K): CraftSettings[K] {
    return this.get(key).value;
  }

  /**
   * Resolves `keys` (every setting by default) and reports every problem at once.
   * @throws InvalidSettingsError listing each problem on its own line
   */
  resolve<K extends SettingKey = SettingKey>(
    keys: readonly K[] = SETTING_KEYS as K[],
  ): Pick<CraftSettings, K> {
    const out: Partial<CraftSettings> = {};
    const problems: SettingProblem[] = [];
    for (const key of keys) {
      const outcome = this.#outcome(key);
      if (outcome.ok) (out as Record<string, unknown>)[key] = outcome.setting.value;
      else
        for (const p of outcome.problems)
          if (!problems.some((q) => q.variable === p.variable && q.message === p.message)) problems.push(p);
    }
    if (problems.length > 0) throw new InvalidSettingsError(problems);
    return out as Pick<CraftSettings, K>;
  }

  #outcome<K extends SettingKey>(key: K): Outcome<CraftSettings[K]> {
    let outcome = this.#cache.get(key);
    if (outcome === undefined) {
      try {
        outcome = { ok: true, setting: RESOLVERS[key](this.#context()) };
      } catch (error) {
        if (!(error instanceof InvalidSettingsError)) throw error;
        outcome = { ok: false, problems: [...error.problems] };
      }
      this.#cache.set(key, outcome);
    }
    return outcome as Outcome<CraftSettings[K]>;
  }

  #context(): Context {
    const raw = (variable: string): Raw | undefined => {
      const layers: [Exclude<SettingSource, 'default'>, SettingsLayer | undefined][] = [
        ['flag', this.#flags],
        ['env', { values: this.#env }],
        ['file', this.#file],
      ];
      for (const [source, layer] of layers) {
        const value = layer?.values[variable];
        if (value === undefined || value === null || (typeof value === 'string' && value.trim() === ''))
          continue;
        return {
          value: typeof value === 'string' ? value.trim() : value,
          source,
          origin: layer?.origin?.(variable) ?? variable,
          baseDir: layer?.baseDir ?? this.#cwd,
        };
      }
      return undefined;
    };
    const tryGet = <K extends SettingKey>(key: K): ResolvedSetting<CraftSettings[K]> | undefined => {
      const outcome = this.#outcome(key);
      return outcome.ok ? outcome.setting : undefined;
    };
    return { raw, tryGet, production: () => tryGet('nodeEnv')?.value === 'production' };
  }
}

interface Context {
  /** The first layer that sets `variable`. */
  raw(variable: string): Raw | undefined;
  /** Another setting, or undefined when it is invalid (its own problem is reported under its own key). */
  tryGet<K extends SettingKey>(key: K): ResolvedSetting<CraftSettings[K]> | undefined;
  /** `NODE_ENV=production`. */
  production(): boolean;
}

/** Variables whose values are never copied into a problem (they may hold passwords or secrets). */
const SECRET_VARIABLES = new Set(['MONGODB_URI', 'JWT_SECRET', 'METRICS_TOKEN']);

function problem(raw: Raw | undefined, variable: string, message: string): InvalidSettingsError {
  return new InvalidSettingsError([
    {
      variable,
      origin: raw?.origin ?? variable,
      source: raw?.source ?? 'default',
      ...(raw && !SECRET_VARIABLES.has(variable) ? { value: raw.value } : {}),
      message,
    },
  ]);
}

/** A setting read from one variable with `parse`, else `fallback`. */
function single<T>(variable: string, fallback: T, parse: (value: unknown, raw: Raw) => T) {
  return (ctx: Context): ResolvedSetting<T> => {
    const raw = ctx.raw(variable);
    if (raw === undefined) return { value: fallback, source: 'default', origin: 'default' };
    try {
      return { value: parse(raw.value, raw), source: raw.source, origin: raw.origin };
    } catch (error) {
      if (error instanceof ValueProblem) throw problem(raw, variable, error.message);
      throw error;
    }
  };
}

/** A test-only setting: refused in production. */
function testOnly<T>(variable: string, fallback: T, parse: (value: unknown) => T) {
  const read = single(variable, fallback, parse);
  return (ctx: Context): ResolvedSetting<T> => {
    const raw = ctx.raw(variable);
    if (raw !== undefined && ctx.production()) {
      throw problem(raw, variable, 'is a test-only setting and is refused when NODE_ENV=production');
    }
    return read(ctx);
  };
}

const RESOLVERS: { readonly [K in SettingKey]: (ctx: Context) => ResolvedSetting<CraftSettings[K]> } = {
  nodeEnv: single('NODE_ENV', 'development', text),
  port: single('PORT', DEFAULT_PORT, (v) => integer(v, 0, 65_535, 'a TCP port')),
  host: single('HOST', DEFAULT_HOST, text),
  mongodbUri: (ctx) => {
    const raw = ctx.raw('MONGODB_URI');
    if (raw === undefined && ctx.production()) {
      throw problem(
        raw,
        'MONGODB_URI',
        'NODE_ENV=production needs a database: set MONGODB_URI (the in-memory default keeps nothing across restarts)',
      );
    }
    return single<string | undefined>('MONGODB_URI', undefined, (v) => {
      const uri = text(v);
      if (!isMongoUri(uri)) {
        throw new ValueProblem('expected a connection string starting with mongodb:// or mongodb+srv://');
      }
      return uri;
    })(ctx);
  },
  mongodbDb: (ctx) => {
    // MONGODB_DB, else the database named in the URI's path (as the driver reads it), else `craft`.
    const explicit = ctx.raw('MONGODB_DB');
    if (explicit) {
      let name: string;
      try {
        name = text(explicit.value);
      } catch (error) {
        throw problem(explicit, 'MONGODB_DB', (error as Error).message);
      }
      const why = databaseNameProblem(name);
      if (why)
        throw problem(explicit, 'MONGODB_DB', `invalid database name ${JSON.stringify(name)}: it ${why}`);
      return { value: name, source: explicit.source, origin: explicit.origin };
    }
    const uri = ctx.tryGet('mongodbUri');
    const fromUri = uri?.value === undefined ? undefined : databaseFromUri(uri.value);
    if (uri === undefined || fromUri === undefined) {
      return { value: DEFAULT_DB_NAME, source: 'default', origin: 'default' };
    }
    const why = databaseNameProblem(fromUri);
    if (why) {
      throw problem(
        ctx.raw('MONGODB_URI'),
        'MONGODB_URI',
        `names the database ${JSON.stringify(fromUri)} in its path, which ${why}; fix the path or set MONGODB_DB`,
      );
    }
    return { value: fromUri, source: uri.source, origin: `the path of ${uri.origin}` };
  },
  jwt: (ctx) => {
    const secret = ctx.raw('JWT_SECRET');
    const publicKey = ctx.raw('JWT_PUBLIC_KEY');
    const production = ctx.production();
    if (secret && publicKey) {
      throw problem(
        publicKey,
        'JWT_PUBLIC_KEY',
        'both JWT_SECRET and JWT_PUBLIC_KEY are set; set JWT_SECRET for HS256 tokens or JWT_PUBLIC_KEY for ' +
          "RS256/ES256 tokens from an identity provider, not both (the CLI's `token` command needs JWT_SECRET)",
      );
    }
    if (secret) {
      let value: string;
      try {
        value = text(secret.value);
      } catch (error) {
        throw problem(secret, 'JWT_SECRET', (error as Error).message);
      }
      if (production && value.length < MIN_SECRET_LENGTH) {
        throw problem(
          secret,
          'JWT_SECRET',
          `is ${value.length} characters long; production needs at least ${MIN_SECRET_LENGTH} random characters ` +
            '(e.g. openssl rand -base64 32)',
        );
      }
      return { value: { kind: 'secret', secret: value }, source: secret.source, origin: secret.origin };
    }
    if (publicKey) {
      try {
        const { pem, algorithm } = readPublicKey(text(publicKey.value), publicKey.baseDir);
        return {
          value: { kind: 'public-key', publicKey: pem, algorithm },
          source: publicKey.source,
          origin: publicKey.origin,
        };
      } catch (error) {
        throw problem(publicKey, 'JWT_PUBLIC_KEY', (error as Error).message);
      }
    }
    if (production) {
      throw problem(
        undefined,
        'JWT_SECRET',
        'NODE_ENV=production needs a real signing secret: set JWT_SECRET (HS256, at least 32 characters) or ' +
          'JWT_PUBLIC_KEY (RS256/ES256)',
      );
    }
    return { value: { kind: 'none' }, source: 'default', origin: 'default' };
  },
  jwtIssuer: single<string | undefined>('JWT_ISSUER', undefined, text),
  jwtAudience: single<string | undefined>('JWT_AUDIENCE', undefined, text),
  timezone: single('SCHEDULER_TIMEZONE', DEFAULT_TIMEZONE, (v) => {
    const zone = text(v);
    if (!isValidTimezone(zone)) {
      throw new ValueProblem(
        `invalid value ${JSON.stringify(zone)}: not a known IANA timezone; use e.g. "Europe/Stockholm" or "UTC"`,
      );
    }
    return zone;
  }),
  schedulerEnabled: single('SCHEDULER_ENABLED', true, boolean),
  dashboardEnabled: single('DASHBOARD_ENABLED', true, boolean),
  lockTtlSeconds: single('LOCK_TTL_SECONDS', DEFAULT_LOCK_TTL_SECONDS, (v) =>
    integer(v, 5, 86_400, 'whole seconds'),
  ),
  pollIntervalSeconds: single('POLL_INTERVAL_SECONDS', DEFAULT_POLL_INTERVAL_SECONDS, (v) =>
    integer(v, 1, 3600, 'whole seconds'),
  ),
  maxConcurrentRuns: single('MAX_CONCURRENT_RUNS', DEFAULT_MAX_CONCURRENT_RUNS, (v) =>
    integer(v, 1, 10_000, 'a whole number of handlers'),
  ),
  jobs: single<string | undefined>('CRAFT_JOBS', undefined, (v, raw) => {
    const path = text(v);
    return path.startsWith('file:') || isAbsolute(path) ? path : resolvePath(raw.baseDir, path);
  }),
  metricsToken: single<string | undefined>('METRICS_TOKEN', undefined, (v) => {
    const token = text(v);
    if (token.length < 16)
      throw new ValueProblem('use at least 16 random characters (e.g. openssl rand -hex 24)');
    return token;
  }),
  shutdownGraceSeconds: single('SHUTDOWN_GRACE_SECONDS', 30, (v) => integer(v, 0, 3600, 'whole seconds')),
  bodyLimit: single('BODY_LIMIT', 1_048_576, byteSize),
  logLevel: single('LOG_LEVEL', 'info', (v) => {
    const level = text(v).toLowerCase();
    if (!(LOG_LEVELS as readonly string[]).includes(level)) {
      throw new ValueProblem(`invalid value ${JSON.stringify(v)}: expected one of ${LOG_LEVELS.join(', ')}`);
    }
    return level;
  }),
  rateLimitMax: single('RATE_LIMIT_MAX', DEFAULT_RATE_LIMIT_MAX, (v) =>
    integer(v, 0, 1_000_000_000, 'requests per window (0 turns rate limiting off)'),
  ),
  rateLimitWindowSeconds: single('RATE_LIMIT_WINDOW_SECONDS', DEFAULT_RATE_LIMIT_WINDOW_SECONDS, (v) =>
    integer(v, 1, 86_400, 'whole seconds'),
  ),
  testClockOffsetMs: testOnly('CRAFT_TEST_CLOCK_OFFSET_MS', 0, (v) =>
    integer(v, -31_536_000_000, 31_536_000_000, 'milliseconds'),
  ),
  testClockSpeed: testOnly('CRAFT_TEST_CLOCK_SPEED', 1, factor),
  testClockEpochMs: testOnly<number | undefined>('CRAFT_TEST_CLOCK_EPOCH_MS', undefined, (v) =>
    integer(v, 0, 8_640_000_000_000, 'epoch milliseconds'),
  ),
  testIdempotencyLeaseMs: testOnly<number | undefined>('CRAFT_TEST_IDEMPOTENCY_LEASE_MS', undefined, (v) =>
    integer(v, 100, 3_600_000, 'milliseconds'),
  ),
};

/** Creates a {@link Settings} over flags, the environment and a file. */
export function createSettings(options: SettingsOptions = {}): Settings {
  return new Settings(options);
}

/**
 * Resolves every setting from `env` (what `craft-api` does at startup).
 * @throws InvalidSettingsError listing every problem, each naming its variable
 */
export function resolveSettings(
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: { cwd?: string } = {},
): CraftSettings {
  return new Settings({ env, ...options }).resolve();
}
