// What each published tarball contains and declares, read from the tarball (`pnpm pack`, as `changeset publish`
// packs): the manifest names no private package and no workspace protocol, carries the metadata npm provenance and
// users need, peers the packages whose instance the user owns; the files are what the manifest points at, the
// LICENSE, and src/ for the source and declaration maps (every map resolves inside the tarball); publint and attw
// find nothing.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { attwProblems, publintProblems } from '../src/lint.mjs';
import { privateNames, ROOT } from '../src/workspace.mjs';

const packed = inject('packed');
const PRIVATE = privateNames();
const DEPENDENCY_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies', 'bundleDependencies'];
const REPOSITORY = 'git+https://github.com/craft-scheduler/craft.git';

it('packs every published package of the workspace', () => {
  expect(packed.map((p) => p.name)).toEqual(
    expect.arrayContaining([
      '@craft/cron',
      '@craft/scheduler',
      '@craft/mongo',
      '@craft/runtime',
      '@craft/api',
      '@craft/cli',
      '@craft/dashboard',
    ]),
  );
  // The figures for the report: tarball and unpacked sizes.
  for (const p of packed) {
    process.stderr.write(
      `packaging: ${p.name}@${p.version} ${(p.size / 1024).toFixed(1)} kB packed, ` +
        `${(p.unpackedSize / 1024).toFixed(1)} kB unpacked, ${p.files.length} files\n`,
    );
  }
});

