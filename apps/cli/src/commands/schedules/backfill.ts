// The work of `craft-jobs schedules backfill`, loaded on use: `JobScheduler.backfill` over the database. Without
// `--wait` the runs are only recorded (pending, for any running scheduler's recovery to run one after another); with
// it they run here and the command waits, exiting as `check` does (a cancelled run counts like a skipped one).
import type { JobRun } from '@craft/scheduler';
import { type CommandContext, outputFor } from '../../lib/command.js';
import { engineConfig, loadJobSetup, openEngine } from '../../lib/engine.js';
import { InvalidArgumentError } from '../../lib/errors.js';
import { createCliLogger } from '../../lib/logger.js';
import { engineFlags } from '../../lib/options.js';
import { parseInstant, positiveInt } from '../../lib/params.js';
import { createProgress } from '../../lib/progress.js';
import { iso, runJson, runsTable } from '../../lib/views.js';
import { exitStatusForRuns, watchRuns } from '../../lib/watch-runs.js';
import type { BackfillArgs } from './index.js';
import { messages } from './messages.js';

function instant(flag: string, value: string | undefined): Date {
  const at = parseInstant(String(value ?? ''));
  if (!at)
    throw new InvalidArgumentError(flag, String(value), messages.backfill.badInstant(flag, String(value)));
  return at;
}

/** `schedules backfill <name> --from --to [--max-slots] [--concurrency] [--wait]`. */
export async function backfill(context: CommandContext, argv: BackfillArgs): Promise<void> {
  const output = outputFor(context, argv);
  const name = String(argv.name);
  const options = {
    from: instant('--from', argv.from),
    to: instant('--to', argv.to),
    maxSlots: positiveInt('--max-slots', argv['max-slots']),
    concurrency: positiveInt('--concurrency', argv.concurrency),
    execute: argv.wait,
  };
  const config = await engineConfig(context, argv, engineFlags(argv));
  const setup = await loadJobSetup(config);
  const progress = createProgress(context.io);
  const engine = await openEngine(config, {
    command: 'schedules backfill',
    requireDatabase: true,
    ensureIndexes: true,
    logger: createCliLogger(progress, { verbose: argv.verbose, quiet: argv.quiet }),
    userJobs: setup.userJobs,
    jobsOrigin: setup.origin,
  });
  const watch = argv.wait ? watchRuns(context, engine.scheduler, progress, { quiet: argv.quiet }) : undefined;
  try {
    const result = await engine.scheduler.backfill(name, options);
    watch?.waitingFor(result.created.length);
    // With --wait, the final records (and the runs they chained); without it, the runs as recorded.
    const runs: JobRun[] = argv.wait ? await result.done : result.created;
    progress.stop();
    if (argv.json) {
      output.json({
        job_name: result.jobName,
        from: options.from.toISOString(),
        to: options.to.toISOString(),
        slot_count: result.slots.length,
        created: runs.map(runJson),
        already_recorded: result.alreadyRecorded.map(runJson),
      });
    } else {
      const counts = [result.created.length, result.slots.length, result.alreadyRecorded.length] as const;
      const lines = [
        argv.wait ? messages.backfill.ran(name, ...counts) : messages.backfill.recorded(name, ...counts),
      ];
      if (runs.length > 0) lines.push('', runsTable(runs, output.style));
      if (result.alreadyRecorded.length > 0) {
        lines.push(
          '',
          `Already recorded: ${result.alreadyRecorded.map((r) => `${iso(r.slot)} (${r.status})`).join(', ')}`,
        );
      }
      output.print(lines.join('\n'));
    }
    if (argv.wait) context.setExitStatus(exitStatusForRuns(runs, watch?.signal));
  } finally {
    watch?.dispose();
    progress.stop();
    await engine.close();
  }
}
