import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createConfigResolver, SETTINGS } from '../src/lib/config.js';
import { ConfigFileError, ConfigValueError, ExitStatus, InvalidArgumentError } from '../src/lib/errors.js';
import { dirWith, tempDir } from './helpers.js';

describe('createConfigResolver', () => {
  it('resolves by precedence flag > env > file > default, and reports the origin', () => {
    const cwd = dirWith({
      'craft.config.json': JSON.stringify({ mongodbDb: 'from-file', jwtIssuer: 'file-iss' }),
    });
    const layered = createConfigResolver({
      cwd,
      env: { MONGODB_DB: 'from-env', JWT_ISSUER: 'env-iss' },
      flags: { mongodbDb: 'from-flag' },
    });
    expect(layered.get('mongodbDb')).toEqual({ value: 'from-flag', source: 'flag', origin: '--mongodb-db' });
    expect(layered.get('jwtIssuer')).toEqual({ value: 'env-iss', source: 'env', origin: 'JWT_ISSUER' });

    const fileOnly = createConfigResolver({ cwd, env: {} });
    expect(fileOnly.get('mongodbDb')).toEqual({
      value: 'from-file',
      source: 'file',
      origin: `${join(cwd, 'craft.config.json')} (mongodbDb)`,
    });
    expect(fileOnly.filePath).toBe(join(cwd, 'craft.config.json'));

    const nothing = createConfigResolver({ cwd: tempDir(), env: {} });
    expect(nothing.get('mongodbDb')).toEqual({ value: 'craft', source: 'default', origin: 'default' });
    expect(nothing.get('pollIntervalSeconds').value).toBe(60);
    expect(nothing.get('mongodbUri').value).toBeUndefined();
    expect(nothing.filePath).toBeUndefined();
  });

  it('lets callers supply defaults', () => {
    const config = createConfigResolver({ cwd: tempDir(), env: {}, defaults: { timezone: 'UTC' } });
    expect(config.get('timezone')).toEqual({ value: 'UTC', source: 'default', origin: 'default' });
  });

  it('maps every setting to the environment variable of spec section 7', () => {
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
    });
  });

  it('parses seconds from text (flag, env) and requires numbers in the file', () => {
    const cwd = dirWith({ 'craft.config.json': JSON.stringify({ pollIntervalSeconds: 15 }) });
    expect(createConfigResolver({ cwd, env: { LOCK_TTL_SECONDS: '120' } }).get('lockTtlSeconds').value).toBe(
      120,
    );
    expect(
      createConfigResolver({ cwd, env: {}, flags: { lockTtlSeconds: 30 } }).get('lockTtlSeconds').value,
    ).toBe(30);
    expect(createConfigResolver({ cwd, env: {} }).get('pollIntervalSeconds').value).toBe(15);

    for (const bad of ['0', '-5', '1.5', 'ten', '1e3']) {
      const config = createConfigResolver({ cwd, env: { LOCK_TTL_SECONDS: bad } });
      expect(() => config.get('lockTtlSeconds'), bad).toThrow(ConfigValueError);
    }
    const quoted = dirWith({ 'craft.config.json': JSON.stringify({ pollIntervalSeconds: '15' }) });
    expect(() => createConfigResolver({ cwd: quoted, env: {} }).get('pollIntervalSeconds')).toThrow(
      /pollIntervalSeconds.*whole number of seconds/,
    );
  });

  it('resolves the jobs path against the config file directory, or the cwd for flags and env', () => {
    const root = tempDir();
    mkdirSync(join(root, 'conf'));
    writeFileSync(join(root, 'conf', 'craft.json'), JSON.stringify({ jobs: './jobs.js' }));
    const fromFile = createConfigResolver({ cwd: root, env: {}, configPath: 'conf/craft.json' });
    expect(fromFile.get('jobs').value).toBe(join(root, 'conf', 'jobs.js'));
    const fromEnv = createConfigResolver({ cwd: root, env: { CRAFT_JOBS: 'lib/jobs.js' } });
    expect(fromEnv.get('jobs').value).toBe(join(root, 'lib', 'jobs.js'));
    const absolute = createConfigResolver({ cwd: root, env: {}, flags: { jobs: '/opt/jobs.js' } });
    expect(absolute.get('jobs').value).toBe('/opt/jobs.js');
  });

  it('turns a failed validation into a usage error for flags and a configuration error otherwise', () => {
    const validate = {
      timezone: (zone: string) => {
        if (zone.startsWith('Mars/')) throw new Error(`no such zone ${zone}`);
      },
    };
    const cwd = dirWith({ 'craft.config.json': JSON.stringify({ timezone: 'Mars/File' }) });
    const flag = createConfigResolver({ cwd, env: {}, flags: { timezone: 'Mars/Flag' }, validate });
    expect(() => flag.get('timezone')).toThrow(InvalidArgumentError);
    expect(() => flag.get('timezone')).toThrow('--tz: invalid value "Mars/Flag": no such zone Mars/Flag');
    const env = createConfigResolver({ cwd, env: { SCHEDULER_TIMEZONE: 'Mars/Env' }, validate });
    expect(() => env.get('timezone')).toThrow(ConfigValueError);
    const file = createConfigResolver({ cwd, env: {}, validate });
    expect(() => file.get('timezone')).toThrow(
      /craft\.config\.json \(timezone\): invalid value "Mars\/File"/,
    );
    try {
      file.get('timezone');
    } catch (error) {
      expect((error as ConfigValueError).exitStatus).toBe(ExitStatus.Config);
      expect((error as ConfigValueError).cause).toBeInstanceOf(Error);
    }
  });

  it('reports config file problems with the path and a ConfigFileError', () => {
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
      const config = createConfigResolver({ cwd: dirWith(files), env: {}, configPath });
      expect(() => config.get('timezone')).toThrow(ConfigFileError);
      expect(() => config.get('timezone')).toThrow(message);
    }
  });

  it('accepts a $schema key in the file', () => {
    const cwd = dirWith({
      'craft.config.json': JSON.stringify({ $schema: './schema.json', mongodbDb: 'x' }),
    });
    expect(createConfigResolver({ cwd, env: {} }).get('mongodbDb').value).toBe('x');
  });
});