describe.each(
  packed.map((p) => /** @type {[string, import('../src/pack.mjs').PackedPackage]} */ ([p.name, p])),
)('%s', (_name, pkg) => {
  const manifest = pkg.manifest;

  it('names no private workspace package and no workspace: protocol in its manifest', () => {
    const text = JSON.stringify(manifest);
    for (const privateName of PRIVATE) expect(text, privateName).not.toContain(`"${privateName}"`);
    expect(text).not.toContain('workspace:');
    // devDependencies are never installed by users; the workspace's beforePacking hook (.pnpmfile.cjs) drops them.
    expect(manifest.devDependencies).toBeUndefined();
  });

  it('depends on our own packages at the current minor (^x.y.z), never on a wide range', () => {
    for (const field of DEPENDENCY_FIELDS) {
      for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
        if (!dep.startsWith('@craft/')) continue;
        const target = packed.find((p) => p.name === dep);
        expect(target, `${field}.${dep} is a published package`).toBeDefined();
        expect(range, `${field}.${dep}`).toBe(`^${target?.version}`);
      }
    }
  });

  it('carries the metadata npm and its provenance need (license, repository with directory, homepage, bugs)', () => {
    expect(manifest.license).toBe('MIT');
    expect(manifest.author).toEqual(expect.any(String));
    expect(manifest.repository).toEqual({ type: 'git', url: REPOSITORY, directory: pkg.relDir });
    expect(manifest.homepage).toBe(`https://github.com/craft-scheduler/craft/tree/main/${pkg.relDir}#readme`);
    expect(manifest.bugs).toEqual({ url: 'https://github.com/craft-scheduler/craft/issues' });
    expect(manifest.keywords.length).toBeGreaterThan(0);
    expect(manifest.description.length).toBeGreaterThan(20);
    expect(manifest.engines).toEqual({ node: '>=22.12' });
    expect(manifest.type).toBe('module');
  });

  it('ships the MIT LICENSE text of the repository and its README', () => {
    expect(pkg.files).toContain('LICENSE');
    expect(readFileSync(join(pkg.dir, 'LICENSE'), 'utf8')).toBe(readFileSync(join(ROOT, 'LICENSE'), 'utf8'));
    expect(readFileSync(join(pkg.dir, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
    expect(pkg.files).toContain('README.md');
  });

  it('ships only dist/, src/ and the documents: no tests, fixtures or build info', () => {
    const allowed = /^(package\.json|README\.md|CHANGELOG\.md|LICENSE|dist\/.+|src\/.+)$/;
    expect(pkg.files.filter((f) => !allowed.test(f))).toEqual([]);
    expect(pkg.files.filter((f) => /(\.test\.|\.tsbuildinfo$|__snapshots__|\/fixtures\/)/.test(f))).toEqual(
      [],
    );
    expect(pkg.files.some((f) => f.startsWith('dist/') && f.endsWith('.js'))).toBe(true);
  });

  it('has a source file in the tarball for every source and declaration map entry', () => {
    const maps = pkg.files.filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    /** @type {string[]} */
    const missing = [];
    for (const map of maps) {
      const { sources, sourceRoot = '' } = JSON.parse(readFileSync(join(pkg.dir, map), 'utf8'));
      for (const source of sources) {
        const path = normalize(join(dirname(join(pkg.dir, map)), sourceRoot, source));
        if (!path.startsWith(pkg.dir) || !existsSync(path)) missing.push(`${map} → ${source}`);
      }
    }
    expect(missing).toEqual([]);
    // Every emitted file that names a map has it.
    const named = pkg.files
      .filter((f) => /\.(js|d\.ts)$/.test(f))
      .map((f) => [f, /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(pkg.dir, f), 'utf8'))?.[1]])
      .filter(([, url]) => url !== undefined)
      .filter(([f, url]) => !existsSync(join(dirname(join(pkg.dir, f ?? '')), url ?? '')));
    expect(named).toEqual([]);
  });

  it('ships declarations exactly when its exports have types', () => {
    const exportsTypes = Object.values(manifest.exports ?? {}).some(
      (target) => typeof target === 'object' && target !== null && 'types' in target,
    );
    const declarations = pkg.files.filter((f) => f.endsWith('.d.ts'));
    if (exportsTypes) {
      for (const target of Object.values(manifest.exports)) {
        if (typeof target === 'object' && target.types) expect(pkg.files).toContain(target.types.slice(2));
      }
    } else {
      // A program (the CLI): nothing to import, so no declaration files.
      expect(declarations).toEqual([]);
    }
  });

  it('has bins that start with a node shebang', () => {
    for (const [bin, path] of Object.entries(manifest.bin ?? {})) {
      expect(pkg.files, bin).toContain(normalize(path));
      expect(readFileSync(join(pkg.dir, path), 'utf8'), bin).toMatch(/^#!\/usr\/bin\/env node\n/);
    }
  });

  it('passes publint (strict) and attw (esm-only profile)', async () => {
    expect([...(await publintProblems(pkg.tarball)), ...(await attwProblems(pkg.tarball))]).toEqual([]);
  });

  it('builds itself before packing (prepack), so a publish from an unbuilt checkout ships dist/', () => {
    const source = JSON.parse(readFileSync(join(ROOT, pkg.relDir, 'package.json'), 'utf8'));
    // Not `clean && build`: changeset publish packs up to 10 packages at once, and a clean here would make the
    // dependents' `tsc -b` rebuild this package while it rebuilds itself. The root `release` cleans first instead.
    expect(source.scripts.prepack).toBe('pnpm run build');
    expect(source.scripts.clean).toMatch(/^rm -rf dist\b/);
    expect(source.scripts.build).toMatch(/^tsc -b\b/);
  });
});

describe('peer dependencies: the packages whose instance the user owns', () => {
  const byName = (/** @type {string} */ name) => packed.find((p) => p.name === name)?.manifest;

  it('@craft/scheduler peers typebox (job parameter schemas are typebox values of the user)', () => {
    expect(byName('@craft/scheduler')?.peerDependencies).toEqual({
      '@opentelemetry/api': '^1.9.0',
      typebox: '^1.0.0',
    });
    // OpenTelemetry is optional: nothing to install for users who do not trace (spec section 12).
    expect(byName('@craft/scheduler')?.peerDependenciesMeta).toEqual({
      '@opentelemetry/api': { optional: true },
    });
    expect(byName('@craft/scheduler')?.dependencies?.typebox).toBeUndefined();
  });

  it('@craft/mongo peers mongodb (an app passes its own Db) and @craft/scheduler (one engine)', () => {
    const scheduler = byName('@craft/scheduler');
    expect(byName('@craft/mongo')?.peerDependencies).toEqual({
      '@craft/scheduler': `^${scheduler?.version}`,
      mongodb: '^6.22.0 || ^7.0.0',
    });
    expect(byName('@craft/mongo')?.dependencies?.mongodb).toBeUndefined();
  });

  it("@craft/dashboard peers fastify (it registers into the user's Fastify app)", () => {
    expect(byName('@craft/dashboard')?.peerDependencies).toEqual({ fastify: '^5.0.0' });
  });

  it('the programs (@craft/api, @craft/cli, @craft/runtime) depend on what they use, peers included', () => {
    for (const name of ['@craft/api', '@craft/cli', '@craft/runtime']) {
      const deps = byName(name)?.dependencies ?? {};
      expect(Object.keys(deps), name).toEqual(
        expect.arrayContaining(['@craft/scheduler', 'mongodb', 'typebox']),
      );
      expect(byName(name)?.peerDependencies, name).toBeUndefined();
    }
  });
});
