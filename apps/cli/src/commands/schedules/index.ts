import type { Argv, CommandModule } from 'yargs';
import {
  type CommandContext,
  type CommandSpec,
  defineCommand,
  type GlobalArgs,
  lastValue,
} from '../../lib/command.js';
import {
  type DatabaseArgs,
  databaseOptions,
  type IdempotencyArgs,
  type IfVersionArgs,
  idempotencyKeyOption,
  ifVersionOption,
  type JobsArgs,
  type JsonArgs,
  jobsOptions,
  jsonOption,
} from '../../lib/options.js';
import { messages } from './messages.js';

/** Arguments every `schedules` subcommand has. */
export interface SchedulesArgs extends GlobalArgs, DatabaseArgs, JsonArgs {}

/** Arguments of `schedules list`. */
export interface ListArgs extends SchedulesArgs {
  enabled: boolean | undefined;
  disabled: boolean | undefined;
  'job-type': string | undefined;
}

/** Arguments of the subcommands that name one schedule (`--if-version` on delete, enable and disable). */
export interface NamedArgs extends SchedulesArgs, Partial<JobsArgs>, Partial<IfVersionArgs> {
  name: string;
}

/** Arguments of `schedules disable`. */
export interface DisableArgs extends NamedArgs {
  reason: string | undefined;
}

/** Arguments of `schedules apply`. */
export interface ApplyArgs extends SchedulesArgs, Partial<JobsArgs> {
  file: string;
  'dry-run': boolean;
  prune: boolean;
}

/** Arguments of `schedules export`. */
export interface ExportArgs extends SchedulesArgs {
  output: string | undefined;
}

/**
 * The schedule-field flags of `create` and `update` (each `undefined` when not given), `--idempotency-key` of
 * `create` and `--if-version` of `update`.
 */
export interface FieldArgs extends SchedulesArgs, JobsArgs, Partial<IdempotencyArgs>, Partial<IfVersionArgs> {
  name: string | undefined;
  cron: string | undefined;
  'job-type': string | undefined;
  param: string[] | undefined;
  params: string | undefined;
  description: string | undefined;
  timezone: string | undefined;
  'max-attempts': string | undefined;
  'timeout-seconds': string | undefined;
  chain: string[] | undefined;
  'missed-run-policy': string | undefined;
  'catch-up-window-seconds': string | undefined;
  'max-catch-up-runs': string | undefined;
  'dst-gap': string | undefined;
  'dst-overlap': string | undefined;
  'jitter-seconds': string | undefined;
  'pause-after-failures': string | undefined;
  'overlap-policy': string | undefined;
  disabled: boolean | undefined;
  enabled: boolean | undefined;
  file: string | undefined;
}

/** Arguments of `schedules backfill`. */
export interface BackfillArgs extends SchedulesArgs, JobsArgs {
  name: string;
  from: string | undefined;
  to: string | undefined;
  'max-slots': string | undefined;
  concurrency: string | undefined;
  wait: boolean;
  quiet: boolean;
}

type Subcommand =
  | 'list'
  | 'get'
  | 'create'
  | 'update'
  | 'delete'
  | 'enable'
  | 'disable'
  | 'apply'
  | 'export'
  | 'backfill';

const examples = (list: readonly (readonly [string, string])[]) =>
  list.map(([command, text]) => [command, text] as [string, string]);

function common<T>(yargs: Argv<T>): Argv<T & SchedulesArgs> {
  return jsonOption(databaseOptions(yargs), messages.json) as unknown as Argv<T & SchedulesArgs>;
}

function text(yargs: Argv<unknown>, name: string, describe: string): Argv<unknown> {
  return yargs.option(name, { type: 'string', requiresArg: false, coerce: lastValue, describe });
}

