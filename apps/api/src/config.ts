import { createPublicKey, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { DEFAULT_TIMEZONE, isValidTimezone } from '@craft/cron';
import { ConfigError, type ConfigProblem } from './errors.js';

/** An algorithm the API verifies tokens with. */
export type JwtAlgorithm = 'HS256' | 'RS256' | 'PS256' | 'ES256' | 'ES384' | 'ES512' | 'EdDSA';

/** How tokens are verified. */
export type JwtVerification =
  | {
      /** HS256 with a shared secret. */
      kind: 'secret';
      /** The secret. */
      secret: string;
      /** True when no `JWT_SECRET` was set and a development secret was generated for this process. */
      generated: boolean;
    }
  | {
      /** RS256/PS256/ES256/ES384/ES512/EdDSA with a PEM public key (tokens come from an identity provider). */
      kind: 'public-key';
      /** The PEM text of the public key. */
      publicKey: string;
      /** The one algorithm accepted, detected from the key (RSA → RS256, EC P-256 → ES256, …). */
      algorithm: JwtAlgorithm;
    };

/** The service's configuration, resolved from the environment by {@link loadConfig}. */
export interface ApiConfig {
  /** `PORT`: TCP port. @default 5001 */
  port: number;
  /** `HOST`: interface to bind; production images set `0.0.0.0`. @default '127.0.0.1' */
  host: string;
  /** `MONGODB_URI`: the database; unset means the in-memory embedded default. @default undefined */
  mongodbUri: string | undefined;
  /** `MONGODB_DB`: database name. @default the database in the `MONGODB_URI` path, else 'craft' */
  mongodbDb: string;
  /** `JWT_SECRET` / `JWT_PUBLIC_KEY`: token verification. @default a generated development secret (not in production) */
  jwt: JwtVerification;
  /** `JWT_ISSUER`: required `iss` claim. @default undefined (not checked) */
  jwtIssuer: string | undefined;
  /** `JWT_AUDIENCE`: required `aud` claim. @default undefined (not checked) */
  jwtAudience: string | undefined;
  /** `SCHEDULER_TIMEZONE`: default IANA zone of schedules. @default 'Europe/Stockholm' */
  timezone: string;
  /** `SCHEDULER_ENABLED`: run missed-run recovery and the scheduler loop in this process. @default true */
  schedulerEnabled: boolean;
  /** `DASHBOARD_ENABLED`: serve the dashboard (`@craft/dashboard`) at `/ui`. @default true */
  dashboardEnabled: boolean;
  /**
   * `LOCK_TTL_SECONDS`: lease length of job locks and run leases. Leases are renewed every third of it while a
   * job runs, so long jobs are safe; after a replica dies, its jobs are taken over within this time.
   * @default 300
   */
  lockTtlSeconds: number;
  /** `POLL_INTERVAL_SECONDS`: longest sleep of the scheduler loop between passes. @default 60 */
  pollIntervalSeconds: number;
  /** `CRAFT_JOBS`: absolute path of the module of job definitions. @default undefined (built-in jobs only) */
  jobsModule: string | undefined;
  /** `NODE_ENV`. @default 'development' */
  nodeEnv: string;
  /** `METRICS_TOKEN`: a static bearer token that may read `/metrics` (besides JWTs with `jobs:read`). @default undefined */
  metricsToken: string | undefined;
  /** `SHUTDOWN_GRACE_SECONDS`: how long running jobs may finish after SIGTERM/SIGINT. @default 30 */
  shutdownGraceSeconds: number;
  /** `BODY_LIMIT`: largest accepted request body in bytes (`512kb`, `1mb` work too). @default 1048576 */
  bodyLimit: number;
  /** `LOG_LEVEL`: pino level (`fatal` … `trace`, or `silent`). @default 'info' */
  logLevel: string;
  /**
   * `CRAFT_TEST_CLOCK_OFFSET_MS`: TEST-ONLY shift of the scheduler's clock (milliseconds, may be negative), used
   * by the end-to-end suite to make a slot due at once. Rejected when `NODE_ENV=production`. @default 0
   */
  testClockOffsetMs: number;
  /**
   * `CRAFT_TEST_CLOCK_SPEED`: TEST-ONLY acceleration of the scheduler's clock: scheduler time is
   * `epoch + (realNow - epoch) × speed + offset`, and the scheduler's sleeps last `ms / speed` real time. Used by
   * the chaos harness (tooling/chaos) to cover hours of schedule time in minutes. Leases stay in real time (the
   * database server's clock). Rejected when `NODE_ENV=production`. @default 1
   */
  testClockSpeed: number;
  /**
   * `CRAFT_TEST_CLOCK_EPOCH_MS`: TEST-ONLY instant (epoch ms, real time) from which `CRAFT_TEST_CLOCK_SPEED`
   * accelerates; every replica of a test must share it so that they compute the same scheduler time. Rejected
   * when `NODE_ENV=production`. @default undefined (the moment the process builds its clock)
   */
  testClockEpochMs: number | undefined;
}

/** Every environment variable the service reads (the README documents each). */
export const ENV_VARIABLES = [
  'PORT',
  'HOST',
  'MONGODB_URI',
  'MONGODB_DB',
  'JWT_SECRET',
  'JWT_PUBLIC_KEY',
  'JWT_ISSUER',
  'JWT_AUDIENCE',
  'SCHEDULER_TIMEZONE',
  'SCHEDULER_ENABLED',
  'DASHBOARD_ENABLED',
  'LOCK_TTL_SECONDS',
  'POLL_INTERVAL_SECONDS',
  'CRAFT_JOBS',
  'NODE_ENV',
  'METRICS_TOKEN',
  'SHUTDOWN_GRACE_SECONDS',
  'BODY_LIMIT',
  'LOG_LEVEL',
  'CRAFT_TEST_CLOCK_OFFSET_MS',
  'CRAFT_TEST_CLOCK_SPEED',
  'CRAFT_TEST_CLOCK_EPOCH_MS',
] as const;

/** Default of {@link ApiConfig.lockTtlSeconds}. */
export const DEFAULT_LOCK_TTL_SECONDS = 300;
/** Smallest HS256 secret accepted in production, in characters. */
export const MIN_SECRET_LENGTH = 32;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Directory relative `CRAFT_JOBS` and `JWT_PUBLIC_KEY` paths resolve against. @default process.cwd() */
  cwd?: string;
}

