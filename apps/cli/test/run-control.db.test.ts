// `craft-jobs runs cancel` and `craft-jobs schedules backfill` as real processes against the MongoDB test server (or
// MONGODB_URI): a cancel from one process stops a run another process is running, within one lease renewal.
import { randomDbName, requireMongoUri } from '@craft/test-utils';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { craftJobs, startCraftJobs, writeJobsModule } from './helpers.js';

const uri = requireMongoUri();
const jobs = writeJobsModule();
const databases: string[] = [];
let client: MongoClient;

function freshEnv(): { MONGODB_URI: string; MONGODB_DB: string; CRAFT_JOBS: string } {
  const name = randomDbName('cli-control');
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
  status: string;
  trigger: string;
  slot: string | null;
  attempts: { status: string }[];
  cancel_requested_by: string | null;
  error: { code?: string } | null;
}

const hourAgo = () => new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000);

async function hourlyGreet(env: Record<string, string>, extra: string[] = []): Promise<void> {
  const created = await craftJobs(
    [
      'schedules',
      'create',
      '--name',
      'hourly',
      '--cron',
      '0 * * * *',
      '--job-type',
      'greet',
      '--disabled',
      ...extra,
    ],
    { env },
  );
  expect(created.status).toBe(0);
}

describe('schedules backfill', () => {
  it('records the slots without --wait; check then runs them all once; a second backfill reports them', async () => {
    const env = freshEnv();
    await hourlyGreet(env, ['--overlap-policy', 'skip']);
    const got = await craftJobs(['schedules', 'get', 'hourly', '--json'], { env });
    expect(JSON.parse(got.stdout).overlap_policy).toBe('skip');
    const to = hourAgo();
    const from = new Date(to.getTime() - 5 * 3_600_000);
    const range = ['--from', from.toISOString(), '--to', to.toISOString()];
    const recorded = await craftJobs(['schedules', 'backfill', 'hourly', ...range, '--json'], { env });
    expect(recorded.status).toBe(0);
    const body = JSON.parse(recorded.stdout) as {
      slot_count: number;
      created: Run[];
      already_recorded: Run[];
    };
    expect(body.slot_count).toBe(5);
    expect(body.created.map((r) => `${r.trigger} ${r.status}`)).toEqual(Array(5).fill('backfill pending'));
    const text = await craftJobs(['schedules', 'backfill', 'hourly', ...range], { env });
    expect(text.stdout).toContain(
      '5 slots in the range; recorded 0 runs, 5 already recorded (not run again).',
    );
    const check = await craftJobs(['check', '--json'], { env });
    expect(check.status).toBe(0);
    const ran = (JSON.parse(check.stdout) as { runs: Run[] }).runs;
    expect(ran.map((r) => r.status)).toEqual(Array(5).fill('succeeded'));
    const listed = await craftJobs(['runs', 'list', '--trigger', 'backfill', '--json'], { env });
    expect((JSON.parse(listed.stdout) as Run[]).map((r) => r.status)).toEqual(Array(5).fill('succeeded'));
  });

  it('--wait runs them here and exits with their outcome; a range over the cap is exit 2 with the slot count', async () => {
    const env = freshEnv();
    await hourlyGreet(env);
    const to = hourAgo();
    const from = new Date(to.getTime() - 3 * 3_600_000);
    const waited = await craftJobs(
      ['schedules', 'backfill', 'hourly', '--from', from.toISOString(), '--to', to.toISOString(), '--wait'],
      { env },
    );
    expect(waited.status).toBe(0);
    expect(waited.stdout).toContain('3 slots in the range; ran 3.');
    expect(waited.stdout.match(/succeeded/g)).toHaveLength(3);
    const tooMany = await craftJobs(
      [
        'schedules',
        'backfill',
        'hourly',
        '--from',
        '2020-01-01T00:00:00Z',
        '--to',
        to.toISOString(),
        '--max-slots',
        '10',
      ],
      { env },
    );
    expect(tooMany.status).toBe(2);
    expect(tooMany.stderr).toMatch(/holds \d+ slots, more than max_slots \(10\); nothing was recorded/);
    expect(tooMany.stderr).toContain('[CRAFT_SCHEDULER_BACKFILL_TOO_LARGE]');
    const badDate = await craftJobs(
      ['schedules', 'backfill', 'hourly', '--from', 'yesterday', '--to', 'now'],
      {
        env,
      },
    );
    expect(badDate.status).toBe(2);
    expect(badDate.stderr).toContain('--from: invalid value "yesterday"');
  });
});

describe('runs cancel', () => {
  it('cancels a pending run nobody holds at once; again: already cancelled; a finished run: exit 2', async () => {
    const env = freshEnv();
    await hourlyGreet(env);
    const to = hourAgo();
    const recorded = await craftJobs(
      [
        'schedules',
        'backfill',
        'hourly',
        '--from',
        new Date(to.getTime() - 3_600_000).toISOString(),
        '--to',
        to.toISOString(),
        '--json',
      ],
      { env },
    );
    const [run] = (JSON.parse(recorded.stdout) as { created: Run[] }).created;
    const cancelled = await craftJobs(['runs', 'cancel', run?.id as string], { env });
    expect(cancelled.status).toBe(0);
    expect(cancelled.stdout).toBe(`Cancelled run ${run?.id}; it will not start.\n`);
    const again = await craftJobs(['runs', 'cancel', run?.id as string, '--json'], { env });
    expect(again.status).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      status: 'cancelled',
      cancel_requested_by: 'cli',
      attempts: [],
    });
    const done = JSON.parse((await craftJobs(['run', 'greet', '--json'], { env })).stdout) as Run;
    const refused = await craftJobs(['runs', 'cancel', done.id], { env });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('[CRAFT_SCHEDULER_RUN_FINISHED]');
    expect((await craftJobs(['runs', 'cancel', 'no-such-run'], { env })).status).toBe(2);
  });

  it('stops a run another process runs within one lease renewal; that `run` exits 1 with the run cancelled', async () => {
    const env = freshEnv();
    const live = startCraftJobs(
      ['run', 'slow', '--param', 'ms=60000', '--timeout-seconds', '120', '--lock-ttl-seconds', '6', '--json'],
      { env },
    );
    await live.stderrContains('slow: started run');
    const listed = JSON.parse(
      (await craftJobs(['runs', 'list', '--status', 'running', '--json'], { env })).stdout,
    );
    const id = (listed as Run[])[0]?.id as string;
    const asked = Date.now();
    const cancel = await craftJobs(['runs', 'cancel', id], { env });
    expect(cancel.status).toBe(0);
    expect(cancel.stdout).toContain(`Cancel requested for run ${id} (running on craft-jobs:`);
    expect(cancel.stdout).toContain('within 100 s (LOCK_TTL_SECONDS / 3)');
    const result = await live.result;
    // The running process renews every 2 s (a 6 s lease): it learned of the request at its next renewal.
    expect(Date.now() - asked).toBeLessThan(10_000);
    expect(result.status).toBe(1);
    const final = JSON.parse(result.stdout) as Run;
    expect(final).toMatchObject({ status: 'cancelled', cancel_requested_by: 'cli' });
    expect(final.attempts.map((a) => a.status)).toEqual(['cancelled']);
    expect(final.error?.code).toBe('CRAFT_SCHEDULER_RUN_CANCELLED');
    expect(result.stderr).toContain('cancelled by cli');
  });
});
