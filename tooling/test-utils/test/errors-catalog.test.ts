// Cross-checks the exported error codes against the README's Errors table.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('## Errors'));
const documented = [...section.matchAll(/^\|\s*`(CRAFT_TEST_[A-Z_]+)`\s*\|\s*`(\w+)`\s*\|/gm)].map((m) => ({
  code: m[1]!,
  className: m[2]!,
}));

describe('errors catalog', () => {
  it('the README table lists exactly the exported codes', () => {
    expect(documented.map((d) => d.code).sort()).toEqual([...api.TEST_UTILS_ERROR_CODES].sort());
  });

  it('each code is thrown by the class the README names', () => {
    const saved = process.env.MONGODB_URI;
    const thrown: api.TestUtilsError[] = [];
    try {
      delete process.env.MONGODB_URI;
      for (const attempt of [() => api.requireMongoUri(), () => api.randomDbName('')]) {
        try {
          attempt();
        } catch (error) {
          if (error instanceof api.TestUtilsError) thrown.push(error);
        }
      }
    } finally {
      process.env.MONGODB_URI = saved;
    }
    expect(thrown.map((e) => e.code).sort()).toEqual([...api.TEST_UTILS_ERROR_CODES].sort());
    for (const error of thrown) {
      expect(documented.find((d) => d.code === error.code)?.className).toBe(error.constructor.name);
      expect(error.name).toBe(error.constructor.name);
    }
  });
});
