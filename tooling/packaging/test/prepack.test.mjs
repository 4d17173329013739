// `changeset publish` runs `pnpm publish` in each package of a checkout; a checkout that was never built used to
// publish packages without dist/. Each package's `prepack` builds it: here a copy of @craft/cron with no dist/ (in a
// copy of the workspace root, sharing the installed node_modules) is packed, and the tarball has dist/. (Stale
// output of a removed module is the root `release` script's job: it cleans and rebuilds every package first.)
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runOk } from '../src/run.mjs';
import { ROOT } from '../src/workspace.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'craft-prepack-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

it('pnpm pack of a package that was never built builds it and ships dist/', async () => {
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
  const out = join(scratch, 'out');
  mkdirSync(out);

  const result = await runOk('pnpm', ['pack', '--pack-destination', out, '--json'], { cwd: pkg });

  const tarball = /"filename":\s*"([^"]+)"/.exec(result.stdout)?.[1] ?? '';
  const listing = (await runOk('tar', ['-tzf', tarball])).stdout.split('\n');
  expect(listing).toContain('package/dist/index.js');
  expect(listing).toContain('package/dist/index.d.ts');
  expect(listing).toContain('package/src/index.ts');
});
