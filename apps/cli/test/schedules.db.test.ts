import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JobRegistry, validateScheduleInput } from '@craft/scheduler';
import { randomDbName, requireMongoUri } from '@craft/test-utils';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { craftJobs, lines, STACK_FRAME, tempDir, writeJobsModule } from './helpers.js';

// Against the MongoDB test server (or MONGODB_URI): fails, never skips, when there is none.
const uri = requireMongoUri();
const dbName = randomDbName('cli-schedules');
const env = { MONGODB_URI: uri, MONGODB_DB: dbName, CRAFT_JOBS: writeJobsModule() };
let client: MongoClient;

beforeAll(async () => {
  client = await new MongoClient(uri).connect();
});
afterAll(async () => {
  await client.db(dbName).dropDatabase();
  await client.close();
});

type Record = { [key: string]: unknown };
const json = (stdout: string) => JSON.parse(stdout) as Record;

describe('the database is required and must be reachable', () => {
  it('without MONGODB_URI, schedules list exits 4 with one line saying how to configure it', async () => {
    const result = await craftJobs(['schedules', 'list']);
    expect(result.status).toBe(4);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain('schedules list needs the database');
    expect(result.stderr).toContain('MONGODB_URI');
    expect(result.stderr).toContain('[CRAFT_CLI_NO_DATABASE]');
  });

  it('an unreachable database is retried as the API retries it, then exits 4 with one error line, no stack trace', async () => {
    const result = await craftJobs(['schedules', 'list'], {
      env: { MONGODB_URI: 'mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=100' },
    });
    expect(result.status).toBe(4);
    expect(result.stdout).toBe('');
    const [last, ...retries] = lines(result.stderr).reverse();
    expect(retries.reverse()).toEqual([
      expect.stringContaining('MongoDB not reachable (attempt 1 of 5); retrying in 500 ms'),
      expect.stringContaining('MongoDB not reachable (attempt 2 of 5); retrying in 1000 ms'),
      expect.stringContaining('MongoDB not reachable (attempt 3 of 5); retrying in 2000 ms'),
      expect.stringContaining('MongoDB not reachable (attempt 4 of 5); retrying in 4000 ms'),
    ]);
    expect(last).toContain('the MongoDB server is unavailable');
    expect(last).toContain('[CRAFT_MONGO_UNAVAILABLE]');
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });
});

describe('read-only commands', () => {
  it('create no indexes or collections (they work with a read-only database user)', async () => {
    const readOnlyDb = randomDbName('cli-read-only');
    const readEnv = { MONGODB_URI: uri, MONGODB_DB: readOnlyDb };
    const list = await craftJobs(['schedules', 'list', '--json'], { env: readEnv });
    expect(list.status).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([]);
    const runs = await craftJobs(['runs', 'list'], { env: readEnv });
    expect(runs.stdout).toBe('No runs.\n');
    expect(await client.db(readOnlyDb).listCollections().toArray()).toEqual([]);
  });
});

