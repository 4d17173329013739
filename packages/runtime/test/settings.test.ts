import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createSettings,
  ENV_VARIABLES,
  InvalidSettingsError,
  resolveSettings,
  SETTING_KEYS,
  schedulerOptions,
} from '../src/index.js';

const SECRET = 's'.repeat(40);

function problemsOf(env: Record<string, string>): { variable: string; origin: string; message: string }[] {
  try {
    resolveSettings(env);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidSettingsError);
    expect((error as InvalidSettingsError).code).toBe('CRAFT_RUNTIME_INVALID_SETTINGS');
    return [...(error as InvalidSettingsError).problems];
  }
  throw new Error('expected an InvalidSettingsError');
}

describe('defaults', () => {
  it('needs no variable at all: the embedded default, a 300 s lease, a 60 s poll interval', () => {
    expect(resolveSettings({})).toEqual({
      port: 5001,
      host: '127.0.0.1',
      mongodbUri: undefined,
      mongodbDb: 'craft',
      jwt: { kind: 'none' },
      jwtIssuer: undefined,
      jwtAudience: undefined,
      timezone: 'Europe/Stockholm',
      schedulerEnabled: true,
      dashboardEnabled: true,
      lockTtlSeconds: 300,
      pollIntervalSeconds: 60,
      maxConcurrentRuns: 32,
      jobs: undefined,
      nodeEnv: 'development',
      metricsToken: undefined,
      shutdownGraceSeconds: 30,
      bodyLimit: 1_048_576,
      logLevel: 'info',
      rateLimitMax: 600,
      rateLimitWindowSeconds: 60,
      testClockOffsetMs: 0,
      testClockSpeed: 1,
      testClockEpochMs: undefined,
      testIdempotencyLeaseMs: undefined,
    });
  });

  it('treats empty and blank strings as unset', () => {
    expect(resolveSettings({ PORT: '', MONGODB_URI: '  ', LOCK_TTL_SECONDS: '' })).toMatchObject({
      port: 5001,
      mongodbUri: undefined,
      lockTtlSeconds: 300,
    });
  });

  it('maps the lease, the poll interval and the run cap to the scheduler options in milliseconds', () => {
    expect(schedulerOptions(resolveSettings({}))).toEqual({
      timezone: 'Europe/Stockholm',
      lockTtlMs: 300_000,
      pollIntervalMs: 60_000,
      maxConcurrentRuns: 32,
    });
    const s = resolveSettings({
      LOCK_TTL_SECONDS: '45',
      POLL_INTERVAL_SECONDS: '5',
      SCHEDULER_TIMEZONE: 'UTC',
      MAX_CONCURRENT_RUNS: '4',
    });
    expect(schedulerOptions(s)).toEqual({
      timezone: 'UTC',
      lockTtlMs: 45_000,
      pollIntervalMs: 5_000,
      maxConcurrentRuns: 4,
    });
  });

  it('refuses a run cap that is not a whole number from 1 to 10000, naming MAX_CONCURRENT_RUNS', () => {
    for (const bad of ['0', '-1', '2.5', 'many', '10001']) {
      expect(() => resolveSettings({ MAX_CONCURRENT_RUNS: bad })).toThrow(/MAX_CONCURRENT_RUNS/);
    }
  });

  it('lists every variable of every setting once', () => {
    expect(new Set(ENV_VARIABLES).size).toBe(ENV_VARIABLES.length);
    expect(SETTING_KEYS).toHaveLength(25);
    expect(ENV_VARIABLES).toEqual(
      expect.arrayContaining([
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
        'LOCK_TTL_SECONDS',
        'POLL_INTERVAL_SECONDS',
        'MAX_CONCURRENT_RUNS',
        'CRAFT_JOBS',
        'RATE_LIMIT_MAX',
        'RATE_LIMIT_WINDOW_SECONDS',
      ]),
    );
  });
});

