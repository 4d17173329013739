// A new user's first hour, from the tarballs: one npm project installs every packed package with the newest
// third-party versions our ranges admit (typebox, mongodb, TypeScript), and four apps inside it use them as users
// would: an ES module app runs each README's first example as written, a CommonJS app require()s every entry point,
// TypeScript apps (moduleResolution node16 and bundler) type-check the examples and the node16 one runs its output;
// the bins run from the install (`npx craft-jobs --version`, `craft-jobs --help`, the CLI README's cron example with
// its printed output, `npx @craft/api` answering /health); a stack trace with --enable-source-maps names a file
// that exists in the install.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomDbName } from '@craft/test-utils';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EXAMPLE_DONE, hasUsageExample, usageExample } from '../src/examples.mjs';
import { npmProject, thirdPartyPeers, writeFiles } from '../src/install.mjs';
import { codeBlocks, firstBlock } from '../src/readme.mjs';
import { freePort, run, start, userEnv, waitFor200 } from '../src/run.mjs';
import { ROOT } from '../src/workspace.mjs';

const packed = inject('packed');
const withExample = packed.filter(hasUsageExample);
const app = mkdtempSync(join(tmpdir(), 'craft-install-latest-'));
const dbName = randomDbName('packaging-install');
const typescriptVersion = JSON.parse(
  readFileSync(join(ROOT, 'node_modules/typescript/package.json'), 'utf8'),
).version;
const tsc = join(app, 'node_modules', 'typescript', 'bin', 'tsc');
const short = (/** @type {string} */ name) => name.replace('@craft/', '');

/** The environment examples and bins run with: the test's MongoDB, a database of their own, any free port. */
function exampleEnv(/** @type {Record<string, string>} */ extra = {}) {
  return userEnv({ MONGODB_URI: process.env.MONGODB_URI ?? '', MONGODB_DB: dbName, PORT: '0', ...extra });
}

/** Whether a run reached the end of its example, and its exit status. @param {import('../src/run.mjs').RunResult} r */
const outcome = (r) => ({ status: r.status, done: r.stdout.split('\n').includes(EXAMPLE_DONE) });

