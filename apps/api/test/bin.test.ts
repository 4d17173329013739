// The published bin as users run it (`npx @craft/api`), on its embedded default: no database, no secret.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { killAll, spawnApi, startApi } from './process.js';

const JOBS = fileURLToPath(new URL('./fixtures/jobs.mjs', import.meta.url));

afterAll(killAll);

describe('craft-api on the embedded default', () => {
  it('warns that nothing is persisted, prints a working all-scope token, loads CRAFT_JOBS, exits 0 on SIGINT', async () => {
    const api = await startApi({ CRAFT_JOBS: JOBS, LOG_LEVEL: 'info' });
    try {
      const out = api.output();
      expect(out).toMatch(/EMBEDDED DEFAULT - in-memory storage\. NOTHING IS PERSISTED/);
      const token = /export CRAFT_TOKEN=(\S+)/.exec(out)?.[1];
      expect(token).toBeDefined();
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const created = await fetch(`${api.url}/jobs/schedules`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          job_name: 'greet',
          cron_expression: '0 9 * * 0-4',
          job_type: 'fixture_greet',
        }),
      });
      expect(created.status).toBe(201);
      const run = await fetch(`${api.url}/jobs/schedules/greet/run?wait=true`, { method: 'POST', headers });
      expect(await run.json()).toMatchObject({ status: 'succeeded', result: { greeting: 'hello world' } });
      const ready = await (await fetch(`${api.url}/ready`)).json();
      expect(ready).toEqual({ status: 'ready', storage: 'memory', scheduler: 'running' });
      expect((await fetch(`${api.url}/jobs/schedules`)).status).toBe(401);
    } finally {
      expect(await api.stop('SIGINT')).toBe(0);
    }
    expect(api.output()).toContain('shut down cleanly');
  });

  it('NODE_ENV=production refuses to start without a database and a real secret (exit 78, names the variables)', async () => {
    const api = spawnApi({ NODE_ENV: 'production' }, 1);
    expect(await api.exited).toBe(78);
    expect(api.output()).toMatch(
      /invalid configuration \(CRAFT_RUNTIME_INVALID_SETTINGS\):\n {2}- MONGODB_URI: .*\n {2}- JWT_SECRET: /,
    );
  });

  it('an invalid variable stops startup with a message naming it', async () => {
    const api = spawnApi({ POLL_INTERVAL_SECONDS: 'often' }, 1);
    expect(await api.exited).toBe(78);
    expect(api.output()).toContain('POLL_INTERVAL_SECONDS: invalid value "often"');
  });

  it('a CRAFT_JOBS module that does not exist stops startup (exit 1) with the error code and the path', async () => {
    const api = spawnApi({ CRAFT_JOBS: '/nonexistent/jobs.mjs' }, 1);
    expect(await api.exited).toBe(1);
    expect(api.output()).toContain(
      '(CRAFT_RUNTIME_JOBS_PATH): CRAFT_JOBS: the jobs module /nonexistent/jobs.mjs does not exist',
    );
  });

  it('a CRAFT_JOBS module that does not load stops startup (exit 1) with the scheduler error code', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'craft-api-bin-'));
    writeFileSync(join(dir, 'jobs.mjs'), 'export default 42;\n');
    const api = spawnApi({ CRAFT_JOBS: join(dir, 'jobs.mjs') }, 1);
    expect(await api.exited).toBe(1);
    expect(api.output()).toContain('CRAFT_SCHEDULER_INVALID_JOB_MODULE');
  });
});
