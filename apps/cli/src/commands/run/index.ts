import type { CommandModule } from 'yargs';
import {
  type CommandContext,
  type CommandSpec,
  defineCommand,
  type GlobalArgs,
  lastValue,
} from '../../lib/command.js';
import {
  type DatabaseArgs,
  databaseOptions,
  type IdempotencyArgs,
  idempotencyKeyOption,
  type JobsArgs,
  type JsonArgs,
  jobsOptions,
  jsonOption,
} from '../../lib/options.js';
import { messages } from './messages.js';

/** Parsed arguments of `run`. */
export interface RunArgs extends GlobalArgs, DatabaseArgs, JobsArgs, JsonArgs, IdempotencyArgs {
  job_type: string;
  param: string[] | undefined;
  params: string | undefined;
  'max-attempts': string | undefined;
  'timeout-seconds': string | undefined;
  quiet: boolean;
}

function createRunCommand(context: CommandContext): CommandModule<GlobalArgs, RunArgs> {
  return {
    command: 'run <job_type>',
    describe: messages.describe,
    builder: (yargs) =>
      jsonOption(
        databaseOptions(
          jobsOptions(
            idempotencyKeyOption(yargs, messages.idempotencyKey)
              .positional('job_type', { type: 'string', demandOption: true, describe: messages.jobType })
              .option('param', { type: 'string', array: true, requiresArg: true, describe: messages.param })
              .option('params', {
                type: 'string',
                requiresArg: true,
                coerce: lastValue,
                describe: messages.params,
              })
              .option('max-attempts', {
                type: 'string',
                requiresArg: true,
                coerce: lastValue,
                describe: messages.maxAttempts,
              })
              .option('timeout-seconds', {
                type: 'string',
                requiresArg: true,
                coerce: lastValue,
                describe: messages.timeoutSeconds,
              })
              .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: messages.quiet })
              .group(
                ['param', 'params', 'max-attempts', 'timeout-seconds', 'idempotency-key', 'quiet', 'json'],
                'Options:',
              ),
          ),
        ),
        messages.json,
      ).example(messages.examples.map(([cmd, text]) => [cmd, text] as [string, string])),
    handler: async (argv) => {
      // The scheduler (and the user's jobs) load only now, so `--help` stays fast.
      const { runJobOnce } = await import('./action.js');
      await runJobOnce(context, argv);
    },
  };
}

/** `craft-jobs run <job_type>`. */
export const runCommand: CommandSpec = {
  name: 'run',
  subcommands: [],
  create: (context) => defineCommand(createRunCommand(context)),
};
