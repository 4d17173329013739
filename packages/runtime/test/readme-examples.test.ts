// The README examples this package's users and adapter authors copy must compile against the published names:
// the scheduler README's adapter test once imported `MongoStore` (the export is `MongoSchedulerStore`) from a
// repository path. Each example is type-checked as a file of its own, with the packages resolved as a user's
// project resolves them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('..', import.meta.url));
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');

/** The first ```ts block after `heading` in a README. */
function example(readmePath: string, heading: string): string {
  const text = readFileSync(readmePath, 'utf8');
  const at = text.indexOf(heading);
  expect(at, heading).toBeGreaterThan(-1);
  const block = /```ts\n([\s\S]*?)```/.exec(text.slice(at));
  expect(block, `a ts block after ${heading}`).not.toBeNull();
  return block?.[1] as string;
}

/** Type-checks `source` as a module of a project next to this package (so its dependencies resolve). */
function typeCheck(source: string): string {
  const dir = mkdtempSync(join(here, '.readme-example-'));
  try {
    writeFileSync(join(dir, 'example.ts'), source);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: '../../../tsconfig.base.json',
        compilerOptions: { noEmit: true, rootDir: '.', types: ['node'] },
        include: ['example.ts'],
      }),
    );
    try {
      execFileSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8', stdio: 'pipe' });
      return '';
    } catch (error) {
      return String((error as { stdout?: string }).stdout ?? error);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('README examples compile', () => {
  it("@craft/scheduler's adapter test example (public imports only, MongoSchedulerStore)", () => {
    const source = example(join(here, '../scheduler/README.md'), '### Writing an adapter test');
    expect(source).not.toMatch(/from '\.\.?\//); // no repository paths
    expect(typeCheck(source)).toBe('');
  });

  it("this package's usage example", () => {
    const source = example(join(here, 'README.md'), '## Usage');
    expect(typeCheck(source)).toBe('');
  });
});
