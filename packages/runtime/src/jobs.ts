/**
 * The `CRAFT_JOBS` loader the API and the CLI share, and the hint both add to errors about job types.
 *
 * @module
 */
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type JobDefinition, JobModuleError, loadJobModule } from '@craft/scheduler';
import { JobsPathError } from './errors.js';

/**
 * Loads the jobs module at `path` (`CRAFT_JOBS`: one module file that default-exports an array of `defineJob()`
 * results). `origin` names where the path came from in messages (`CRAFT_JOBS`, `--jobs`). A module that imports
 * a package it cannot find (typically `@craft/scheduler`) gets a hint: imports resolve from the module's own
 * folder, not from the program that loads it.
 * @throws JobsPathError when the path does not exist or is a directory
 * @throws JobModuleError (from `@craft/scheduler`) for a module that does not load or exports no definitions
 */
export async function loadJobs(path: string, origin = 'CRAFT_JOBS'): Promise<JobDefinition[]> {
  const file = path.startsWith('file:') ? fileURLToPath(path) : path;
  let isDirectory: boolean;
  try {
    isDirectory = statSync(file).isDirectory();
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') {
      throw new JobsPathError(file, `${origin}: the jobs module ${file} cannot be read (${String(code)})`, {
        cause,
      });
    }
    throw new JobsPathError(
      file,
      `${origin}: the jobs module ${file} does not exist; point it at a module file that default-exports an ` +
        'array of defineJob() results',
    );
  }
  if (isDirectory) {
    throw new JobsPathError(
      file,
      `${origin}: ${file} is a directory; point it at one module file (e.g. ${file}/index.js) that default-exports ` +
        "the array of job definitions, re-exporting the other files' jobs",
    );
  }
  try {
    return await loadJobModule(path);
  } catch (error) {
    const missing = missingPackage(error);
    if (error instanceof JobModuleError && missing !== undefined) {
      throw new JobModuleError(
        path,
        `could not be imported: it imports "${missing}", which is not installed where the module is (imports ` +
          `resolve from the module's own folder, not from the program that loads it). Install it in the ` +
          `project that holds the module (npm install ${missing})`,
        error.cause,
      );
    }
    throw error;
  }
}

/** The package a failed import could not find (`ERR_MODULE_NOT_FOUND` for a bare specifier), if that is why. */
function missingPackage(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (cause?.code !== 'ERR_MODULE_NOT_FOUND' || typeof cause.message !== 'string') return undefined;
  return /Cannot find package '((?:@[^/']+\/)?[^/']+)/.exec(cause.message)?.[1];
}

/**
 * The sentence the apps add to `CRAFT_SCHEDULER_UNKNOWN_JOB_TYPE` messages: the library's own text does not know
 * about `CRAFT_JOBS`, which is the apps' variable.
 */
export const JOBS_MODULE_HINT =
  'Job types come from the built-in jobs and the module named by CRAFT_JOBS (default export: an array of ' +
  'defineJob() results).';

/**
 * `error`'s message, with {@link JOBS_MODULE_HINT} appended when it is `CRAFT_SCHEDULER_UNKNOWN_JOB_TYPE`;
 * undefined when `error` has no message.
 */
export function withJobsHint(error: unknown): string | undefined {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (typeof e?.message !== 'string') return undefined;
  if (e.code !== 'CRAFT_SCHEDULER_UNKNOWN_JOB_TYPE') return e.message;
  return `${e.message.replace(/\s*$/, '')} ${JOBS_MODULE_HINT}`;
}