/** The schedule-field flags (`--cron`, `--job-type`, …); `--name` only for `create`. */
function fieldOptions(yargs: Argv<unknown>, create: boolean): Argv<unknown> {
  const f = messages.fields;
  let y = yargs;
  if (create) y = text(y, 'name', f.name);
  y = text(y, 'cron', f.cron);
  y = text(y, 'job-type', f.jobType);
  y = y.option('param', { type: 'string', array: true, requiresArg: true, describe: f.param });
  y = text(y, 'params', f.params);
  y = text(y, 'description', f.description);
  y = text(y, 'timezone', f.timezone);
  y = text(y, 'max-attempts', f.maxAttempts);
  y = text(y, 'timeout-seconds', f.timeoutSeconds);
  y = y.option('chain', { type: 'string', array: true, describe: f.chain });
  y = text(y, 'missed-run-policy', f.missedRunPolicy);
  y = text(y, 'catch-up-window-seconds', f.catchUpWindowSeconds);
  y = text(y, 'max-catch-up-runs', f.maxCatchUpRuns);
  y = y.option('dst-gap', {
    type: 'string',
    requiresArg: true,
    coerce: lastValue,
    choices: ['skip', 'shift'],
    describe: f.dstGap,
  });
  y = y.option('dst-overlap', {
    type: 'string',
    requiresArg: true,
    coerce: lastValue,
    choices: ['first', 'last', 'both'],
    describe: f.dstOverlap,
  });
  y = text(y, 'jitter-seconds', f.jitterSeconds);
  y = text(y, 'pause-after-failures', f.pauseAfterFailures);
  y = text(y, 'overlap-policy', f.overlapPolicy);
  y = y.option('disabled', { type: 'boolean', describe: f.disabled });
  if (!create)
    y = y.option('enabled', { type: 'boolean', describe: f.enabled }).conflicts('enabled', 'disabled');
  y = text(y, 'file', f.file);
  return y.group(
    [
      ...(create ? ['name'] : []),
      'cron',
      'job-type',
      'param',
      'params',
      'description',
      'timezone',
      'max-attempts',
      'timeout-seconds',
      'chain',
      'missed-run-policy',
      'catch-up-window-seconds',
      'max-catch-up-runs',
      'dst-gap',
      'dst-overlap',
      'jitter-seconds',
      'pause-after-failures',
      'overlap-policy',
      'disabled',
      ...(create ? [] : ['enabled']),
      'file',
    ],
    'Schedule fields:',
  );
}

function subcommand<A>(
  context: CommandContext,
  name: Subcommand,
  command: string,
  describe: string,
  builder: (yargs: Argv<GlobalArgs>) => Argv<unknown>,
  examplesList: readonly (readonly [string, string])[],
): CommandModule<GlobalArgs, A> {
  return {
    command,
    describe,
    builder: (yargs) => builder(yargs).example(examples(examplesList)) as unknown as Argv<A>,
    handler: async (argv) => {
      // The scheduler and the database driver load only now, so `--help` stays fast.
      if (name === 'backfill') {
        const { backfill } = await import('./backfill.js');
        await backfill(context, argv as never);
        return;
      }
      const actions = await import('./action.js');
      await actions[name](context, argv as never);
    },
  };
}

