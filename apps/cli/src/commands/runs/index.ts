import type { Argv, CommandModule } from 'yargs';
import {
  type CommandContext,
  type CommandSpec,
  defineCommand,
  type GlobalArgs,
  lastValue,
} from '../../lib/command.js';
import { type DatabaseArgs, databaseOptions, type JsonArgs, jsonOption } from '../../lib/options.js';
import { messages } from './messages.js';

/** Arguments of `runs list`. */
export interface RunsListArgs extends GlobalArgs, DatabaseArgs, JsonArgs {
  schedule: string | undefined;
  'job-type': string | undefined;
  status: string[] | undefined;
  trigger: string | undefined;
  limit: string | undefined;
}

/** Arguments of `runs watch`. */
export interface RunsWatchArgs extends GlobalArgs, DatabaseArgs, JsonArgs {
  'job-name': string | undefined;
  type: string[] | undefined;
  since: string | undefined;
  after: string | undefined;
}

/** Arguments of `runs get`. */
export interface RunsGetArgs extends GlobalArgs, DatabaseArgs, JsonArgs {
  id: string;
}

/** Arguments of `runs cancel`. */
export interface RunsCancelArgs extends GlobalArgs, DatabaseArgs, JsonArgs {
  id: string;
}

const examples = (list: readonly (readonly [string, string])[]) =>
  list.map(([command, text]) => [command, text] as [string, string]);

function common<T>(yargs: Argv<T>): Argv<T & DatabaseArgs & JsonArgs> {
  return jsonOption(databaseOptions(yargs), messages.json);
}

function createRunsCommand(context: CommandContext): CommandModule<GlobalArgs, GlobalArgs> {
  const list: CommandModule<GlobalArgs, RunsListArgs> = {
    command: 'list',
    describe: messages.list.describe,
    builder: (yargs) =>
      common(yargs)
        .option('schedule', {
          type: 'string',
          requiresArg: true,
          coerce: lastValue,
          describe: messages.list.schedule,
        })
        .option('job-type', {
          type: 'string',
          requiresArg: true,
          coerce: lastValue,
          describe: messages.list.jobType,
        })
        .option('status', { type: 'string', array: true, requiresArg: true, describe: messages.list.status })
        .option('trigger', {
          type: 'string',
          requiresArg: true,
          coerce: lastValue,
          describe: messages.list.trigger,
        })
        .option('limit', {
          type: 'string',
          requiresArg: true,
          coerce: lastValue,
          describe: `${messages.list.limit} [default: 20]`,
        })
        .example(examples(messages.list.examples)) as unknown as Argv<RunsListArgs>,
    handler: async (argv) => {
      const { listRuns } = await import('./action.js');
      await listRuns(context, argv);
    },
  };
  const get: CommandModule<GlobalArgs, RunsGetArgs> = {
    command: 'get <id>',
    describe: messages.get.describe,
    builder: (yargs) =>
      common(yargs)
        .positional('id', { type: 'string', demandOption: true, describe: messages.get.id })
        .example(examples(messages.get.examples)) as unknown as Argv<RunsGetArgs>,
    handler: async (argv) => {
      const { getRun } = await import('./action.js');
      await getRun(context, argv);
    },
  };
  const watch: CommandModule<GlobalArgs, RunsWatchArgs> = {
    command: 'watch',
    describe: messages.watch.describe,
    builder: (yargs) =>
      jsonOption(databaseOptions(yargs), messages.watch.json)
        .option('job-name', {
          type: 'string',
          alias: 'schedule',
          requiresArg: true,
          coerce: lastValue,
          describe: messages.watch.jobName,
        })
        .option('type', { type: 'string', array: true, requiresArg: true, describe: messages.watch.type })
        .option('since', {
          type: 'string',
          requiresArg: true,
          coerce: lastValue,
          describe: messages.watch.since,
        })
        .option('after', {
          type: 'string',
          requiresArg: true,
          coerce: lastValue,
          describe: messages.watch.after,
        })
        .example(examples(messages.watch.examples)) as unknown as Argv<RunsWatchArgs>,
    handler: async (argv) => {
      const { watchRuns } = await import('./watch.js');
      await watchRuns(context, argv);
    },
  };
  const cancel: CommandModule<GlobalArgs, RunsCancelArgs> = {
    command: 'cancel <id>',
    describe: messages.cancel.describe,
    builder: (yargs) =>
      common(yargs)
        .positional('id', { type: 'string', demandOption: true, describe: messages.cancel.id })
        .example(examples(messages.cancel.examples)) as unknown as Argv<RunsCancelArgs>,
    handler: async (argv) => {
      const { cancelRun } = await import('./action.js');
      await cancelRun(context, argv);
    },
  };
  return {
    command: 'runs',
    describe: messages.describe,
    builder: (yargs) =>
      yargs
        .command(list as unknown as CommandModule<GlobalArgs, GlobalArgs>)
        .command(get as unknown as CommandModule<GlobalArgs, GlobalArgs>)
        .command(watch as unknown as CommandModule<GlobalArgs, GlobalArgs>)
        .command(cancel as unknown as CommandModule<GlobalArgs, GlobalArgs>)
        .demandCommand(1, messages.missingSubcommand),
    handler: () => {},
  };
}

/** `craft-jobs runs list | get | watch | cancel`. */
export const runsCommand: CommandSpec = {
  name: 'runs',
  subcommands: ['list', 'get', 'watch', 'cancel'],
  create: (context) => defineCommand(createRunsCommand(context)),
};
