// vitest globalSetup: packs every published package once per run into a temporary folder and hands the list to
// the test files (`inject('packed')`); the folder is removed at the end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packAll } from '../../src/pack.mjs';

/** @param {import('vitest/node').TestProject} project */
export default async function setup(project) {
  const dest = mkdtempSync(join(tmpdir(), 'craft-pack-'));
  const started = Date.now();
  const packed = await packAll(dest);
  process.stderr.write(
    `packaging: packed ${packed.length} packages in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
      `${packed.map((p) => `${p.name} ${(p.size / 1024).toFixed(1)} kB`).join(', ')}\n`,
  );
  project.provide('packed', packed);
  project.provide('packDir', dest);
  return () => rmSync(dest, { recursive: true, force: true });
}
