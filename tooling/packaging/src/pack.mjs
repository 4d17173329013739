// Packs every published package the way a release does (`pnpm pack`, with the workspace's `beforePacking` hook, as
// `pnpm publish` under `changeset publish` packs) and unpacks each tarball, so the checks read exactly what users
// would download. The packages are built already (the test task depends on their build).
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { runOk } from './run.mjs';
import { publishedPackages } from './workspace.mjs';

/**
 * @typedef {object} PackedPackage
 * @property {string} name
 * @property {string} version
 * @property {string} relDir the package's folder in the repository, e.g. `packages/cron`
 * @property {string} tarball absolute path of the .tgz
 * @property {number} size bytes of the .tgz
 * @property {number} unpackedSize bytes of its files
 * @property {string} dir the unpacked package (`<dest>/unpacked/<name>/package`)
 * @property {string[]} files paths inside the tarball, relative to `package/`, sorted
 * @property {Record<string, any>} manifest the packed package.json
 */

/** Every file under `dir`, relative to it. @param {string} dir */
export function listFiles(dir) {
  /** @type {string[]} */
  const files = [];
  const walk = (/** @type {string} */ d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.push(relative(dir, path));
    }
  };
  walk(dir);
  return files.sort();
}

/**
 * Packs every published package into `dest` and unpacks each tarball next to it.
 * @param {string} dest an empty folder
 * @returns {Promise<PackedPackage[]>}
 */
export async function packAll(dest) {
  /** @type {PackedPackage[]} */
  const packed = [];
  for (const pkg of publishedPackages()) {
    // Without lifecycle scripts: turbo built every package before this test (`^build`), and a prepack rebuild here
    // could rewrite dist/ files while other packages' tests read them. prepack.test.mjs proves prepack on a copy.
    const result = await runOk(
      'pnpm',
      ['pack', '--config.ignore-scripts=true', '--pack-destination', dest, '--json'],
      {
        cwd: pkg.dir,
        timeoutMs: 300_000,
      },
    );
    // stdout holds the prepack script's output, then pnpm's JSON.
    const filename = /"filename":\s*"([^"]+)"/.exec(result.stdout)?.[1];
    if (!filename) throw new Error(`pnpm pack of ${pkg.name} printed no filename:\n${result.stdout}`);
    const unpacked = join(dest, 'unpacked', pkg.name.replace('/', '__'));
    mkdirSync(unpacked, { recursive: true });
    await runOk('tar', ['-xzf', filename, '-C', unpacked]);
    const dir = join(unpacked, 'package');
    const files = listFiles(dir);
    packed.push({
      name: pkg.name,
      version: pkg.manifest.version,
      relDir: pkg.relDir,
      tarball: filename,
      size: statSync(filename).size,
      unpackedSize: files.reduce((sum, f) => sum + statSync(join(dir, f)).size, 0),
      dir,
      files,
      manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')),
    });
  }
  return packed;
}
