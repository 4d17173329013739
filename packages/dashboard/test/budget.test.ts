// What a browser downloads before the page can show anything: the initial JavaScript (the entry module and the
// modules it preloads), measured gzipped as served over the wire. Budget: 150 kB.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { APP_DIRECTORY } from '../src/index.js';

const INITIAL_JS_BUDGET = 150 * 1024;

function initialScripts(): string[] {
  const html = readFileSync(join(APP_DIRECTORY, 'index.html'), 'utf8');
  const srcs = [
    ...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g),
    ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g),
  ].map((m) => m[1] as string);
  return srcs;
}

describe('the initial JavaScript', () => {
  it('is at most 150 kB gzipped', () => {
    const scripts = initialScripts();
    expect(scripts.length).toBeGreaterThan(0);
    let total = 0;
    for (const src of scripts) {
      const bytes = readFileSync(join(APP_DIRECTORY, src.replace(/^\.\//, '')));
      total += gzipSync(bytes, { level: 9 }).length;
    }
    console.info(
      `initial JS: ${scripts.length} file(s), ${(total / 1024).toFixed(1)} kB gzipped (budget 150 kB)`,
    );
    expect(total).toBeGreaterThan(5 * 1024); // the app is really there
    expect(total).toBeLessThanOrEqual(INITIAL_JS_BUDGET);
  });

  it('loads nothing from another origin (every script, style and icon is a file of the package)', () => {
    const html = readFileSync(join(APP_DIRECTORY, 'index.html'), 'utf8');
    const urls = [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(urls.length).toBeGreaterThan(1);
    for (const u of urls) expect(u, u).toMatch(/^\.\//);
    for (const src of initialScripts()) {
      const js = readFileSync(join(APP_DIRECTORY, src.replace(/^\.\//, '')), 'utf8');
      expect(js).not.toMatch(/import\s*\(?\s*["']https?:/);
    }
  });
});
