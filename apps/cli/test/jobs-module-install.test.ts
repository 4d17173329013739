// How a jobs module finds `@craft/scheduler` when craft-jobs is installed globally (README: "Install"). Node
// resolves the module's imports from the module's own folder, never from the program that loads it, so the project
// that holds the module must have `@craft/scheduler` installed. This test builds that layout for real: the CLI runs
// from its own folder with its own copy of the scheduler, and the project has a separate copy in its node_modules.
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { craftJobs, tempDir } from './helpers.js';

const require = createRequire(import.meta.url);
/** The folder of an installed package, as `from` resolves it (its exports may not include package.json). */
function packageDir(name: string, from = require): string {
  let dir = dirname(from.resolve(name));
  while (
    !existsSync(join(dir, 'package.json')) ||
    JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name !== name
  ) {
    if (dirname(dir) === dir) throw new Error(`no package.json of ${name}`);
    dir = dirname(dir);
  }
  return dir;
}

const JOBS = `import { defineJob } from '@craft/scheduler';

export default [
  defineJob({
    type: 'project_job',
    parameters: { type: 'object', properties: { n: { type: 'integer' } }, additionalProperties: false },
    handler: async ({ n }) => ({ doubled: (n ?? 1) * 2 }),
  }),
];
`;

/** A project folder holding jobs.mjs and, when `install` is set, its own copy of @craft/scheduler. */
function project(install: boolean): string {
  const root = tempDir();
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ name: 'my-app', type: 'module', private: true }),
  );
  writeFileSync(join(root, 'jobs.mjs'), JOBS);
  if (install) {
    const scheduler = packageDir('@craft/scheduler');
    const target = join(root, 'node_modules', '@craft', 'scheduler');
    mkdirSync(target, { recursive: true });
    // A copy, not a link: the project's scheduler is another module instance than the CLI's.
    cpSync(join(scheduler, 'package.json'), join(target, 'package.json'));
    cpSync(join(scheduler, 'dist'), join(target, 'dist'), { recursive: true });
    // Its own dependencies, as npm would install them next to it.
    const fromScheduler = createRequire(join(scheduler, 'package.json'));
    symlinkSync(
      realpathSync(packageDir('@craft/cron', fromScheduler)),
      join(root, 'node_modules', '@craft', 'cron'),
    );
    symlinkSync(realpathSync(packageDir('typebox', fromScheduler)), join(root, 'node_modules', 'typebox'));
  }
  return root;
}

describe('a jobs module in a project, loaded by a craft-jobs installed elsewhere', () => {
  it('runs when the project has @craft/scheduler installed (its own copy, not the CLI one)', async () => {
    const root = project(true);
    const result = await craftJobs(['run', 'project_job', '--param', 'n=21', '--json'], {
      env: { CRAFT_JOBS: join(root, 'jobs.mjs') },
    });
    expect(result.stderr).not.toContain('CRAFT_SCHEDULER_INVALID_JOB_MODULE');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'succeeded', result: { doubled: 42 } });
    // The parameter schema of the project's copy is enforced by the CLI's copy.
    const bad = await craftJobs(['run', 'project_job', '--param', 'n=x'], {
      env: { CRAFT_JOBS: join(root, 'jobs.mjs') },
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('[CRAFT_SCHEDULER_INVALID_PARAMETERS]');
  });

  it('says to install @craft/scheduler in the project when it is missing there (exit 4)', async () => {
    const root = project(false);
    const result = await craftJobs(['run', 'project_job'], { env: { CRAFT_JOBS: join(root, 'jobs.mjs') } });
    expect(result.status).toBe(4);
    expect(result.stderr).toContain(
      'it imports "@craft/scheduler", which is not installed where the module is',
    );
    expect(result.stderr).toContain('npm install @craft/scheduler');
    expect(result.stderr).toContain('[CRAFT_SCHEDULER_INVALID_JOB_MODULE]');
  });
});
