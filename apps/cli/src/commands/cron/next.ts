import type { CommandModule } from 'yargs';
import { type CommandContext, configFor, type GlobalArgs, lastValue, outputFor } from '../../lib/command.js';
import { formatTable } from '../../lib/output.js';
import { countArg, expressionArg, instantArg } from './args.js';
import { messages } from './messages.js';

interface NextArgs extends GlobalArgs {
  expr: string;
  tz: string | undefined;
  count: string | undefined;
  from: string | undefined;
  json: boolean;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** `2027-03-28T02:30` → `Sun 2027-03-28 02:30` (the weekday of a wall date, whatever the zone). */
function wallTime(local: string): string {
  const weekday = WEEKDAYS[new Date(`${local}:00Z`).getUTCDay()] ?? '';
  return `${weekday} ${local.replace('T', ' ')}`;
}

/** `cron next <expr>`: the next runs in local time and UTC, with the slots DST skipped between them. */
export function createNextCommand(context: CommandContext): CommandModule<GlobalArgs, NextArgs> {
  return {
    command: 'next <expr>',
    describe: messages.next.describe,
    builder: (yargs) =>
      yargs
        // Extra positionals are checked in the handler, to say "quote the expression" rather than "unknown argument".
        .strict(false)
        .strictOptions()
        .positional('expr', { type: 'string', demandOption: true, describe: messages.next.expr })
        .option('tz', { type: 'string', requiresArg: true, coerce: lastValue, describe: messages.next.tz })
        .option('count', {
          type: 'string',
          requiresArg: true,
          coerce: lastValue,
          describe: `${messages.next.count} [default: 10]`,
        })
        .option('from', {
          type: 'string',
          requiresArg: true,
          coerce: lastValue,
          describe: messages.next.from,
        })
        .option('json', { type: 'boolean', default: false, describe: messages.next.json })
        .example(messages.next.examples.map(([cmd, text]) => [cmd, text] as [string, string])),
    handler: async (argv) => {
      // Loaded on use, so --help and other commands start faster.
      const { describeCron, explainRuns, parseCron } = await import('@craft/cron');
      const output = outputFor(context, argv);
      const expression = expressionArg('next', argv);
      parseCron(expression);
      const timezone = (await configFor(context, argv, { timezone: argv.tz })).get('timezone');
      output.debug(`timezone ${timezone.value} (from ${timezone.origin})`);
      const count = countArg(argv.count, 10);
      const from = instantArg(argv.from, context.io.now);
      const result = explainRuns(expression, { from, count, timezone: timezone.value });

      if (argv.json) {
        output.json({
          expression,
          timezone: result.timezone,
          from: from.toISOString(),
          runs: result.runs.map((run) => ({
            local: run.local,
            offset: run.offset,
            utc: run.at.toISOString(),
          })),
          skipped: result.skipped.map((slot) => ({
            local: slot.local,
            reason: slot.reason,
            message: slot.message,
          })),
        });
        return;
      }

      const { style } = output;
      type Row = { local: string; cells: string[] };
      const rows: Row[] = [
        ...result.runs.map((run, i) => ({
          local: run.local,
          cells: [
            String(i + 1),
            `${wallTime(run.local)} ${run.offset}`,
            run.at.toISOString().replace('.000Z', 'Z'),
          ],
        })),
        ...result.skipped.map((slot) => ({
          local: slot.local,
          cells: [
            style('yellow', '-'),
            style('yellow', wallTime(slot.local)),
            style('yellow', messages.next.skipped(slot.message)),
          ],
        })),
      ];
      // Under the DST policy each wall time runs at most once, so wall times order runs and skipped slots alike.
      rows.sort((a, b) => (a.local < b.local ? -1 : a.local > b.local ? 1 : 0));
      output.print(
        style(
          'dim',
          messages.next.heading(expression, describeCron(expression), result.timezone, from.toISOString()),
        ),
      );
      if (rows.length === 0) {
        output.print(messages.next.noRuns);
        return;
      }
      output.print(
        formatTable(
          [
            { header: '#', alignRight: true },
            { header: messages.next.localHeader(result.timezone) },
            { header: messages.next.utcHeader },
          ],
          rows.map((row) => row.cells),
          style,
        ),
      );
    },
  };
}
