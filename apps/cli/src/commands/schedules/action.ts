// The work of `craft-jobs schedules …`, loaded on use: `ScheduleService` over the database, which validates every
// change with the same typed errors (and messages) as the REST API.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type JobSchedule,
  type PreviewRun,
  type ScheduleInput,
  scheduleInputFromRecord,
} from '@craft/scheduler';
import type { CommandContext } from '../../lib/command.js';
import type { Engine } from '../../lib/engine.js';
import { InvalidArgumentError, UsageError } from '../../lib/errors.js';
import { idempotencyOf, ifVersionOf } from '../../lib/idempotency.js';
import type { Output } from '../../lib/output.js';
import { nullableText, numberField, parseParams } from '../../lib/params.js';
import { iso, scheduleDetails, scheduleJson, schedulesTable } from '../../lib/views.js';
import { withEngine } from './engine.js';
import type { DisableArgs, FieldArgs, ListArgs, NamedArgs } from './index.js';
import { messages } from './messages.js';

type Input = Partial<Record<keyof ScheduleInput, unknown>>;

/** Who the CLI records as `updated_by` / `paused_by` (spec section 10). */
const CLI = 'cli';

/** Prints a schedule: its JSON record, or a confirmation line and (for `get`) the details. */
async function show(
  engine: Engine,
  output: Output,
  schedule: JobSchedule,
  json: boolean,
  headline?: string,
): Promise<void> {
  if (json) {
    output.json(scheduleJson(schedule));
    return;
  }
  if (headline !== undefined) output.print(headline);
  const { describeCron } = await import('@craft/cron');
  let cronDescription: string | undefined;
  let nextRuns: PreviewRun[] = [];
  try {
    cronDescription = describeCron(schedule.cronExpression);
    nextRuns = schedule.isEnabled ? engine.scheduler.schedules.explain(schedule, { count: 3 }).runs : [];
  } catch {
    // A schedule written straight into the database may have an invalid expression or zone; show it as it is.
  }
  output.print(
    scheduleDetails(
      schedule,
      { defaultTimezone: engine.scheduler.timezone, cronDescription, nextRuns },
      output.style,
    ),
  );
}

function readScheduleFile(context: CommandContext, file: string): Input {
  const path = resolve(context.io.cwd(), file);
  let record: unknown;
  try {
    record = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new InvalidArgumentError('--file', file, messages.badFile(path, reason), { cause });
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new InvalidArgumentError(
      '--file',
      file,
      messages.badFile(path, 'expected one JSON object of schedule fields'),
    );
  }
  // Unknown fields are rejected here, with the API's message; managed fields (next_run_at, …) are ignored.
  return scheduleInputFromRecord(record as Record<string, unknown>);
}

/** The fields given as flags, over the fields of `--file`; `parameters` over `baseParameters` for `--param`. */
function inputFromFlags(
  context: CommandContext,
  argv: FieldArgs,
  baseParameters: Record<string, unknown>,
): Input {
  const input: Input = argv.file === undefined ? {} : readScheduleFile(context, argv.file);
  const set = (key: keyof ScheduleInput, value: unknown) => {
    if (value !== undefined) input[key] = value;
  };
  set('jobName', argv.name);
  set('cronExpression', argv.cron);
  set('jobType', argv['job-type']);
  set('description', nullableText(argv.description));
  set('timezone', nullableText(argv.timezone));
  set('maxAttempts', numberField(argv['max-attempts']));
  set('timeoutSeconds', numberField(argv['timeout-seconds']));
  set('missedRunPolicy', argv['missed-run-policy']);
  set('catchUpWindowSeconds', numberField(argv['catch-up-window-seconds']));
  set('maxCatchUpRuns', numberField(argv['max-catch-up-runs']));
  set('dstGap', argv['dst-gap']);
  set('dstOverlap', argv['dst-overlap']);
  set('jitterSeconds', numberField(argv['jitter-seconds']));
  set('pauseAfterFailures', numberField(argv['pause-after-failures']));
  set('overlapPolicy', argv['overlap-policy']);
  if (argv.chain !== undefined) input.chain = argv.chain.map(String).filter((name) => name !== '');
  if (argv.params !== undefined) {
    input.parameters = parseParams(argv.params, argv.param);
  } else if (argv.param !== undefined) {
    const base = (input.parameters ?? baseParameters) as Record<string, unknown>;
    input.parameters = { ...base, ...parseParams(undefined, argv.param) };
  }
  if (argv.disabled === true) input.isEnabled = false;
  if (argv.enabled === true || argv.disabled === false) input.isEnabled = true;
  return input;
}

