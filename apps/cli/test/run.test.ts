import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { craftJobs, lines, STACK_FRAME, tempDir, writeJobsModule } from './helpers.js';

// Without MONGODB_URI, `run` executes in memory: these tests need no database.
const jobs = writeJobsModule();
const env = { CRAFT_JOBS: jobs };

interface RunRecord {
  id: string;
  job_type: string;
  status: string;
  trigger: string;
  parameters: Record<string, unknown>;
  attempts: { attempt: number; status: string; error: { code?: string; message: string } | null }[];
  max_attempts: number;
  timeout_seconds: number;
  result: unknown;
  error: { name: string; message: string; code?: string; stack?: string } | null;
  started_at: string;
  finished_at: string;
}

describe('run <job_type> without a database', () => {
  it('runs a job from the jobs module: exit 0, the run on stdout, a note on stderr that nothing is recorded', async () => {
    const result = await craftJobs(['run', 'greet', '--param', 'name=Ada'], { env });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Status\s+succeeded$/m);
    expect(result.stdout).toMatch(/^Result\s+\{"greeted":"Ada",/m);
    expect(result.stderr).toContain('no database configured');
    expect(result.stderr).toContain('not recorded');
    // Progress and the job's own log lines go to stderr.
    expect(result.stderr).toMatch(/greet: started run [0-9a-f-]{36} \(attempt 1 of 3, timeout 300 s\)/);
    expect(result.stderr).toContain('[greet] greeting (name=Ada)');
  });

  it('--json prints the finished run as its snake_case record with ISO dates', async () => {
    const result = await craftJobs(['run', 'greet', '--param', 'name=Ada', '--json'], { env });
    expect(result.status).toBe(0);
    const run = JSON.parse(result.stdout) as RunRecord;
    expect(run).toMatchObject({
      job_type: 'greet',
      status: 'succeeded',
      trigger: 'manual',
      parameters: { name: 'Ada' },
      max_attempts: 3,
      timeout_seconds: 300,
      result: { greeted: 'Ada', parameters: { name: 'Ada' } },
      error: null,
    });
    expect(run.attempts).toEqual([expect.objectContaining({ attempt: 1, status: 'succeeded', error: null })]);
    expect(run.started_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Object.keys(run)).toContain('lease_expires_at');
  });

  it('parses --param values as JSON when they are JSON, else as strings, over --params', async () => {
    const result = await craftJobs(
      [
        'run',
        'greet',
        '--params',
        '{"name":"base","keep":[1,2],"n":1}',
        '--param',
        'n=5',
        '--param',
        'flag=true',
        '--param',
        'name=Grace Hopper',
        '--param',
        'id="007"',
        '--param',
        'list=["a","b"]',
        '--param',
        'empty=',
        '--param',
        'eq=a=b',
        '--json',
      ],
      { env },
    );
    expect(result.status).toBe(0);
    expect((JSON.parse(result.stdout) as RunRecord).parameters).toEqual({
      name: 'Grace Hopper',
      keep: [1, 2],
      n: 5,
      flag: true,
      id: '007',
      list: ['a', 'b'],
      empty: '',
      eq: 'a=b',
    });
  });

  it('a job that fails every attempt: exit 1, each attempt recorded, the retry shown on stderr', async () => {
    const result = await craftJobs(['run', 'fail', '--json'], { env });
    expect(result.status).toBe(1);
    const run = JSON.parse(result.stdout) as RunRecord;
    expect(run.status).toBe('failed');
    expect(run.attempts.map((a) => [a.status, a.error?.message])).toEqual([
      ['failed', 'boom'],
      ['failed', 'boom'],
    ]);
    expect(run.error).toEqual({ name: 'Error', message: 'boom' });
    expect(result.stderr).toMatch(/fail: attempt 1 failed: boom; retrying in \d+ms/);
  });

  it('a job that exceeds timeout_seconds: exit 3, status timed_out, its signal aborted', async () => {
    const result = await craftJobs(['run', 'slow'], { env });
    expect(result.status).toBe(3);
    expect(result.stdout).toMatch(/^Status\s+timed_out$/m);
    expect(result.stdout).toContain('exceeded its timeout of 1 s');
  });

  it('--max-attempts and --timeout-seconds override the job for this run', async () => {
    const result = await craftJobs(
      ['run', 'slow', '--param', 'ms=50', '--timeout-seconds', '30', '--max-attempts', '4', '--json'],
      { env },
    );
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      status: 'succeeded',
      max_attempts: 4,
      timeout_seconds: 30,
    });
  });

  it('--verbose says where the jobs module and the settings came from', async () => {
    const result = await craftJobs(['run', 'greet', '--verbose'], { env });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(`debug: jobs module (CRAFT_JOBS: ${jobs}): greet, fail, slow, typed`);
    expect(result.stderr).toContain('debug: default timezone Europe/Stockholm (default)');
  });

  it('built-in jobs are there without a jobs module', async () => {
    const result = await craftJobs(['run', 'calculate_next_schedules', '--json']);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      status: 'succeeded',
      result: { checked: 0, repaired: [], invalid: [] },
    });
  });
});

