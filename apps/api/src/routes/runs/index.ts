import type { JobRun, RunQuery, RunStatus } from '@craft/scheduler';
import { ApiError } from '../../errors.js';
import { libraryIdempotency, REPLAYED_HEADER } from '../../plugins/idempotency.js';
import type { CraftApp } from '../../types.js';
import { noBodyIsEmpty, runOptionsFromBody } from '../manual-run.js';
import { runView } from '../views.js';
import { cancelRoute } from './cancel.js';
import { CHECK_WAIT_DEFAULT_SECONDS, runSchemas } from './schema.js';

/** `/jobs/runs…`, `/jobs/run/:job_type` and `/jobs/check-schedules`: a thin layer over the scheduler. */
export async function runRoutes(app: CraftApp): Promise<void> {
  const service = app.schedules;
  const schemas = runSchemas(app.scheduler.jobs.list().map((d) => d.type));

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
      ...(q.created_from === undefined ? {} : { createdFrom: new Date(q.created_from) }),
      ...(q.created_to === undefined ? {} : { createdTo: new Date(q.created_to) }),
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

  await cancelRoute(app);

  app.post(
    '/jobs/run/:job_type',
    {
      schema: schemas.runJob,
      config: { auth: 'jobs:run', bodyOptional: true, idempotent: true },
      // No body at all means no parameters and no overrides.
      preValidation: noBodyIsEmpty,
    },
    async (req, reply) => {
      const { run, done, replayed } = await service.runJob(
        req.params.job_type,
        (req.body.parameters ?? {}) as Record<string, unknown>,
        { ...runOptionsFromBody(req.body), ...libraryIdempotency(req) },
      );
      // A retry after the first request's process died: the run it started is the answer.
      if (replayed) reply.header(REPLAYED_HEADER, 'true');
      if (req.query.wait) return reply.code(200).send(runView(await done));
      if (!replayed)
        done.catch((error: unknown) => req.log.error({ err: error, runId: run.id }, 'manual run failed'));
      return reply.code(202).header('location', `/jobs/runs/${run.id}`).send(runView(run));
    },
  );

  app.post(
    '/jobs/check-schedules',
    { schema: schemas.checkSchedules, config: { auth: 'jobs:run', idempotent: true } },
    async (req) => {
      const { wait, timeout_seconds } = req.query;
      if (!wait && timeout_seconds !== undefined) {
        throw new ApiError(
          'CRAFT_API_VALIDATION',
          'Request query: "timeout_seconds" bounds the wait and applies with wait=true only; add wait=true or ' +
            'leave it out',
          { field: 'timeout_seconds' },
        );
      }
      const cycle = await app.scheduler.checkAndRunDueJobs();
      const answer = { deferred: cycle.deferred, initialized: cycle.initialized, paused: cycle.paused };
      if (!wait) {
        cycle.done.catch((error: unknown) => req.log.error({ err: error }, 'cycle runs failed'));
        return { runs: cycle.runs.map(runView), ...answer };
      }
      const waited = await waitAtMost(
        app,
        cycle.done,
        (timeout_seconds ?? CHECK_WAIT_DEFAULT_SECONDS) * 1000,
      );
      if (waited === TIMED_OUT) {
        cycle.done.catch((error: unknown) => req.log.error({ err: error }, 'cycle runs failed'));
        const runs = await Promise.all(cycle.runs.map((r) => service.getRun(r.id).catch(() => r)));
        const chained = await chainedSoFar(app, runs);
        return {
          runs: runs.map(runView),
          ...answer,
          chained: chained.map(runView),
          recovered: [],
          complete: false,
        };
      }
      const { runs, chained, recovered } = classify(cycle.runs, waited);
      return {
        runs: runs.map(runView),
        ...answer,
        chained: chained.map(runView),
        recovered: recovered.map(runView),
        complete: true,
      };
    },
  );
}

const TIMED_OUT: unique symbol = Symbol('timed out');

/** `promise`'s value, or {@link TIMED_OUT} once `ms` passed on the scheduler's clock (the one runs time out by). */
async function waitAtMost<T>(app: CraftApp, promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  const cancel = new AbortController();
  const timer = app.scheduler.clock.sleep(ms, cancel.signal).then((): typeof TIMED_OUT => TIMED_OUT);
  try {
    return await Promise.race([promise, timer]);
  } finally {
    cancel.abort();
  }
}

/**
 * Splits the final records of a cycle (`done`) into the cycle's own runs (in their order), the runs chained from
 * any run of the cycle (`trigger: 'chain'` with a parent in it), and the rest: runs of dead replicas it recovered.
 */
function classify(
  created: JobRun[],
  done: JobRun[],
): { runs: JobRun[]; chained: JobRun[]; recovered: JobRun[] } {
  const final = new Map(done.map((r) => [r.id, r]));
  const createdIds = new Set(created.map((r) => r.id));
  const chained: JobRun[] = [];
  const recovered: JobRun[] = [];
  for (const r of done) {
    if (createdIds.has(r.id)) continue;
    const fromThisCycle =
      r.parentRunId !== null && (final.has(r.parentRunId) || createdIds.has(r.parentRunId));
    (r.trigger === 'chain' && fromThisCycle ? chained : recovered).push(r);
  }
  return { runs: created.map((r) => final.get(r.id) ?? r), chained, recovered };
}

/** The runs chained from `roots` so far (transitively, breadth first), as stored now. */
async function chainedSoFar(app: CraftApp, roots: JobRun[]): Promise<JobRun[]> {
  const out: JobRun[] = [];
  const seen = new Set(roots.map((r) => r.id));
  let frontier = [...seen];
  while (frontier.length > 0) {
    const children = (
      await Promise.all(frontier.map((id) => app.schedules.listRuns({ parentRunId: id, order: 'asc' })))
    ).flat();
    frontier = [];
    for (const c of children) {
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      out.push(c);
      frontier.push(c.id);
    }
  }
  return out;
}
