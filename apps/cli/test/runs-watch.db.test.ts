// `craft-jobs runs watch` as a real process against MongoDB: it follows the store's event log (spec section 12)
// while other processes change schedules and run jobs; filters, --since, --after, --json, a live table on a
// terminal (through `script`, which gives it a pseudo-terminal), and the exit statuses of SIGINT and SIGTERM.
import { spawn } from 'node:child_process';
import { randomDbName, requireMongoUri } from '@craft/test-utils';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, craftJobs, lines, startCraftJobs, writeJobsModule } from './helpers.js';

const uri = requireMongoUri();
const ESC = String.fromCharCode(27);
const jobs = writeJobsModule();
const databases: string[] = [];
let client: MongoClient;

function freshEnv(): Record<string, string> {
  const name = randomDbName('cli-watch');
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

async function ok(args: string[], env: Record<string, string>) {
  const r = await craftJobs(args, { env });
  expect(r.status, r.stderr).toBe(0);
  return r;
}

/** The event types of `--json` output lines. */
const jsonTypes = (stdout: string) => lines(stdout).map((l) => (JSON.parse(l) as { type: string }).type);

describe('runs watch', () => {
  it('prints one line per event of other processes as they happen, and exits 130 on SIGINT', async () => {
    const env = freshEnv();
    const watch = startCraftJobs(['runs', 'watch'], { env });
    await watch.stderrContains('watching the event log');
    await ok(['schedules', 'create', '--name', 'nightly', '--cron', '0 3 * * *', '--job-type', 'greet'], env);
    await ok(['run', 'greet', '--param', 'name=ada'], env);
    await ok(['schedules', 'disable', 'nightly'], env);
    const out = await watch.stdoutMatches((s) => s.includes('schedule:disabled'));
    const types = lines(out).map((l) => l.split(/\s+/)[1]);
    expect(types).toEqual([
      'schedule:created',
      'run:created',
      'run:started',
      'run:succeeded',
      'schedule:disabled',
    ]);
    expect(lines(out)[0]).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ {2}schedule:created {3}nightly {2}0 3 \* \* \* {2}enabled/,
    );
    expect(lines(out)[3]).toMatch(
      /run:succeeded +greet +run [0-9a-f-]{36} +succeeded +attempt 1\/3 +trigger manual +took/,
    );
    expect(lines(out)[4]).toContain('changed: is_enabled');
    watch.child.kill('SIGINT');
    const result = await watch.result;
    expect(result.status).toBe(130);
    expect(result.stderr).toContain('SIGINT: stopped watching');
  }, 60_000);

  it('--json, --job-name and --type: matching events only, one JSON object per line; SIGTERM exits 143', async () => {
    const env = freshEnv();
    const watch = startCraftJobs(
      ['runs', 'watch', '--json', '--job-name', 'a', '--type', 'run:failed,schedule:created'],
      {
        env,
      },
    );
    await watch.stderrContains('watching the event log');
    for (const name of ['a', 'b']) {
      await ok(['schedules', 'create', '--name', name, '--cron', '* * * * *', '--job-type', 'fail'], env);
    }
    // Both due now (this minute is a slot), then one cycle runs them: runs of schedules a and b fail.
    const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    await client
      .db(env['MONGODB_DB'])
      .collection('job_schedules')
      .updateMany({}, { $set: { next_run_at: minute, next_due_at: minute } });
    expect((await craftJobs(['check'], { env })).status).toBe(1);
    const out = await watch.stdoutMatches((s) => s.includes('run:failed'));
    await new Promise((r) => setTimeout(r, 1500));
    const objects = lines(watch.stdout()).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects.map((o) => `${o['type']} ${o['job_name']}`)).toEqual([
      'schedule:created a',
      'run:failed a',
    ]);
    expect(objects[1]).toMatchObject({ data: { status: 'failed', error: { message: 'boom' } } });
    expect(typeof objects[1]?.['id']).toBe('string');
    expect(out).not.toContain('\u001b[');
    watch.child.kill('SIGTERM');
    expect((await watch.result).status).toBe(143);
  }, 60_000);

  it('--since shows the retained history first; --after resumes exactly after an event id', async () => {
    const env = freshEnv();
    await ok(['schedules', 'create', '--name', 'h1', '--cron', '0 3 * * *', '--job-type', 'greet'], env);
    await ok(['schedules', 'disable', 'h1'], env);
    await ok(['schedules', 'enable', 'h1'], env);
    await ok(['schedules', 'delete', 'h1'], env);
    const history = startCraftJobs(['runs', 'watch', '--json', '--since', '1h'], { env });
    const out = await history.stdoutMatches((s) => s.includes('schedule:deleted'));
    history.child.kill('SIGTERM');
    await history.result;
    expect(jsonTypes(out)).toEqual([
      'schedule:created',
      'schedule:disabled',
      'schedule:enabled',
      'schedule:deleted',
    ]);
    const secondId = (JSON.parse(lines(out)[1] as string) as { id: string }).id;
    const resumed = startCraftJobs(['runs', 'watch', '--json', '--after', secondId], { env });
    const rest = await resumed.stdoutMatches((s) => s.includes('schedule:deleted'));
    await new Promise((r) => setTimeout(r, 1000));
    resumed.child.kill('SIGINT');
    expect((await resumed.result).status).toBe(130);
    expect(jsonTypes(resumed.stdout())).toEqual(['schedule:enabled', 'schedule:deleted']);
    expect(rest).not.toContain('schedule:disabled');
    // An id older than the retention: a warning, a reset line, and it goes on from now.
    const stale = startCraftJobs(
      ['runs', 'watch', '--json', '--after', `${Date.now() - 8 * 86_400_000}-abc`],
      { env },
    );
    await stale.stderrContains('cannot be resumed (older than the 7 days events are kept)');
    const reset = await stale.stdoutMatches((s) => s.includes('"reset"'));
    expect(JSON.parse(lines(reset)[0] as string)).toMatchObject({ type: 'reset', reason: 'expired' });
    stale.child.kill('SIGTERM');
    await stale.result;
  }, 60_000);

  it('draws a live table on a terminal, redrawn in place, and stops on Ctrl-C with 130', async () => {
    const env = freshEnv();
    const child = spawn(
      'script',
      ['-q', '-e', '-c', `exec "${process.execPath}" "${BIN}" runs watch`, '/dev/null'],
      {
        env: { PATH: process.env['PATH'] ?? '', TERM: 'xterm', ...env },
      },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const until = async (text: string) => {
      for (let i = 0; i < 200 && !out.includes(text); i++) await new Promise((r) => setTimeout(r, 50));
      expect(out).toContain(text);
    };
    await until('watching the event log');
    await ok(['run', 'greet'], env);
    await until('succeeded');
    child.stdin.write('\u0003'); // Ctrl-C, as the terminal sends it
    expect(await exited).toBe(130);
    expect(out).toContain('Schedule / job type');
    expect(out).toMatch(new RegExp(`${ESC}\\[\\d+F${ESC}\\[J`)); // redrawn in place
    expect(out).toContain('\u001b[32msucceeded\u001b[39m'); // coloured on a terminal
    expect(out).toContain('SIGINT: stopped watching');
  }, 60_000);

  it('refuses bad flags (exit 2) and needs a database (exit 4)', async () => {
    const env = freshEnv();
    const since = await craftJobs(['runs', 'watch', '--since', 'yesterday'], { env });
    expect(since.status).toBe(2);
    expect(since.stderr).toContain('--since: invalid value "yesterday"');
    const type = await craftJobs(['runs', 'watch', '--type', 'failed'], { env });
    expect(type.status).toBe(2);
    expect(type.stderr).toContain('--type: invalid event type "failed"');
    const both = await craftJobs(['runs', 'watch', '--since', '1h', '--after', '1-a'], { env });
    expect(both.status).toBe(2);
    const none = await craftJobs(['runs', 'watch'], { env: {} });
    expect(none.status).toBe(4);
    expect(none.stderr).toContain('runs watch needs the database');
  }, 60_000);
});