describe('run: bad input exits 2 with one line on stderr', () => {
  const oneLine = (result: { status: number | null; stdout: string; stderr: string }, code: string) => {
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain(`[${code}]`);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  };

  it('an unknown job type, listing the known ones', async () => {
    const result = await craftJobs(['run', 'nope'], { env });
    oneLine(result, 'CRAFT_SCHEDULER_UNKNOWN_JOB_TYPE');
    expect(result.stderr).toContain('job type "nope" is not registered');
    expect(result.stderr).toContain(
      'calculate_next_schedules, cleanup_run_history, fail, greet, http_request, slow, typed',
    );
  });

  it('--params that is not JSON', async () => {
    const result = await craftJobs(['run', 'greet', '--params', '{name: Ada}'], { env });
    oneLine(result, 'CRAFT_CLI_INVALID_ARGUMENT');
    expect(result.stderr).toContain('--params: invalid JSON');
  });

  it('--params that is JSON but not an object', async () => {
    oneLine(await craftJobs(['run', 'greet', '--params', '[1]'], { env }), 'CRAFT_CLI_INVALID_ARGUMENT');
  });

  it('a --param without "="', async () => {
    const result = await craftJobs(['run', 'greet', '--param', 'name'], { env });
    oneLine(result, 'CRAFT_CLI_INVALID_ARGUMENT');
    expect(result.stderr).toContain('expected key=value');
  });

  it("parameters the job's schema rejects", async () => {
    const result = await craftJobs(['run', 'typed', '--param', 'count=0'], { env });
    oneLine(result, 'CRAFT_SCHEDULER_INVALID_PARAMETERS');
    expect(result.stderr).toContain('/count');
  });

  it('an invalid --max-attempts', async () => {
    oneLine(await craftJobs(['run', 'greet', '--max-attempts', '0'], { env }), 'CRAFT_CLI_INVALID_ARGUMENT');
  });
});

describe('run: the jobs module', () => {
  it('a path that does not exist exits 4', async () => {
    const result = await craftJobs(['run', 'greet'], { env: { CRAFT_JOBS: '/nonexistent/jobs.mjs' } });
    expect(result.status).toBe(4);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain('CRAFT_JOBS: the jobs module /nonexistent/jobs.mjs does not exist');
    expect(result.stderr).toContain('[CRAFT_RUNTIME_JOBS_PATH]');
  });

  it('a directory exits 4 and says to point at one module file', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'jobs'));
    const result = await craftJobs(['run', 'greet', '--jobs', 'jobs'], { cwd: dir });
    expect(result.status).toBe(4);
    expect(result.stderr).toContain('is a directory');
    expect(result.stderr).toContain('[CRAFT_RUNTIME_JOBS_PATH]');
  });

  it('a module that does not load exits 4 with the reason on the same line', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'jobs.mjs'), 'export default [ defineJob( ;\n');
    const result = await craftJobs(['run', 'greet'], { cwd: dir, env: { CRAFT_JOBS: 'jobs.mjs' } });
    expect(result.status).toBe(4);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toContain('could not be imported');
    expect(result.stderr).toContain('SyntaxError');
    expect(result.stderr).toContain('[CRAFT_SCHEDULER_INVALID_JOB_MODULE]');
  });

  it('`jobs` in the config file is resolved against the file; --jobs beats it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'craft.config.json'), JSON.stringify({ jobs: jobs }));
    const fromFile = await craftJobs(['run', 'greet', '--json'], { cwd: dir });
    expect(fromFile.status).toBe(0);
    const flagWins = await craftJobs(['run', 'greet', '--jobs', '/nonexistent/x.mjs'], { cwd: dir });
    expect(flagWins.status).toBe(4);
    expect(flagWins.stderr).toContain('--jobs: the jobs module /nonexistent/x.mjs does not exist');
  });
});