/** `schedules list`. */
export function list(context: CommandContext, argv: ListArgs): Promise<void> {
  return withEngine(
    context,
    argv,
    'schedules list',
    { jobs: false, writes: false },
    async (engine, output) => {
      const enabled = argv.enabled === true ? true : argv.disabled === true ? false : undefined;
      const schedules = await engine.scheduler.schedules.list({
        ...(enabled === undefined ? {} : { enabled }),
        ...(argv['job-type'] === undefined ? {} : { jobType: argv['job-type'] }),
      });
      if (argv.json) output.json(schedules.map(scheduleJson));
      else
        output.print(schedules.length === 0 ? messages.list.none : schedulesTable(schedules, output.style));
    },
  );
}

/** `schedules get <name>`. */
export function get(context: CommandContext, argv: NamedArgs): Promise<void> {
  return withEngine(
    context,
    argv,
    'schedules get',
    { jobs: false, writes: false },
    async (engine, output) => {
      await show(engine, output, await engine.scheduler.schedules.get(String(argv.name)), argv.json);
    },
  );
}

/** `schedules create`. */
export function create(context: CommandContext, argv: FieldArgs): Promise<void> {
  const input = inputFromFlags(context, argv, {});
  const missing = [
    ['jobName', '--name (job_name)'],
    ['cronExpression', '--cron (cron_expression)'],
    ['jobType', '--job-type (job_type)'],
  ]
    .filter(([key]) => input[key as keyof ScheduleInput] === undefined)
    .map(([, flag]) => flag as string);
  if (missing.length > 0) throw new UsageError(messages.create.missing(missing));
  const idempotency = idempotencyOf(context, argv);
  return withEngine(
    context,
    argv,
    'schedules create',
    { jobs: true, writes: true },
    async (engine, output) => {
      // With a key, a retried invocation gets the schedule its first run created (not "exists").
      const schedule = await engine.scheduler.schedules.create(input as unknown as ScheduleInput, {
        ...idempotency,
        by: CLI,
      });
      await show(
        engine,
        output,
        schedule,
        argv.json,
        messages.create.done(schedule.jobName, iso(schedule.nextRunAt)),
      );
    },
  );
}

/** `schedules update <name>`: a partial update (the fields given). */
export function update(context: CommandContext, argv: FieldArgs): Promise<void> {
  const name = String(argv.name);
  const ifVersion = ifVersionOf(argv);
  return withEngine(
    context,
    argv,
    'schedules update',
    { jobs: true, writes: true },
    async (engine, output) => {
      const service = engine.scheduler.schedules;
      const current = await service.get(name);
      const { jobName, ...patch } = inputFromFlags(context, { ...argv, name: undefined }, current.parameters);
      if (jobName !== undefined && jobName !== name) {
        throw new InvalidArgumentError(
          '--file',
          String(argv.file),
          messages.update.rename(name, String(jobName)),
        );
      }
      if (Object.keys(patch).length === 0) throw new UsageError(messages.update.nothing(name));
      // The change is built from the schedule as read: it applies only to that version (compare-and-set), so a
      // change someone made meanwhile is refused (exit 75), never overwritten.
      const schedule = await service.patch(name, patch as never, {
        ifVersion: ifVersion ?? current.version,
        by: CLI,
      });
      await show(engine, output, schedule, argv.json, messages.update.done(name, iso(schedule.nextRunAt)));
    },
  );
}

/** `schedules delete <name>`. */
export function remove(context: CommandContext, argv: NamedArgs): Promise<void> {
  return withEngine(
    context,
    argv,
    'schedules delete',
    { jobs: false, writes: true },
    async (engine, output) => {
      const deleted = await engine.scheduler.schedules.delete(String(argv.name), {
        ifVersion: ifVersionOf(argv),
      });
      if (argv.json) output.json(scheduleJson(deleted));
      else output.print(messages.delete.done(deleted.jobName));
    },
  );
}
export { remove as delete };

/** `schedules enable <name>`. */
export function enable(context: CommandContext, argv: NamedArgs): Promise<void> {
  return withEngine(
    context,
    argv,
    'schedules enable',
    { jobs: true, writes: true },
    async (engine, output) => {
      const schedule = await engine.scheduler.schedules.enable(String(argv.name), {
        ifVersion: ifVersionOf(argv),
        by: CLI,
      });
      if (argv.json) output.json(scheduleJson(schedule));
      else output.print(messages.enable.done(schedule.jobName, iso(schedule.nextRunAt)));
    },
  );
}

/** `schedules disable <name>`. */
export function disable(context: CommandContext, argv: DisableArgs): Promise<void> {
  return withEngine(
    context,
    argv,
    'schedules disable',
    { jobs: true, writes: true },
    async (engine, output) => {
      const schedule = await engine.scheduler.schedules.disable(String(argv.name), {
        ifVersion: ifVersionOf(argv),
        by: CLI,
        ...(argv.reason === undefined ? {} : { reason: argv.reason }),
      });
      if (argv.json) output.json(scheduleJson(schedule));
      else output.print(messages.disable.done(schedule.jobName, schedule.pausedReason));
    },
  );
}

export { apply, exportSchedules as export } from './as-code.js';
