// `craft-jobs schedules apply FILE [--dry-run] [--prune]` and `schedules export`: schedules as code (spec section
// 10) over the library's `syncSchedules()`. The file is JSON: `{ "schedules": [ … ] }` (what export writes) or an
// array, each entry a schedule with the REST API's snake_case fields.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type JobSchedule,
  SCHEDULE_FIELD_TO_RECORD,
  SCHEDULE_VERSIONED_FIELDS,
  type ScheduleInput,
  type SyncChange,
  scheduleInputFromRecord,
  syncSchedules,
} from '@craft/scheduler';
import type { CommandContext } from '../../lib/command.js';
import { InvalidArgumentError } from '../../lib/errors.js';
import type { Output, Styler } from '../../lib/output.js';
import { withEngine } from './engine.js';
import type { ApplyArgs, ExportArgs } from './index.js';
import { messages } from './messages.js';

/** The user fields export writes, in the order of the REST API's schedule (runtime state is left out). */
const EXPORTED: readonly (keyof JobSchedule)[] = ['jobName', ...SCHEDULE_VERSIONED_FIELDS];

/** A schedule as a definition of the file format (user fields only). */
export function scheduleDefinition(s: JobSchedule): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of EXPORTED) out[SCHEDULE_FIELD_TO_RECORD[key]] = s[key];
  return out;
}

function readDefinitions(context: CommandContext, file: string): ScheduleInput[] {
  const path = resolve(context.io.cwd(), file);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new InvalidArgumentError('<file>', file, messages.badFile(path, reason), { cause });
  }
  const list = Array.isArray(data) ? data : (data as { schedules?: unknown } | null)?.schedules;
  if (!Array.isArray(list)) {
    throw new InvalidArgumentError('<file>', file, messages.badFile(path, messages.apply.notObject));
  }
  return list.map((entry, i) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new InvalidArgumentError('<file>', file, messages.badFile(path, messages.apply.notEntry(i)));
    }
    // Unknown and server-managed fields are refused with the API's message; runtime fields are ignored.
    return scheduleInputFromRecord(entry as Record<string, unknown>) as unknown as ScheduleInput;
  });
}

const value = (v: unknown) => JSON.stringify(v) ?? 'null';

/** The diff of a sync, for people: one block per schedule that changes or is reported. */
export function formatDiff(changes: readonly SyncChange[], style: Styler): string {
  const lines: string[] = [];
  for (const c of changes) {
    switch (c.action) {
      case 'create':
        lines.push(style('green', `+ create ${c.jobName}`));
        for (const f of c.fields) lines.push(style('green', `    ${f.field}: ${value(f.to)}`));
        break;
      case 'update':
        lines.push(style('yellow', `~ update ${c.jobName}${c.note ? ` (${c.note})` : ''}`));
        for (const f of c.fields) lines.push(`    ${f.field}: ${value(f.from)} → ${value(f.to)}`);
        break;
      case 'delete':
        lines.push(style('red', `- delete ${c.jobName}`));
        break;
      case 'kept-paused':
        lines.push(style('cyan', `! keep paused ${c.jobName}: ${c.note ?? ''}`));
        for (const f of c.fields) lines.push(`    ${f.field}: ${value(f.from)} → ${value(f.to)}`);
        break;
      case 'unmanaged':
        lines.push(style('dim', `? leave ${c.jobName}: ${c.note ?? ''}`));
        break;
      default:
        lines.push(style('dim', `= unchanged ${c.jobName}`));
    }
  }
  return lines.join('\n');
}

const counts = (changes: readonly SyncChange[]) =>
  changes.filter(
    (c) =>
      c.action !== 'unchanged' &&
      c.action !== 'unmanaged' &&
      !(c.action === 'kept-paused' && c.fields.length === 0),
  ).length;

function printPlan(output: Output, changes: readonly SyncChange[]): void {
  output.print(changes.length === 0 ? messages.apply.nothing : formatDiff(changes, output.style));
}

/** `schedules apply <file> [--dry-run] [--prune]`. */
export function apply(context: CommandContext, argv: ApplyArgs): Promise<void> {
  const definitions = readDefinitions(context, argv.file);
  return withEngine(
    context,
    argv,
    'schedules apply',
    { jobs: true, writes: !argv['dry-run'] },
    async (engine, output) => {
      const options = { prune: argv.prune, by: 'sync' };
      // The diff first, then the writes (the plan is computed again by the write, from the same state).
      const plan = await syncSchedules(engine.scheduler, definitions, { ...options, dryRun: true });
      const n = counts(plan.changes);
      if (argv['dry-run'] || n === 0) {
        if (argv.json) output.json({ applied: false, changes: plan.changes });
        else {
          printPlan(output, plan.changes);
          if (n > 0) output.print(messages.apply.dryRunDone(n));
        }
        return;
      }
      if (!argv.json) printPlan(output, plan.changes);
      const done = await syncSchedules(engine.scheduler, definitions, options);
      if (argv.json) output.json({ applied: true, changes: done.changes });
      else output.print(messages.apply.done(counts(done.changes)));
    },
  );
}

/** `schedules export [-o FILE]`. */
export function exportSchedules(context: CommandContext, argv: ExportArgs): Promise<void> {
  return withEngine(
    context,
    argv,
    'schedules export',
    { jobs: false, writes: false },
    async (engine, output) => {
      const schedules = await engine.scheduler.schedules.list();
      const text = `${JSON.stringify({ schedules: schedules.map(scheduleDefinition) }, null, 2)}\n`;
      if (argv.output === undefined) {
        context.io.stdout.write(text);
        return;
      }
      const path = resolve(context.io.cwd(), argv.output);
      writeFileSync(path, text);
      output.print(messages.export.written(schedules.length, path));
    },
  );
}
