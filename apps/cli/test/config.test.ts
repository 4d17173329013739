import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidSettingsError, SETTING_VARIABLES } from '@craft/runtime';
import { describe, expect, it } from 'vitest';
import { createConfigResolver, SETTINGS } from '../src/lib/config.js';
import { ConfigFileError, ExitStatus, InvalidArgumentError } from '../src/lib/errors.js';
import { dirWith, tempDir } from './helpers.js';

describe('createConfigResolver', () => {
  it('resolves by precedence flag > env > file > default, and reports the origin', async () => {
    const cwd = dirWith({
      'craft.config.json': JSON.stringify({ mongodbDb: 'from-file', jwtIssuer: 'file-iss' }),
    });
    const layered = await createConfigResolver({
      cwd,
      env: { MONGODB_DB: 'from-env', JWT_ISSUER: 'env-iss' },
      flags: { mongodbDb: 'from-flag' },
    });
    expect(layered.get('mongodbDb')).toEqual({ value: 'from-flag', source: 'flag', origin: '--mongodb-db' });
    expect(layered.get('jwtIssuer')).toEqual({ value: 'env-iss', source: 'env', origin: 'JWT_ISSUER' });

    const fileOnly = await createConfigResolver({ cwd, env: {} });
    expect(fileOnly.get('mongodbDb')).toEqual({
      value: 'from-file',
      source: 'file',
      origin: `${join(cwd, 'craft.config.json')} (mongodbDb)`,
    });
    expect(fileOnly.filePath).toBe(join(cwd, 'craft.config.json'));

    const nothing = await createConfigResolver({ cwd: tempDir(), env: {} });
    expect(nothing.get('mongodbDb')).toEqual({ value: 'craft', source: 'default', origin: 'default' });
    expect(nothing.get('pollIntervalSeconds').value).toBe(60);
    expect(nothing.get('mongodbUri').value).toBeUndefined();
    expect(nothing.filePath).toBeUndefined();
  });

  it('takes the database from the URI path, as the API does (the first wave CLI used "craft")', async () => {
    const config = await createConfigResolver({
      cwd: tempDir(),
      env: { MONGODB_URI: 'mongodb://host/mydb' },
    });
    expect(config.get('mongodbDb').value).toBe('mydb');
    const flag = await createConfigResolver({
      cwd: tempDir(),
      env: {},
      flags: { mongodbUri: 'mongodb://a:1,b:2/jobs?replicaSet=rs' },
    });
    expect(flag.get('mongodbDb')).toEqual({
      value: 'jobs',
      source: 'flag',
      origin: 'the path of --mongodb-uri',
    });
  });

  it('leases for 300 s by default, as the API does (the first wave CLI used 60 s)', async () => {
    const config = await createConfigResolver({ cwd: tempDir(), env: {} });
    expect(config.get('lockTtlSeconds')).toEqual({ value: 300, source: 'default', origin: 'default' });
  });

  it('maps every setting to the environment variable of spec section 7, as @craft/runtime reads it', () => {
    expect(Object.fromEntries(Object.entries(SETTINGS).map(([key, spec]) => [key, spec.env]))).toEqual({
      mongodbUri: 'MONGODB_URI',
      mongodbDb: 'MONGODB_DB',
      timezone: 'SCHEDULER_TIMEZONE',
      jwtSecret: 'JWT_SECRET',
      jwtPublicKey: 'JWT_PUBLIC_KEY',
      jwtIssuer: 'JWT_ISSUER',
      jwtAudience: 'JWT_AUDIENCE',
      jobs: 'CRAFT_JOBS',
      lockTtlSeconds: 'LOCK_TTL_SECONDS',
      pollIntervalSeconds: 'POLL_INTERVAL_SECONDS',
      maxConcurrentRuns: 'MAX_CONCURRENT_RUNS',
    });
    const runtimeVariables = Object.values(SETTING_VARIABLES).flat();
    for (const { env } of Object.values(SETTINGS)) expect(runtimeVariables).toContain(env);
  });

  it('parses seconds from text (flag, env) and from numbers or digits in the file', async () => {
    const cwd = dirWith({ 'craft.config.json': JSON.stringify({ pollIntervalSeconds: 15 }) });
    const env = await createConfigResolver({ cwd, env: { LOCK_TTL_SECONDS: '120' } });
    expect(env.get('lockTtlSeconds').value).toBe(120);
    const flag = await createConfigResolver({ cwd, env: {}, flags: { lockTtlSeconds: 30 } });
    expect(flag.get('lockTtlSeconds').value).toBe(30);
    expect((await createConfigResolver({ cwd, env: {} })).get('pollIntervalSeconds').value).toBe(15);

    for (const bad of ['0', '-5', '1.5', 'ten', '1e3']) {
      const config = await createConfigResolver({ cwd, env: { LOCK_TTL_SECONDS: bad } });
      expect(() => config.get('lockTtlSeconds'), bad).toThrow(InvalidSettingsError);
    }
    const wrongType = dirWith({ 'craft.config.json': JSON.stringify({ pollIntervalSeconds: true }) });
    const typed = await createConfigResolver({ cwd: wrongType, env: {} });
    expect(() => typed.get('pollIntervalSeconds')).toThrow(
      /craft\.config\.json \(pollIntervalSeconds\): invalid value true: expected whole seconds/,
    );
  });

  it('resolves the jobs path against the config file directory, or the cwd for flags and env', async () => {
    const root = tempDir();
    mkdirSync(join(root, 'conf'));
    writeFileSync(join(root, 'conf', 'craft.json'), JSON.stringify({ jobs: './jobs.js' }));
    const fromFile = await createConfigResolver({ cwd: root, env: {}, configPath: 'conf/craft.json' });
    expect(fromFile.get('jobs').value).toBe(join(root, 'conf', 'jobs.js'));
    const fromEnv = await createConfigResolver({ cwd: root, env: { CRAFT_JOBS: 'lib/jobs.js' } });
    expect(fromEnv.get('jobs').value).toBe(join(root, 'lib', 'jobs.js'));
    const absolute = await createConfigResolver({ cwd: root, env: {}, flags: { jobs: '/opt/jobs.js' } });
    expect(absolute.get('jobs').value).toBe('/opt/jobs.js');
  });

  it('turns an invalid value into a usage error for flags and a configuration error otherwise', async () => {
    const cwd = dirWith({ 'craft.config.json': JSON.stringify({ timezone: 'Mars/File' }) });
    const flag = await createConfigResolver({ cwd, env: {}, flags: { timezone: 'Mars/Flag' } });
    expect(() => flag.get('timezone')).toThrow(InvalidArgumentError);
    expect(() => flag.get('timezone')).toThrow('--tz: invalid value "Mars/Flag": not a known IANA timezone');
    const env = await createConfigResolver({ cwd, env: { SCHEDULER_TIMEZONE: 'Mars/Env' } });
    expect(() => env.get('timezone')).toThrow(InvalidSettingsError);
    const file = await createConfigResolver({ cwd, env: {} });
    expect(() => file.get('timezone')).toThrow(
      /craft\.config\.json \(timezone\): invalid value "Mars\/File"/,
    );
    try {
      file.get('timezone');
    } catch (error) {
      expect((error as InvalidSettingsError).exitStatus).toBe(ExitStatus.Config);
      expect((error as InvalidSettingsError).code).toBe('CRAFT_RUNTIME_INVALID_SETTINGS');
    }
    try {
      flag.get('timezone');
    } catch (error) {
      expect((error as InvalidArgumentError).exitStatus).toBe(ExitStatus.Usage);
      expect((error as InvalidArgumentError).cause).toBeInstanceOf(InvalidSettingsError);
    }
  });

  it('reports config file problems with the path and a ConfigFileError', async () => {
    const cases: [Record<string, string>, string | undefined, RegExp][] = [
      [{}, 'nope.json', /nope\.json: file not found; check the --config path/],
      [{ 'craft.config.json': '[1, 2]' }, undefined, /must hold a JSON object/],
      [{ 'craft.config.json': '{"a":' }, undefined, /is not valid JSON/],
      [
        { 'craft.config.json': '{"mongoUri": "x"}' },
        undefined,
        /unknown key "mongoUri"; the keys are mongodbUri,/,
      ],
    ];
    for (const [files, configPath, message] of cases) {
      const config = await createConfigResolver({ cwd: dirWith(files), env: {}, configPath });
      expect(() => config.get('timezone')).toThrow(ConfigFileError);
      expect(() => config.get('timezone')).toThrow(message);
    }
  });

  it('accepts a $schema key in the file', async () => {
    const cwd = dirWith({
      'craft.config.json': JSON.stringify({ $schema: './schema.json', mongodbDb: 'x' }),
    });
    expect((await createConfigResolver({ cwd, env: {} })).get('mongodbDb').value).toBe('x');
  });
});
