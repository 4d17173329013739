import { parseCron } from '@craft/cron';
import { randomDbName, requireMongoUri } from '@craft/test-utils';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { craftJobs, startCraftJobs, writeJobsModule } from './helpers.js';

// Against the MongoDB test server (or MONGODB_URI): fails, never skips, when there is none.
const uri = requireMongoUri();
const jobs = writeJobsModule();
const databases: string[] = [];
let client: MongoClient;

/** A fresh database per test: `check` claims every due schedule it finds, so tests must not share schedules. */
function freshEnv(): { MONGODB_URI: string; MONGODB_DB: string; CRAFT_JOBS: string } {
  const name = randomDbName('cli-runs');
  databases.push(name);
  return { MONGODB_URI: uri, MONGODB_DB: name, CRAFT_JOBS: jobs };
}

beforeAll(async () => {
  client = await new MongoClient(uri).connect();
});
afterAll(async () => {
  for (const name of databases) await client.db(name).dropDatabase();
  await client.close();
});

interface Run {
  id: string;
  job_name: string | null;
  job_type: string;
  status: string;
  max_attempts: number;
  trigger: string;
  slot: string | null;
  attempts: { status: string; error: { code?: string } | null }[];
  error: { code?: string; message: string } | null;
}

/** A schedule document as another program may have written it: only the seed's fields (spec section 1). */
function seedSchedule(jobName: string, jobType: string, cron: string) {
  return {
    job_name: jobName,
    description: 'Inserted straight into the database',
    job_type: jobType,
    cron_expression: cron,
    is_enabled: true,
    parameters: {},
    max_attempts: null,
    timeout_seconds: null,
    chain: [],
    last_run_at: null,
    last_run_status: null,
  };
}

/** The start of the current hour: a slot of `0 * * * *` that has passed. */
function thisHour(): Date {
  return new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
}

describe('run <job_type> with a database records the run', () => {
  it('the run is in the history: runs list and runs get show its record', async () => {
    const env = freshEnv();
    const ran = await craftJobs(['run', 'greet', '--param', 'name=Ada', '--json'], { env });
    expect(ran.status).toBe(0);
    expect(ran.stderr).not.toContain('not recorded');
    const run = JSON.parse(ran.stdout) as Run;

    const listed = await craftJobs(['runs', 'list', '--json'], { env });
    expect(listed.status).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([JSON.parse(ran.stdout)]);

    const got = await craftJobs(['runs', 'get', run.id, '--json'], { env });
    expect(JSON.parse(got.stdout)).toEqual(JSON.parse(ran.stdout));

    const table = await craftJobs(['runs', 'list', '--status', 'failed,timed_out'], { env });
    expect(table.stdout).toBe('No runs.\n');
  });

  it('SIGTERM during a run aborts the job through its signal, records the run failed (not retried), and exits 143', async () => {
    const env = freshEnv();
    // Attempts remain (3), yet the interrupted run must not go back to pending for a later pass to run again.
    const live = startCraftJobs(
      [
        'run',
        'slow',
        '--param',
        'ms=20000',
        '--timeout-seconds',
        '60',
        '--max-attempts',
        '3',
        '--lock-ttl-seconds',
        '5',
      ],
      { env },
    );
    await live.stderrContains('slow: started run');

    // Meanwhile the job's lock is held: a second run of it starts nothing and exits 75.
    const second = await craftJobs(['run', 'slow'], { env });
    expect(second.status).toBe(75);
    expect(second.stderr).toContain('lock "job:slow" is held by another execution; nothing was started');
    expect(second.stderr).toContain('[CRAFT_SCHEDULER_JOB_LOCKED]');

    live.child.kill('SIGTERM');
    const result = await live.result;
    expect(result.status).toBe(143);
    expect(result.stderr).toContain('received SIGTERM');

    const listed = await craftJobs(['runs', 'list', '--job-type', 'slow', '--json'], { env });
    const [run, ...rest] = JSON.parse(listed.stdout) as Run[];
    expect(rest).toEqual([]);
    expect(run?.status).toBe('failed');
    expect(run?.max_attempts).toBe(3);
    expect(run?.error).toMatchObject({ code: 'CRAFT_SCHEDULER_SHUTDOWN' });
    expect(run?.error?.message).toContain('aborted by shutdown');
    expect(run?.attempts).toEqual([
      expect.objectContaining({
        status: 'failed',
        error: expect.objectContaining({ code: 'CRAFT_SCHEDULER_SHUTDOWN' }),
      }),
    ]);
    // A scheduler pass after the one-second lease lapsed finds nothing to recover or run again.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const check = await craftJobs(['check', '--json'], { env });
    expect(check.status).toBe(0);
    expect((JSON.parse(check.stdout) as { runs: Run[] }).runs).toEqual([]);
  });
});

