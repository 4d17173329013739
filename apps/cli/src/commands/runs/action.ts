// The work of `craft-jobs runs …`, loaded on use: the run history through `ScheduleService`.
import { RUN_STATUSES, RUN_TRIGGERS, type RunStatus, type RunTrigger } from '@craft/scheduler';
import { type CommandContext, outputFor } from '../../lib/command.js';
import { engineConfig, openEngine } from '../../lib/engine.js';
import { InvalidArgumentError } from '../../lib/errors.js';
import { createCliLogger } from '../../lib/logger.js';
import { engineFlags } from '../../lib/options.js';
import { createProgress } from '../../lib/progress.js';
import { runDetails, runJson, runsTable } from '../../lib/views.js';
import type { RunsCancelArgs, RunsGetArgs, RunsListArgs } from './index.js';
import { messages } from './messages.js';

function statuses(values: readonly string[] | undefined): RunStatus[] | undefined {
  if (values === undefined) return undefined;
  const out: RunStatus[] = [];
  for (const value of values.flatMap((v) => String(v).split(/[\s,]+/)).filter(Boolean)) {
    if (!(RUN_STATUSES as readonly string[]).includes(value)) {
      throw new InvalidArgumentError('--status', value, messages.list.badStatus(value, RUN_STATUSES));
    }
    if (!out.includes(value as RunStatus)) out.push(value as RunStatus);
  }
  return out;
}

function trigger(value: string | undefined): RunTrigger | undefined {
  if (value === undefined) return undefined;
  if (!(RUN_TRIGGERS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError('--trigger', value, messages.list.badTrigger(value, RUN_TRIGGERS));
  }
  return value as RunTrigger;
}

function limit(value: string | undefined): number {
  if (value === undefined) return 20;
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || n < 1 || n > 1000) {
    throw new InvalidArgumentError('--limit', value, messages.list.badLimit(value));
  }
  return n;
}

async function open(
  context: CommandContext,
  argv: RunsListArgs | RunsGetArgs | RunsCancelArgs,
  command: string,
) {
  const config = await engineConfig(context, argv, engineFlags(argv));
  return openEngine(config, {
    command,
    requireDatabase: true,
    ensureIndexes: false,
    logger: createCliLogger(createProgress(context.io), { verbose: argv.verbose }),
  });
}

/** `runs list`. */
export async function listRuns(context: CommandContext, argv: RunsListArgs): Promise<void> {
  const output = outputFor(context, argv);
  const status = statuses(argv.status);
  const byTrigger = trigger(argv.trigger);
  const max = limit(argv.limit);
  const engine = await open(context, argv, 'runs list');
  try {
    const runs = await engine.scheduler.schedules.listRuns({
      ...(argv.schedule === undefined ? {} : { jobName: argv.schedule }),
      ...(argv['job-type'] === undefined ? {} : { jobType: argv['job-type'] }),
      ...(status === undefined ? {} : { status }),
      ...(byTrigger === undefined ? {} : { trigger: byTrigger }),
      order: 'desc',
      limit: max,
    });
    if (argv.json) output.json(runs.map(runJson));
    else output.print(runs.length === 0 ? messages.list.none : runsTable(runs, output.style));
  } finally {
    await engine.close();
  }
}

/** `runs get <id>`. */
export async function getRun(context: CommandContext, argv: RunsGetArgs): Promise<void> {
  const output = outputFor(context, argv);
  const engine = await open(context, argv, 'runs get');
  try {
    const run = await engine.scheduler.schedules.getRun(String(argv.id));
    if (argv.json) output.json(runJson(run));
    else output.print(runDetails(run, output.style));
  } finally {
    await engine.close();
  }
}

/** `runs cancel <id>`: cancels now (a pending run nobody holds) or stores the request for the run's holder. */
export async function cancelRun(context: CommandContext, argv: RunsCancelArgs): Promise<void> {
  const output = outputFor(context, argv);
  const engine = await open(context, argv, 'runs cancel');
  try {
    const id = String(argv.id);
    const before = await engine.scheduler.schedules.getRun(id);
    const run = await engine.scheduler.cancelRun(id, { by: 'cli' });
    if (argv.json) output.json(runJson(run));
    else if (run.status !== 'cancelled')
      output.print(
        messages.cancel.requested(id, run.leaseOwner, Math.round(engine.scheduler.lockTtlMs / 3000)),
      );
    else
      output.print(
        before.status === 'cancelled' ? messages.cancel.already(id) : messages.cancel.cancelled(id),
      );
  } finally {
    await engine.close();
  }
}
