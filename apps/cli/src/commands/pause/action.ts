// The work of `craft-jobs pause`, `resume` and `status`, loaded on use: the ScheduleService's global pause over the
// database (the same switch the REST API and every replica read).
import type { CommandContext } from '../../lib/command.js';
import { formatTable } from '../../lib/output.js';
import { iso, pauseDetails, pauseJson, scheduleJson } from '../../lib/views.js';
import { withEngine } from '../schedules/engine.js';
import type { PauseArgs, ResumeArgs, StatusArgs } from './index.js';
import { messages } from './messages.js';

/** Who the CLI records as the one who paused or resumed. */
const CLI = 'cli';

/** `pause [--reason]`. */
export function pause(context: CommandContext, argv: PauseArgs): Promise<void> {
  return withEngine(context, argv, 'pause', { jobs: false, writes: true }, async (engine, output) => {
    const state = await engine.scheduler.schedules.pauseAll({
      by: CLI,
      ...(argv.reason === undefined ? {} : { reason: argv.reason }),
    });
    if (argv.json) output.json(pauseJson(state));
    else output.print(`${messages.pause.done}\n\n${pauseDetails(state, output.style)}`);
  });
}

/** `resume [--catch-up]`. */
export function resume(context: CommandContext, argv: ResumeArgs): Promise<void> {
  return withEngine(context, argv, 'resume', { jobs: false, writes: true }, async (engine, output) => {
    const before = await engine.scheduler.schedules.pauseState();
    const state = await engine.scheduler.schedules.resumeAll({ by: CLI, catchUp: argv['catch-up'] });
    if (argv.json) output.json(pauseJson(state));
    else output.print(before.paused ? messages.resume.done(argv['catch-up']) : messages.resume.notPaused);
  });
}

/** `status`: the global pause and every disabled schedule with who paused it and why. */
export function status(context: CommandContext, argv: StatusArgs): Promise<void> {
  return withEngine(context, argv, 'status', { jobs: false, writes: false }, async (engine, output) => {
    const state = await engine.scheduler.schedules.pauseState();
    const paused = await engine.scheduler.schedules.list({ enabled: false });
    if (argv.json) {
      output.json({ pause: pauseJson(state), paused_schedules: paused.map(scheduleJson) });
      return;
    }
    const { style } = output;
    const parts = [pauseDetails(state, style)];
    parts.push(
      paused.length === 0
        ? messages.status.noPausedSchedules
        : `${style('bold', messages.status.pausedSchedules)}\n${formatTable(
            [{ header: 'Name' }, { header: 'Paused at (UTC)' }, { header: 'By' }, { header: 'Reason' }],
            paused.map((s) => [s.jobName, iso(s.pausedAt), s.pausedBy ?? '-', s.pausedReason ?? '-']),
            style,
          )}`,
    );
    output.print(parts.join('\n\n'));
  });
}
