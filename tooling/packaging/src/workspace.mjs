// The workspace as a release sees it: which packages are published (every workspace package not marked private)
// and which names must never appear in a published manifest (the private ones).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is tooling/packaging/src/workspace.mjs). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * @typedef {object} WorkspacePackage
 * @property {string} name
 * @property {string} dir absolute path
 * @property {string} relDir path from the repository root, e.g. `packages/cron`
 * @property {Record<string, any>} manifest its package.json
 */

/** Every workspace package, from the globs of pnpm-workspace.yaml (`dir/*` or `dir`). */
export function workspacePackages() {
  const yaml = readFileSync(join(ROOT, 'pnpm-workspace.yaml'), 'utf8');
  const block = /^packages:\n((?:\s+-.*\n?)+)/m.exec(yaml);
  if (!block?.[1]) throw new Error('pnpm-workspace.yaml: no "packages:" list');
  const globs = [...block[1].matchAll(/-\s*['"]?([^'"\n]+?)['"]?\s*$/gm)].map((m) => m[1]);
  /** @type {WorkspacePackage[]} */
  const found = [];
  for (const glob of globs) {
    const dirs = glob.endsWith('/*')
      ? readdirSync(join(ROOT, glob.slice(0, -2)), { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => `${glob.slice(0, -2)}/${d.name}`)
      : [glob];
    for (const relDir of dirs) {
      const file = join(ROOT, relDir, 'package.json');
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, 'utf8'));
      found.push({ name: manifest.name, dir: join(ROOT, relDir), relDir, manifest });
    }
  }
  return found.sort((a, b) => a.relDir.localeCompare(b.relDir));
}

/** The packages a release publishes: every workspace package without `"private": true`. */
export function publishedPackages() {
  return workspacePackages().filter((p) => p.manifest.private !== true);
}

/** Names of the private workspace packages (never on the registry, so never in a published manifest). */
export function privateNames() {
  return workspacePackages()
    .filter((p) => p.manifest.private === true)
    .map((p) => p.name);
}
