/**
 * Waiting on runs, as `run`, `check` and `catch-up` do: progress lines from the scheduler's events, and SIGINT /
 * SIGTERM handling that aborts the jobs through their signals (the scheduler's `stop({ requeue: false })`), so the
 * runs are recorded as failed ("aborted by shutdown") and no later pass runs them again. Loaded on use with
 * `@craft/scheduler`.
 */
import type { JobRun, JobScheduler } from '@craft/scheduler';
import type { CommandContext } from './command.js';
import { ExitStatus, type ExitStatusCode } from './errors.js';
import { formatElapsed, type Progress } from './progress.js';
import { signalExitStatus, watchStopSignals } from './signals.js';

/**
 * The exit status for finished runs: the signal's status if one stopped them; else 1 when any run failed, was
 * abandoned or did not finish; else 3 when any timed out; else 0. Skipped slots are not failures, nor (by default)
 * cancelled runs — a cycle (`check`) treats a run someone cancelled like a skipped slot; `run`, which ran that one
 * job, passes `cancelledFails` (exit 1: the job did not do its work).
 */
export function exitStatusForRuns(
  runs: readonly JobRun[],
  signal?: NodeJS.Signals,
  options: { cancelledFails?: boolean } = {},
): ExitStatusCode {
  if (signal) return signalExitStatus(signal);
  const failed = (r: JobRun) =>
    r.status === 'failed' ||
    r.status === 'abandoned' ||
    r.status === 'pending' ||
    r.status === 'running' ||
    (r.status === 'cancelled' && options.cancelledFails === true);
  if (runs.some(failed)) return ExitStatus.Failure;
  if (runs.some((r) => r.status === 'timed_out')) return ExitStatus.Timeout;
  return ExitStatus.Success;
}

/** Options of {@link watchRuns}. */
export interface WatchRunsOptions {
  /** Print a line when a run ends (for cycles; `run` prints its run on stdout instead). @default true */
  finishLines?: boolean;
  /** Print only problems (retries, failures), no start/finish lines. @default false */
  quiet?: boolean;
}

/** What {@link watchRuns} returns. */
export interface RunWatch {
  /** The signal that stopped the work, if one arrived. */
  readonly signal: NodeJS.Signals | undefined;
  /** Sets how many runs are still awaited (for the progress indicator). */
  waitingFor(count: number): void;
  /** Unsubscribes and stops listening for signals. */
  dispose(): void;
}

const label = (run: JobRun) => run.jobName ?? run.jobType;

/** Subscribes to the scheduler's run events and to stop signals until {@link RunWatch.dispose}. */
export function watchRuns(
  context: CommandContext,
  scheduler: JobScheduler,
  progress: Progress,
  options: WatchRunsOptions = {},
): RunWatch {
  const { style } = progress;
  const finishLines = options.finishLines ?? true;
  const say = (text: string) => {
    if (!options.quiet) progress.line(text);
  };
  let waiting = 0;
  const running = new Map<string, string>();
  const refresh = () => {
    const names = [...running.values()];
    if (names.length === 1) progress.status(names[0] as string);
    else if (names.length > 1) progress.status(`running ${names.length} jobs (${names.join(', ')})`);
    else if (waiting > 0) progress.status(`waiting for ${waiting} run${waiting === 1 ? '' : 's'}`);
  };
  const ended = (run: JobRun) => {
    running.delete(run.id);
    refresh();
  };
  const took = (run: JobRun) =>
    run.startedAt && run.finishedAt
      ? ` in ${formatElapsed(run.finishedAt.getTime() - run.startedAt.getTime())}`
      : '';

  const off = [
    scheduler.on('run:started', ({ run, attempt }) => {
      const of = `attempt ${attempt} of ${run.maxAttempts}`;
      say(
        attempt === 1
          ? `${label(run)}: started run ${run.id} (${of}, timeout ${run.timeoutSeconds} s)`
          : `${label(run)}: ${of} started`,
      );
      running.set(run.id, `running ${label(run)} (${of})`);
      refresh();
    }),
    scheduler.on('run:retrying', ({ run, attempt, delayMs, error }) => {
      progress.line(
        `${style('yellow', `${label(run)}: attempt ${attempt} failed:`)} ${error.message.split('\n')[0]}; retrying in ${formatElapsed(delayMs)}`,
      );
      running.set(run.id, `waiting to retry ${label(run)}`);
      refresh();
    }),
    scheduler.on('run:succeeded', ({ run }) => {
      if (finishLines) say(`${label(run)}: ${style('green', 'succeeded')}${took(run)}`);
      ended(run);
    }),
    scheduler.on('run:failed', ({ run, error }) => {
      if (finishLines)
        progress.line(
          `${label(run)}: ${style('red', 'failed')}${took(run)}: ${error.message.split('\n')[0]}`,
        );
      ended(run);
    }),
    scheduler.on('run:timed_out', ({ run }) => {
      if (finishLines)
        progress.line(`${label(run)}: ${style('yellow', `timed out after ${run.timeoutSeconds} s`)}`);
      ended(run);
    }),
    scheduler.on('run:cancelled', ({ run, by }) => {
      progress.line(`${label(run)}: run ${run.id} ${style('yellow', `cancelled${by ? ` by ${by}` : ''}`)}`);
      ended(run);
    }),
    scheduler.on('run:abandoned', ({ run, retried }) => {
      progress.line(
        `${label(run)}: run ${run.id} ${style('red', retried ? 'aborted; back to pending (attempts remain), a running scheduler retries it' : 'abandoned')}`,
      );
      ended(run);
    }),
    scheduler.on('lock:contended', ({ key }) => {
      say(`${key} is held by another execution; left for a later cycle`);
    }),
  ];

  const signals = watchStopSignals(
    context.io,
    (signal) => {
      progress.line(
        `${style('yellow', `received ${signal}:`)} aborting the running jobs through their signals; their runs are recorded as failed (not retried) before exiting (send it again to exit at once)`,
      );
      // An operator's interrupt: the interrupted runs end here, failed, rather than going back to pending for the
      // next scheduler pass to run again.
      scheduler.stop({ graceMs: 0, requeue: false }).catch(() => {});
    },
    (signal) => {
      progress.stop();
      context.io.stderr.write(
        `${signal} again: exiting without waiting; a run still executing stays "running" until its lease expires, then a scheduler marks it abandoned\n`,
      );
    },
  );

  return {
    get signal() {
      return signals.received;
    },
    waitingFor(count) {
      waiting = count;
      refresh();
    },
    dispose() {
      for (const unsubscribe of off) unsubscribe();
      signals.dispose();
    },
  };
}
