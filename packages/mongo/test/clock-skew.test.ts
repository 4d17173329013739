// Two lock clients whose local clocks are 30 s apart (separate processes, each with its Date shifted: -15 s and
// +15 s) contend for one lock with a short lease. Judged by the database server's clock (the default), they
// never both hold it. The negative control — the same processes judging expiry by their own clocks — does let
// them overlap, which shows the witness would catch a wrong decision.
import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, expect, it } from 'vitest';
import { setupMongo } from './support/mongo.js';

const run = promisify(execFile);
const mongo = await setupMongo('clock-skew');
const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const contender = fileURLToPath(new URL('./fixtures/lock-contender.mjs', import.meta.url));
const skewDate = fileURLToPath(new URL('./fixtures/skew-date.mjs', import.meta.url));
const DURATION_MS = Number(process.env.CRAFT_LONG) ? 20_000 : 3_000;

interface Summary {
  owner: string;
  skewedNow: string;
  acquired: number;
  refused: number;
  overlaps: number;
}

beforeAll(() => {
  // The contenders import the built package (dist); an incremental build is a no-op when it is up to date.
  execFileSync('pnpm', ['exec', 'tsc', '-b'], { cwd: pkgDir, stdio: 'inherit' });
});

async function contend(clock: 'server' | 'local'): Promise<Summary[]> {
  const collection = mongo.unique(`skew_${clock}`);
  const common = {
    ...process.env,
    MONGODB_URI: mongo.uri,
    DB: mongo.db.databaseName,
    COLLECTION: collection,
    KEY: 'job:settlement',
    CLOCK: clock,
    TTL_MS: '1500',
    DURATION_MS: String(DURATION_MS),
  };
  const outputs = await Promise.all(
    [-15_000, 15_000].map((skew, i) =>
      run(process.execPath, ['--import', skewDate, contender], {
        cwd: pkgDir,
        env: { ...common, SKEW_MS: String(skew), OWNER: `replica-${i}` },
      }),
    ),
  );
  return outputs.map((o) => JSON.parse(o.stdout) as Summary);
}

it('server clock: replicas whose clocks are 30 s apart never both hold the lock', async () => {
  const [a, b] = await contend('server');
  // The two processes really disagree about the time by about 30 s.
  expect(Date.parse(b?.skewedNow ?? '') - Date.parse(a?.skewedNow ?? '')).toBeGreaterThan(25_000);
  expect(a?.overlaps).toBe(0);
  expect(b?.overlaps).toBe(0);
  // Both really contended: each got the lock many times and was refused while the other held it.
  expect(a?.acquired).toBeGreaterThan(5);
  expect(b?.acquired).toBeGreaterThan(5);
  expect((a?.refused ?? 0) + (b?.refused ?? 0)).toBeGreaterThan(0);
});

it('negative control: judged by each replica’s own skewed clock, the same contenders overlap', async () => {
  const [a, b] = await contend('local');
  expect((a?.overlaps ?? 0) + (b?.overlaps ?? 0)).toBeGreaterThan(0);
});
