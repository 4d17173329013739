import { type CommandSpec, defineCommand } from '../../lib/command.js';
import type { CycleArgs } from '../../lib/cycle.js';
import { cycleOptions } from '../../lib/cycle-options.js';
import { messages } from './messages.js';

/** `craft-jobs check`: `checkAndRunDueJobs()` once. */
export const checkCommand: CommandSpec = {
  name: 'check',
  subcommands: [],
  create: (context) =>
    defineCommand<CycleArgs>({
      command: 'check',
      describe: messages.describe,
      builder: (yargs) =>
        cycleOptions(yargs, messages.json).example(
          messages.examples.map(([c, t]) => [c, t] as [string, string]),
        ),
      handler: async (argv) => {
        const { runCycle } = await import('../../lib/cycle.js');
        await runCycle(context, argv, 'check');
      },
    }),
};
