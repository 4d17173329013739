// The launcher itself: MONGODB_URI pass-through, a second server on its own port, clean stops (also when the
// parent dies), and clear errors when Java or Maven is missing.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import {
  buildMongoTestServer,
  isJarFresh,
  MongoTestServerError,
  startMongoTestServer,
} from '@craft/mongo-test-server';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';

const launcherPath = createRequire(import.meta.url).resolve('@craft/mongo-test-server');

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilGone(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  return !isAlive(pid);
}

async function withEnv<T>(changes: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(changes).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe('startMongoTestServer', () => {
  it('returns MONGODB_URI as is when it is set, starting nothing', async () => {
    const server = await withEnv({ MONGODB_URI: 'mongodb://db.example:27017/' }, () =>
      startMongoTestServer(),
    );
    expect(server).toMatchObject({ uri: 'mongodb://db.example:27017/', external: true, pid: undefined });
    await server.stop();
  });

  it('starts a server on a free loopback port that answers the driver, and stops it', async () => {
    expect(isJarFresh()).toBe(true); // built by the global setup or the root test command
    const server = await startMongoTestServer({ useEnv: false });
    expect(server.external).toBe(false);
    expect(server.uri).toBe(`mongodb://127.0.0.1:${server.port}/`);
    expect(server.uri).not.toBe(process.env.MONGODB_URI);
    const client = await new MongoClient(server.uri).connect();
    await client.db('launcher').collection('c').insertOne({ a: 1 });
    expect(await client.db('launcher').collection('c').countDocuments()).toBe(1);
    await client.close();

    await server.stop();
    expect(await server.exited).toEqual({ code: 0, signal: null }); // exited on end of stdin
    expect(isAlive(server.pid!)).toBe(false);
    await server.stop(); // twice is fine
  });

  it('the server exits when the process that started it is killed', async () => {
    const script =
      `const { startMongoTestServer } = await import(${JSON.stringify(launcherPath)});` +
      'const s = await startMongoTestServer({ useEnv: false }); console.log(s.pid);';
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const javaPid = await new Promise<number>((resolve, reject) => {
      createInterface({ input: parent.stdout! }).once('line', (line) => resolve(Number(line)));
      parent.once('exit', (code) => reject(new Error(`the parent exited first (${code})`)));
    });
    expect(isAlive(javaPid)).toBe(true);
    parent.kill('SIGKILL');
    expect(await waitUntilGone(javaPid)).toBe(true);
  });

  it('no java: CRAFT_TEST_SERVER_JAVA_MISSING, saying what to install', async () => {
    const error = await withEnv({ JAVA_HOME: '/nonexistent-jdk' }, () =>
      startMongoTestServer({ useEnv: false }).then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    expect(error).toBeInstanceOf(MongoTestServerError);
    expect((error as MongoTestServerError).code).toBe('CRAFT_TEST_SERVER_JAVA_MISSING');
    expect((error as Error).message).toMatch(/openjdk-17-jdk-headless.*MONGODB_URI/s);
  });

  it('no Maven: CRAFT_TEST_SERVER_MAVEN_MISSING, and the cached jar is left alone', async () => {
    const error = await withEnv({ PATH: '/nonexistent-bin' }, () =>
      buildMongoTestServer({ force: true, log: () => {} }).then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    expect(error).toBeInstanceOf(MongoTestServerError);
    expect((error as MongoTestServerError).code).toBe('CRAFT_TEST_SERVER_MAVEN_MISSING');
    expect((error as Error).message).toMatch(/apt-get install maven/);
    expect(isJarFresh()).toBe(true);
  });
});
