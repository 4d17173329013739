// Every error code of the package is documented in the README's Errors table, and the table lists no other.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AssetsMissingError, DASHBOARD_ERROR_CODES, InvalidOptionError } from '../src/index.js';

describe('the error catalog', () => {
  it('matches the README', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Errors'));
    const documented = [...section.matchAll(/^\| `(CRAFT_DASHBOARD_[A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...DASHBOARD_ERROR_CODES].sort());
  });

  it('each class carries its code and names what to do', () => {
    const option = new InvalidOptionError('prefix', '/', 'a path');
    expect(option).toMatchObject({
      code: 'CRAFT_DASHBOARD_INVALID_OPTION',
      option: 'prefix',
      name: 'InvalidOptionError',
    });
    const missing = new AssetsMissingError('/x/app');
    expect(missing.code).toBe('CRAFT_DASHBOARD_ASSETS_MISSING');
    expect(missing.message).toMatch(/pnpm --filter @craft\/dashboard build/);
  });
});
