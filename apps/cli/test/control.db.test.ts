// Per-schedule control from the command line, as real processes against MongoDB (spec section 10): DST and jitter
// flags, disable with a reason, the global pause (pause, resume, status), schedules as code (apply, export).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomDbName, requireMongoUri } from '@craft/test-utils';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { craftJobs, dirWith, writeJobsModule } from './helpers.js';

const uri = requireMongoUri();
const dbName = randomDbName('cli-control');
const env = { MONGODB_URI: uri, MONGODB_DB: dbName, CRAFT_JOBS: writeJobsModule() };
let client: MongoClient;

beforeAll(async () => {
  client = await new MongoClient(uri).connect();
});
afterAll(async () => {
  await client.db(dbName).dropDatabase();
  await client.close();
});

type Json = { [key: string]: unknown };
const json = (stdout: string) => JSON.parse(stdout) as Json;

describe('schedules with DST choices, jitter and a pause reason', () => {
  it('creates a schedule with the control flags, shows them, and disables it with a reason by cli', async () => {
    const created = await craftJobs(
      [
        'schedules',
        'create',
        '--name',
        'ctl-night',
        '--cron',
        '30 2 * * *',
        '--job-type',
        'greet',
        '--timezone',
        'Europe/Stockholm',
        '--dst-gap',
        'shift',
        '--dst-overlap',
        'both',
        '--jitter-seconds',
        '300',
        '--pause-after-failures',
        '3',
        '--json',
      ],
      { env },
    );
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    expect(json(created.stdout)).toMatchObject({
      dst_gap: 'shift',
      dst_overlap: 'both',
      jitter_seconds: 300,
      pause_after_failures: 3,
      updated_by: 'cli',
    });
    const shown = await craftJobs(['schedules', 'get', 'ctl-night'], { env });
    expect(shown.stdout).toContain('gap: shift');
    expect(shown.stdout).toContain('up to 300 s after each slot');
    expect(shown.stdout).toMatch(/starts .* jitter\)/);
    const off = await craftJobs(['schedules', 'disable', 'ctl-night', '--reason', 'INC-42'], { env });
    expect(off.status).toBe(0);
    expect(off.stdout).toContain('(reason: INC-42)');
    const doc = await client.db(dbName).collection('job_schedules').findOne({ job_name: 'ctl-night' });
    expect(doc).toMatchObject({
      is_enabled: false,
      paused_reason: 'INC-42',
      paused_by: 'cli',
      updated_by: 'cli',
    });
  });

  it('refuses a bad DST choice and a jitter longer than the slot gap, naming the field', async () => {
    const bad = await craftJobs(
      [
        'schedules',
        'create',
        '--name',
        'x',
        '--cron',
        '* * * * *',
        '--job-type',
        'greet',
        '--dst-gap',
        'later',
      ],
      {
        env,
      },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('dst-gap');
    const jitter = await craftJobs(
      [
        'schedules',
        'create',
        '--name',
        'x',
        '--cron',
        '*/5 * * * *',
        '--job-type',
        'greet',
        '--jitter-seconds',
        '300',
      ],
      { env },
    );
    expect(jitter.status).toBe(2);
    expect(jitter.stderr).toContain('jitter_seconds');
    expect(jitter.stderr).toContain('300 s');
  });
});

describe('the global pause', () => {
  it('pauses, reports the status, and resumes', async () => {
    const paused = await craftJobs(['pause', '--reason', 'payment outage'], { env });
    expect(paused.status).toBe(0);
    expect(paused.stdout).toContain('PAUSED');
    expect(paused.stdout).toContain('payment outage');
    const status = await craftJobs(['status', '--json'], { env });
    expect(json(status.stdout)).toMatchObject({
      pause: { paused: true, reason: 'payment outage', paused_by: 'cli' },
    });
    const check = await craftJobs(['check'], { env });
    expect(check.status).toBe(0);
    expect(check.stdout).toContain('Triggering is paused');
    const resumed = await craftJobs(['resume', '--catch-up', '--json'], { env });
    expect(json(resumed.stdout)).toMatchObject({ paused: false, resumed_by: 'cli' });
    expect((json(resumed.stdout).windows as { catch_up: boolean }[]).at(-1)?.catch_up).toBe(true);
    const again = await craftJobs(['resume'], { env });
    expect(again.stdout).toContain('was not paused');
  });
});

