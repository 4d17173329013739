// The production image, proven by its contents (no container runtime runs here): the Dockerfile's own `pnpm …
// deploy` line deploys @craft/api into a folder, and the service starts from that folder exactly as the image's CMD
// starts it, with the image's ENV (NODE_ENV=production), against the test's MongoDB; /health, /ready and an
// authenticated request answer; the image's HEALTHCHECK command passes while it runs and fails once it stopped; the
// image's STOPSIGNAL drains it and it exits 0. compose.yaml is checked for the layout docs/deploy.md describes.
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomDbName } from '@craft/test-utils';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { productionImage } from '../src/dockerfile.mjs';
import { listFiles } from '../src/pack.mjs';
import { freePort, run, runOk, start, waitFor200 } from '../src/run.mjs';
import { ROOT } from '../src/workspace.mjs';

const image = productionImage();
const scratch = mkdtempSync(join(tmpdir(), 'craft-deploy-'));
const target = join(scratch, 'srv');
const dbName = randomDbName('packaging-deploy');

afterAll(async () => {
  const client = await new MongoClient(process.env.MONGODB_URI ?? '').connect();
  await client
    .db(dbName)
    .dropDatabase()
    .catch(() => {});
  await client.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** An HS256 token, as any JWT library would sign it. @param {string} secret @param {Record<string, unknown>} claims */
function hs256(secret, claims) {
  const part = (/** @type {unknown} */ o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

describe('the Dockerfile, replayed without a container runtime', () => {
  it('describes a production image: NODE_ENV=production, HOST=0.0.0.0, an unprivileged user, node as PID 1', () => {
    expect(image.env).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0', PORT: '5001' });
    expect(image.user).toBe('node');
    expect(image.cmd).toEqual(['node', 'dist/bin.js']);
    expect(image.stopSignal).toBe('SIGTERM');
    expect(image.deploy).toMatch(/--prod\b/);
  });

  it('deploys @craft/api into a folder with production dependencies only (its `pnpm … deploy` line)', async () => {
    const args = image.deploy.split(/\s+/);
    expect(args.at(-1)).toBe(image.workdir);
    const started = Date.now();
    await runOk(args[0] ?? 'pnpm', [...args.slice(1, -1), target], { cwd: ROOT, timeoutMs: 300_000 });
    const files = listFiles(target);
    const modules = new Set(files.map((f) => /node_modules\/\.pnpm\/([^/]+)\//.exec(f)?.[1]).filter(Boolean));
    process.stderr.write(
      `packaging: pnpm deploy --prod of @craft/api took ${Date.now() - started} ms: ${files.length} files, ` +
        `${modules.size} packages, ${(files.reduce((n, f) => n + statSync(join(target, f)).size, 0) / 1e6).toFixed(1)} MB\n`,
    );
    expect(JSON.parse(readFileSync(join(target, 'package.json'), 'utf8')).name).toBe('@craft/api');
    expect(existsSync(join(target, image.cmd[1] ?? ''))).toBe(true);
    for (const dep of [
      '@craft/runtime',
      '@craft/scheduler',
      '@craft/mongo',
      '@craft/cron',
      'mongodb',
      'fastify',
    ]) {
      expect(existsSync(join(target, 'node_modules', dep, 'package.json')), dep).toBe(true);
    }
    // Nothing the tests use: no test runner, no test helpers, no CLI.
    const leaked = [...modules].filter((m) =>
      /^(vitest|@vitest|fast-check|@craft\+(test-utils|cli|packaging))/.test(m ?? ''),
    );
    expect(leaked).toEqual([]);
    // USER node (not the owner) can read every file and enter every folder.
    const unreadable = files.filter((f) => (statSync(join(target, f)).mode & 0o004) === 0);
    expect(unreadable).toEqual([]);
  });

  it('starts as CMD does against MongoDB; HEALTHCHECK passes, then STOPSIGNAL drains it, it exits 0 and HEALTHCHECK fails', async () => {
    expect(existsSync(join(target, 'package.json')), 'the deploy test above ran').toBe(true);
    const port = await freePort();
    const secret = randomBytes(32).toString('hex');
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...image.env,
      // Loopback instead of the image's 0.0.0.0: this runs on a shared machine, not in a container's namespace.
      HOST: '127.0.0.1',
      PORT: String(port),
      MONGODB_URI: process.env.MONGODB_URI ?? '',
      MONGODB_DB: dbName,
      JWT_SECRET: secret,
    };
    const [command = 'node', ...args] = image.cmd;
    const server = start(command, args, { cwd: target, env });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitFor200(`${url}/health`, server, 60_000);
      const ready = await waitFor200(`${url}/ready`, server, 30_000);
      expect(await ready.json()).toMatchObject({ status: 'ready', storage: 'mongodb', scheduler: 'running' });

      const now = Math.floor(Date.now() / 1000);
      const token = hs256(secret, {
        sub: 'deploy-test',
        scope: 'jobs:read jobs:write',
        iat: now,
        exp: now + 300,
      });
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      expect((await fetch(`${url}/jobs/schedules`)).status).toBe(401);
      const created = await fetch(`${url}/jobs/schedules`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          job_name: 'nightly',
          cron_expression: '30 2 * * *',
          job_type: 'cleanup_run_history',
        }),
      });
      expect(created.status, await created.clone().text()).toBe(201);
      const read = await fetch(`${url}/jobs/schedules/nightly`, { headers });
      expect(await read.json()).toMatchObject({ job_name: 'nightly', cron_expression: '30 2 * * *' });

      const [check = 'node', ...checkArgs] = image.healthcheck;
      const healthy = await run(check, checkArgs, { cwd: target, env });
      expect(healthy.status, healthy.stderr).toBe(0);
    } finally {
      const { status } = await server.stop(image.stopSignal);
      expect(status, server.output()).toBe(0);
    }
    expect(server.output()).toContain('shut down cleanly');
    const [check = 'node', ...checkArgs] = image.healthcheck;
    expect((await run(check, checkArgs, { cwd: target, env })).status).toBe(1);
  });
});

describe('compose.yaml', () => {
  const compose = parse(readFileSync(join(ROOT, 'compose.yaml'), 'utf8'), { merge: true }); // compose honours <<: merge keys
  const services = compose.services;

  it('runs two API replicas from this Dockerfile on one MongoDB replica set, after it is initiated', () => {
    const apis = Object.entries(services).filter(([, s]) => /** @type {any} */ (s).build !== undefined);
    expect(apis.map(([name]) => name).sort()).toEqual(['api-1', 'api-2']);
    for (const [name, s] of /** @type {[string, any][]} */ (apis)) {
      expect(s.build, name).toBe('.');
      expect(s.environment.MONGODB_URI, name).toMatch(
        /^mongodb:\/\/mongo1:27017,mongo2:27017,mongo3:27017\/\w+\?replicaSet=rs0$/,
      );
      expect(s.environment.JWT_SECRET, name).toMatch(/^\$\{JWT_SECRET:\?/);
      expect(s.depends_on['mongo-init'].condition, name).toBe('service_completed_successfully');
      // Longer than the service's drain (SHUTDOWN_GRACE_SECONDS, 30 s by default).
      expect(Number.parseInt(s.stop_grace_period, 10), name).toBeGreaterThan(30);
      expect(s.environment.HOST, name).toBeUndefined(); // the image's 0.0.0.0
    }
    expect(new Set(apis.map(([, s]) => /** @type {any} */ (s).ports[0])).size).toBe(2);
  });

  it('has three replica set members and an init step that initiates rs0 with all three', () => {
    for (const member of ['mongo1', 'mongo2', 'mongo3']) {
      expect(services[member].command, member).toEqual(expect.arrayContaining(['--replSet', 'rs0']));
      expect(services[member].healthcheck, member).toBeDefined();
    }
    const init = JSON.stringify(services['mongo-init']);
    for (const member of ['mongo1:27017', 'mongo2:27017', 'mongo3:27017']) expect(init).toContain(member);
    expect(init).toContain('rs.initiate');
  });
});
