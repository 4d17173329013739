#!/usr/bin/env node
// The baseline of bench/api.bench.mjs: a bare Fastify 5 app on 127.0.0.1:$PORT with the same two shapes of work
// as the measured API routes, minus everything the API adds (auth, schemas, storage, scheduler):
//   GET  /bare/schedule  answers the same JSON object as the API's GET of the benchmark's schedule
//   POST /bare/schedule  parses a JSON body and answers it with 201
import Fastify from 'fastify';

// The schedule the API answers for the benchmark's target (api.bench.mjs passes it), else a stand-in of its shape.
const schedule = process.env.BARE_SCHEDULE_JSON
  ? JSON.parse(process.env.BARE_SCHEDULE_JSON)
  : {
      job_name: 'bench-target',
      description: null,
      cron_expression: '0 3 1 1 *',
      is_enabled: true,
      job_type: 'calculate_next_schedules',
      parameters: {},
      max_attempts: null,
      timeout_seconds: null,
      chain: [],
      timezone: null,
      missed_run_policy: 'once',
      catch_up_window_seconds: null,
      max_catch_up_runs: 10,
      overlap_policy: 'defer',
      last_run_at: null,
      last_run_status: null,
      next_run_at: '2027-01-01T02:00:00.000Z',
      created_at: '2026-11-26T10:00:00.000Z',
      updated_at: '2026-11-26T10:00:00.000Z',
      version: 1,
      dst_gap: 'skip',
      dst_overlap: 'first',
      jitter_seconds: 0,
      next_due_at: '2027-01-01T02:00:00.000Z',
      pause_after_failures: null,
      consecutive_failures: 0,
      paused_reason: null,
      paused_at: null,
      paused_by: null,
      updated_by: 'bench',
      managed_by: null,
    };

const app = Fastify({ logger: false });
app.get('/bare/schedule', async () => schedule);
app.post('/bare/schedule', async (req, reply) => reply.code(201).send({ ...schedule, ...req.body }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.stdout.write('READY\n');
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