describe('the database name: MONGODB_DB, else the URI path, else craft', () => {
  const db = (env: Record<string, string>) => resolveSettings(env).mongodbDb;

  it('takes the database named in the URI path', () => {
    expect(db({ MONGODB_URI: 'mongodb://host/mydb' })).toBe('mydb');
    expect(db({ MONGODB_URI: 'mongodb://a:1,b:2/jobs?replicaSet=rs' })).toBe('jobs');
    expect(db({ MONGODB_URI: 'mongodb+srv://user:p%40ss@cluster.example.net/prod?retryWrites=true' })).toBe(
      'prod',
    );
    expect(db({ MONGODB_URI: 'mongodb://host/my%2Ddb' })).toBe('my-db');
  });

  it('lets MONGODB_DB win over the path', () => {
    expect(db({ MONGODB_URI: 'mongodb://host/mydb', MONGODB_DB: 'other' })).toBe('other');
    expect(db({ MONGODB_DB: 'other' })).toBe('other');
  });

  it('falls back to craft when the path names none', () => {
    expect(db({})).toBe('craft');
    expect(db({ MONGODB_URI: 'mongodb://host' })).toBe('craft');
    expect(db({ MONGODB_URI: 'mongodb://host/' })).toBe('craft');
    expect(db({ MONGODB_URI: 'mongodb://host/?w=majority' })).toBe('craft');
  });

  it('says where the name came from', () => {
    const settings = createSettings({ env: { MONGODB_URI: 'mongodb://host/mydb' } });
    expect(settings.get('mongodbDb')).toEqual({
      value: 'mydb',
      source: 'env',
      origin: 'the path of MONGODB_URI',
    });
  });

  it('rejects a name MongoDB does not allow, naming the variable that gave it', () => {
    expect(problemsOf({ MONGODB_DB: 'a.b' })).toEqual([
      expect.objectContaining({
        variable: 'MONGODB_DB',
        message: expect.stringMatching(/database name "a\.b"/),
      }),
    ]);
    expect(problemsOf({ MONGODB_URI: 'mongodb://host/a$b' })).toEqual([
      expect.objectContaining({ variable: 'MONGODB_URI', message: expect.stringMatching(/set MONGODB_DB/) }),
    ]);
  });
});

describe('every variable is parsed', () => {
  it('reads each one', () => {
    const s = resolveSettings(
      {
        PORT: '8080',
        HOST: '0.0.0.0',
        MONGODB_URI: 'mongodb://db:27017',
        MONGODB_DB: 'jobs',
        JWT_SECRET: SECRET,
        JWT_ISSUER: 'iss',
        JWT_AUDIENCE: 'aud',
        SCHEDULER_TIMEZONE: 'UTC',
        SCHEDULER_ENABLED: 'false',
        DASHBOARD_ENABLED: 'false',
        LOCK_TTL_SECONDS: '120',
        POLL_INTERVAL_SECONDS: '15',
        MAX_CONCURRENT_RUNS: '8',
        CRAFT_JOBS: './jobs.js',
        METRICS_TOKEN: 'm'.repeat(20),
        SHUTDOWN_GRACE_SECONDS: '5',
        BODY_LIMIT: '64kb',
        LOG_LEVEL: 'WARN',
        RATE_LIMIT_MAX: '0',
        RATE_LIMIT_WINDOW_SECONDS: '3600',
        CRAFT_TEST_CLOCK_OFFSET_MS: '-2500',
        CRAFT_TEST_CLOCK_SPEED: '60',
        CRAFT_TEST_CLOCK_EPOCH_MS: '1000',
        CRAFT_TEST_IDEMPOTENCY_LEASE_MS: '1500',
      },
      { cwd: '/srv/app' },
    );
    expect(s).toEqual({
      port: 8080,
      host: '0.0.0.0',
      mongodbUri: 'mongodb://db:27017',
      mongodbDb: 'jobs',
      jwt: { kind: 'secret', secret: SECRET },
      jwtIssuer: 'iss',
      jwtAudience: 'aud',
      timezone: 'UTC',
      schedulerEnabled: false,
      dashboardEnabled: false,
      lockTtlSeconds: 120,
      pollIntervalSeconds: 15,
      maxConcurrentRuns: 8,
      jobs: '/srv/app/jobs.js',
      nodeEnv: 'development',
      metricsToken: 'm'.repeat(20),
      shutdownGraceSeconds: 5,
      bodyLimit: 65_536,
      logLevel: 'warn',
      rateLimitMax: 0,
      rateLimitWindowSeconds: 3600,
      testClockOffsetMs: -2500,
      testClockSpeed: 60,
      testClockEpochMs: 1000,
      testIdempotencyLeaseMs: 1500,
    });
  });

  it('reads a PEM public key from the variable (with \\n escapes) or from a file', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(resolveSettings({ JWT_PUBLIC_KEY: pem.replace(/\n/g, '\\n') }).jwt).toMatchObject({
      kind: 'public-key',
      algorithm: 'ES256',
    });
    const dir = mkdtempSync(join(tmpdir(), 'craft-runtime-'));
    writeFileSync(join(dir, 'idp.pem'), pem);
    expect(resolveSettings({ JWT_PUBLIC_KEY: 'idp.pem' }, { cwd: dir }).jwt).toEqual({
      kind: 'public-key',
      publicKey: pem,
      algorithm: 'ES256',
    });
  });

  it('keeps a file: URL for CRAFT_JOBS as it is', () => {
    expect(resolveSettings({ CRAFT_JOBS: 'file:///srv/jobs.mjs' }).jobs).toBe('file:///srv/jobs.mjs');
  });
});