describe('schedules: create, list, get, update, disable, enable, delete', () => {
  it('round trip with the snake_case records of the API', async () => {
    const created = await craftJobs(
      [
        'schedules',
        'create',
        '--name',
        'nightly-greeting',
        '--cron',
        '0 3 * * *',
        '--job-type',
        'greet',
        '--param',
        'name=Ada',
        '--description',
        'Says hello at night',
        '--timezone',
        'UTC',
        '--max-attempts',
        '2',
        '--missed-run-policy',
        'all',
        '--max-catch-up-runs',
        '3',
        '--json',
      ],
      { env },
    );
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    const record = json(created.stdout);
    expect(record).toMatchObject({
      job_name: 'nightly-greeting',
      description: 'Says hello at night',
      cron_expression: '0 3 * * *',
      is_enabled: true,
      job_type: 'greet',
      parameters: { name: 'Ada' },
      max_attempts: 2,
      timeout_seconds: null,
      chain: [],
      timezone: 'UTC',
      missed_run_policy: 'all',
      catch_up_window_seconds: null,
      max_catch_up_runs: 3,
      last_run_at: null,
      last_run_status: null,
    });
    // next_run_at is the next 03:00 UTC, as an ISO 8601 UTC string.
    expect(record['next_run_at']).toMatch(/^\d{4}-\d{2}-\d{2}T03:00:00\.000Z$/);
    expect(Date.parse(record['next_run_at'] as string)).toBeGreaterThan(Date.now());

    const list = await craftJobs(['schedules', 'list', '--json'], { env });
    expect(list.status).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([record]);

    const table = await craftJobs(['schedules', 'list'], { env });
    expect(table.stdout).toMatch(/^Name\s+Cron\s+Zone\s+Job type\s+Enabled\s+Next run \(UTC\)/m);
    expect(table.stdout).toMatch(/^nightly-greeting\s+0 3 \* \* \*\s+UTC\s+greet\s+yes\s+\d{4}-/m);

    const got = await craftJobs(['schedules', 'get', 'nightly-greeting', '--json'], { env });
    expect(json(got.stdout)).toEqual(record);
    const details = await craftJobs(['schedules', 'get', 'nightly-greeting'], { env });
    expect(details.stdout).toMatch(/^Cron\s+0 3 \* \* \*\s+\(At 03:00\)$/m);
    expect(details.stdout).toContain('Upcoming runs (UTC)');

    const disabled = json(
      (await craftJobs(['schedules', 'disable', 'nightly-greeting', '--json'], { env })).stdout,
    );
    expect(disabled).toMatchObject({ is_enabled: false, next_run_at: null });

    const enabled = json(
      (await craftJobs(['schedules', 'enable', 'nightly-greeting', '--json'], { env })).stdout,
    );
    expect(enabled).toMatchObject({ is_enabled: true, next_run_at: record['next_run_at'] });

    // A partial update: the cron changes (next_run_at is recomputed at once), one parameter is added, the rest stays.
    const updated = await craftJobs(
      ['schedules', 'update', 'nightly-greeting', '--cron', '30 4 * * *', '--param', 'loud=true', '--json'],
      { env },
    );
    expect(updated.status).toBe(0);
    expect(json(updated.stdout)).toMatchObject({
      cron_expression: '30 4 * * *',
      parameters: { name: 'Ada', loud: true },
      description: 'Says hello at night',
      max_attempts: 2,
      next_run_at: expect.stringMatching(/T04:30:00\.000Z$/),
    });

    const deleted = await craftJobs(['schedules', 'delete', 'nightly-greeting'], { env });
    expect(deleted.status).toBe(0);
    expect(deleted.stdout).toContain('Deleted schedule "nightly-greeting"');
    const gone = await craftJobs(['schedules', 'get', 'nightly-greeting'], { env });
    expect(gone.status).toBe(2);
    expect(gone.stderr).toContain('no schedule named "nightly-greeting"');
    expect(gone.stderr).toContain('[CRAFT_SCHEDULER_SCHEDULE_NOT_FOUND]');
  }, 120_000); // a dozen CLI processes one after another: slow on a loaded 2-core machine

  it('create --file takes the snake_case fields of the API; flags override them', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'schedule.json'),
      JSON.stringify({
        job_name: 'from-file',
        cron_expression: '*/15 * * * *',
        job_type: 'typed',
        parameters: { count: 3 },
        chain: ['greet'],
        next_run_at: '2000-01-01T00:00:00.000Z',
      }),
    );
    const result = await craftJobs(
      ['schedules', 'create', '--file', 'schedule.json', '--disabled', '--json'],
      {
        env,
        cwd: dir,
      },
    );
    expect(result.status).toBe(0);
    // next_run_at is managed by the scheduler: ignored in the file, null while disabled.
    expect(json(result.stdout)).toMatchObject({
      job_name: 'from-file',
      job_type: 'typed',
      parameters: { count: 3 },
      chain: ['greet'],
      is_enabled: false,
      next_run_at: null,
    });
  });

  it("validation errors are the API's: same code, same message, exit 2, one line", async () => {
    const input = { jobName: 'bad', cronExpression: '*/70 * * * *', jobType: 'greet' };
    const apiError = await validateScheduleInput(input, { jobs: new JobRegistry() }).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(apiError?.message).toContain('*/70');
    const result = await craftJobs(
      ['schedules', 'create', '--name', 'bad', '--cron', '*/70 * * * *', '--job-type', 'greet'],
      { env },
    );
    expect(result.status).toBe(2);
    expect(lines(result.stderr)).toEqual([`craft-jobs: ${apiError?.message} [CRAFT_SCHEDULER_INVALID_CRON]`]);
  });

  it.each([
    [['--max-attempts', 'three'], 'field "max_attempts" is "three"', 'CRAFT_SCHEDULER_INVALID_FIELD'],
    [
      ['--timezone', 'Mars/Olympus'],
      'timezone "Mars/Olympus" is not a known IANA timezone',
      'CRAFT_SCHEDULER_INVALID_TIMEZONE',
    ],
    [['--job-type', 'nope'], 'job type "nope" is not registered', 'CRAFT_SCHEDULER_UNKNOWN_JOB_TYPE'],
    [
      ['--chain', 'nothing-by-that-name'],
      'names neither a schedule nor a registered job type',
      'CRAFT_SCHEDULER_CHAIN_UNKNOWN',
    ],
  ])("create %j is rejected with the scheduler's message", async (flags, message, code) => {
    const args = [
      'schedules',
      'create',
      '--name',
      'x',
      '--cron',
      '0 3 * * *',
      '--job-type',
      'greet',
      ...flags,
    ];
    const result = await craftJobs(args, { env });
    expect(result.status).toBe(2);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain(`[${code}]`);
  });

  it('create without the required fields names the missing flags', async () => {
    const result = await craftJobs(['schedules', 'create', '--name', 'x'], { env });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('missing --cron (cron_expression), --job-type (job_type)');
  });
});

