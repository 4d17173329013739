// `changeset publish` runs `pnpm publish` in each package of a checkout; a checkout that was never built used to
// publish packages without dist/, and one built before a module was deleted would ship the deleted module's output.
// Each package's `prepack` cleans and builds it: here a copy of @craft/cron whose dist/ holds only a stale file (in a
// copy of the workspace root, sharing the installed node_modules) is packed, and the tarball has a fresh dist/.
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runOk } from '../src/run.mjs';
import { ROOT } from '../src/workspace.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'craft-prepack-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

it('pnpm pack of a package that was never built (or built before a module was removed) ships a fresh dist/', async () => {
  for (const file of [
    'package.json',
    'pnpm-workspace.yaml',
    'tsconfig.base.json',
    '.pnpmfile.cjs',
    '.npmrc',
  ]) {
    cpSync(join(ROOT, file), join(scratch, file));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(scratch, 'node_modules'));
  const pkg = join(scratch, 'packages', 'cron');
  mkdirSync(pkg, { recursive: true });
  for (const file of ['package.json', 'tsconfig.json', 'src', 'README.md', 'LICENSE']) {
    cpSync(join(ROOT, 'packages', 'cron', file), join(pkg, file), { recursive: true });
  }
  symlinkSync(join(ROOT, 'packages', 'cron', 'node_modules'), join(pkg, 'node_modules'));
  mkdirSync(join(pkg, 'dist'));
  writeFileSync(join(pkg, 'dist', 'removed-module.js'), 'export const stale = true;\n');
  const out = join(scratch, 'out');
  mkdirSync(out);

  const result = await runOk('pnpm', ['pack', '--pack-destination', out, '--json'], { cwd: pkg });

  const tarball = /"filename":\s*"([^"]+)"/.exec(result.stdout)?.[1] ?? '';
  const listing = (await runOk('tar', ['-tzf', tarball])).stdout.split('\n');
  expect(listing).toContain('package/dist/index.js');
  expect(listing).toContain('package/dist/index.d.ts');
  expect(listing).toContain('package/src/index.ts');
  expect(listing.filter((f) => f.includes('removed-module'))).toEqual([]);
});
