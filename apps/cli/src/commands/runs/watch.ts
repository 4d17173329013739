// The work of `craft-jobs runs watch`, loaded on use: follows the store's event log (spec section 12) straight
// from the database, as the API's GET /jobs/events does, until SIGINT or SIGTERM.
import { EventFeed, eventFilter, formatEventCursor, isEventLogStore } from '@craft/scheduler';
import { type CommandContext, outputFor } from '../../lib/command.js';
import { engineConfig, openEngine } from '../../lib/engine.js';
import { InvalidArgumentError, NoDatabaseError } from '../../lib/errors.js';
import { createCliLogger } from '../../lib/logger.js';
import { engineFlags } from '../../lib/options.js';
import { createProgress } from '../../lib/progress.js';
import { signalExitStatus, watchStopSignals } from '../../lib/signals.js';
import type { RunsWatchArgs } from './index.js';
import { messages } from './messages.js';
import { createWatchView } from './watch-view.js';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since`: an ISO 8601 instant, or a duration before now (`90s`, `15m`, `2h`, `1d`). */
export function parseSince(value: string | undefined, now: Date): Date | undefined {
  if (value === undefined) return undefined;
  const rel = /^\s*(\d+)\s*([smhd])\s*$/.exec(value);
  if (rel) return new Date(now.getTime() - Number(rel[1]) * (UNITS[rel[2] as string] as number));
  if (/^\d{4}-\d{2}-\d{2}/.test(value.trim())) {
    const t = Date.parse(value);
    if (!Number.isNaN(t)) return new Date(t);
  }
  throw new InvalidArgumentError('--since', value, messages.watch.badSince(value));
}

/** `--type`: event types, repeatable or comma-separated (`area:action`; the list is open). */
export function parseTypes(values: readonly string[] | undefined): string[] | undefined {
  if (values === undefined) return undefined;
  const out: string[] = [];
  for (const value of values.flatMap((v) => String(v).split(/[\s,]+/)).filter(Boolean)) {
    if (!/^[a-z][a-z_]*:[a-z][a-z_]*$/.test(value)) {
      throw new InvalidArgumentError('--type', value, messages.watch.badType(value));
    }
    if (!out.includes(value)) out.push(value);
  }
  return out;
}

/** `runs watch`. */
export async function watchRuns(context: CommandContext, argv: RunsWatchArgs): Promise<void> {
  const output = outputFor(context, argv);
  const since = parseSince(argv.since, context.io.now());
  const types = parseTypes(argv.type);
  if (since !== undefined && argv.after !== undefined) {
    throw new InvalidArgumentError('--after', argv.after, messages.watch.sinceAndAfter);
  }
  const config = await engineConfig(context, argv, engineFlags(argv));
  const logger = createCliLogger(createProgress(context.io), { verbose: argv.verbose });
  const engine = await openEngine(config, {
    command: 'runs watch',
    requireDatabase: true,
    // Read-only: it works with a read-only database user (the API's replicas create the event log's indexes).
    ensureIndexes: false,
    logger,
  });
  const store = engine.scheduler.store;
  let stopping: Promise<void> | undefined;
  try {
    if (!isEventLogStore(store)) throw new NoDatabaseError('runs watch', messages.watch.noEventLog);
    const feed = new EventFeed({ store, logger });
    const start = await feed.resolveStart({ lastEventId: argv.after, since });
    // Messages on stderr come first: the table redraws the lines below them in place.
    const database = engine.database.kind === 'mongodb' ? engine.database.db : 'memory';
    context.io.stderr.write(`${output.styleErr('dim', messages.watch.started(database))}\n`);
    if (start.reset) output.warn(messages.watch.reset(start.reset.lastEventId, start.reset.reason));
    const tty = context.io.stdout.isTTY === true && context.io.env['TERM'] !== 'dumb';
    const view = createWatchView({
      mode: argv.json ? 'json' : tty ? 'table' : 'lines',
      write: (text) => context.io.stdout.write(text),
      style: output.style,
      rows: (context.io.stdout as { rows?: number }).rows,
    });
    if (start.reset) view.reset(start.reset.reason, formatEventCursor(start.cursor));
    const ended = new Promise<void>((resolve) => {
      feed.subscribe(
        start.cursor,
        {
          event(event, id) {
            view.event(event, id);
            return true;
          },
          end: () => resolve(),
        },
        eventFilter({ jobName: argv['job-name'], types }),
      );
    });
    const signals = watchStopSignals(
      context.io,
      () => {
        stopping ??= feed.close();
      },
      () => {},
    );
    try {
      await ended;
    } finally {
      signals.dispose();
      view.close();
    }
    if (signals.received) {
      context.io.stderr.write(`${messages.watch.stopped(signals.received)}\n`);
      context.setExitStatus(signalExitStatus(signals.received));
    }
  } finally {
    await stopping;
    await engine.close();
  }
}
