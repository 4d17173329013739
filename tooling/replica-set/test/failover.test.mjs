// The failover run needs a real replica set (the CI workflow's replica-set job runs it). Here: it refuses, with a
// message and exit status 2, whatever cannot give it one, so a misconfigured job fails loudly instead of passing
// without a single failover.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const failover = fileURLToPath(new URL('../failover.mjs', import.meta.url));

/** @param {string[]} args @param {Record<string, string | undefined>} env */
function runFailover(args, env) {
  const clean = { ...process.env, ...env };
  for (const [key, value] of Object.entries(clean)) if (value === undefined) delete clean[key];
  return spawnSync(process.execPath, [failover, ...args], { env: clean, encoding: 'utf8', timeout: 60_000 });
}

it('refuses a server that is not a replica set (the test server is a standalone)', () => {
  const result = runFailover(['--seconds', '30'], { MONGODB_URI: process.env.MONGODB_URI });
  expect(result.stderr).toMatch(/is not a replica set with at least three members/);
  expect(result.status).toBe(2);
});

it('refuses to run without MONGODB_URI', () => {
  const result = runFailover([], { MONGODB_URI: undefined });
  expect(result.stderr).toMatch(/MONGODB_URI is not set/);
  expect(result.status).toBe(2);
});

it('refuses a step-down interval that does not fit in the run', () => {
  const result = runFailover(['--seconds', '30', '--every', '30'], { MONGODB_URI: process.env.MONGODB_URI });
  expect(result.stderr).toMatch(/--every: 5 to --seconds, got 30/);
  expect(result.status).toBe(2);
});
