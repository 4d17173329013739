// What `changeset version` will do, run for real in a scratch git repository holding this workspace's manifests and
// pending changesets (the workspace's own @changesets/cli, with its patch in patches/):
// - the first release numbers every published package 0.1.0, as the changelogs' "First release" entries say;
// - afterwards a breaking (minor) @craft/scheduler release moves @craft/mongo, which peers it at ^0.x, to its next
//   minor — not to 1.0.0, which unpatched changesets does for any peer dependent of a 0.x package;
// - a @craft/scheduler patch leaves @craft/mongo alone (its peer range still holds: onlyUpdatePeerDependentsWhenOutOfRange).
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOk } from '../src/run.mjs';
import { publishedPackages, ROOT, workspacePackages } from '../src/workspace.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'craft-release-plan-'));
const changeset = join(ROOT, 'node_modules', '@changesets', 'cli', 'bin.js');
const published = publishedPackages();
const git = (/** @type {string[]} */ ...args) =>
  runOk('git', ['-c', 'user.name=release-plan', '-c', 'user.email=release-plan@localhost', ...args], {
    cwd: scratch,
  });

/** `changeset status` as { name: { type, oldVersion, newVersion } } (non-released packages left out). */
async function plan() {
  const out = join(scratch, 'plan.json');
  await runOk(process.execPath, [changeset, 'status', `--output=${out}`], { cwd: scratch });
  /** @type {{ releases: { name: string, type: string, oldVersion: string, newVersion: string }[] }} */
  const status = JSON.parse(readFileSync(out, 'utf8'));
  rmSync(out);
  return Object.fromEntries(
    status.releases
      .filter((r) => r.type !== 'none')
      .map((r) => [r.name, { type: r.type, from: r.oldVersion, to: r.newVersion }]),
  );
}

const manifest = (/** @type {string} */ relDir) =>
  JSON.parse(readFileSync(join(scratch, relDir, 'package.json'), 'utf8'));

/** Replaces the pending changesets with one. @param {Record<string, string>} bumps @param {string} summary */
async function onlyChangeset(bumps, summary) {
  for (const f of readdirSync(join(scratch, '.changeset')))
    if (f.endsWith('.md')) rmSync(join(scratch, '.changeset', f));
  const front = Object.entries(bumps)
    .map(([name, type]) => `"${name}": ${type}`)
    .join('\n');
  writeFileSync(join(scratch, '.changeset', 'next.md'), `---\n${front}\n---\n\n${summary}\n`);
  await git('add', '-A');
  await git('commit', '-q', '-m', summary);
}

beforeAll(async () => {
  for (const file of ['package.json', 'pnpm-workspace.yaml']) cpSync(join(ROOT, file), join(scratch, file));
  cpSync(join(ROOT, '.changeset'), join(scratch, '.changeset'), { recursive: true });
  for (const pkg of workspacePackages()) {
    mkdirSync(join(scratch, pkg.relDir), { recursive: true });
    cpSync(join(pkg.dir, 'package.json'), join(scratch, pkg.relDir, 'package.json'));
  }
  await git('init', '-q', '-b', 'main');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'the workspace as it is');
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the release plan (changesets, run in a scratch repository)', () => {
  it('the first release is 0.1.0 for every published package, with "## 0.1.0" heading each changelog', async () => {
    const first = await plan();
    for (const pkg of published) {
      expect(first[pkg.name], pkg.name).toEqual({ type: 'minor', from: '0.0.0', to: '0.1.0' });
    }
    await runOk(process.execPath, [changeset, 'version'], { cwd: scratch });
    for (const pkg of published) {
      expect(manifest(pkg.relDir).version, pkg.name).toBe('0.1.0');
      const changelog = readFileSync(join(scratch, pkg.relDir, 'CHANGELOG.md'), 'utf8');
      expect(
        changelog.split('\n').find((l) => l.startsWith('## ')),
        pkg.name,
      ).toBe('## 0.1.0');
    }
    // Peer and dependency ranges on our own packages stay `workspace:^`: pnpm publish writes ^0.1.0.
    expect(manifest('packages/mongo').peerDependencies['@craft/scheduler']).toBe('workspace:^');
    await git('add', '-A');
    await git('commit', '-q', '-m', 'version packages');
  });

  it('after it, a breaking @craft/scheduler minor moves @craft/mongo (its peer) to 0.2.0, not 1.0.0', async () => {
    expect(existsSync(join(scratch, 'packages/scheduler/CHANGELOG.md')), 'the first release ran').toBe(true);
    await onlyChangeset({ '@craft/scheduler': 'minor' }, 'a breaking change of the engine');
    const next = await plan();
    expect(next['@craft/scheduler']).toEqual({ type: 'minor', from: '0.1.0', to: '0.2.0' });
    expect(next['@craft/mongo']).toEqual({ type: 'minor', from: '0.1.0', to: '0.2.0' });
    // Regular dependents take a patch for the new range.
    expect(next['@craft/runtime']).toEqual({ type: 'patch', from: '0.1.0', to: '0.1.1' });
  });

  it('after it, a @craft/scheduler patch leaves @craft/mongo alone (^0.1.0 still admits 0.1.1)', async () => {
    await onlyChangeset({ '@craft/scheduler': 'patch' }, 'a fix in the engine');
    const next = await plan();
    expect(next).toEqual({ '@craft/scheduler': { type: 'patch', from: '0.1.0', to: '0.1.1' } });
  });
});