describe('invalid values: one error naming each variable and the problem', () => {
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ PORT: 'http' }, 'PORT', /invalid value "http": expected a TCP port from 0 to 65535/],
    [{ PORT: '70000' }, 'PORT', /0 to 65535/],
    [{ MONGODB_URI: 'localhost:27017' }, 'MONGODB_URI', /mongodb:\/\//],
    [
      { SCHEDULER_TIMEZONE: 'Mars/Base' },
      'SCHEDULER_TIMEZONE',
      /invalid value "Mars\/Base": not a known IANA timezone/,
    ],
    [{ SCHEDULER_ENABLED: 'maybe' }, 'SCHEDULER_ENABLED', /true or false/],
    [{ LOCK_TTL_SECONDS: '1' }, 'LOCK_TTL_SECONDS', /whole seconds from 5 to 86400/],
    [{ LOCK_TTL_SECONDS: 'ten' }, 'LOCK_TTL_SECONDS', /invalid value "ten"/],
    [{ POLL_INTERVAL_SECONDS: '1.5' }, 'POLL_INTERVAL_SECONDS', /whole seconds/],
    [{ SHUTDOWN_GRACE_SECONDS: '-1' }, 'SHUTDOWN_GRACE_SECONDS', /whole seconds/],
    [{ BODY_LIMIT: '1gb' }, 'BODY_LIMIT', /1kb to 100mb/],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /silent/],
    [{ RATE_LIMIT_MAX: '-1' }, 'RATE_LIMIT_MAX', /0 turns rate limiting off/],
    [{ RATE_LIMIT_MAX: 'lots' }, 'RATE_LIMIT_MAX', /invalid value "lots"/],
    [{ RATE_LIMIT_WINDOW_SECONDS: '0' }, 'RATE_LIMIT_WINDOW_SECONDS', /whole seconds from 1 to 86400/],
    [{ METRICS_TOKEN: 'short' }, 'METRICS_TOKEN', /16/],
    [{ JWT_PUBLIC_KEY: '/nonexistent/key.pem' }, 'JWT_PUBLIC_KEY', /neither PEM text nor a readable file/],
    [
      { JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\ngarbage\n-----END PUBLIC KEY-----' },
      'JWT_PUBLIC_KEY',
      /not a valid PEM/,
    ],
    [{ JWT_SECRET: SECRET, JWT_PUBLIC_KEY: 'x' }, 'JWT_PUBLIC_KEY', /not both/],
    [{ CRAFT_TEST_CLOCK_OFFSET_MS: 'soon' }, 'CRAFT_TEST_CLOCK_OFFSET_MS', /milliseconds/],
    [{ CRAFT_TEST_CLOCK_SPEED: '0' }, 'CRAFT_TEST_CLOCK_SPEED', /factor/],
  ];
  for (const [env, variable, message] of cases) {
    it(`${JSON.stringify(env).slice(0, 60)} → ${variable}`, () => {
      const problems = problemsOf(env);
      expect(problems).toHaveLength(1);
      expect(problems[0]?.variable).toBe(variable);
      expect(problems[0]?.origin).toBe(variable);
      expect(problems[0]?.message).toMatch(message);
    });
  }

  it('reports every problem at once, one line each, and exits with the configuration status', () => {
    try {
      resolveSettings({ PORT: 'x', LOCK_TTL_SECONDS: '0', SCHEDULER_TIMEZONE: 'Nowhere' });
      expect.unreachable();
    } catch (error) {
      const e = error as InvalidSettingsError;
      expect(e.problems.map((p) => p.variable)).toEqual(['PORT', 'SCHEDULER_TIMEZONE', 'LOCK_TTL_SECONDS']);
      expect(e.message).toMatch(
        /^invalid settings:\n {2}- PORT: invalid value "x".*\n {2}- SCHEDULER_TIMEZONE: /,
      );
      expect(e.exitStatus).toBe(4);
      expect(e.httpStatus).toBe(500);
    }
  });

  it('never copies a secret into the problem', () => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      JWT_SECRET: 'short-secret',
      MONGODB_URI: 'mongodb://h',
    });
    expect(problems).toEqual([
      { variable: 'JWT_SECRET', origin: 'JWT_SECRET', source: 'env', message: expect.any(String) },
    ]);
    expect(JSON.stringify(problems)).not.toContain('short-secret');
  });

  it('resolving one setting is not failed by another one', () => {
    const settings = createSettings({ env: { PORT: 'x', SCHEDULER_TIMEZONE: 'UTC' } });
    expect(settings.value('timezone')).toBe('UTC');
    expect(() => settings.get('port')).toThrow('PORT: invalid value "x"');
  });
});

