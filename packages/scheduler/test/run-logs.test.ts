import { describe, expect, it } from 'vitest';
import {
  bindLogger,
  defineJob,
  FakeClock,
  JobRegistry,
  JobScheduler,
  type Logger,
  MemoryLock,
  MemoryStore,
} from '../src/index.js';
import { sampleRun } from '../src/testing/index.js';

interface Line {
  level: string;
  message: string;
  fields: Record<string, unknown>;
}

/** A logger with `child` (like pino's): every line lands in one array with its bindings. */
function streamLogger(lines: Line[], bindings: Record<string, unknown> = {}): Logger {
  const at = (level: string) => (message: string, data?: Record<string, unknown>) =>
    lines.push({ level, message, fields: { ...bindings, ...data } });
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => streamLogger(lines, { ...bindings, ...more }),
  };
}

function world(logger: Logger) {
  const clock = new FakeClock(Date.parse('2030-06-01T09:59:00.000Z'));
  const store = new MemoryStore({ clock });
  let calls = 0;
  const registry = new JobRegistry([
    defineJob({
      type: 'chatty',
      maxAttempts: 2,
      backoff: { baseMs: 10, maxMs: 10, jitter: 0 },
      handler: async (_p, { logger: log }) => {
        calls++;
        log.info('working', { step: calls });
        if (calls === 1) throw new Error('again');
        return null;
      },
    }),
  ]);
  const scheduler = new JobScheduler({
    store,
    lock: new MemoryLock({ clock }),
    clock,
    registry,
    timezone: 'UTC',
    logger,
  });
  return { clock, store, scheduler };
}

describe('run log fields', () => {
  it("the handler's logger writes into the scheduler's stream with run id, schedule, slot and attempt", async () => {
    const lines: Line[] = [];
    const w = world(streamLogger(lines, { component: 'scheduler' }));
    await w.scheduler.schedules.create({
      jobName: 'nightly',
      cronExpression: '0 10 * * *',
      jobType: 'chatty',
    });
    await w.clock.set(Date.parse('2030-06-01T10:00:01.000Z'));
    const { done } = await w.scheduler.checkAndRunDueJobs();
    await w.clock.advance(10);
    const [run] = await done;
    const working = lines.filter((l) => l.message === 'working');
    expect(working.map((l) => l.fields)).toEqual([
      {
        component: 'scheduler',
        runId: run?.id,
        schedule: 'nightly',
        jobName: 'nightly',
        slot: '2030-06-01T10:00:00.000Z',
        attempt: 1,
        jobType: 'chatty',
        step: 1,
      },
      {
        component: 'scheduler',
        runId: run?.id,
        schedule: 'nightly',
        jobName: 'nightly',
        slot: '2030-06-01T10:00:00.000Z',
        attempt: 2,
        jobType: 'chatty',
        step: 2,
      },
    ]);
  });

  it('a logger without child gets the fields merged into each line', async () => {
    const lines: Line[] = [];
    const plain = streamLogger(lines);
    delete plain.child;
    const w = world(plain);
    const { done } = await w.scheduler.runJob('chatty');
    await w.clock.advance(10); // the retry's backoff
    const run = await done;
    expect(lines.find((l) => l.message === 'working')?.fields).toMatchObject({
      runId: run.id,
      schedule: null,
      slot: null,
      attempt: 1,
      step: 1,
    });
    const bound = bindLogger(plain, { a: 1 });
    bound.warn('x', { a: 2, b: 3 });
    expect(lines.at(-1)).toEqual({ level: 'warn', message: 'x', fields: { a: 2, b: 3 } });
  });

  it("the engine's own lines about a run carry the same fields", async () => {
    const lines: Line[] = [];
    const w = world(streamLogger(lines));
    const slot = new Date('2030-06-01T09:00:00.000Z');
    const expired = new Date(w.clock.now() - 1000);
    // A run of a job type this replica does not know (a rolling deploy), left by a dead replica.
    const stranded = sampleRun({
      jobType: 'from-a-newer-deploy',
      jobName: 'nightly',
      slot,
      trigger: 'schedule',
      status: 'running',
      leaseOwner: 'dead',
      leaseExpiresAt: expired,
      attempts: [
        {
          attempt: 1,
          status: 'running',
          startedAt: expired,
          finishedAt: null,
          error: null,
          replicaId: 'dead',
        },
      ],
    });
    await w.store.insertRun(stranded);
    await (await w.scheduler.checkAndRunDueJobs()).done;
    const line = lines.find((l) => l.message.includes('job type this replica does not know'));
    expect(line?.fields).toMatchObject({
      runId: stranded.id,
      schedule: 'nightly',
      slot: '2030-06-01T09:00:00.000Z',
      attempt: 1,
      jobType: 'from-a-newer-deploy',
    });
  });
});
