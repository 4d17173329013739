import type { RunQuery, RunStatus } from '@craft/scheduler';
import type { CraftApp } from '../../types.js';
import { noBodyIsEmpty, runOptionsFromBody } from '../manual-run.js';
import { runView } from '../views.js';
import { schemas } from './schema.js';

/** `/jobs/runs…`, `/jobs/run/:job_type` and `/jobs/check-schedules`: a thin layer over the scheduler. */
export async function runRoutes(app: CraftApp): Promise<void> {
  const service = app.schedules;

  app.get('/jobs/runs', { schema: schemas.list, config: { auth: 'jobs:read' } }, async (req) => {
    const q = req.query;
    const query: RunQuery = {
      ...(q.job_name === undefined ? {} : { jobName: q.job_name }),
      ...(q.job_type === undefined ? {} : { jobType: q.job_type }),
      ...(q.status === undefined ? {} : { status: [...new Set(q.status.split(','))] as RunStatus[] }),
      ...(q.trigger === undefined ? {} : { trigger: q.trigger }),
      ...(q.parent_run_id === undefined ? {} : { parentRunId: q.parent_run_id }),
      ...(q.slot_from === undefined ? {} : { slotFrom: new Date(q.slot_from) }),
      ...(q.slot_to === undefined ? {} : { slotTo: new Date(q.slot_to) }),
    };
    const [items, total] = await Promise.all([
      service.listRuns({ ...query, order: q.order, limit: q.limit, offset: q.offset }),
      service.countRuns(query),
    ]);
    const next = q.offset + items.length;
    return {
      items: items.map(runView),
      total,
      limit: q.limit,
      offset: q.offset,
      next_offset: next < total && items.length > 0 ? next : null,
    };
  });

  app.get('/jobs/runs/:id', { schema: schemas.get, config: { auth: 'jobs:read' } }, async (req) =>
    runView(await service.getRun(req.params.id)),
  );

  app.post(
    '/jobs/run/:job_type',
    {
      schema: schemas.runJob,
      config: { auth: 'jobs:run', bodyOptional: true },
      // No body at all means no parameters and no overrides.
      preValidation: noBodyIsEmpty,
    },
    async (req, reply) => {
      const { run, done } = await service.runJob(
        req.params.job_type,
        (req.body.parameters ?? {}) as Record<string, unknown>,
        runOptionsFromBody(req.body),
      );
      if (req.query.wait) return reply.code(200).send(runView(await done));
      done.catch((error: unknown) => req.log.error({ err: error, runId: run.id }, 'manual run failed'));
      return reply.code(202).header('location', `/jobs/runs/${run.id}`).send(runView(run));
    },
  );

  app.post(
    '/jobs/check-schedules',
    { schema: schemas.checkSchedules, config: { auth: 'jobs:run' } },
    async (req) => {
      const cycle = await app.scheduler.checkAndRunDueJobs();
      let runs = cycle.runs;
      if (req.query.wait) {
        const finished = new Map((await cycle.done).map((r) => [r.id, r]));
        runs = runs.map((r) => finished.get(r.id) ?? r);
      } else {
        cycle.done.catch((error: unknown) => req.log.error({ err: error }, 'cycle runs failed'));
      }
      return { runs: runs.map(runView), deferred: cycle.deferred, initialized: cycle.initialized };
    },
  );
}
