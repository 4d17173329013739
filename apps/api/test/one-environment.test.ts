// spec section 7: the API and the CLI resolve every setting identically, so pointed at ONE environment they open
// the same database with the same lease. Both run as users run them: craft-api as a real process on a loopback
// port, craft-jobs as a real child process, against the MongoDB test server. The environment names the database
// only in the URI's path (no MONGODB_DB) and sets no LOCK_TTL_SECONDS: the first wave's CLI wrote to `craft` with
// a 60 s lease there, while the API used the path and 300 s.
import { execFile, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomDbName, requireMongoUri } from '@craft/test-utils';
import { createSigner } from 'fast-jwt';
import { type Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiProcess, killAll, startApi } from './process.js';

const CLI = join(
  dirname(createRequire(import.meta.url).resolve('@craft/cli/package.json')),
  'dist',
  'index.js',
);
const JOBS = fileURLToPath(new URL('./fixtures/hold-jobs.mjs', import.meta.url));
const SECRET = 'one-environment-secret-0123456789abcdef';
const TOKEN = createSigner({ key: SECRET })({ sub: 'one-env', scope: 'jobs:read jobs:write jobs:run' });
const HEADERS = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

let client: MongoClient;
let dbName: string;
let db: Db;
let api: ApiProcess;
/** The one environment both processes get. */
let env: Record<string, string>;

/** `uri` with its path set to `name` (the query kept). */
function withDatabase(uri: string, name: string): string {
  const m = /^(mongodb(?:\+srv)?:\/\/[^/?]*)(\/[^?]*)?(\?.*)?$/.exec(uri);
  if (!m) throw new Error(`not a MongoDB URI: ${uri}`);
  return `${m[1]}/${name}${m[3] ?? ''}`;
}

/** Runs craft-jobs with the one environment (plus PATH) and collects its result. */
function craftJobs(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { PATH: process.env['PATH'] ?? '', ...env }, encoding: 'utf8' },
      (error, stdout, stderr) => done({ status: error ? (error.code as number) : 0, stdout, stderr }),
    );
  });
}

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: HEADERS,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Waits until the lock document of `key` is held by an owner matching `owner`, and returns it. */
async function heldLock(key: string, owner: RegExp): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) {
    const doc = await db.collection('job_locks').findOne({ lock_key: key });
    if (doc && typeof doc['owner'] === 'string' && owner.test(doc['owner'])) return doc;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`lock ${key} was never held by ${owner}`);
}

beforeAll(async () => {
  const base = requireMongoUri();
  dbName = randomDbName('one-environment');
  client = await MongoClient.connect(base);
  db = client.db(dbName);
  env = {
    MONGODB_URI: withDatabase(base, dbName),
    JWT_SECRET: SECRET,
    CRAFT_JOBS: JOBS,
    LOG_LEVEL: 'warn',
    SHUTDOWN_GRACE_SECONDS: '1',
  };
  api = await startApi(env);
});

afterAll(async () => {
  await api?.stop('SIGTERM');
  killAll();
  await db?.dropDatabase().catch(() => {});
  await client?.close();
});

describe('craft-api and craft-jobs on one environment', () => {
  it('open the same database: what the CLI creates the API sees, and the other way round', async () => {
    const created = await craftJobs([
      'schedules',
      'create',
      '--name',
      'from-cli',
      '--cron',
      '0 3 * * *',
      '--job-type',
      'hold',
      '--json',
    ]);
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    const seen = await call('GET', '/jobs/schedules/from-cli');
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ job_name: 'from-cli', cron_expression: '0 3 * * *', job_type: 'hold' });

    const posted = await call('POST', '/jobs/schedules', {
      job_name: 'from-api',
      cron_expression: '30 2 * * *',
      job_type: 'hold',
    });
    expect(posted.status).toBe(201);
    const got = await craftJobs(['schedules', 'get', 'from-api', '--json']);
    expect(got.status).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ job_name: 'from-api', cron_expression: '30 2 * * *' });

    const listed = await craftJobs(['schedules', 'list', '--json']);
    const names = (JSON.parse(listed.stdout) as { job_name: string }[]).map((s) => s.job_name);
    expect(names).toEqual(['from-api', 'from-cli']);
    // Both wrote to the database the URI's path names, and nowhere else.
    const inDb = await db.collection('job_schedules').find().sort({ job_name: 1 }).toArray();
    expect(inDb.map((d) => d['job_name'])).toEqual(['from-api', 'from-cli']);
    expect(
      await client.db('craft').collection('job_schedules').countDocuments({ job_name: 'from-cli' }),
    ).toBe(0);
  });

  it('take the same lease: a job run by the CLI and one run by the API each hold its lock for 300 s', async () => {
    // The CLI runs `hold` and keeps its lock while it runs.
    const cli = spawn(process.execPath, [CLI, 'run', 'hold', '--param', 'ms=20000', '--quiet'], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((r) => cli.on('exit', (code) => r(code)));
    const cliLock = await heldLock('job:hold', /^craft-jobs:/);
    cli.kill('SIGTERM');
    expect(await exited).toBe(143);

    // The API runs the same job type once the CLI has let go of the lock.
    const started = await call('POST', '/jobs/run/hold', { parameters: { ms: 2000 } });
    expect(started.status).toBe(202);
    const apiLock = await heldLock('job:hold', /^(?!craft-jobs:)/);

    expect(cliLock['ttl_ms']).toBe(300_000);
    expect(apiLock['ttl_ms']).toBe(300_000);

    // And they see each other's runs.
    const cliRuns = await craftJobs(['runs', 'list', '--job-type', 'hold', '--json']);
    const viaCli = (JSON.parse(cliRuns.stdout) as { id: string }[]).map((r) => r.id);
    const viaApi = ((await call('GET', '/jobs/runs?job_type=hold')).body.items as { id: string }[]).map(
      (r) => r.id,
    );
    expect(viaCli).toHaveLength(2);
    expect(viaApi.sort()).toEqual(viaCli.sort());
    expect(viaCli).toContain(started.body.id);
  });
});
