// The work of `craft-jobs run`, loaded on use: the scheduler's `runJob()` over the configured storage.
import { checkParameters, InvalidParametersError } from '@craft/scheduler';
import { type CommandContext, outputFor } from '../../lib/command.js';
import { engineConfig, loadJobSetup, openEngine } from '../../lib/engine.js';
import { idempotencyOf } from '../../lib/idempotency.js';
import { createCliLogger } from '../../lib/logger.js';
import { engineFlags } from '../../lib/options.js';
import { parseParams, positiveInt } from '../../lib/params.js';
import { createProgress } from '../../lib/progress.js';
import { runDetails, runJson } from '../../lib/views.js';
import { exitStatusForRuns, watchRuns } from '../../lib/watch-runs.js';
import type { RunArgs } from './index.js';
import { messages } from './messages.js';

/** Runs one job type once and sets the exit status from the run's final status. */
export async function runJobOnce(context: CommandContext, argv: RunArgs): Promise<void> {
  const output = outputFor(context, argv);
  const jobType = String(argv.job_type);
  const parameters = parseParams(argv.params, argv.param);
  const maxAttempts = positiveInt('--max-attempts', argv['max-attempts']);
  const timeoutSeconds = positiveInt('--timeout-seconds', argv['timeout-seconds']);
  const idempotency = idempotencyOf(context, argv);
  const config = await engineConfig(context, argv, engineFlags(argv));
  const setup = await loadJobSetup(config);

  // Bad input fails here, before a database connection is made: unknown job type, parameters the schema rejects.
  const issues = checkParameters(setup.jobs, jobType, parameters);
  if (issues.length > 0) throw new InvalidParametersError(jobType, issues);

  const progress = createProgress(context.io);
  const logger = createCliLogger(progress, { verbose: argv.verbose, quiet: argv.quiet });
  const engine = await openEngine(config, {
    command: 'run',
    requireDatabase: false,
    ensureIndexes: true,
    logger,
    userJobs: setup.userJobs,
    jobsOrigin: setup.origin,
  });
  const watch = watchRuns(context, engine.scheduler, progress, { finishLines: false, quiet: argv.quiet });
  try {
    if (engine.database.kind === 'memory') {
      output.warn(messages.notRecorded);
      if (idempotency.idempotencyKey !== undefined) output.warn(messages.keyWithoutDatabase);
    } else output.debug(messages.recordedIn(engine.database.db));
    let started: Awaited<ReturnType<typeof engine.scheduler.runJob>>;
    try {
      // With a key, a retried invocation finds the run the first one started (its run key comes from the key).
      started = await engine.scheduler.runJob(jobType, parameters, {
        maxAttempts,
        timeoutSeconds,
        ...idempotency,
      });
    } catch (error) {
      // A signal that arrived while the run was being set up stops the scheduler before the job started.
      if (watch.signal === undefined) throw error;
      output.warn(messages.stoppedBeforeStart(watch.signal));
      context.setExitStatus(exitStatusForRuns([], watch.signal));
      return;
    }
    if (started.replayed) output.warn(messages.replayed(started.run.id, started.run.status));
    const final = await started.done;
    progress.stop();
    if (argv.json) output.json(runJson(final));
    else output.print(runDetails(final, output.style));
    // A cancelled run (through the API or `runs cancel`) did not do its work: exit 1.
    context.setExitStatus(exitStatusForRuns([final], watch.signal, { cancelledFails: true }));
  } finally {
    watch.dispose();
    progress.stop();
    await engine.close();
  }
}
