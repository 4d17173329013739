import type { Argv } from 'yargs';
import { type CommandSpec, defineCommand, type GlobalArgs, lastValue } from '../../lib/command.js';
import { type DatabaseArgs, databaseOptions, type JsonArgs, jsonOption } from '../../lib/options.js';
import { messages } from './messages.js';

/** Arguments of `pause`. */
export interface PauseArgs extends GlobalArgs, DatabaseArgs, JsonArgs {
  reason: string | undefined;
}

/** Arguments of `resume`. */
export interface ResumeArgs extends GlobalArgs, DatabaseArgs, JsonArgs {
  'catch-up': boolean;
}

/** Arguments of `status`. */
export interface StatusArgs extends GlobalArgs, DatabaseArgs, JsonArgs {}

const examples = (list: readonly (readonly [string, string])[]) =>
  list.map(([c, t]) => [c, t] as [string, string]);

function common<T>(yargs: Argv<T>): Argv<T & DatabaseArgs & JsonArgs> {
  return jsonOption(databaseOptions(yargs), messages.json);
}

/** `craft-jobs pause [--reason TEXT]`: the global pause (spec section 10). */
export const pauseCommand: CommandSpec = {
  name: 'pause',
  subcommands: [],
  create: (context) =>
    defineCommand<PauseArgs>({
      command: 'pause',
      describe: messages.pause.describe,
      builder: (yargs) =>
        common(yargs)
          .option('reason', {
            type: 'string',
            requiresArg: true,
            coerce: lastValue,
            describe: messages.pause.reason,
          })
          .example(examples(messages.pause.examples)) as unknown as Argv<PauseArgs>,
      handler: async (argv) => {
        const { pause } = await import('./action.js');
        await pause(context, argv);
      },
    }),
};

/** `craft-jobs resume [--catch-up]`. */
export const resumeCommand: CommandSpec = {
  name: 'resume',
  subcommands: [],
  create: (context) =>
    defineCommand<ResumeArgs>({
      command: 'resume',
      describe: messages.resume.describe,
      builder: (yargs) =>
        common(yargs)
          .option('catch-up', { type: 'boolean', default: false, describe: messages.resume.catchUp })
          .example(examples(messages.resume.examples)) as unknown as Argv<ResumeArgs>,
      handler: async (argv) => {
        const { resume } = await import('./action.js');
        await resume(context, argv);
      },
    }),
};

/** `craft-jobs status`: the global pause and the paused schedules. */
export const statusCommand: CommandSpec = {
  name: 'status',
  subcommands: [],
  create: (context) =>
    defineCommand<StatusArgs>({
      command: 'status',
      describe: messages.status.describe,
      builder: (yargs) =>
        common(yargs).example(examples(messages.status.examples)) as unknown as Argv<StatusArgs>,
      handler: async (argv) => {
        const { status } = await import('./action.js');
        await status(context, argv);
      },
    }),
};
