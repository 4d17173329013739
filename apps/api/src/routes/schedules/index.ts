import {
  type RunStatus,
  type ScheduleInput,
  type SchedulePatch,
  scheduleInputFromRecord,
} from '@craft/scheduler';
import { ApiError } from '../../errors.js';
import { libraryIdempotency, REPLAYED_HEADER } from '../../plugins/idempotency.js';
import type { CraftApp } from '../../types.js';
import { actor } from '../actor.js';
import { noBodyIsEmpty, runOptionsFromBody } from '../manual-run.js';
import { preview } from '../preview.js';
import { runView, scheduleView } from '../views.js';
import { backfillRoute } from './backfill.js';
import { underIfMatch, withEtag } from './preconditions.js';
import { scheduleSchemas } from './schema.js';

const location = (jobName: string) => `/jobs/schedules/${encodeURIComponent(jobName)}`;

/** The job name a cursor stands for: the base64url text of the last name listed (any text works as a position). */
function decodeCursor(cursor: string): string {
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

/** `/jobs/schedules…`: a thin layer over `ScheduleService`. */
export async function scheduleRoutes(app: CraftApp): Promise<void> {
  const service = app.schedules;
  const schemas = scheduleSchemas(app.scheduler.jobs.list().map((d) => d.type));

  app.post(
    '/jobs/schedules',
    { schema: schemas.create, config: { auth: 'jobs:write', idempotent: true } },
    async (req, reply) => {
      const schedule = await service.create(scheduleInputFromRecord(req.body) as ScheduleInput, {
        ...libraryIdempotency(req),
        by: actor(req),
      });
      return reply
        .code(201)
        .header('location', location(schedule.jobName))
        .send(scheduleView(withEtag(reply, schedule)));
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

  app.get(
    '/jobs/schedules/:job_name',
    { schema: schemas.get, config: { auth: 'jobs:read' } },
    async (req, reply) => scheduleView(withEtag(reply, await service.get(req.params.job_name))),
  );

  app.put(
    '/jobs/schedules/:job_name',
    { schema: schemas.replace, config: { auth: 'jobs:write' } },
    async (req, reply) => {
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
      const updated = await underIfMatch(req, name, (ifVersion) =>
        service.update(name, input, { ifVersion, by: actor(req) }),
      );
      return scheduleView(withEtag(reply, updated));
    },
  );

  app.patch(
    '/jobs/schedules/:job_name',
    { schema: schemas.patch, config: { auth: 'jobs:write' } },
    async (req, reply) => {
      const name = req.params.job_name;
      const patch = scheduleInputFromRecord(req.body) as SchedulePatch;
      const updated = await underIfMatch(req, name, (ifVersion) =>
        service.patch(name, patch, { ifVersion, by: actor(req) }),
      );
      return scheduleView(withEtag(reply, updated));
    },
  );

  app.delete(
    '/jobs/schedules/:job_name',
    { schema: schemas.remove, config: { auth: 'jobs:write' } },
    async (req) => {
      const name = req.params.job_name;
      return scheduleView(await underIfMatch(req, name, (ifVersion) => service.delete(name, { ifVersion })));
    },
  );

  app.post(
    '/jobs/schedules/:job_name/enable',
    { schema: schemas.enable, config: { auth: 'jobs:write' } },
    async (req, reply) => {
      const name = req.params.job_name;
      const updated = await underIfMatch(req, name, (ifVersion) =>
        service.enable(name, { ifVersion, by: actor(req) }),
      );
      return scheduleView(withEtag(reply, updated));
    },
  );

  app.post(
    '/jobs/schedules/:job_name/disable',
    // No body at all means no reason.
    {
      schema: schemas.disable,
      config: { auth: 'jobs:write', bodyOptional: true },
      preValidation: noBodyIsEmpty,
    },
    async (req, reply) => {
      const name = req.params.job_name;
      const updated = await underIfMatch(req, name, (ifVersion) =>
        service.disable(name, { ifVersion, reason: req.body?.reason, by: actor(req) }),
      );
      return scheduleView(withEtag(reply, updated));
    },
  );

  app.get(
    '/jobs/schedules/:job_name/next-runs',
    { schema: schemas.nextRuns, config: { auth: 'jobs:read' } },
    async (req) => {
      const s = await service.get(req.params.job_name);
      return {
        job_name: s.jobName,
        cron_expression: s.cronExpression,
        is_enabled: s.isEnabled,
        ...preview(
          app,
          {
            cronExpression: s.cronExpression,
            timezone: s.timezone,
            dstGap: s.dstGap,
            dstOverlap: s.dstOverlap,
            jitterSeconds: s.jitterSeconds,
            jobName: s.jobName,
          },
          req.query,
        ),
      };
    },
  );

  app.post(
    '/jobs/schedules/:job_name/run',
    // No body at all means no overrides.
    {
      schema: schemas.runNow,
      config: { auth: 'jobs:run', bodyOptional: true, idempotent: true },
      preValidation: noBodyIsEmpty,
    },
    async (req, reply) => {
      const { run, done, replayed } = await service.runNow(req.params.job_name, {
        ...runOptionsFromBody(req.body),
        ...libraryIdempotency(req),
      });
      // A retry after the first request's process died: the run it started is the answer.
      if (replayed) reply.header(REPLAYED_HEADER, 'true');
      if (req.query.wait) return reply.code(200).send(runView(await done));
      if (!replayed)
        done.catch((error: unknown) => req.log.error({ err: error, runId: run.id }, 'run-now failed'));
      return reply.code(202).header('location', `/jobs/runs/${run.id}`).send(runView(run));
    },
  );

  await backfillRoute(app);
}
