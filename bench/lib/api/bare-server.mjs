#!/usr/bin/env node
// The baseline of bench/api.bench.mjs: a bare Fastify 5 app on 127.0.0.1:$PORT with the same two shapes of work
// as the measured API routes, minus everything the API adds (auth, schemas, storage, scheduler):
//   GET  /bare/schedule  answers the same JSON object as the API's GET of the benchmark's schedule
//   POST /bare/schedule  parses a JSON body and answers it with 201
import Fastify from 'fastify';

// The schedule the API answered for the benchmark's target: api.bench.mjs passes it, so both servers send the same bytes.
if (!process.env.BARE_SCHEDULE_JSON) {
  process.stderr.write(
    'bare-server: set BARE_SCHEDULE_JSON to the schedule JSON to answer (api.bench.mjs does)\n',
  );
  process.exit(64);
}
const schedule = JSON.parse(process.env.BARE_SCHEDULE_JSON);

const app = Fastify({ logger: false });
app.get('/bare/schedule', async () => schedule);
app.post('/bare/schedule', async (req, reply) => reply.code(201).send({ ...schedule, ...req.body }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.stdout.write('READY\n');
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
