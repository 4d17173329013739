// Fresh npm projects that install the packed tarballs the way a user installs from the registry: `npm install`
// (npm, not pnpm: what most users run) of the .tgz files plus third-party packages from the registry.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOk } from './run.mjs';

/**
 * The lowest version a range admits, for the ranges our manifests use (`^x.y.z`, `>=x.y.z`, and `a || b`).
 * @param {string} range
 */
export function floorOf(range) {
  const floors = range.split('||').map((part) => {
    const m = /^\s*(?:\^|~|>=)?\s*(\d+)\.(\d+)\.(\d+)\s*$/.exec(part);
    if (!m) throw new Error(`floorOf: unsupported range part "${part}" in "${range}"`);
    return [Number(m[1]), Number(m[2]), Number(m[3])];
  });
  floors.sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0) || (a[1] ?? 0) - (b[1] ?? 0) || (a[2] ?? 0) - (b[2] ?? 0));
  return (floors[0] ?? []).join('.');
}

/**
 * Creates an npm project in `dir` that depends on `tarballs` (by path) and the registry `specs`, and installs it.
 *
 * `overrides` pin every `@craft/*` dependency, peer and transitive, to its tarball, as the release that publishes
 * them together will satisfy them; the `@craft` scope points at a closed port, so a lookup that slipped through
 * fails instead of reaching the registry. `engine-strict` makes an `engines` range that does not hold fail the
 * install, not a later run.
 * @param {string} dir
 * @param {{ name: string, tarball: string }[]} tarballs
 * @param {Record<string, string>} specs registry packages and ranges, e.g. `{ typebox: '^1.0.0' }`
 * @returns {Promise<number>} how long `npm install` took, in ms
 */
export async function npmProject(dir, tarballs, specs) {
  mkdirSync(dir, { recursive: true });
  const local = Object.fromEntries(tarballs.map((t) => [t.name, `file:${t.tarball}`]));
  const manifest = {
    name: 'craft-install-check',
    version: '1.0.0',
    private: true,
    type: 'module',
    dependencies: { ...local, ...specs },
    overrides: local,
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(
    join(dir, '.npmrc'),
    [
      '@craft:registry=http://127.0.0.1:9/',
      'engine-strict=true',
      'audit=false',
      'fund=false',
      'update-notifier=false',
    ]
      .map((line) => `${line}\n`)
      .join(''),
  );
  const started = Date.now();
  await runOk('npm', ['install', '--prefer-offline', '--loglevel=error'], { cwd: dir, timeoutMs: 600_000 });
  return Date.now() - started;
}

/**
 * Creates a pnpm project in `dir` and runs `pnpm add <packages>` in it, as a README's install line does. Every
 * `@craft/*` package resolves to its tarball (`pnpm.overrides`; the scope's registry is a closed port), everything
 * else comes from the registry. pnpm, unlike npm, makes only the project's own dependencies importable from it, so
 * an install line that leaves out a package the example imports fails here.
 * @param {string} dir
 * @param {{ name: string, tarball: string }[]} tarballs every packed package
 * @param {string[]} packages the install line's packages, e.g. `['@craft/scheduler', 'typebox']`
 */
export async function pnpmProject(dir, tarballs, packages) {
  mkdirSync(dir, { recursive: true });
  const overrides = Object.fromEntries(tarballs.map((t) => [t.name, `file:${t.tarball}`]));
  const manifest = {
    name: 'craft-readme-install',
    version: '1.0.0',
    private: true,
    type: 'module',
    pnpm: { overrides },
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, '.npmrc'), '@craft:registry=http://127.0.0.1:9/\nengine-strict=true\n');
  const started = Date.now();
  await runOk('pnpm', ['add', ...packages], { cwd: dir, timeoutMs: 300_000 });
  return Date.now() - started;
}

/**
 * The required third-party peer dependencies of `packages` (typebox, mongodb, fastify, …; optional peers left out) with
 * their ranges: what the READMEs'
 * install lines add next to our packages. Throws when two packages peer the same name with different ranges.
 * @param {{ name: string, manifest: Record<string, any> }[]} packages
 * @returns {Record<string, string>}
 */
export function thirdPartyPeers(packages) {
  /** @type {Record<string, string>} */
  const peers = {};
  for (const pkg of packages) {
    for (const [name, range] of Object.entries(pkg.manifest.peerDependencies ?? {})) {
      if (name.startsWith('@craft/')) continue;
      // An optional peer (@opentelemetry/api of @craft/scheduler) is not installed: the examples run without it.
      if (pkg.manifest.peerDependenciesMeta?.[name]?.optional === true) continue;
      if (peers[name] !== undefined && peers[name] !== range) {
        throw new Error(`${pkg.name} peers ${name}@${range}, another package ${name}@${peers[name]}`);
      }
      peers[name] = /** @type {string} */ (range);
    }
  }
  return peers;
}

/**
 * Our packages that `names` need, transitively (dependencies and peers): a tarball install must include them all.
 * @template {{ name: string, manifest: Record<string, any> }} P
 * @param {P[]} packages every packed package
 * @param {string[]} names
 * @returns {P[]}
 */
export function withOurDependencies(packages, names) {
  const wanted = new Set(names);
  for (let grew = true; grew; ) {
    grew = false;
    for (const pkg of packages.filter((p) => wanted.has(p.name))) {
      for (const field of ['dependencies', 'peerDependencies']) {
        for (const dep of Object.keys(pkg.manifest[field] ?? {})) {
          if (dep.startsWith('@craft/') && !wanted.has(dep)) {
            wanted.add(dep);
            grew = true;
          }
        }
      }
    }
  }
  return packages.filter((p) => wanted.has(p.name));
}

/**
 * Writes `files` (path relative to `dir` → content) under `dir`.
 * @param {string} dir
 * @param {Record<string, string>} files
 */
export function writeFiles(dir, files) {
  for (const [path, content] of Object.entries(files)) {
    const file = join(dir, path);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, content);
  }
}
