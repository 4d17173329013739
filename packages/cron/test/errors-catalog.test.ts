// Cross-checks the exported error codes against the README's Errors table (after fastify's
// test/internals/errors.test.js): every code thrown is documented, and every documented code exists.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const errorsSection = readme.slice(readme.indexOf('## Errors'), readme.indexOf('## Migration notes'));
const documented = [...errorsSection.matchAll(/^\|\s*`(CRAFT_CRON_[A-Z_]+)`\s*\|\s*`(\w+)`\s*\|/gm)].map(
  (m) => ({
    code: m[1]!,
    className: m[2]!,
  }),
);

function sampleErrors(): api.CronError[] {
  const caught: api.CronError[] = [];
  const attempts: Array<() => unknown> = [
    () => api.parseCron('0 25 * * *'),
    () => api.parseCron('* * * *'),
    () => api.parseCron('@reboot'),
    () => api.parseCron('0 0 31 4 *'),
    () => api.assertTimezone('Nowhere/Atlantis'),
    () => api.getNextRun('* * * * *', Number.NaN),
    () => api.getNextRun('* * * * *', 0, { dstGap: 'shfit' as api.DstGapPolicy }),
    () => api.fromPosix('0 0 1 * */2'),
  ];
  for (const attempt of attempts) {
    try {
      attempt();
    } catch (error) {
      if (error instanceof api.CronError) caught.push(error);
    }
  }
  return caught;
}

describe('errors catalog', () => {
  it('the README table lists exactly the exported codes', () => {
    expect(documented.map((d) => d.code).sort()).toEqual([...api.CRON_ERROR_CODES].sort());
  });

  it('every documented class is exported and extends CronError', () => {
    for (const { className } of documented) {
      const cls = (api as Record<string, unknown>)[className];
      expect(typeof cls).toBe('function');
      expect((cls as { prototype: unknown }).prototype).toBeInstanceOf(api.CronError);
    }
  });

  it('each code is thrown by the class the README names, with that class name as error.name', () => {
    const errors = sampleErrors();
    expect(errors.map((e) => e.code).sort()).toEqual([...api.CRON_ERROR_CODES].sort());
    for (const error of errors) {
      const row = documented.find((d) => d.code === error.code);
      expect(row?.className).toBe(error.constructor.name);
      expect(error.name).toBe(error.constructor.name);
    }
  });
});