describe('the built-in http_request job type', () => {
  it('schedules create accepts it without a jobs module, and checks its parameters', async () => {
    const hookDb = randomDbName('cli-http-request');
    const hookEnv = { MONGODB_URI: uri, MONGODB_DB: hookDb };
    try {
      // Loopback only; nothing is called (create runs nothing).
      const params = { url: 'http://127.0.0.1:9/hook', method: 'PUT', expected_status: [200, 204] };
      const created = await craftJobs(
        [
          'schedules',
          'create',
          '--name',
          'nightly-hook',
          '--cron',
          '0 3 * * *',
          '--job-type',
          'http_request',
          '--params',
          JSON.stringify(params),
          '--json',
        ],
        { env: hookEnv },
      );
      expect(created.stderr).toBe('');
      expect(created.status).toBe(0);
      expect(json(created.stdout)).toMatchObject({
        job_name: 'nightly-hook',
        job_type: 'http_request',
        parameters: params,
      });
      const stored = await client
        .db(hookDb)
        .collection('job_schedules')
        .findOne({ job_name: 'nightly-hook' });
      expect(stored).toMatchObject({ job_type: 'http_request', parameters: params });

      const bad = await craftJobs(
        [
          'schedules',
          'create',
          '--name',
          'bad-hook',
          '--cron',
          '0 3 * * *',
          '--job-type',
          'http_request',
          '--param',
          'url=ftp://example.invalid/x',
        ],
        { env: hookEnv },
      );
      expect(bad.status).toBe(2);
      expect(bad.stderr).toContain('[CRAFT_SCHEDULER_INVALID_PARAMETERS]');
    } finally {
      await client.db(hookDb).dropDatabase();
    }
  });
});
