// The work of `check` and `catch-up`, loaded on use: one scheduler pass against the database, waiting for the runs
// it triggered (and the runs they chained), then a report.
import type { JobRun } from '@craft/scheduler';
import type { CommandContext, GlobalArgs } from './command.js';
import { engineConfig, loadJobSetup, openEngine } from './engine.js';
import { createCliLogger } from './logger.js';
import { type DatabaseArgs, engineFlags, type JobsArgs, type JsonArgs } from './options.js';
import { createOutput } from './output.js';
import { createProgress } from './progress.js';
import { iso, runJson, runsTable } from './views.js';
import { exitStatusForRuns, watchRuns } from './watch-runs.js';

/** Parsed arguments of `check` and `catch-up`. */
export interface CycleArgs extends GlobalArgs, DatabaseArgs, JobsArgs, JsonArgs {
  'poll-interval-seconds': string | undefined;
  quiet: boolean;
}

/** Which pass: `checkAndRunDueJobs()` or the startup pass `handleMissedRuns()`. */
export type CycleKind = 'check' | 'catch-up';

function byTime(a: JobRun, b: JobRun): number {
  const at = (r: JobRun) => (r.slot ?? r.createdAt).getTime();
  return at(a) - at(b) || a.createdAt.getTime() - b.createdAt.getTime();
}

function summary(runs: readonly JobRun[]): string {
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const parts = [...counts].map(([status, n]) => `${n} ${status}`);
  return `${runs.length} run${runs.length === 1 ? '' : 's'}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}

/** Runs one pass and reports it; the exit status follows the runs (see `exitStatusForRuns`). */
export async function runCycle(context: CommandContext, argv: CycleArgs, kind: CycleKind): Promise<void> {
  const output = createOutput(context.io, argv.verbose);
  const config = await engineConfig(context, argv, engineFlags(argv));
  const setup = await loadJobSetup(config);
  const progress = createProgress(context.io);
  const logger = createCliLogger(progress, { verbose: argv.verbose, quiet: argv.quiet });
  const engine = await openEngine(config, {
    command: kind,
    requireDatabase: true,
    ensureIndexes: true,
    logger,
    userJobs: setup.userJobs,
    jobsOrigin: setup.origin,
  });
  const watch = watchRuns(context, engine.scheduler, progress, { quiet: argv.quiet });
  try {
    const at = context.io.now();
    const result =
      kind === 'check'
        ? await engine.scheduler.checkAndRunDueJobs()
        : await engine.scheduler.handleMissedRuns();
    const abandoned: JobRun[] = 'abandoned' in result ? (result.abandoned as JobRun[]) : [];
    watch.waitingFor(result.runs.filter((r) => r.status === 'pending').length);
    // `done` includes the runs chained by the triggered runs (transitively), once they finished too.
    const runs = [...(await result.done)].sort(byTime);
    progress.stop();

    if (argv.json) {
      output.json({
        at: at.toISOString(),
        runs: runs.map(runJson),
        ...(kind === 'catch-up' ? { abandoned: abandoned.map(runJson) } : {}),
        deferred: result.deferred,
        initialized: result.initialized,
        paused: result.paused,
      });
    } else {
      const { style } = output;
      const lines: string[] = [];
      if (result.paused) {
        lines.push(
          `Triggering is paused for every replica (craft-jobs status; resume with craft-jobs resume): nothing was claimed at ${iso(at)}.`,
        );
        if (runs.length > 0) lines.push('', runsTable(runs, style));
      } else if (runs.length === 0) {
        lines.push(`Nothing was due at ${iso(at)}.`);
      } else {
        lines.push(
          `${kind === 'check' ? 'Scheduler cycle' : 'Catch-up pass'} at ${iso(at)}: ${summary(runs)}`,
        );
        lines.push('', runsTable(runs, style));
      }
      if (abandoned.length > 0) {
        lines.push(
          '',
          `Runs of stopped replicas marked abandoned: ${abandoned.map((r) => `${r.id} (${r.jobName ?? r.jobType}, now ${r.status})`).join(', ')}`,
        );
      }
      if (result.initialized.length > 0) {
        lines.push('', `next_run_at computed for schedules that had none: ${result.initialized.join(', ')}`);
      }
      if (result.deferred.length > 0) {
        lines.push(
          '',
          `Deferred (their lock is held by another execution; still due): ${result.deferred.join(', ')}`,
        );
      }
      output.print(lines.join('\n'));
    }
    context.setExitStatus(exitStatusForRuns(runs, watch.signal));
  } finally {
    watch.dispose();
    progress.stop();
    await engine.close();
  }
}
