import { type CommandSpec, defineCommand } from '../../lib/command.js';
import { createConvertCommand } from './convert.js';
import { createExplainCommand } from './explain.js';
import { messages } from './messages.js';
import { createNextCommand } from './next.js';

/** `craft-jobs cron next | explain | convert`. */
export const cronCommand: CommandSpec = {
  name: 'cron',
  subcommands: ['next', 'explain', 'convert'],
  create: (context) =>
    defineCommand({
      command: 'cron',
      describe: messages.describe,
      builder: (yargs) =>
        yargs
          .command(createNextCommand(context))
          .command(createExplainCommand(context))
          .command(createConvertCommand(context))
          .demandCommand(1, messages.missingSubcommand),
      handler: () => {},
    }),
};
