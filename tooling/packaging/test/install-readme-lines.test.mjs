// Each README's install line, as written, then its first example: a fresh pnpm project per package runs the line's
// `pnpm add …` (the `npm install …` one where the README gives only that) with our packages from their tarballs, and
// runs the example. pnpm makes only the project's own dependencies importable, so a line that leaves out what the
// example imports fails here — as `pnpm add @craft/scheduler` alone did: the example's `import Type from 'typebox'`
// threw ERR_MODULE_NOT_FOUND.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomDbName } from '@craft/test-utils';
import { MongoClient } from 'mongodb';
import { afterAll, expect, inject, it } from 'vitest';
import { EXAMPLE_DONE, hasUsageExample, usageExample } from '../src/examples.mjs';
import { pnpmProject, writeFiles } from '../src/install.mjs';
import { firstBlock } from '../src/readme.mjs';
import { run, userEnv } from '../src/run.mjs';
import { ROOT } from '../src/workspace.mjs';

const packed = inject('packed');
const scratch = mkdtempSync(join(tmpdir(), 'craft-readme-lines-'));
const dbName = randomDbName('packaging-readme-lines');

afterAll(async () => {
  const client = await new MongoClient(process.env.MONGODB_URI ?? '').connect();
  await client
    .db(dbName)
    .dropDatabase()
    .catch(() => {});
  await client.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** The packages of the Install block's `pnpm add …` line (else its `npm install …` line). @param {string} relDir */
function installLine(relDir) {
  const code = firstBlock(join(ROOT, relDir, 'README.md'), '## Install', 'sh').code;
  const commands = code
    .split('\n')
    .flatMap((line) => line.split(/#\s*or:/).map((c) => c.replace(/#.*$/, '').trim()));
  const pnpm = commands.find((c) => c.startsWith('pnpm add '));
  const npm = commands.find((c) => c.startsWith('npm install '));
  const line = pnpm ?? npm ?? '';
  expect(line, `${relDir}/README.md: an install line`).not.toBe('');
  return line
    .split(/\s+/)
    .slice(2)
    .filter((arg) => !arg.startsWith('-') && arg !== '…');
}

it.each(packed.filter(hasUsageExample).map((p) => /** @type {[string, typeof p]} */ ([p.name, p])))(
  "%s: the README's install line, then its first example",
  async (name, pkg) => {
    const packages = installLine(pkg.relDir);
    expect(packages).toContain(name);
    const dir = join(scratch, name.replace('@craft/', ''));
    await pnpmProject(dir, packed, packages);
    writeFiles(dir, { 'example.mjs': usageExample(pkg).source });
    const result = await run(process.execPath, [join(dir, 'example.mjs')], {
      cwd: dir,
      env: userEnv({ MONGODB_URI: process.env.MONGODB_URI ?? '', MONGODB_DB: dbName, PORT: '0' }),
      timeoutMs: 120_000,
    });
    expect(result.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND/);
    const done = result.stdout.split('\n').includes(EXAMPLE_DONE);
    expect({ status: result.status, done }, result.stderr).toEqual({ status: 0, done: true });
  },
);