describe('production rules (NODE_ENV=production)', () => {
  it('needs a database and a real secret, and names both variables', () => {
    expect(problemsOf({ NODE_ENV: 'production' }).map((p) => p.variable)).toEqual([
      'MONGODB_URI',
      'JWT_SECRET',
    ]);
  });

  it('refuses a short secret and the test-only clock settings', () => {
    const base = { NODE_ENV: 'production', MONGODB_URI: 'mongodb://db/craft' };
    expect(problemsOf({ ...base, JWT_SECRET: 'short' })[0]?.message).toMatch(/at least 32/);
    for (const v of [
      'CRAFT_TEST_CLOCK_OFFSET_MS',
      'CRAFT_TEST_CLOCK_SPEED',
      'CRAFT_TEST_CLOCK_EPOCH_MS',
      'CRAFT_TEST_IDEMPOTENCY_LEASE_MS',
    ]) {
      expect(problemsOf({ ...base, JWT_SECRET: SECRET, [v]: '1' })).toEqual([
        expect.objectContaining({ variable: v, message: expect.stringMatching(/test-only/) }),
      ]);
    }
    expect(resolveSettings({ ...base, JWT_SECRET: SECRET })).toMatchObject({ nodeEnv: 'production' });
  });
});

describe('layers: a flag, then the environment, then a file, then the default', () => {
  const flags = {
    values: { MONGODB_DB: 'from-flag', LOCK_TTL_SECONDS: '30' },
    origin: (v: string) => `--${v.toLowerCase().replace(/_/g, '-')}`,
  };
  const file = {
    values: {
      MONGODB_DB: 'from-file',
      JWT_ISSUER: 'file-iss',
      POLL_INTERVAL_SECONDS: 15,
      CRAFT_JOBS: './jobs.js',
    },
    origin: (v: string) => `/etc/craft.json (${v})`,
    baseDir: '/etc/craft',
  };

  it('takes each value from the first layer that sets it, and says which', () => {
    const s = createSettings({
      env: { MONGODB_DB: 'from-env', JWT_ISSUER: 'env-iss' },
      cwd: '/work',
      flags,
      file,
    });
    expect(s.get('mongodbDb')).toEqual({ value: 'from-flag', source: 'flag', origin: '--mongodb-db' });
    expect(s.get('jwtIssuer')).toEqual({ value: 'env-iss', source: 'env', origin: 'JWT_ISSUER' });
    expect(s.get('pollIntervalSeconds')).toEqual({
      value: 15,
      source: 'file',
      origin: '/etc/craft.json (POLL_INTERVAL_SECONDS)',
    });
    expect(s.get('lockTtlSeconds').value).toBe(30);
    expect(s.get('timezone')).toEqual({ value: 'Europe/Stockholm', source: 'default', origin: 'default' });
  });

  it('resolves a relative jobs path against the layer it came from', () => {
    expect(createSettings({ env: {}, cwd: '/work', file }).value('jobs')).toBe('/etc/craft/jobs.js');
    expect(createSettings({ env: { CRAFT_JOBS: 'lib/jobs.js' }, cwd: '/work', file }).value('jobs')).toBe(
      '/work/lib/jobs.js',
    );
  });

  it('names the flag or file key in a problem', () => {
    const bad = createSettings({
      env: {},
      flags: { values: { LOCK_TTL_SECONDS: 'x' }, origin: () => '--lock-ttl-seconds' },
    });
    expect(() => bad.get('lockTtlSeconds')).toThrow('--lock-ttl-seconds: invalid value "x"');
    const typed = createSettings({
      env: {},
      file: { values: { SCHEDULER_TIMEZONE: 7 }, origin: () => 'f.json (timezone)' },
    });
    expect(() => typed.get('timezone')).toThrow(
      'f.json (timezone): invalid value 7: expected a non-empty string',
    );
  });
});
