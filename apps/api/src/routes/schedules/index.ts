import {
  type RunStatus,
  type ScheduleInput,
  type SchedulePatch,
  scheduleInputFromRecord,
} from '@craft/scheduler';
import { ApiError } from '../../errors.js';
import type { CraftApp } from '../../types.js';
import { noBodyIsEmpty, runOptionsFromBody } from '../manual-run.js';
import { preview } from '../preview.js';
import { runView, scheduleView } from '../views.js';
import { schemas } from './schema.js';

const location = (jobName: string) => `/jobs/schedules/${encodeURIComponent(jobName)}`;

function decodeCursor(cursor: string): string {
  const name = Buffer.from(cursor, 'base64url').toString('utf8');
  if (name === '' || Buffer.from(name, 'utf8').toString('base64url') !== cursor) {
    throw new ApiError('CRAFT_API_VALIDATION', 'Request query: "cursor" is not a next_cursor of this API', {
      field: 'cursor',
    });
  }
  return name;
}

/** `/jobs/schedules…`: a thin layer over `ScheduleService`. */
export async function scheduleRoutes(app: CraftApp): Promise<void> {
  const service = app.schedules;

  app.post(
    '/jobs/schedules',
    { schema: schemas.create, config: { auth: 'jobs:write' } },
    async (req, reply) => {
      const schedule = await service.create(scheduleInputFromRecord(req.body) as ScheduleInput);
      return reply.code(201).header('location', location(schedule.jobName)).send(scheduleView(schedule));
    },
  );

  app.get('/jobs/schedules', { schema: schemas.list, config: { auth: 'jobs:read' } }, async (req) => {
    const { enabled, job_type, q, last_status, limit, cursor } = req.query;
    const page = await service.list({
      ...(enabled === undefined ? {} : { enabled }),
      ...(job_type === undefined ? {} : { jobType: job_type }),
      ...(q === undefined ? {} : { text: q }),
      ...(last_status === undefined
        ? {}
        : {
            lastRunStatus: [...new Set(last_status.split(','))].map((s) =>
              s === 'none' ? null : (s as RunStatus),
            ),
          }),
      ...(cursor === undefined ? {} : { afterJobName: decodeCursor(cursor) }),
      limit: limit + 1,
    });
    const more = page.length > limit;
    const items = more ? page.slice(0, limit) : page;
    const last = items[items.length - 1];
    return {
      items: items.map(scheduleView),
      next_cursor: more && last ? Buffer.from(last.jobName, 'utf8').toString('base64url') : null,
    };
  });

  app.get('/jobs/schedules/:job_name', { schema: schemas.get, config: { auth: 'jobs:read' } }, async (req) =>
    scheduleView(await service.get(req.params.job_name)),
  );

  app.put(
    '/jobs/schedules/:job_name',
    { schema: schemas.replace, config: { auth: 'jobs:write' } },
    async (req) => {
      const name = req.params.job_name;
      if (req.body.job_name !== undefined && req.body.job_name !== name) {
        throw new ApiError(
          'CRAFT_API_VALIDATION',
          `Request body: "job_name" is ${JSON.stringify(req.body.job_name)} but the path names ${JSON.stringify(
            name,
          )}; a schedule cannot be renamed (create a new one and delete this one)`,
          { field: 'job_name' },
        );
      }
      const input = scheduleInputFromRecord(req.body) as Omit<ScheduleInput, 'jobName'>;
      return scheduleView(await service.update(name, input));
    },
  );

  app.patch(
    '/jobs/schedules/:job_name',
    { schema: schemas.patch, config: { auth: 'jobs:write' } },
    async (req) => {
      const patch = scheduleInputFromRecord(req.body) as SchedulePatch;
      return scheduleView(await service.patch(req.params.job_name, patch));
    },
  );

  app.delete(
    '/jobs/schedules/:job_name',
    { schema: schemas.remove, config: { auth: 'jobs:write' } },
    async (req) => scheduleView(await service.delete(req.params.job_name)),
  );

  app.post(
    '/jobs/schedules/:job_name/enable',
    { schema: schemas.enable, config: { auth: 'jobs:write' } },
    async (req) => scheduleView(await service.enable(req.params.job_name)),
  );

  app.post(
    '/jobs/schedules/:job_name/disable',
    { schema: schemas.disable, config: { auth: 'jobs:write' } },
    async (req) => scheduleView(await service.disable(req.params.job_name)),
  );

  app.get(
    '/jobs/schedules/:job_name/next-runs',
    { schema: schemas.nextRuns, config: { auth: 'jobs:read' } },
    async (req) => {
      const s = await service.get(req.params.job_name);
      const timezone = s.timezone ?? app.scheduler.timezone;
      return {
        job_name: s.jobName,
        cron_expression: s.cronExpression,
        is_enabled: s.isEnabled,
        ...preview(app, { cronExpression: s.cronExpression, timezone }, req.query),
      };
    },
  );

  app.post(
    '/jobs/schedules/:job_name/run',
    // No body at all means no overrides.
    {
      schema: schemas.runNow,
      config: { auth: 'jobs:run', bodyOptional: true },
      preValidation: noBodyIsEmpty,
    },
    async (req, reply) => {
      const { run, done } = await service.runNow(req.params.job_name, runOptionsFromBody(req.body));
      if (req.query.wait) return reply.code(200).send(runView(await done));
      done.catch((error: unknown) => req.log.error({ err: error, runId: run.id }, 'run-now failed'));
      return reply.code(202).header('location', `/jobs/runs/${run.id}`).send(runView(run));
    },
  );
}
