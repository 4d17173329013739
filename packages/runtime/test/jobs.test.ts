import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { JobModuleError, UnknownJobTypeError } from '@craft/scheduler';
import { describe, expect, it } from 'vitest';
import { JOBS_MODULE_HINT, JobsPathError, loadJobs, withJobsHint } from '../src/index.js';

const SCHEDULER_URL = pathToFileURL(createRequire(import.meta.url).resolve('@craft/scheduler')).href;

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'craft-runtime-jobs-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

describe('loadJobs', () => {
  it('loads the default-exported definitions (path or file: URL)', async () => {
    const dir = dirWith({
      'jobs.mjs': `import { defineJob } from ${JSON.stringify(SCHEDULER_URL)};
export default [defineJob({ type: 'greet', handler: async () => 'hi' })];`,
    });
    expect((await loadJobs(join(dir, 'jobs.mjs'))).map((d) => d.type)).toEqual(['greet']);
    expect((await loadJobs(pathToFileURL(join(dir, 'jobs.mjs')).href)).map((d) => d.type)).toEqual(['greet']);
  });

  it('refuses a path that does not exist, naming where it came from (exit 4)', async () => {
    const error = await loadJobs('/nonexistent/jobs.mjs', '--jobs').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobsPathError);
    expect(error).toMatchObject({
      code: 'CRAFT_RUNTIME_JOBS_PATH',
      exitStatus: 4,
      path: '/nonexistent/jobs.mjs',
    });
    expect((error as Error).message).toMatch(
      /^--jobs: the jobs module \/nonexistent\/jobs\.mjs does not exist/,
    );
  });

  it('refuses a directory', async () => {
    const dir = dirWith({});
    await expect(loadJobs(dir)).rejects.toThrow(`CRAFT_JOBS: ${dir} is a directory`);
  });

  it('says how to install a package the module imports but cannot find', async () => {
    // What a globally installed craft-jobs meets when the project has no @craft/scheduler: imports resolve from
    // the module's folder, never from the program that loads it.
    const dir = dirWith({
      'jobs.mjs': `import { defineJob } from '@craft/scheduler';
export default [defineJob({ type: 'x', handler: async () => 1 })];`,
    });
    const error = await loadJobs(join(dir, 'jobs.mjs')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobModuleError);
    expect(error).toMatchObject({ code: 'CRAFT_SCHEDULER_INVALID_JOB_MODULE', exitStatus: 4 });
    expect((error as Error).message).toContain(
      'it imports "@craft/scheduler", which is not installed where the module is',
    );
    expect((error as Error).message).toContain('npm install @craft/scheduler');
    expect((error as Error).cause).toMatchObject({ code: 'ERR_MODULE_NOT_FOUND' });
  });

  it('keeps other failures as the scheduler reports them', async () => {
    const dir = dirWith({ 'jobs.mjs': 'export default { notAnArray: true };' });
    const error = await loadJobs(join(dir, 'jobs.mjs')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobModuleError);
    expect((error as Error).message).toMatch(/has no default-exported array/);
    expect((error as Error).message).not.toContain('npm install');
  });
});

describe('withJobsHint', () => {
  it('adds where job types come from to an unknown job type, and nothing to other errors', () => {
    const unknown = new UnknownJobTypeError('nope', ['greet']);
    // The library's own text does not know the apps' variable; the apps add it.
    expect(unknown.message).not.toContain('CRAFT_JOBS');
    expect(withJobsHint(unknown)).toBe(`${unknown.message} ${JOBS_MODULE_HINT}`);
    expect(withJobsHint(new Error('other'))).toBe('other');
    expect(withJobsHint('not an error')).toBeUndefined();
  });
});