/**
 * Reads and validates the configuration from `env` (spec section 7 names). Empty strings count as unset. Throws
 * one {@link ConfigError} listing every problem, each naming its variable. Without `JWT_SECRET`/`JWT_PUBLIC_KEY`
 * outside production, a random development secret is generated (`jwt.generated`).
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: LoadConfigOptions = {},
): ApiConfig {
  const cwd = options.cwd ?? process.cwd();
  const problems: ConfigProblem[] = [];
  const get = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const fail = (variable: string, message: string) => problems.push({ variable, message });
  const int = (name: string, fallback: number, min: number, max: number, what: string): number => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    const n = /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      fail(name, `invalid value ${JSON.stringify(raw)}: expected ${what} from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };

  const nodeEnv = get('NODE_ENV') ?? 'development';
  const production = nodeEnv === 'production';
  const port = int('PORT', 5001, 0, 65_535, 'a TCP port');
  const host = get('HOST') ?? '127.0.0.1';
  const mongodbUri = get('MONGODB_URI');
  if (mongodbUri !== undefined && !/^mongodb(\+srv)?:\/\//.test(mongodbUri)) {
    fail('MONGODB_URI', 'expected a connection string starting with mongodb:// or mongodb+srv://');
  }
  if (production && mongodbUri === undefined) {
    fail(
      'MONGODB_URI',
      'NODE_ENV=production needs a database: set MONGODB_URI (the in-memory default keeps nothing across restarts)',
    );
  }
  // MONGODB_DB, else the database named in the URI's path (as the driver does), else `craft`.
  const uriDb = mongodbUri ? /^mongodb(?:\+srv)?:\/\/[^/]*\/([^?]+)/.exec(mongodbUri)?.[1] : undefined;
  const mongodbDb = get('MONGODB_DB') ?? (uriDb ? decodeURIComponent(uriDb) : 'craft');
  if (/[/\\. "$]/.test(mongodbDb)) fail('MONGODB_DB', `invalid database name ${JSON.stringify(mongodbDb)}`);

  const jwt = resolveJwt(get('JWT_SECRET'), get('JWT_PUBLIC_KEY'), production, cwd, fail);

  const timezone = get('SCHEDULER_TIMEZONE') ?? DEFAULT_TIMEZONE;
  if (!isValidTimezone(timezone)) {
    fail(
      'SCHEDULER_TIMEZONE',
      `${JSON.stringify(timezone)} is not a known IANA timezone; use e.g. "Europe/Stockholm" or "UTC"`,
    );
  }
  let schedulerEnabled = true;
  const enabledRaw = get('SCHEDULER_ENABLED');
  if (enabledRaw !== undefined) {
    const v = enabledRaw.toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(v)) schedulerEnabled = true;
    else if (['false', '0', 'no', 'off'].includes(v)) schedulerEnabled = false;
    else fail('SCHEDULER_ENABLED', `invalid value ${JSON.stringify(enabledRaw)}: expected true or false`);
  }
  const dashboardRaw = get('DASHBOARD_ENABLED')?.toLowerCase();
  const dashboardEnabled = !['false', '0', 'no', 'off'].includes(dashboardRaw ?? 'true');
  if (
    dashboardRaw !== undefined &&
    !['true', '1', 'yes', 'on', 'false', '0', 'no', 'off'].includes(dashboardRaw)
  ) {
    fail(
      'DASHBOARD_ENABLED',
      `invalid value ${JSON.stringify(get('DASHBOARD_ENABLED'))}: expected true or false`,
    );
  }
  const lockTtlSeconds = int('LOCK_TTL_SECONDS', DEFAULT_LOCK_TTL_SECONDS, 5, 86_400, 'whole seconds');
  const pollIntervalSeconds = int('POLL_INTERVAL_SECONDS', 60, 1, 3600, 'whole seconds');
  const shutdownGraceSeconds = int('SHUTDOWN_GRACE_SECONDS', 30, 0, 3600, 'whole seconds');
  const jobsRaw = get('CRAFT_JOBS');
  const jobsModule =
    jobsRaw === undefined
      ? undefined
      : jobsRaw.startsWith('file:') || isAbsolute(jobsRaw)
        ? jobsRaw
        : resolve(cwd, jobsRaw);
  const metricsToken = get('METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16) {
    fail('METRICS_TOKEN', 'use at least 16 random characters (e.g. openssl rand -hex 24)');
  }
  const bodyLimit = parseBodyLimit(get('BODY_LIMIT'), fail);
  const logLevel = (get('LOG_LEVEL') ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) fail('LOG_LEVEL', `expected one of ${LOG_LEVELS.join(', ')}`);
  const offsetRaw = get('CRAFT_TEST_CLOCK_OFFSET_MS');
  let testClockOffsetMs = 0;
  if (offsetRaw !== undefined) {
    if (production) {
      fail('CRAFT_TEST_CLOCK_OFFSET_MS', 'is a test-only setting and is refused when NODE_ENV=production');
    } else {
      testClockOffsetMs = int(
        'CRAFT_TEST_CLOCK_OFFSET_MS',
        0,
        -31_536_000_000,
        31_536_000_000,
        'milliseconds',
      );
    }
  }
  let testClockSpeed = 1;
  let testClockEpochMs: number | undefined;
  for (const name of ['CRAFT_TEST_CLOCK_SPEED', 'CRAFT_TEST_CLOCK_EPOCH_MS'] as const) {
    const raw = get(name);
    if (raw === undefined) continue;
    if (production) {
      fail(name, 'is a test-only setting and is refused when NODE_ENV=production');
    } else if (name === 'CRAFT_TEST_CLOCK_SPEED') {
      const n = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
      if (!(n >= 0.001 && n <= 100_000)) {
        fail(name, `invalid value ${JSON.stringify(raw)}: expected a factor from 0.001 to 100000 (e.g. 60)`);
      } else testClockSpeed = n;
    } else {
      testClockEpochMs = int(name, 0, 0, 8_640_000_000_000, 'epoch milliseconds');
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    host,
    mongodbUri,
    mongodbDb,
    jwt: jwt as JwtVerification,
    jwtIssuer: get('JWT_ISSUER'),
    jwtAudience: get('JWT_AUDIENCE'),
    timezone,
    schedulerEnabled,
    dashboardEnabled,
    lockTtlSeconds,
    pollIntervalSeconds,
    jobsModule,
    nodeEnv,
    metricsToken,
    shutdownGraceSeconds,
    bodyLimit,
    logLevel,
    testClockOffsetMs,
    testClockSpeed,
    testClockEpochMs,
  };
}

function resolveJwt(
  secret: string | undefined,
  publicKey: string | undefined,
  production: boolean,
  cwd: string,
  fail: (variable: string, message: string) => void,
): JwtVerification | undefined {
  if (secret !== undefined && publicKey !== undefined) {
    fail(
      'JWT_PUBLIC_KEY',
      'both JWT_SECRET and JWT_PUBLIC_KEY are set; set JWT_SECRET for HS256 tokens or JWT_PUBLIC_KEY for ' +
        "RS256/ES256 tokens from an identity provider, not both (the CLI's `token` command needs JWT_SECRET)",
    );
    return undefined;
  }
  if (secret !== undefined) {
    if (production && secret.length < MIN_SECRET_LENGTH) {
      fail(
        'JWT_SECRET',
        `is ${secret.length} characters long; production needs at least ${MIN_SECRET_LENGTH} random characters ` +
          '(e.g. openssl rand -base64 32)',
      );
    }
    return { kind: 'secret', secret, generated: false };
  }
  if (publicKey !== undefined) {
    let pem = publicKey.replace(/\\n/g, '\n');
    if (!pem.includes('-----BEGIN')) {
      const path = isAbsolute(pem) ? pem : resolve(cwd, pem);
      try {
        pem = readFileSync(path, 'utf8');
      } catch (error) {
        fail(
          'JWT_PUBLIC_KEY',
          `is neither PEM text nor a readable file (${path}: ${(error as Error).message}); give the PEM ` +
            'public key of your identity provider, or the path of a file holding it',
        );
        return undefined;
      }
    }
    try {
      return { kind: 'public-key', publicKey: pem, algorithm: algorithmForKey(pem) };
    } catch (error) {
      fail('JWT_PUBLIC_KEY', (error as Error).message);
      return undefined;
    }
  }
  if (production) {
    fail(
      'JWT_SECRET',
      'NODE_ENV=production needs a real signing secret: set JWT_SECRET (HS256, at least 32 characters) or ' +
        'JWT_PUBLIC_KEY (RS256/ES256)',
    );
    return undefined;
  }
  return { kind: 'secret', secret: randomBytes(32).toString('base64url'), generated: true };
}

/**
 * The one algorithm tokens verified with this PEM public key must use: RSA → RS256, RSA-PSS → PS256,
 * EC P-256/P-384/P-521 → ES256/ES384/ES512, Ed25519 → EdDSA. Throws for a private key, an unparsable key or
 * another key type.
 */