describe('schedules as code', () => {
  const file = (schedules: unknown[]) =>
    join(dirWith({ 'schedules.json': JSON.stringify({ schedules }) }), 'schedules.json');

  it('prints the diff of a dry run, applies, prunes only what it manages, and round-trips through export', async () => {
    const db = randomDbName('cli-apply');
    const e = { ...env, MONGODB_DB: db };
    try {
      await craftJobs(
        ['schedules', 'create', '--name', 'by-hand', '--cron', '0 1 * * *', '--job-type', 'greet'],
        {
          env: e,
        },
      );
      const first = file([
        { job_name: 'a', cron_expression: '0 3 * * *', job_type: 'greet', chain: ['b'] },
        { job_name: 'b', cron_expression: '0 4 * * *', job_type: 'greet', dst_gap: 'shift' },
      ]);
      const dry = await craftJobs(['schedules', 'apply', first, '--dry-run'], { env: e });
      expect(dry.status).toBe(0);
      expect(dry.stdout).toContain('+ create b');
      expect(dry.stdout).toContain('+ create a');
      expect(dry.stdout).toContain('cron_expression: "0 3 * * *"');
      expect(dry.stdout).toContain('nothing was written');
      expect(await client.db(db).collection('job_schedules').countDocuments({ managed_by: 'sync' })).toBe(0);
      const applied = await craftJobs(['schedules', 'apply', first], { env: e });
      expect(applied.status).toBe(0);
      expect(applied.stdout).toContain('Applied 2 change(s).');
      const docs = await client.db(db).collection('job_schedules').find({ managed_by: 'sync' }).toArray();
      expect(docs.map((d) => d['job_name']).sort()).toEqual(['a', 'b']);
      expect(docs.every((d) => d['updated_by'] === 'sync')).toBe(true);
      // An edit of a declared field shows as a diff line; pruning leaves the hand-made schedule.
      const second = file([
        { job_name: 'b', cron_expression: '0 5 * * *', job_type: 'greet', dst_gap: 'shift' },
      ]);
      const pruned = await craftJobs(['schedules', 'apply', second, '--prune'], { env: e });
      expect(pruned.status).toBe(0);
      expect(pruned.stdout).toContain('cron_expression: "0 4 * * *" → "0 5 * * *"');
      expect(pruned.stdout).toContain('- delete a');
      expect(pruned.stdout).toContain('? leave by-hand');
      const names = (await client.db(db).collection('job_schedules').find().toArray()).map(
        (d) => d['job_name'],
      );
      expect(names.sort()).toEqual(['b', 'by-hand']);
      // Export, then apply the export: nothing to do.
      const dir = dirWith({});
      const out = join(dir, 'export.json');
      const exported = await craftJobs(['schedules', 'export', '-o', out], { env: e });
      expect(exported.status).toBe(0);
      const written = JSON.parse(readFileSync(out, 'utf8')) as { schedules: Json[] };
      expect(written.schedules.map((s) => s['job_name'])).toEqual(['b', 'by-hand']);
      expect(Object.keys(written.schedules[0] ?? {})).not.toContain('next_run_at');
      expect(written.schedules[0]).toMatchObject({ dst_gap: 'shift', cron_expression: '0 5 * * *' });
      const reapply = await craftJobs(['schedules', 'apply', out, '--json'], { env: e });
      const result = json(reapply.stdout) as {
        changes: { job_name?: string; jobName: string; action: string }[];
      };
      expect(result.changes.map((c) => [c.jobName, c.action])).toEqual([
        ['b', 'unchanged'],
        ['by-hand', 'update'],
      ]);
    } finally {
      await client.db(db).dropDatabase();
    }
  });

  it('refuses a file with a server-managed field or an invalid schedule, writing nothing', async () => {
    const db = randomDbName('cli-apply-bad');
    const e = { ...env, MONGODB_DB: db };
    try {
      const managed = file([
        { job_name: 'a', cron_expression: '0 3 * * *', job_type: 'greet', paused_by: 'x' },
      ]);
      const r1 = await craftJobs(['schedules', 'apply', managed], { env: e });
      expect(r1.status).toBe(2);
      expect(r1.stderr).toContain('paused_by');
      const invalid = file([
        { job_name: 'ok', cron_expression: '0 3 * * *', job_type: 'greet' },
        { job_name: 'bad', cron_expression: '0 3 * * *', job_type: 'nope' },
      ]);
      const r2 = await craftJobs(['schedules', 'apply', invalid], { env: e });
      expect(r2.status).toBe(2);
      expect(r2.stderr).toContain('nope');
      expect(await client.db(db).collection('job_schedules').countDocuments()).toBe(0);
      const notJson = join(dirWith({ 'x.json': '{' }), 'x.json');
      expect((await craftJobs(['schedules', 'apply', notJson], { env: e })).status).toBe(2);
      writeFileSync(notJson, '{"schedules": 1}');
      const shape = await craftJobs(['schedules', 'apply', notJson], { env: e });
      expect(shape.stderr).toContain('{"schedules": [');
    } finally {
      await client.db(db).dropDatabase();
    }
  });
});
