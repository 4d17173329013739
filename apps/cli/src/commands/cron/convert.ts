import type { CommandModule } from 'yargs';
import { type CommandContext, type GlobalArgs, lastValue, outputFor } from '../../lib/command.js';
import { InvalidArgumentError } from '../../lib/errors.js';
import { messages } from './messages.js';

interface ConvertArgs extends GlobalArgs {
  'from-posix': string | undefined;
  'to-posix': string | undefined;
  json: boolean;
}

/** `cron convert --from-posix <expr>` / `--to-posix <expr>`: translate weekday numbering between dialects. */
export function createConvertCommand(context: CommandContext): CommandModule<GlobalArgs, ConvertArgs> {
  return {
    command: 'convert',
    describe: messages.convert.describe,
    builder: (yargs) =>
      yargs
        .option('from-posix', {
          type: 'string',
          requiresArg: true,
          coerce: lastValue,
          describe: messages.convert.fromPosix,
        })
        .option('to-posix', {
          type: 'string',
          requiresArg: true,
          coerce: lastValue,
          describe: messages.convert.toPosix,
        })
        .option('json', { type: 'boolean', default: false, describe: messages.convert.json })
        .example(messages.convert.examples.map(([cmd, text]) => [cmd, text] as [string, string])),
    handler: async (argv) => {
      const { fromPosix, toPosix } = await import('@craft/cron');
      const output = outputFor(context, argv);
      const posix = argv['from-posix'];
      const iso = argv['to-posix'];
      if ((posix === undefined) === (iso === undefined)) {
        throw new InvalidArgumentError('--from-posix/--to-posix', '', messages.convert.needOne);
      }
      const result =
        posix !== undefined
          ? { from: 'posix', to: 'iso', input: posix, output: fromPosix(posix) }
          : { from: 'iso', to: 'posix', input: iso as string, output: toPosix(iso as string) };
      if (argv.json) output.json(result);
      else output.print(result.output);
    },
  };
}