export function algorithmForKey(pem: string): JwtAlgorithm {
  if (/PRIVATE KEY/.test(pem)) {
    throw new Error('holds a PRIVATE key; give the public key only (the API never signs)');
  }
  let key: ReturnType<typeof createPublicKey>;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    throw new Error(`is not a valid PEM public key (${(error as Error).message})`);
  }
  const type = key.asymmetricKeyType;
  if (type === 'rsa') return 'RS256';
  if (type === 'rsa-pss') return 'PS256';
  if (type === 'ed25519') return 'EdDSA';
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ES256';
    if (curve === 'secp384r1') return 'ES384';
    if (curve === 'secp521r1') return 'ES512';
    throw new Error(`uses the EC curve ${String(curve)}; use P-256 (ES256), P-384 or P-521`);
  }
  throw new Error(`is a ${String(type)} key; use an RSA (RS256) or EC P-256 (ES256) public key`);
}

function parseBodyLimit(raw: string | undefined, fail: (variable: string, message: string) => void): number {
  const fallback = 1_048_576;
  if (raw === undefined) return fallback;
  const m = /^(\d+)\s*(b|kb|mb)?$/i.exec(raw);
  const unit = { b: 1, kb: 1024, mb: 1_048_576 }[(m?.[2] ?? 'b').toLowerCase() as 'b' | 'kb' | 'mb'];
  const n = m ? Number(m[1]) * unit : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1024 || n > 104_857_600) {
    fail(
      'BODY_LIMIT',
      `invalid value ${JSON.stringify(raw)}: expected bytes (or 512kb, 1mb) from 1kb to 100mb`,
    );
    return fallback;
  }
  return n;
}