describe('check: one scheduler cycle against the database', () => {
  it('a schedule inserted with only the seed fields gets its next_run_at computed, and nothing runs yet', async () => {
    const env = freshEnv();
    const schedules = client.db(env.MONGODB_DB).collection('job_schedules');
    await schedules.insertOne(seedSchedule('nightly-cleanup', 'greet', '0 3 * * *'));
    const before = Date.now();
    const result = await craftJobs(['check', '--json'], { env });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      runs: [],
      initialized: ['nightly-cleanup'],
      deferred: [],
    });
    const doc = await schedules.findOne({ job_name: 'nightly-cleanup' });
    // The default zone is Europe/Stockholm: the next 03:00 there.
    const expected = parseCron('0 3 * * *').next(before, { timezone: 'Europe/Stockholm' });
    expect(doc?.['next_run_at']).toEqual(expected);
  });

  it('a schedule whose next_run_at has passed runs once, and the next cycle does not run it again', async () => {
    const env = freshEnv();
    const schedules = client.db(env.MONGODB_DB).collection('job_schedules');
    const slot = thisHour();
    await schedules.insertOne({
      ...seedSchedule('hourly-greeting', 'greet', '0 * * * *'),
      next_run_at: slot,
    });

    const first = await craftJobs(['check', '--json'], { env });
    expect(first.status).toBe(0);
    const { runs } = JSON.parse(first.stdout) as { runs: Run[] };
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      job_name: 'hourly-greeting',
      status: 'succeeded',
      slot: slot.toISOString(),
    });
    expect(['schedule', 'catch_up']).toContain(runs[0]?.trigger);

    const second = await craftJobs(['check'], { env });
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/^Nothing was due at /);

    const doc = await schedules.findOne({ job_name: 'hourly-greeting' });
    expect(doc?.['last_run_status']).toBe('succeeded');
    expect(doc?.['next_run_at']).toEqual(new Date(slot.getTime() + 3_600_000));
  });

  it('exits 1 when a triggered run failed, and prints every run of the cycle', async () => {
    const env = freshEnv();
    const slot = thisHour();
    await client
      .db(env.MONGODB_DB)
      .collection('job_schedules')
      .insertMany([
        { ...seedSchedule('works', 'greet', '0 * * * *'), next_run_at: slot },
        { ...seedSchedule('breaks', 'fail', '0 * * * *'), next_run_at: slot },
      ]);
    const result = await craftJobs(['check'], { env });
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/: 2 runs \((1 succeeded, 1 failed|1 failed, 1 succeeded)\)/);
    expect(result.stdout).toMatch(/^\S+\s+breaks\s+\S+\s+failed\s+.*\s2\/2\s+boom$/m);
    expect(result.stdout).toMatch(/^\S+\s+works\s+\S+\s+succeeded\s/m);
    expect(result.stderr).toMatch(/breaks: failed in \d+ms: boom/);
  });

  it('waits for the runs a successful run chains, and a failed chained run makes it exit 1', async () => {
    const env = freshEnv();
    await client
      .db(env.MONGODB_DB)
      .collection('job_schedules')
      .insertOne({
        ...seedSchedule('parent', 'greet', '0 * * * *'),
        next_run_at: thisHour(),
        chain: ['fail'],
      });
    const result = await craftJobs(['check', '--json'], { env });
    expect(result.status).toBe(1);
    const { runs } = JSON.parse(result.stdout) as { runs: (Run & { parent_run_id: string | null })[] };
    expect(runs.map((r) => [r.job_name ?? r.job_type, r.trigger, r.status])).toEqual([
      ['parent', expect.stringMatching(/^(schedule|catch_up)$/), 'succeeded'],
      ['fail', 'chain', 'failed'],
    ]);
    expect(runs[1]?.parent_run_id).toBe(runs[0]?.id);
  });

  it('exits 3 when a triggered run timed out and none failed', async () => {
    const env = freshEnv();
    await client
      .db(env.MONGODB_DB)
      .collection('job_schedules')
      .insertOne({ ...seedSchedule('too-slow', 'slow', '0 * * * *'), next_run_at: thisHour() });
    const result = await craftJobs(['check', '--json'], { env });
    expect(result.status).toBe(3);
    expect((JSON.parse(result.stdout) as { runs: Run[] }).runs.map((r) => r.status)).toEqual(['timed_out']);
  });
});

describe('catch-up: the startup pass', () => {
  it('finds the run of a process that died (its lease expired) and marks it abandoned', async () => {
    const env = freshEnv();
    const live = startCraftJobs(
      ['run', 'slow', '--param', 'ms=20000', '--timeout-seconds', '60', '--lock-ttl-seconds', '5'],
      { env },
    );
    await live.stderrContains('slow: started run');
    live.child.kill('SIGKILL');
    await live.result;
    // Let the five-second lease (the shortest LOCK_TTL_SECONDS accepts) lapse; leases are judged by the database
    // server's clock.
    await new Promise((resolve) => setTimeout(resolve, 5500));

    const result = await craftJobs(['catch-up', '--json'], { env });
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as { runs: Run[]; abandoned: Run[] };
    expect(report.runs).toEqual([]);
    expect(report.abandoned).toHaveLength(1);
    expect(report.abandoned[0]).toMatchObject({
      job_type: 'slow',
      status: 'abandoned',
      error: expect.objectContaining({ code: 'CRAFT_SCHEDULER_RUN_ABANDONED' }),
    });
  });
});
