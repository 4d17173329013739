import type { Logger } from '@craft/scheduler';
import type { Progress } from './progress.js';

/** Options of {@link createCliLogger}. */
export interface CliLoggerOptions {
  /** Show `debug` lines and every data field. @default false */
  verbose?: boolean;
  /** Hide `info` lines (warnings and errors still show). @default false */
  quiet?: boolean;
}

// Fields the scheduler adds to every line of a job's logger; shown as a prefix instead.
const RUN_FIELDS = new Set(['runId', 'jobType', 'jobName', 'schedule', 'slot', 'attempt']);

function details(data: Record<string, unknown> | undefined, verbose: boolean): string {
  if (!data) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (!verbose && RUN_FIELDS.has(key) && typeof data['runId'] === 'string') continue;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    parts.push(`${key}=${text}`);
  }
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/**
 * The logger handed to the scheduler and, through it, to every job's `context.logger`: one line per message on
 * stderr (through the progress indicator, so lines never collide with the spinner). A job's lines start with
 * `[job_type]` (and `#attempt` after the first attempt).
 */
export function createCliLogger(progress: Progress, options: CliLoggerOptions = {}): Logger {
  const verbose = options.verbose ?? false;
  const { style } = progress;
  const write = (
    level: 'debug' | 'info' | 'warn' | 'error',
    message: string,
    data?: Record<string, unknown>,
  ) => {
    // Only a job's own logger (which adds the run id) gets the `[job_type]` prefix.
    const jobType =
      typeof data?.['runId'] === 'string' && typeof data['jobType'] === 'string'
        ? data['jobType']
        : undefined;
    const attempt = typeof data?.['attempt'] === 'number' ? data['attempt'] : undefined;
    const prefix =
      jobType === undefined
        ? ''
        : `[${jobType}${attempt !== undefined && attempt > 1 ? `#${attempt}` : ''}] `;
    const label =
      level === 'warn'
        ? `${style('yellow', 'warning:')} `
        : level === 'error'
          ? `${style('red', 'error:')} `
          : level === 'debug'
            ? style('dim', 'debug: ')
            : '';
    progress.line(`${label}${prefix}${message}${details(data, verbose)}`);
  };
  return {
    debug: (message, data) => {
      if (verbose) write('debug', message, data);
    },
    info: (message, data) => {
      if (!options.quiet) write('info', message, data);
    },
    warn: (message, data) => write('warn', message, data),
    error: (message, data) => write('error', message, data),
  };
}
