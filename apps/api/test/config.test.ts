import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidSettingsError } from '@craft/runtime';
import { describe, expect, it } from 'vitest';
import { algorithmForKey, loadConfig } from '../src/index.js';

const SECRET = 's'.repeat(40);

function problemsOf(env: Record<string, string>): { variable: string; message: string }[] {
  try {
    loadConfig(env);
  } catch (error) {
    // The API resolves its settings with @craft/runtime, the resolver the CLI uses too.
    expect(error).toBeInstanceOf(InvalidSettingsError);
    expect((error as InvalidSettingsError).code).toBe('CRAFT_RUNTIME_INVALID_SETTINGS');
    return (error as InvalidSettingsError).problems.map(({ variable, message }) => ({ variable, message }));
  }
  throw new Error('expected an InvalidSettingsError');
}

describe('defaults (the embedded default)', () => {
  it('needs no variable at all and generates a development secret', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 5001,
      host: '127.0.0.1',
      mongodbUri: undefined,
      mongodbDb: 'craft',
      timezone: 'Europe/Stockholm',
      schedulerEnabled: true,
      lockTtlSeconds: 300,
      pollIntervalSeconds: 60,
      jobsModule: undefined,
      nodeEnv: 'development',
      shutdownGraceSeconds: 30,
      bodyLimit: 1_048_576,
      logLevel: 'info',
      testClockOffsetMs: 0,
    });
    expect(c.jwt).toMatchObject({ kind: 'secret', generated: true });
    expect(c.jwt.kind === 'secret' && c.jwt.secret.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig({}).jwt).not.toEqual(c.jwt);
  });

  it('takes the database from the MONGODB_URI path unless MONGODB_DB is set', () => {
    expect(loadConfig({ MONGODB_URI: 'mongodb://a:1,b:2/jobs?replicaSet=rs' }).mongodbDb).toBe('jobs');
    expect(loadConfig({ MONGODB_URI: 'mongodb://a:1/jobs', MONGODB_DB: 'other' }).mongodbDb).toBe('other');
    expect(loadConfig({ MONGODB_URI: 'mongodb://a:1/?w=1' }).mongodbDb).toBe('craft');
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '', MONGODB_URI: '  ' })).toMatchObject({ port: 5001, mongodbUri: undefined });
  });
});

describe('values are parsed', () => {
  it('reads every variable', () => {
    const c = loadConfig(
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
        LOCK_TTL_SECONDS: '120',
        POLL_INTERVAL_SECONDS: '15',
        CRAFT_JOBS: './jobs.js',
        METRICS_TOKEN: 'm'.repeat(20),
        SHUTDOWN_GRACE_SECONDS: '5',
        BODY_LIMIT: '64kb',
        LOG_LEVEL: 'WARN',
        CRAFT_TEST_CLOCK_OFFSET_MS: '-2500',
      },
      { cwd: '/srv/app' },
    );
    expect(c).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      mongodbUri: 'mongodb://db:27017',
      mongodbDb: 'jobs',
      jwt: { kind: 'secret', secret: SECRET, generated: false },
      jwtIssuer: 'iss',
      jwtAudience: 'aud',
      timezone: 'UTC',
      schedulerEnabled: false,
      lockTtlSeconds: 120,
      pollIntervalSeconds: 15,
      jobsModule: '/srv/app/jobs.js',
      metricsToken: 'm'.repeat(20),
      shutdownGraceSeconds: 5,
      bodyLimit: 65_536,
      logLevel: 'warn',
      testClockOffsetMs: -2500,
    });
  });

  it('reads a PEM public key from the variable (with \\n escapes) or from a file', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const inline = loadConfig({ JWT_PUBLIC_KEY: pem.replace(/\n/g, '\\n') });
    expect(inline.jwt).toMatchObject({ kind: 'public-key', algorithm: 'ES256' });
    const dir = mkdtempSync(join(tmpdir(), 'craft-api-'));
    writeFileSync(join(dir, 'idp.pem'), pem);
    const fromFile = loadConfig({ JWT_PUBLIC_KEY: 'idp.pem' }, { cwd: dir });
    expect(fromFile.jwt).toMatchObject({ kind: 'public-key', publicKey: pem, algorithm: 'ES256' });
  });

  it('detects the algorithm from the key type', () => {
    const pem = (k: ReturnType<typeof generateKeyPairSync>) =>
      k.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect(algorithmForKey(pem(generateKeyPairSync('rsa', { modulusLength: 2048 })))).toBe('RS256');
    expect(algorithmForKey(pem(generateKeyPairSync('ec', { namedCurve: 'P-384' })))).toBe('ES384');
    expect(algorithmForKey(pem(generateKeyPairSync('ed25519')))).toBe('EdDSA');
    const priv = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect(() => algorithmForKey(priv)).toThrow(/PRIVATE key/);
  });
});

