// Opening the database for `craft-jobs schedules …` commands (shared by action.ts and as-code.ts).
import { type CommandContext, outputFor } from '../../lib/command.js';
import { type Engine, engineConfig, loadJobSetup, openEngine } from '../../lib/engine.js';
import { createCliLogger } from '../../lib/logger.js';
import { engineFlags } from '../../lib/options.js';
import type { Output } from '../../lib/output.js';
import { createProgress } from '../../lib/progress.js';
import type { SchedulesArgs } from './index.js';

/** Opens the database (required) with the user's jobs when the command validates schedules. */
export async function withEngine<T>(
  context: CommandContext,
  argv: SchedulesArgs & { jobs?: string | undefined; 'lock-ttl-seconds'?: string | undefined },
  command: string,
  options: { jobs: boolean; writes: boolean },
  work: (engine: Engine, output: Output) => Promise<T>,
): Promise<T> {
  const output = outputFor(context, argv);
  const config = await engineConfig(context, argv, engineFlags(argv));
  const setup = options.jobs ? await loadJobSetup(config) : undefined;
  const engine = await openEngine(config, {
    command,
    requireDatabase: true,
    ensureIndexes: options.writes,
    logger: createCliLogger(createProgress(context.io), { verbose: argv.verbose }),
    ...(setup ? { userJobs: setup.userJobs, jobsOrigin: setup.origin } : {}),
  });
  try {
    return await work(engine, output);
  } finally {
    await engine.close();
  }
}
