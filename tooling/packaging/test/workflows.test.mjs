// The GitHub workflows never run here (actionlint checks their syntax in .ci/run). This checks that they test and
// release what this repository says: the Node.js lines ./dev supports, the README's test command, MongoDB 6.0–8.0,
// a three-member replica set with the failover run, and one pnpm version everywhere (./dev, packageManager, the
// Dockerfile, the release job).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../src/workspace.mjs';

const read = (/** @type {string} */ path) => readFileSync(join(ROOT, path), 'utf8');
const ci = parse(read('.github/workflows/ci.yml'));
const release = parse(read('.github/workflows/release.yml'));
const dev = read('dev');
const devLines = Object.keys(
  Object.fromEntries(
    [...(/NODE_LINES=\(([^)]*)\)/.exec(dev)?.[1] ?? '').matchAll(/\[(\d+)\]=/g)].map((m) => [m[1], 1]),
  ),
);

describe('ci.yml', () => {
  it("runs the README's test command on every Node.js line ./dev supports, against MongoDB 6.0, 7.0 and 8.0", () => {
    expect(devLines).toEqual(['22', '24', '26']);
    expect(ci.jobs.test.strategy.matrix.node).toEqual(devLines);
    expect(ci.jobs.test.strategy.matrix.mongodb).toEqual(['6.0', '7.0', '8.0']);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a JavaScript template
    expect(ci.jobs.test.services.mongodb.image).toBe('mongo:${{ matrix.mongodb }}');
    const testStep = ci.jobs.test.steps.find((/** @type {any} */ s) => s.run === './dev test');
    expect(testStep.env.MONGODB_URI).toBe('mongodb://127.0.0.1:27017/');
    expect(read('README.md')).toContain('```sh\n./dev test\n```');
  });

  it('runs the suite on a three-member replica set, then the failover run against it', () => {
    const job = ci.jobs['replica-set'];
    expect(job.env.MONGODB_URI).toMatch(/^mongodb:\/\/([^,/]+,){2}[^,/]+\/\?replicaSet=rs0$/);
    const runs = job.steps.map((/** @type {any} */ s) => s.run ?? '').join('\n');
    expect(runs).toContain('--replSet rs0');
    expect(runs).toContain('./dev test');
    expect(runs).toContain('node tooling/replica-set/failover.mjs');
  });

  it('says in its header that it never runs on the project machines', () => {
    for (const file of ['ci.yml', 'release.yml']) {
      expect(read(`.github/workflows/${file}`).split('\n').slice(0, 6).join(' '), file).toMatch(
        /never runs?/,
      );
    }
  });
});

describe('release.yml', () => {
  it('publishes only after CI passed, with provenance, through the root release script', () => {
    expect(release.jobs.ci.uses).toBe('./.github/workflows/ci.yml');
    expect(ci.on).toHaveProperty('workflow_call');
    const job = release.jobs.release;
    expect(job.needs).toBe('ci');
    expect(job.permissions['id-token']).toBe('write');
    const action = job.steps.find((/** @type {any} */ s) => String(s.uses).startsWith('changesets/action@'));
    expect(action.with).toMatchObject({ version: 'pnpm run version-packages', publish: 'pnpm run release' });
    expect(action.env.NPM_CONFIG_PROVENANCE).toBe('true');
    const scripts = JSON.parse(read('package.json')).scripts;
    // Clean, then a forced (uncached) build of every published package, then publish: no stale dist/ files.
    expect(scripts.release).toMatch(
      /^turbo run clean --filter='\.\/packages\/\*' --filter='\.\/apps\/\*' && turbo run build --force .* && changeset publish$/,
    );
    expect(scripts['version-packages']).toMatch(/^changeset version\b/);
  });
});

it('uses one pnpm version: ./dev, packageManager, the Dockerfile and the release job', () => {
  const version = /PNPM_VERSION=(\S+)/.exec(dev)?.[1];
  expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  expect(JSON.parse(read('package.json')).packageManager).toBe(`pnpm@${version}`);
  expect(read('Dockerfile')).toContain(`pnpm@${version}`);
  expect(JSON.stringify(release)).toContain(`pnpm@${version}`);
});
