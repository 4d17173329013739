// The oldest versions our peer ranges admit, from the tarballs: an npm project with the libraries (@craft/cron,
// @craft/scheduler, @craft/mongo), typebox and the mongodb driver at the floors of the packed peer ranges, and
// TypeScript 5. The app owns its driver: one copy of mongodb in the install, its `Db` accepted by @craft/mongo's
// types, and the scheduler README's adapter conformance test (the whole @craft/scheduler/testing suite against
// MongoSchedulerStore and DistributedLock) passes on it against the test's MongoDB.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomDbName } from '@craft/test-utils';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EXAMPLE_DONE, usageExample } from '../src/examples.mjs';
import { floorOf, npmProject, writeFiles } from '../src/install.mjs';
import { listFiles } from '../src/pack.mjs';
import { firstBlock } from '../src/readme.mjs';
import { run, userEnv } from '../src/run.mjs';
import { ROOT } from '../src/workspace.mjs';

const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const LIBRARIES = ['@craft/cron', '@craft/scheduler', '@craft/mongo'];
const packed = inject('packed').filter((p) => LIBRARIES.includes(p.name));
const app = mkdtempSync(join(tmpdir(), 'craft-install-floor-'));
const dbName = randomDbName('packaging-floor');
const peer = (/** @type {string} */ name, /** @type {string} */ dep) =>
  packed.find((p) => p.name === name)?.manifest.peerDependencies?.[dep] ?? '';
const floors = {
  typebox: floorOf(peer('@craft/scheduler', 'typebox')),
  mongodb: floorOf(peer('@craft/mongo', 'mongodb')),
};
const vitestVersion = JSON.parse(
  readFileSync(join(ROOT, 'node_modules/vitest/package.json'), 'utf8'),
).version;
const adapterTest = firstBlock(
  join(ROOT, 'packages/scheduler/README.md'),
  '### Writing an adapter test with `@craft/scheduler/testing`',
  'ts',
).code;

function exampleEnv() {
  return userEnv({ MONGODB_URI: process.env.MONGODB_URI ?? '', MONGODB_DB: dbName });
}

beforeAll(async () => {
  const ms = await npmProject(app, packed, {
    typebox: floors.typebox,
    mongodb: floors.mongodb,
    typescript: '^5.9.0',
    '@types/node': '^22.12.0',
    vitest: vitestVersion,
  });
  process.stderr.write(
    `packaging: npm install of the libraries with typebox ${floors.typebox}, mongodb ${floors.mongodb} took ${ms} ms\n`,
  );
  const sources = Object.fromEntries(
    packed.map((p) => [p.name.replace('@craft/', ''), usageExample(p).source]),
  );
  writeFiles(app, {
    ...Object.fromEntries(Object.entries(sources).map(([n, s]) => [`esm/${n}.mjs`, s])),
    ...Object.fromEntries(Object.entries(sources).map(([n, s]) => [`ts/${n}.ts`, s])),
    'ts/conformance.test.ts': adapterTest,
    'ts/tsconfig.json': JSON.stringify({
      compilerOptions: {
        module: 'node16',
        moduleResolution: 'node16',
        target: 'es2023',
        strict: true,
        skipLibCheck: false,
        types: ['node'],
        noEmit: true,
      },
      include: ['*.ts'],
    }),
  });
});

afterAll(async () => {
  const client = await new MongoClient(process.env.MONGODB_URI ?? '').connect();
  await client
    .db(dbName)
    .dropDatabase()
    .catch(() => {});
  await client.close();
  rmSync(app, { recursive: true, force: true });
});

describe('the floors of the peer ranges', () => {
  it('installs exactly the floor versions, one copy each (the app owns them)', () => {
    const versions = (/** @type {string} */ name) =>
      listFiles(join(app, 'node_modules'))
        .filter((f) => f === `${name}/package.json` || f.endsWith(`/node_modules/${name}/package.json`))
        .map((f) => JSON.parse(readFileSync(join(app, 'node_modules', f), 'utf8')).version);
    expect(versions('typebox')).toEqual([floors.typebox]);
    expect(versions('mongodb')).toEqual([floors.mongodb]);
    expect(versions('@craft/scheduler')).toHaveLength(1);
  });

  it.each(LIBRARIES)("runs %s's README example as written", async (name) => {
    const result = await run(process.execPath, [join(app, 'esm', `${name.replace('@craft/', '')}.mjs`)], {
      env: exampleEnv(),
      timeoutMs: 120_000,
    });
    expect(
      { status: result.status, done: result.stdout.split('\n').includes(EXAMPLE_DONE) },
      result.stderr,
    ).toEqual({
      status: 0,
      done: true,
    });
  });

  it('type-checks the examples and the adapter test with TypeScript 5 (the app’s own Db goes into @craft/mongo)', async () => {
    const tsc = join(app, 'node_modules', 'typescript', 'bin', 'tsc');
    const version = JSON.parse(
      readFileSync(join(app, 'node_modules/typescript/package.json'), 'utf8'),
    ).version;
    expect(version).toMatch(/^5\./);
    const result = await run(process.execPath, [tsc, '-p', join(app, 'ts')], { timeoutMs: 180_000 });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it("passes the scheduler README's adapter conformance test (every store, lock and engine test) on mongodb at the floor", async () => {
    const vitest = join(app, 'node_modules', 'vitest', 'vitest.mjs');
    const result = await run(process.execPath, [vitest, 'run', '--root', join(app, 'ts'), '--reporter=dot'], {
      cwd: join(app, 'ts'),
      env: exampleEnv(),
      timeoutMs: 280_000,
    });
    const summary = /Tests\s+(\d+) passed \((\d+)\)/.exec(result.stdout.replace(ANSI, ''));
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(Number(summary?.[1])).toBeGreaterThan(30);
    expect(summary?.[1]).toBe(summary?.[2]);
  });
});
