import type { CommandModule } from 'yargs';
import { type CommandContext, configFor, type GlobalArgs, lastValue, outputFor } from '../../lib/command.js';
import { InvalidArgumentError } from '../../lib/errors.js';
import { formatTable } from '../../lib/output.js';
import { countArg, expressionArg, instantArg } from './args.js';
import { messages } from './messages.js';

interface NextArgs extends GlobalArgs {
  expr: string;
  tz: string | undefined;
  count: string | undefined;
  from: string | undefined;
  json: boolean;
  'dst-gap': string | undefined;
  'dst-overlap': string | undefined;
  'jitter-seconds': string | undefined;
  'job-name': string | undefined;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** `2027-03-28T02:30` → `Sun 2027-03-28 02:30` (the weekday of a wall date, whatever the zone). */
function wallTime(local: string): string {
  const weekday = WEEKDAYS[new Date(`${local}:00Z`).getUTCDay()] ?? '';
  return `${weekday} ${local.replace('T', ' ')}`;
}

/** `--jitter-seconds`: an integer 0–3600 (default 0). */
function jitterArg(text: string | undefined): number {
  if (text === undefined) return 0;
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n > 3600) {
    throw new InvalidArgumentError(
      '--jitter-seconds',
      text,
      `--jitter-seconds: "${text}" is not a whole number of seconds from 0 to 3600`,
    );
  }
  return n;
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
        .option('dst-gap', {
          type: 'string',
          requiresArg: true,
          coerce: lastValue,
          choices: ['skip', 'shift'],
          describe: messages.next.dstGap,
        })
        .option('dst-overlap', {
          type: 'string',
          requiresArg: true,
          coerce: lastValue,
          choices: ['first', 'last', 'both'],
          describe: messages.next.dstOverlap,
        })
        .option('jitter-seconds', {
          type: 'string',
          requiresArg: true,
          coerce: lastValue,
          describe: messages.next.jitterSeconds,
        })
        .option('job-name', {
          type: 'string',
          requiresArg: true,
          coerce: lastValue,
          describe: messages.next.jobName,
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
      // yargs restricts both to their choices.
      const dstGap = (argv['dst-gap'] ?? 'skip') as 'skip' | 'shift';
      const dstOverlap = (argv['dst-overlap'] ?? 'first') as 'first' | 'last' | 'both';
      const jitterSeconds = jitterArg(argv['jitter-seconds']);
      if (jitterSeconds > 0 && !argv['job-name']) {
        throw new InvalidArgumentError(
          '--jitter-seconds',
          String(jitterSeconds),
          messages.next.jitterNeedsName,
        );
      }
      const result = explainRuns(expression, { from, count, timezone: timezone.value, dstGap, dstOverlap });
      // Jitter offsets come from the scheduler (loaded only when asked for): the same function the engine uses.
      const offsetOf =
        jitterSeconds > 0
          ? ((await import('@craft/scheduler')).jitterOffsetMs as (n: string, s: Date, j: number) => number)
          : () => 0;
      const jitterMs = (at: Date) => offsetOf(argv['job-name'] ?? '', at, jitterSeconds);

      if (argv.json) {
        output.json({
          expression,
          timezone: result.timezone,
          from: from.toISOString(),
          dst_gap: dstGap,
          dst_overlap: dstOverlap,
          jitter_seconds: jitterSeconds,
          runs: result.runs.map((run) => ({
            local: run.local,
            offset: run.offset,
            utc: run.at.toISOString(),
            wall_time: run.wallTime,
            dst: run.dst,
            due_at: new Date(run.at.getTime() + jitterMs(run.at)).toISOString(),
          })),
          shifted: result.shifted.map((slot) => ({
            local: slot.local,
            reason: slot.reason,
            utc: slot.at.toISOString(),
            run_local: slot.runLocal,
            message: slot.message,
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
      const runRows: Row[] = result.runs.map((run, i) => {
        const notes: string[] = [];
        if (run.dst === 'shifted') {
          const stands = result.shifted
            .filter((x) => x.at.getTime() === run.at.getTime())
            .map((x) => x.local);
          const wall = (stands.length > 0 ? stands : [run.wallTime]).map((l) => l.slice(11)).join(', ');
          notes.push(style('yellow', messages.next.shifted(wall)));
        } else if (run.dst !== null && dstOverlap !== 'first') {
          notes.push(style('cyan', messages.next.occurrence(run.dst)));
        }
        const offset = jitterMs(run.at);
        if (offset > 0) {
          const starts = new Date(run.at.getTime() + offset).toISOString().replace(/\.\d{3}Z$/, 'Z');
          notes.push(style('dim', messages.next.jitter(starts, (offset / 1000).toFixed(1))));
        }
        return {
          local: run.local,
          cells: [
            String(i + 1),
            `${wallTime(run.local)} ${run.offset}`,
            run.at.toISOString().replace('.000Z', 'Z'),
            notes.join('; '),
          ],
        };
      });
      // Runs are in time order (a repeated wall time under dst-overlap both appears twice); each skipped wall time
      // goes before the first run whose wall time is later.
      const rows: Row[] = [...runRows];
      for (const slot of result.skipped) {
        const at = rows.findIndex((row) => row.cells[0] !== '-' && row.local > slot.local);
        const row = {
          local: slot.local,
          cells: [
            style('yellow', '-'),
            style('yellow', wallTime(slot.local)),
            style('yellow', messages.next.skipped(slot.message)),
            '',
          ],
        };
        rows.splice(at < 0 ? rows.length : at, 0, row);
      }
      const withNotes = rows.some((row) => row.cells[3] !== '');
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
            ...(withNotes ? [{ header: messages.next.notesHeader }] : []),
          ],
          rows.map((row) => (withNotes ? row.cells : row.cells.slice(0, 3))),
          style,
        ),
      );
    },
  };
}