function createSchedulesCommand(context: CommandContext): CommandModule<GlobalArgs, GlobalArgs> {
  const named = (y: Argv<GlobalArgs>) =>
    common(y.positional('name', { type: 'string', demandOption: true, describe: messages.name }));
  return {
    command: 'schedules',
    describe: messages.describe,
    builder: (yargs) =>
      yargs
        .command(
          subcommand<ListArgs>(
            context,
            'list',
            'list',
            messages.list.describe,
            (y) =>
              common(y)
                .option('enabled', { type: 'boolean', describe: messages.list.enabled })
                .option('disabled', { type: 'boolean', describe: messages.list.disabled })
                .conflicts('enabled', 'disabled')
                .option('job-type', {
                  type: 'string',
                  requiresArg: true,
                  coerce: lastValue,
                  describe: messages.list.jobType,
                }) as Argv<unknown>,
            messages.list.examples,
          ),
        )
        .command(
          subcommand<NamedArgs>(
            context,
            'get',
            'get <name>',
            messages.get.describe,
            (y) => named(y) as Argv<unknown>,
            messages.get.examples,
          ),
        )
        .command(
          subcommand<FieldArgs>(
            context,
            'create',
            'create',
            messages.create.describe,
            (y) =>
              idempotencyKeyOption(
                jobsOptions(common(fieldOptions(y as Argv<unknown>, true))),
                messages.create.idempotencyKey,
              ) as Argv<unknown>,
            messages.create.examples,
          ),
        )
        .command(
          subcommand<FieldArgs>(
            context,
            'update',
            'update <name>',
            messages.update.describe,
            (y) =>
              ifVersionOption(
                jobsOptions(
                  common(
                    fieldOptions(
                      y.positional('name', {
                        type: 'string',
                        demandOption: true,
                        describe: messages.name,
                      }) as Argv<unknown>,
                      false,
                    ),
                  ),
                ),
                messages.update.ifVersion,
              ) as Argv<unknown>,
            messages.update.examples,
          ),
        )
        .command(
          subcommand<NamedArgs>(
            context,
            'delete',
            'delete <name>',
            messages.delete.describe,
            (y) => ifVersionOption(named(y), messages.ifVersion) as Argv<unknown>,
            messages.delete.examples,
          ),
        )
        .command(
          subcommand<NamedArgs>(
            context,
            'enable',
            'enable <name>',
            messages.enable.describe,
            (y) => ifVersionOption(jobsOptions(named(y)), messages.ifVersion) as Argv<unknown>,
            messages.enable.examples,
          ),
        )
        .command(
          subcommand<DisableArgs>(
            context,
            'disable',
            'disable <name>',
            messages.disable.describe,
            (y) =>
              ifVersionOption(jobsOptions(named(y)), messages.ifVersion).option('reason', {
                type: 'string',
                requiresArg: true,
                coerce: lastValue,
                describe: messages.disable.reason,
              }) as Argv<unknown>,
            messages.disable.examples,
          ),
        )
        .command(
          subcommand<ApplyArgs>(
            context,
            'apply',
            'apply <file>',
            messages.apply.describe,
            (y) =>
              jobsOptions(
                common(
                  y
                    .positional('file', { type: 'string', demandOption: true, describe: messages.apply.file })
                    .option('dry-run', { type: 'boolean', default: false, describe: messages.apply.dryRun })
                    .option('prune', { type: 'boolean', default: false, describe: messages.apply.prune }),
                ),
              ) as Argv<unknown>,
            messages.apply.examples,
          ),
        )
        .command(
          subcommand<ExportArgs>(
            context,
            'export',
            'export',
            messages.export.describe,
            (y) =>
              common(y).option('output', {
                type: 'string',
                alias: 'o',
                requiresArg: true,
                coerce: lastValue,
                describe: messages.export.output,
              }) as Argv<unknown>,
            messages.export.examples,
          ),
        )
        .command(
          subcommand<BackfillArgs>(
            context,
            'backfill',
            'backfill <name>',
            messages.backfill.describe,
            (y) =>
              jobsOptions(named(y))
                .option('from', {
                  type: 'string',
                  requiresArg: true,
                  coerce: lastValue,
                  describe: messages.backfill.from,
                })
                .option('to', {
                  type: 'string',
                  requiresArg: true,
                  coerce: lastValue,
                  describe: messages.backfill.to,
                })
                .option('max-slots', {
                  type: 'string',
                  requiresArg: true,
                  coerce: lastValue,
                  describe: messages.backfill.maxSlots,
                })
                .option('concurrency', {
                  type: 'string',
                  requiresArg: true,
                  coerce: lastValue,
                  describe: messages.backfill.concurrency,
                })
                .option('wait', { type: 'boolean', default: false, describe: messages.backfill.wait })
                .option('quiet', {
                  alias: 'q',
                  type: 'boolean',
                  default: false,
                  describe: messages.backfill.quiet,
                })
                .demandOption(['from', 'to']) as Argv<unknown>,
            messages.backfill.examples,
          ),
        )
        .demandCommand(1, messages.missingSubcommand),
    handler: () => {},
  };
}

/** `craft-jobs schedules list | get | create | update | delete | enable | disable | apply | export | backfill`. */
export const schedulesCommand: CommandSpec = {
  name: 'schedules',
  subcommands: [
    'list',
    'get',
    'create',
    'update',
    'delete',
    'enable',
    'disable',
    'apply',
    'export',
    'backfill',
  ],
  create: (context) => defineCommand(createSchedulesCommand(context)),
};