describe('invalid values name their variable', () => {
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ PORT: 'http' }, 'PORT', /TCP port/],
    [{ PORT: '70000' }, 'PORT', /0 to 65535/],
    [{ MONGODB_URI: 'localhost:27017' }, 'MONGODB_URI', /mongodb:\/\//],
    [{ MONGODB_DB: 'a.b' }, 'MONGODB_DB', /database name/],
    [{ SCHEDULER_TIMEZONE: 'Mars/Base' }, 'SCHEDULER_TIMEZONE', /IANA/],
    [{ SCHEDULER_ENABLED: 'maybe' }, 'SCHEDULER_ENABLED', /true or false/],
    [{ LOCK_TTL_SECONDS: '1' }, 'LOCK_TTL_SECONDS', /5 to 86400/],
    [{ POLL_INTERVAL_SECONDS: '1.5' }, 'POLL_INTERVAL_SECONDS', /whole seconds/],
    [{ SHUTDOWN_GRACE_SECONDS: '-1' }, 'SHUTDOWN_GRACE_SECONDS', /whole seconds/],
    [{ BODY_LIMIT: '1gb' }, 'BODY_LIMIT', /1kb to 100mb/],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /silent/],
    [{ METRICS_TOKEN: 'short' }, 'METRICS_TOKEN', /16/],
    [{ JWT_PUBLIC_KEY: '/nonexistent/key.pem' }, 'JWT_PUBLIC_KEY', /neither PEM text nor a readable file/],
    [
      { JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\ngarbage\n-----END PUBLIC KEY-----' },
      'JWT_PUBLIC_KEY',
      /not a valid PEM/,
    ],
    [{ JWT_SECRET: SECRET, JWT_PUBLIC_KEY: 'x' }, 'JWT_PUBLIC_KEY', /not both/],
    [{ CRAFT_TEST_CLOCK_OFFSET_MS: 'soon' }, 'CRAFT_TEST_CLOCK_OFFSET_MS', /milliseconds/],
  ];
  for (const [env, variable, message] of cases) {
    it(`${JSON.stringify(env).slice(0, 60)} → ${variable}`, () => {
      const problems = problemsOf(env);
      expect(problems).toHaveLength(1);
      expect(problems[0]?.variable).toBe(variable);
      expect(problems[0]?.message).toMatch(message);
    });
  }

  it('reports every problem at once, each line starting with its variable', () => {
    const problems = problemsOf({ PORT: 'x', LOG_LEVEL: 'y', SCHEDULER_ENABLED: 'z' });
    expect(problems.map((p) => p.variable)).toEqual(['PORT', 'SCHEDULER_ENABLED', 'LOG_LEVEL']);
    expect(() => loadConfig({ PORT: 'x', LOG_LEVEL: 'y' })).toThrow(
      /^invalid settings:\n {2}- PORT: invalid value "x".*\n {2}- LOG_LEVEL: /,
    );
  });
});

describe('NODE_ENV=production', () => {
  const prod = { NODE_ENV: 'production' };
  it('refuses to start without a database and without a real secret', () => {
    expect(problemsOf(prod).map((p) => p.variable)).toEqual(['MONGODB_URI', 'JWT_SECRET']);
  });

  it('refuses a short secret', () => {
    const problems = problemsOf({ ...prod, MONGODB_URI: 'mongodb://db', JWT_SECRET: 'short-secret' });
    expect(problems).toEqual([{ variable: 'JWT_SECRET', message: expect.stringMatching(/at least 32/) }]);
  });

  it('refuses the test-only clock offset', () => {
    const problems = problemsOf({
      ...prod,
      MONGODB_URI: 'mongodb://db',
      JWT_SECRET: SECRET,
      CRAFT_TEST_CLOCK_OFFSET_MS: '1000',
    });
    expect(problems).toEqual([
      { variable: 'CRAFT_TEST_CLOCK_OFFSET_MS', message: expect.stringMatching(/test-only/) },
    ]);
  });

  it('starts with a database and a real secret, or a public key', () => {
    expect(loadConfig({ ...prod, MONGODB_URI: 'mongodb://db', JWT_SECRET: SECRET }).jwt).toMatchObject({
      generated: false,
    });
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    expect(loadConfig({ ...prod, MONGODB_URI: 'mongodb://db', JWT_PUBLIC_KEY: pem }).jwt).toMatchObject({
      kind: 'public-key',
      algorithm: 'RS256',
    });
  });
});
