import type { CommandModule } from 'yargs';
import { type CommandContext, type GlobalArgs, outputFor } from '../../lib/command.js';
import { formatTable } from '../../lib/output.js';
import { expressionArg } from './args.js';
import { messages } from './messages.js';

interface ExplainArgs extends GlobalArgs {
  expr: string;
  json: boolean;
}

/** `[0,1,2,3,5]` → `0-3,5`. */
export function compactValues(values: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < values.length) {
    let j = i;
    while (j + 1 < values.length && (values[j + 1] as number) === (values[j] as number) + 1) j++;
    const first = values[i] as number;
    const last = values[j] as number;
    parts.push(j === i ? String(first) : j === i + 1 ? `${first},${last}` : `${first}-${last}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** `cron explain <expr>`: an English description and each field's values. */
export function createExplainCommand(context: CommandContext): CommandModule<GlobalArgs, ExplainArgs> {
  return {
    command: 'explain <expr>',
    describe: messages.explain.describe,
    builder: (yargs) =>
      yargs
        // Extra positionals are checked in the handler, to say "quote the expression" rather than "unknown argument".
        .strict(false)
        .strictOptions()
        .positional('expr', {
          type: 'string',
          demandOption: true,
          describe: messages.explain.expr,
        })
        .option('json', { type: 'boolean', default: false, describe: messages.explain.json })
        .example(messages.explain.examples.map(([cmd, text]) => [cmd, text] as [string, string])),
    handler: async (argv) => {
      const { describeCron, describeFields } = await import('@craft/cron');
      const output = outputFor(context, argv);
      const expression = expressionArg('explain', argv);
      const description = describeCron(expression);
      const fields = describeFields(expression);
      if (argv.json) {
        output.json({
          expression,
          description,
          fields: fields.map((f) => ({ field: f.field, text: f.text, values: [...f.values] })),
        });
        return;
      }
      const { style } = output;
      output.print(style('bold', description));
      output.print('');
      output.print(
        formatTable(
          [
            { header: messages.explain.fieldHeader },
            { header: messages.explain.textHeader },
            { header: messages.explain.valuesHeader },
          ],
          fields.map((f) => [f.field, f.text, compactValues(f.values)]),
          style,
        ),
      );
    },
  };
}