beforeAll(async () => {
  const ms = await npmProject(app, packed, {
    ...thirdPartyPeers(packed),
    typescript: typescriptVersion,
    '@types/node': '^22.12.0',
  });
  process.stderr.write(
    `packaging: npm install of ${packed.length} tarballs + the newest peers took ${ms} ms\n`,
  );

  const sources = Object.fromEntries(withExample.map((p) => [short(p.name), usageExample(p).source]));
  const compilerOptions = { target: 'es2023', strict: true, skipLibCheck: false, types: ['node'] };
  writeFiles(app, {
    ...Object.fromEntries(Object.entries(sources).map(([n, s]) => [`esm/${n}.mjs`, s])),
    ...Object.fromEntries(Object.entries(sources).map(([n, s]) => [`ts-node16/src/${n}.ts`, s])),
    ...Object.fromEntries(Object.entries(sources).map(([n, s]) => [`ts-bundler/${n}.ts`, s])),
    'ts-node16/tsconfig.json': JSON.stringify({
      compilerOptions: {
        ...compilerOptions,
        module: 'node16',
        moduleResolution: 'node16',
        rootDir: 'src',
        outDir: 'dist',
      },
      include: ['src'],
    }),
    'ts-bundler/tsconfig.json': JSON.stringify({
      // Our declarations were checked under node16 above; here the resolution is what differs.
      compilerOptions: {
        ...compilerOptions,
        module: 'esnext',
        moduleResolution: 'bundler',
        noEmit: true,
        skipLibCheck: true,
      },
      include: ['*.ts'],
    }),
    'cjs/package.json': JSON.stringify({ type: 'commonjs' }),
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

describe("each README's first example, run as written from the tarballs", () => {
  it('covers every published package but the CLI (whose examples are shell commands, run below)', () => {
    const expected = packed.map((p) => p.name).filter((n) => n !== '@craft/cli');
    expect(withExample.map((p) => p.name).sort()).toEqual(expected.sort());
  });

  it.each(withExample.map((p) => p.name))('%s, in an ES module app', async (name) => {
    const result = await run(process.execPath, [join(app, 'esm', `${short(name)}.mjs`)], {
      cwd: join(app, 'esm'),
      env: exampleEnv(),
      timeoutMs: 120_000,
    });
    expect(result.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|ERR_PACKAGE_PATH_NOT_EXPORTED/);
    expect(outcome(result), result.stderr).toEqual({ status: 0, done: true });
  });
});

describe('TypeScript apps', () => {
  it('type-check (and build) every example with moduleResolution node16 (our declarations too: skipLibCheck false)', async () => {
    const result = await run(process.execPath, [tsc, '-p', join(app, 'ts-node16')], { timeoutMs: 180_000 });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('type-check every example with moduleResolution bundler (the same declarations, resolved as bundlers do)', async () => {
    const result = await run(process.execPath, [tsc, '-p', join(app, 'ts-bundler')], { timeoutMs: 180_000 });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('run the node16 build (emitted by the type-check above) of the cron and scheduler examples', async () => {
    for (const name of ['cron', 'scheduler']) {
      const built = join(app, 'ts-node16', 'dist', `${name}.js`);
      expect(existsSync(built), `${built}: the node16 type-check above emits it`).toBe(true);
      const result = await run(process.execPath, [built], { env: exampleEnv(), timeoutMs: 60_000 });
      expect(outcome(result), result.stderr).toEqual({ status: 0, done: true });
    }
  });
});

describe('CommonJS app', () => {
  it('require()s every entry point of every package (Node.js >= 22.12 loads ES modules synchronously)', async () => {
    const entries = packed.flatMap((p) =>
      Object.keys(p.manifest.exports ?? {})
        .filter((key) => key !== './package.json')
        .map((key) => (key === '.' ? p.name : `${p.name}/${key.slice(2)}`)),
    );
    expect(entries.length).toBeGreaterThan(packed.length - 1);
    writeFiles(app, {
      'cjs/require-all.js': `'use strict';
const assert = require('node:assert/strict');
const entries = ${JSON.stringify(entries)};
for (const entry of entries) {
  assert.ok(Object.keys(require(entry)).length > 0, entry + ' exports nothing through require()');
}
const { parseCron } = require('@craft/cron');
assert.equal(
  parseCron('30 2 * * *').next(new Date('2025-03-29T12:00:00Z'), { timezone: 'Europe/Stockholm' }).toISOString(),
  '2025-03-31T00:30:00.000Z',
);
const { buildApp } = require('@craft/api');
(async () => {
  const app = await buildApp({ config: { timezone: 'UTC' } });
  const res = await app.inject({ method: 'GET', url: '/health' });
  assert.equal(res.statusCode, 200);
  await app.close();
  console.log('required ' + entries.length + ' entry points');
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
`,
    });
    const result = await run(process.execPath, [join(app, 'cjs', 'require-all.js')], {
      env: exampleEnv(),
      timeoutMs: 60_000,
    });
    expect(result.stderr).not.toMatch(/ERR_REQUIRE_ESM|ERR_REQUIRE_ASYNC_MODULE/);
    expect({ status: result.status, stdout: result.stdout.trim() }, result.stderr).toEqual({
      status: 0,
      stdout: `required ${entries.length} entry points`,
    });
  });
});

describe('source maps', () => {
  it('a stack trace through a packed package names its shipped TypeScript source, at a line that exists', async () => {
    writeFiles(app, {
      'esm/throws.mjs': `import { parseCron } from '@craft/cron';\nparseCron('61 * * * *');\n`,
    });
    const result = await run(process.execPath, ['--enable-source-maps', join(app, 'esm', 'throws.mjs')], {
      env: exampleEnv(),
    });
    expect(result.status).toBe(1);
    const frames = [
      ...result.stderr.matchAll(/(\/[^\s()]+\/node_modules\/@craft\/cron\/[^\s():]+):(\d+):\d+/g),
    ];
    expect(frames.length, result.stderr).toBeGreaterThan(0);
    for (const [, file = '', line] of frames) {
      expect(file, result.stderr).toMatch(/\/src\/[^/]+\.ts$/);
      expect(existsSync(file), file).toBe(true);
      expect(readFileSync(file, 'utf8').split('\n').length).toBeGreaterThanOrEqual(Number(line));
    }
  });
});

describe('bins from the install', () => {
  const cliReadme = join(ROOT, 'apps/cli/README.md');
  const bin = (/** @type {string} */ name) => join(app, 'node_modules', '.bin', name);
  /** The `npx …` lines of a shell block, without their comments. @param {string} code */
  const npxLines = (code) =>
    code
      .split('\n')
      .map((l) => l.replace(/\s+#.*$/, '').trim())
      .filter((l) => l.startsWith('npx '));

  it("runs the CLI README's install example: npx craft-jobs --version", async () => {
    const lines = npxLines(firstBlock(cliReadme, '## Install', 'sh').code);
    expect(lines).toEqual(['npx craft-jobs --version']);
    const [command = 'npx', ...args] = (lines[0] ?? '').split(/\s+/);
    const result = await run(command, args, { cwd: app, env: exampleEnv() });
    const version = packed.find((p) => p.name === '@craft/cli')?.version;
    expect({ status: result.status, stdout: result.stdout.trim() }, result.stderr).toEqual({
      status: 0,
      stdout: version,
    });
  });

  it('craft-jobs --help lists the commands and every exit status', async () => {
    const result = await run(bin('craft-jobs'), ['--help'], { cwd: app, env: exampleEnv() });
    expect(result.status, result.stderr).toBe(0);
    for (const word of ['run', 'check', 'schedules', 'runs', 'cron', 'token'])
      expect(result.stdout).toContain(word);
    for (const status of [0, 1, 2, 3, 4, 70, 75, 130, 143])
      expect(result.stdout).toMatch(new RegExp(`\\b${status}\\b`));
  });

  it('prints exactly what the CLI README shows for its cron example (no database needed)', async () => {
    const blocks = codeBlocks(cliReadme);
    const at = blocks.findIndex((b) => b.lang === 'sh' && b.code.includes('craft-jobs cron next'));
    const command = blocks[at]?.code.split('\n').find((l) => l.startsWith('craft-jobs cron next')) ?? '';
    const shown = blocks[at + 1];
    expect(shown?.lang).toBe('text');
    const args = [...command.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '').slice(1);
    const result = await run(bin('craft-jobs'), args, { cwd: app, env: exampleEnv({ MONGODB_URI: '' }) });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trimEnd()).toBe(shown?.code.trimEnd());
  });

  it("starts the API as its README's first example does (npx @craft/api), answers /health, stops on SIGTERM", async () => {
    const lines = npxLines(firstBlock(join(ROOT, 'apps/api/README.md'), '## Usage', 'sh').code);
    expect(lines[0]).toBe('npx @craft/api');
    const port = await freePort();
    const [command = 'npx', ...args] = (lines[0] ?? '').split(/\s+/);
    // npx does not pass SIGTERM on to the program it started: signal the process group, as Ctrl-C in a terminal does.
    const server = start(command, args, {
      cwd: app,
      env: exampleEnv({ MONGODB_URI: '', PORT: String(port), HOST: '127.0.0.1' }),
      group: true,
    });
    try {
      const res = await waitFor200(`http://127.0.0.1:${port}/health`, server, 60_000);
      expect(await res.json()).toMatchObject({ status: 'ok' });
      expect(server.output()).toContain('EMBEDDED DEFAULT');
      expect(server.output()).toMatch(/export CRAFT_TOKEN=\S+/);
    } finally {
      await server.stop('SIGTERM');
    }
    // The service itself drained and exited: nothing is left listening.
    await expect
      .poll(
        () =>
          fetch(`http://127.0.0.1:${port}/health`).then(
            () => 'up',
            () => 'down',
          ),
        { timeout: 15_000 },
      )
      .toBe('down');
    await expect.poll(() => server.output(), { timeout: 5_000 }).toContain('shut down cleanly');
  });
});
