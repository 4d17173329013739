// --idempotency-key (or CRAFT_IDEMPOTENCY_KEY) on `run` and `schedules create`, and the version the schedule edits
// send: the CLI as a real process against the MongoDB test server, as cron or CI invoke it (and retry it).
import { manualRunKey } from '@craft/scheduler';
import { randomDbName, requireMongoUri } from '@craft/test-utils';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { craftJobs, writeJobsModule } from './helpers.js';

const uri = requireMongoUri();
const dbName = randomDbName('cli-idempotency');
const env = { MONGODB_URI: uri, MONGODB_DB: dbName, CRAFT_JOBS: writeJobsModule() };
let client: MongoClient;

beforeAll(async () => {
  client = await new MongoClient(uri).connect();
});
afterAll(async () => {
  await client.db(dbName).dropDatabase();
  await client.close();
});

const runs = (filter: Record<string, unknown>) =>
  client.db(dbName).collection('job_runs').countDocuments(filter);
const json = (stdout: string) => JSON.parse(stdout) as Record<string, unknown>;

describe('craft-jobs run --idempotency-key', () => {
  it('a retried invocation with one key runs the job once and reports the first run (exit status included)', async () => {
    const args = [
      'run',
      'greet',
      '--param',
      'name=once',
      '--idempotency-key',
      'cron-2027-03-28T03:00',
      '--json',
    ];
    const first = await craftJobs(args, { env });
    expect(first.status, first.stderr).toBe(0);
    const second = await craftJobs(args, { env });
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toContain('an earlier invocation with this idempotency key started run');
    expect(json(second.stdout)['id']).toBe(json(first.stdout)['id']);
    expect(json(first.stdout)['run_key']).toBe(manualRunKey('cli', 'cron-2027-03-28T03:00'));
    expect(await runs({ 'parameters.name': 'once' })).toBe(1);
    // The failing outcome is reported again too: exit 1 both times, one run.
    const failArgs = ['run', 'fail', '--idempotency-key', 'fail-1'];
    expect((await craftJobs(failArgs, { env })).status).toBe(1);
    expect((await craftJobs(failArgs, { env })).status).toBe(1);
    expect(await runs({ job_type: 'fail' })).toBe(1);
  });

  it('takes the key from CRAFT_IDEMPOTENCY_KEY', async () => {
    const withKey = { env: { ...env, CRAFT_IDEMPOTENCY_KEY: 'ci-pipeline-4711' } };
    expect((await craftJobs(['run', 'greet', '--param', 'name=env'], withKey)).status).toBe(0);
    const again = await craftJobs(['run', 'greet', '--param', 'name=env'], withKey);
    expect(again.status).toBe(0);
    expect(again.stderr).toContain('an earlier invocation with this idempotency key');
    expect(await runs({ 'parameters.name': 'env' })).toBe(1);
  });

  it('invocations started at once with one key run the job once', async () => {
    const args = ['run', 'slow', '--param', 'ms=400', '--idempotency-key', 'together', '--quiet'];
    const results = await Promise.all([1, 2, 3].map(() => craftJobs(args, { env })));
    // Each reports the one run, or (when it lost the job's lock before that run was stored) exits 75: nothing ran.
    for (const r of results) expect([0, 75], r.stderr).toContain(r.status);
    expect(results.some((r) => r.status === 0)).toBe(true);
    expect(await runs({ run_key: manualRunKey('cli', 'together') })).toBe(1);
    expect(await runs({ job_type: 'slow' })).toBe(1);
  });

  it('the key with another job or other parameters is an error (exit 2) and runs nothing', async () => {
    expect(
      (await craftJobs(['run', 'greet', '--param', 'name=a', '--idempotency-key', 'reuse'], { env })).status,
    ).toBe(0);
    for (const args of [
      ['run', 'greet', '--param', 'name=b', '--idempotency-key', 'reuse'],
      ['run', 'typed', '--param', 'count=1', '--idempotency-key', 'reuse'],
    ]) {
      const r = await craftJobs(args, { env });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('[CRAFT_SCHEDULER_IDEMPOTENCY_KEY_REUSED]');
    }
    expect(await runs({ 'parameters.name': 'b' })).toBe(0);
    expect(await runs({ job_type: 'typed' })).toBe(0);
  });

  it('refuses an overlong key, naming the flag', async () => {
    const r = await craftJobs(['run', 'greet', '--idempotency-key', 'k'.repeat(256)], { env });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--idempotency-key');
  });
});

describe('craft-jobs schedules create --idempotency-key', () => {
  const create = [
    'schedules',
    'create',
    '--name',
    'keyed',
    '--cron',
    '0 3 * * *',
    '--job-type',
    'greet',
    '--json',
  ];

  it('a retried creation answers the schedule it made (exit 0) instead of "exists"', async () => {
    const first = await craftJobs([...create, '--idempotency-key', 'create-1'], { env });
    expect(first.status, first.stderr).toBe(0);
    const retry = await craftJobs([...create, '--idempotency-key', 'create-1'], { env });
    expect(retry.status, retry.stderr).toBe(0);
    expect(json(retry.stdout)['created_at']).toBe(json(first.stdout)['created_at']);
    expect(await client.db(dbName).collection('job_schedules').countDocuments({ job_name: 'keyed' })).toBe(1);
    // Without the key (or with another one) it exists; with other fields under the key it is a reused key.
    expect((await craftJobs(create, { env })).stderr).toContain('[CRAFT_SCHEDULER_SCHEDULE_EXISTS]');
    const reused = await craftJobs([...create, '--description', 'other', '--idempotency-key', 'create-1'], {
      env,
    });
    expect(reused.status).toBe(2);
    expect(reused.stderr).toContain('[CRAFT_SCHEDULER_IDEMPOTENCY_KEY_REUSED]');
  });
});

describe('schedule edits send the version they read', () => {
  it('update, delete, enable and disable with --if-version refuse a changed schedule (exit 75) and change nothing', async () => {
    const made = await craftJobs(
      ['schedules', 'create', '--name', 'versioned', '--cron', '0 3 * * *', '--job-type', 'greet', '--json'],
      { env },
    );
    expect(json(made.stdout)['version']).toBe(1);
    // Someone else edits it: version 2.
    const edited = await craftJobs(
      ['schedules', 'update', 'versioned', '--description', 'theirs', '--json'],
      { env },
    );
    expect(json(edited.stdout)['version']).toBe(2);
    for (const args of [
      ['schedules', 'update', 'versioned', '--description', 'mine', '--if-version', '1'],
      ['schedules', 'disable', 'versioned', '--if-version', '1'],
      ['schedules', 'enable', 'versioned', '--if-version', '1'],
      ['schedules', 'delete', 'versioned', '--if-version', '1'],
    ]) {
      const r = await craftJobs(args, { env });
      expect(r.status, args.join(' ')).toBe(75);
      expect(r.stderr).toContain('[CRAFT_SCHEDULER_VERSION_MISMATCH]');
    }
    const now = json((await craftJobs(['schedules', 'get', 'versioned', '--json'], { env })).stdout);
    expect([now['description'], now['is_enabled'], now['version']]).toEqual(['theirs', true, 2]);
    expect(
      (await craftJobs(['schedules', 'disable', 'versioned', '--if-version', '2'], { env })).status,
    ).toBe(0);
    expect((await craftJobs(['schedules', 'delete', 'versioned', '--if-version', '3'], { env })).status).toBe(
      0,
    );
  });
});
